# The module's side of the side-by-side benchmark, run by a fresh pwsh per measurement:
#   pwsh -NoProfile -NonInteractive -File GetElasticAlert.ps1 -Module <psd1> -ConnectionFile <lab.json> -Index bench -Shape Where -Passes 2
# Each pass is one pipeline a user writes; the first pass in the process is the one a scheduled script gets (cold), a
# second pass in the same process is an interactive session's next run (warm). Prints one JSON line per pass.
#   Where    Get-ElasticAlert | Where-Object Severity -eq High | Measure-Object
#   ForEach  Get-ElasticAlert | ForEach-Object { reads Severity and Host }
#   Csv      Get-ElasticAlert | Select-Object <five fields> | Export-Csv
#   Source   Get-ElasticAlert | Measure-Object   (the source alone: no property is read)
#   Memory   the alerts collected and their fields read first (not timed), then
#            $alerts | Where-Object Severity -eq High | Measure-Object:
#            PowerShell's own cost for the filter, the floor any source meets
#   First    Get-ElasticAlert | Select-Object -First 1   (time to the first alert)
#   Startup  Import-Module and Connect-Elastic only
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $ConnectionFile,
    [string] $Index = 'bench',
    [ValidateSet('Where', 'ForEach', 'Csv', 'Source', 'Memory', 'First', 'Startup')] [string] $Shape = 'Where',
    [int] $Passes = 2,
    [long] $First = 0,
    [string] $CsvPath = ''
)
$ErrorActionPreference = 'Stop'
function Now { [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() }
$processStart = [DateTimeOffset]::new([Diagnostics.Process]::GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds()
$scriptStart = Now
Import-Module $Module
$imported = Now
$lab = Get-Content -Raw $ConnectionFile | ConvertFrom-Json
$credential = [pscredential]::new($lab.Elastic.User, (ConvertTo-SecureString $lab.Elastic.Password -AsPlainText -Force))
$connecting = Now
Connect-Elastic -Uri $lab.Elastic.Uri -Credential $credential | Out-Null
$ready = Now
if ($Shape -eq 'Startup') { $Passes = 1 }
$get = @{ Index = $Index }
if ($First -gt 0) { $get.First = $First }
if ($Shape -eq 'Memory') {
    $collected = Get-ElasticAlert @get
    # Read once, untimed, so the timed passes measure the filter alone, not the alerts' first read of their fields.
    $null = $collected.Severity
}
for ($pass = 1; $pass -le $Passes; $pass++) {
    $start = Now
    $firstAt = $null
    $alerts = $null
    $matched = $null
    switch ($Shape) {
        'Where' {
            $matched = (Get-ElasticAlert @get | Where-Object Severity -eq High | Measure-Object).Count
        }
        'Source' {
            $alerts = (Get-ElasticAlert @get | Measure-Object).Count
        }
        'Memory' {
            $matched = ($collected | Where-Object Severity -eq High | Measure-Object).Count
        }
        'ForEach' {
            $n = 0
            $hosts = 0
            Get-ElasticAlert @get | ForEach-Object { $n++; if ($_.Severity -eq 'High' -and $_.Host) { $hosts++ } }
            $alerts = $n
            $matched = $hosts
        }
        'Csv' {
            Get-ElasticAlert @get | Select-Object Id, Time, Severity, Host, Title | Export-Csv -Path $CsvPath -NoTypeInformation
            $alerts = [IO.File]::ReadLines($CsvPath) | Measure-Object | ForEach-Object { $_.Count - 1 }
        }
        'First' {
            $alert = Get-ElasticAlert @get | Select-Object -First 1
            $firstAt = Now
            $alerts = @($alert).Count
        }
        'Startup' { $alerts = 0 }
    }
    $end = Now
    [ordered]@{
        alerts = $alerts; matched = $matched; processStart = $processStart; scriptStart = $scriptStart; imported = $imported
        connecting = $connecting; ready = $ready; start = $start; first = $firstAt; end = $end
        peakWorkingSet = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
    } | ConvertTo-Json -Compress
}
