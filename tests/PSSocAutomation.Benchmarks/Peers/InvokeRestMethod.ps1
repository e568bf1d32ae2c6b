# A hand-written point-in-time loop with Invoke-RestMethod: what a PowerShell user writes without the module, and the
# floor the module has to beat. Same requests as the Python client: PIT + search_after, 1,000 hits a page, reading
# severity. Prints one JSON line per pass.
param(
    [Parameter(Mandatory)] [string] $ConnectionFile,
    [string] $Index = 'bench',
    [int] $Passes = 1,
    [switch] $FirstOnly
)
$ErrorActionPreference = 'Stop'
function Now { [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() }
$processStart = [DateTimeOffset]::new([Diagnostics.Process]::GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds()
$lab = Get-Content -Raw $ConnectionFile | ConvertFrom-Json
$uri = $lab.Elastic.Uri.TrimEnd('/')
$basic = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($lab.Elastic.User):$($lab.Elastic.Password)"))
$headers = @{ Authorization = "Basic $basic" }
$ready = Now
for ($pass = 1; $pass -le $Passes; $pass++) {
    $start = Now
    $firstAt = $null
    $alerts = 0
    $high = 0
    $pit = (Invoke-RestMethod -Method Post -Uri "$uri/$Index/_pit?keep_alive=2m" -Headers $headers).id
    $after = $null
    do {
        $body = @{ size = 1000; pit = @{ id = $pit; keep_alive = '2m' }; sort = @(@{ '@timestamp' = @{ order = 'asc'; unmapped_type = 'date' } }); track_total_hits = $false }
        if ($null -ne $after) { $body.search_after = $after }
        $page = Invoke-RestMethod -Method Post -Uri "$uri/_search" -Headers $headers -ContentType 'application/json' -Body ($body | ConvertTo-Json -Depth 6 -Compress)
        $hits = $page.hits.hits
        if ($hits.Count -gt 0 -and $null -eq $firstAt) { $firstAt = Now }
        foreach ($hit in $hits) {
            $alerts++
            if ($hit._source.severity -eq 'high') { $high++ }
        }
        if ($page.pit_id) { $pit = $page.pit_id }
        if ($hits.Count -gt 0) { $after = $hits[-1].sort }
    } while (-not $FirstOnly -and $hits.Count -eq 1000)
    Invoke-RestMethod -Method Delete -Uri "$uri/_pit" -Headers $headers -ContentType 'application/json' -Body (@{ id = $pit } | ConvertTo-Json) | Out-Null
    $end = Now
    [ordered]@{
        alerts = $alerts; matched = $high; processStart = $processStart; ready = $ready; start = $start; first = $firstAt; end = $end
        peakWorkingSet = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
    } | ConvertTo-Json -Compress
}
