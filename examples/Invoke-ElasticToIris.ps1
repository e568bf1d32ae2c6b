<#
.SYNOPSIS
    Story 1: Elasticsearch alerts to DFIR-IRIS cases, one case per unique alert, never two.

.DESCRIPTION
    1. Loads the five sample alerts into an Elasticsearch index through the Bulk API (idempotently: ids are alert_id).
    2. Asks Elasticsearch for the unique alerts by alert_id, both ways: Get-ElasticAlert -UniqueBy, and the story's
       own terms + top_hits aggregation exploded with Expand-AlertBucket. Both must agree.
    3. Opens one IRIS case per alert (SOC id = alert_id, name and description from the alert's message). A case that
       already exists for that SOC id and customer is returned, not created again.
    4. Cross-checks that every alert has exactly one case, with matching details.
    Outputs one row per alert: AlertId, Severity, Message, CaseId, CaseName, Outcome (what New-IrisCase did:
    Created, Existing, Updated, Adopted or Incomplete).

    Against real services, change only the two Connect-* lines (or the parameters they take).
    Uses only the module and core PowerShell, so it also runs in a minimal hosted engine. It loads the module itself
    when it is not loaded (from PSModulePath, else from this repository's out/ folder), and it works on connections of
    its own (-NoDefault, then -Connection on every cmdlet), closed at the end: the caller's default connections are
    left as they were.

.EXAMPLE
    ./Invoke-ElasticToIris.ps1 -ElasticUri https://es.corp.example:9200 -ElasticCredential (Get-Credential elastic) `
        -IrisUri https://iris.corp.example -IrisApiKey (Get-Secret IrisApiKey) -IrisCertificateThumbprint $thumb | Format-Table
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ElasticUri,
    [Parameter(Mandatory)] [pscredential] $ElasticCredential,
    [Parameter(Mandatory)] [string] $IrisUri,
    [Parameter(Mandatory)] [securestring] $IrisApiKey,
    # Pin the IRIS certificate (a default install serves a self-signed one).
    [string] $IrisCertificateThumbprint,
    [string] $Customer = 'IrisInitialClient',
    [string] $Index = 'alerts'
)

$ErrorActionPreference = 'Stop'

# A fresh pwsh has not loaded the module: an installed one (PSModulePath) is used, else the build beside this script.
if (-not (Get-Module PSSocAutomation)) {
    if (Get-Module PSSocAutomation -ListAvailable) { Import-Module PSSocAutomation }
    else {
        $built = Join-Path $PSScriptRoot '../out/PSSocAutomation/PSSocAutomation.psd1'
        if (-not (Test-Path $built)) { throw "PSSocAutomation is neither loaded, installed nor built at $built. Install it, or run: dotnet build PSSocAutomation.sln" }
        Import-Module $built
    }
}

$irisTls = @{}
if ($IrisCertificateThumbprint) { $irisTls.CertificateThumbprint = $IrisCertificateThumbprint }

# -NoDefault: the script's own connections, passed with -Connection; the caller's defaults stay as they were.
# --- The two lines to change for other services (below) ---------------------------------------
$es = $iris = $null
try {
    $es = Connect-Elastic -Uri $ElasticUri -Credential $ElasticCredential -NoDefault
    $iris = Connect-Iris -Uri $IrisUri -ApiKey $IrisApiKey @irisTls -NoDefault
    # -------------------------------------------------------------------------------------------

    # 1. The five sample alerts of the story.
    $sample = @(
        @{ alert_id = '1'; timestamp = '2024-09-20T12:00:00'; alert_type = 'security';    message = 'Unauthorized login attempt detected';     severity = 'high';     status = 'active' }
        @{ alert_id = '2'; timestamp = '2024-09-20T12:15:00'; alert_type = 'performance'; message = 'CPU usage exceeded 90%';                  severity = 'medium';   status = 'active' }
        @{ alert_id = '3'; timestamp = '2024-09-20T12:30:00'; alert_type = 'security';    message = 'Multiple failed login attempts detected'; severity = 'critical'; status = 'active' }
        @{ alert_id = '4'; timestamp = '2024-09-20T13:00:00'; alert_type = 'performance'; message = 'Memory usage exceeded 80%';               severity = 'medium';   status = 'resolved' }
        @{ alert_id = '5'; timestamp = '2024-09-20T13:30:00'; alert_type = 'security';    message = 'Potential SQL injection detected';        severity = 'high';     status = 'active' }
    )
    $loaded = $sample | Send-ElasticDocument -Connection $es -Index $Index -IdProperty alert_id -Refresh wait_for
    $PSCmdlet.WriteVerbose("Loaded: $($loaded.Created) new, $($loaded.AlreadyExisted) already there.")

    # 2. The unique alerts, the module's way ...
    $unique = @(Get-ElasticAlert -Connection $es -Index $Index -UniqueBy alert_id -TimeField timestamp)

    # ... and the story's own aggregation, exploded twice (buckets, then each bucket's top hit).
    $query = @'
{"size":0,"aggs":{"unique_alerts":{"terms":{"field":"alert_id.keyword","size":10},
 "aggs":{"top_alerts_hits":{"top_hits":{"size":1,"_source":{"includes":
 ["alert_id","alert_type","message","severity","timestamp","status"]}}}}}}}
'@
    $exploded = @(Invoke-ElasticSearch -Connection $es -Index $Index -Body $query |
        Expand-AlertBucket -Aggregation unique_alerts -TopHits top_alerts_hits -TimeField timestamp)

    $uniqueIds = [string[]]($unique | ForEach-Object Id); [array]::Sort($uniqueIds)
    $explodedIds = [string[]]($exploded | ForEach-Object Id); [array]::Sort($explodedIds)
    if (($uniqueIds -join ',') -ne ($explodedIds -join ',')) {
        throw "The two ways of getting unique alerts disagree: -UniqueBy gave $($uniqueIds -join ','), the aggregation gave $($explodedIds -join ',')."
    }

    # 3. One IRIS case per alert; an alert that already has a case gets that case back.
    $cases = @($unique | New-IrisCase -Connection $iris -Customer $Customer)

    # 4. Every alert has exactly one case, with its id and message.
    foreach ($alert in $unique) {
        $found = @(Get-IrisCase -Connection $iris -SocId $alert.Id -Customer $Customer)
        if ($found.Count -ne 1) { throw "Alert $($alert.Id) has $($found.Count) IRIS cases; expected exactly one." }
        $case = $found[0]
        if ($case.Description -notlike "*$($alert.Title)*") { throw "The case for alert $($alert.Id) does not carry the alert's message." }
        $made = $cases | Where-Object { $_.SocId -eq $alert.Id }
        [pscustomobject]@{
            AlertId  = $alert.Id
            Severity = $alert.Severity
            Message  = $alert.Title
            CaseId   = $case.CaseId
            CaseName = $case.Name
            Outcome  = "$($made.Action)"
        }
    }
}
finally {
    if ($es) { Disconnect-Elastic -Connection $es }
    if ($iris) { Disconnect-Iris -Connection $iris }
}
