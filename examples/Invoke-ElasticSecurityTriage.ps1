<#
.SYNOPSIS
    Story 2, first and last steps: the open Elastic Security alerts of the last 15 minutes in, their indicators out,
    an IRIS alert each, and the status pushed back to Elastic as acknowledged.

.DESCRIPTION
    1. Reads the open detection alerts of a Kibana space created in the last -Since (15 minutes by default), through
       Kibana's detection engine (ApiKey or Basic auth; the module sends kbn-xsrf). With -Checkpoint, a run scheduled
       every 15 minutes reads exactly what arrived since the last completed run, late alerts included.
    2. Extracts each alert's IPs, user names, hosts and file hashes (Get-AlertIndicator).
    3. (Story 2's enrichment, chat and ticket steps - VirusTotal, Falcon, Slack, Jira - go here as they arrive.)
    4. Opens one DFIR-IRIS alert per detection alert (never two for one: the SOC id is the Kibana alert id).
    5. Sets the alerts that reached IRIS to acknowledged in Elastic, so the next analyst sees they are being handled.
    Outputs one row per alert: AlertId, Rule, Severity, Host, Indicators, IrisAlertId, Status (what
    Set-ElasticAlertStatus did: Updated, Unchanged, Conflict, NotFound).

    Works on connections of its own (-NoDefault, then -Connection), closed at the end.

.EXAMPLE
    ./Invoke-ElasticSecurityTriage.ps1 -ElasticUri https://es.corp.example:9200 -KibanaUri https://kibana.corp.example `
        -ElasticApiKey (Get-Secret ElasticApiKey) -IrisUri https://iris.corp.example -IrisApiKey (Get-Secret IrisApiKey) `
        -Checkpoint ~/soc/triage.checkpoint | Format-Table
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ElasticUri,
    [Parameter(Mandatory)] [string] $KibanaUri,
    # Basic auth, or -ElasticApiKey (the encoded id:key Kibana's UI gives).
    [pscredential] $ElasticCredential,
    [securestring] $ElasticApiKey,
    [Parameter(Mandatory)] [string] $IrisUri,
    [Parameter(Mandatory)] [securestring] $IrisApiKey,
    [string] $IrisCertificateThumbprint,
    [string] $Customer = 'IrisInitialClient',
    [string] $Space = 'default',
    [string] $Since = '15m',
    # A file that makes a scheduled run resume where the last completed one stopped.
    [string] $Checkpoint
)

$ErrorActionPreference = 'Stop'

if (-not (Get-Module PSSocAutomation)) {
    if (Get-Module PSSocAutomation -ListAvailable) { Import-Module PSSocAutomation }
    else {
        $built = Join-Path $PSScriptRoot '../out/PSSocAutomation/PSSocAutomation.psd1'
        if (-not (Test-Path $built)) { throw "PSSocAutomation is neither loaded, installed nor built at $built. Install it, or run: dotnet build PSSocAutomation.sln" }
        Import-Module $built
    }
}

$auth = if ($ElasticApiKey) { @{ ApiKey = $ElasticApiKey } } elseif ($ElasticCredential) { @{ Credential = $ElasticCredential } } else { throw 'Give -ElasticCredential or -ElasticApiKey.' }
$irisTls = @{}
if ($IrisCertificateThumbprint) { $irisTls.CertificateThumbprint = $IrisCertificateThumbprint }
$resume = @{}
if ($Checkpoint) { $resume.Checkpoint = $Checkpoint }

$es = $iris = $null
try {
    $es = Connect-Elastic -Uri $ElasticUri -KibanaUri $KibanaUri @auth -NoDefault
    $iris = Connect-Iris -Uri $IrisUri -ApiKey $IrisApiKey @irisTls -NoDefault

    # 1. Open alerts of the window, oldest first. 2. Their indicators (an alert's own Indicators collection is filled the same way).
    $alerts = @(Get-ElasticSecurityAlert -Connection $es -Space $Space -Status open -Since $Since @resume)
    $indicators = @{}
    foreach ($alert in $alerts) { $indicators[$alert.Id] = @($alert | Get-AlertIndicator -Type ip, user, host, md5, sha1, sha256) }

    # 4. One IRIS alert per detection alert; a re-run finds the one it made.
    $opened = @($alerts | New-IrisAlert -Connection $iris -Customer $Customer)
    $byRef = @{}
    foreach ($made in $opened) { $byRef[$made.SourceRef] = $made }

    # 5. Acknowledge in Elastic what reached IRIS.
    $status = @{}
    $handled = @($alerts | Where-Object { $byRef.ContainsKey($_.Id) })
    foreach ($change in ($handled | Set-ElasticAlertStatus -Connection $es -Status acknowledged)) { $status[$change.Id] = $change }

    foreach ($alert in $alerts) {
        $change = $status[$alert.SourceFields.DocumentId]
        [pscustomobject]@{
            AlertId     = $alert.Id
            Rule        = $alert.Rule
            Severity    = $alert.Severity
            Host        = $alert.Host
            Indicators  = ($indicators[$alert.Id] | ForEach-Object { "$($_.Type):$($_.Value)" }) -join ', '
            IrisAlertId = $byRef[$alert.Id].AlertId
            Status      = "$($change.Outcome)"
        }
    }
}
finally {
    if ($es) { Disconnect-Elastic -Connection $es }
    if ($iris) { Disconnect-Iris -Connection $iris }
}
