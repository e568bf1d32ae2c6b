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
    Outputs one row per alert: AlertId, Severity, Message, CaseId, CaseName, Outcome (Created or Existing).

    Against real services, change only the two Connect-* lines (or the parameters they take).
    Uses only the module and core PowerShell, so it also runs in a minimal hosted engine.

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
$irisTls = @{}
if ($IrisCertificateThumbprint) { $irisTls.CertificateThumbprint = $IrisCertificateThumbprint }

# --- The two lines to change for other services -------------------------------------------------
Connect-Elastic -Uri $ElasticUri -Credential $ElasticCredential | Out-Null
Connect-Iris -Uri $IrisUri -ApiKey $IrisApiKey @irisTls | Out-Null
# -----------------------------------------------------------------------------------------------

# 1. The five sample alerts of the story.
$sample = @(
    @{ alert_id = '1'; timestamp = '2024-09-20T12:00:00'; alert_type = 'security';    message = 'Unauthorized login attempt detected';     severity = 'high';     status = 'active' }
    @{ alert_id = '2'; timestamp = '2024-09-20T12:15:00'; alert_type = 'performance'; message = 'CPU usage exceeded 90%';                  severity = 'medium';   status = 'active' }
    @{ alert_id = '3'; timestamp = '2024-09-20T12:30:00'; alert_type = 'security';    message = 'Multiple failed login attempts detected'; severity = 'critical'; status = 'active' }
    @{ alert_id = '4'; timestamp = '2024-09-20T13:00:00'; alert_type = 'performance'; message = 'Memory usage exceeded 80%';               severity = 'medium';   status = 'resolved' }
    @{ alert_id = '5'; timestamp = '2024-09-20T13:30:00'; alert_type = 'security';    message = 'Potential SQL injection detected';        severity = 'high';     status = 'active' }
)
$loaded = $sample | Send-ElasticDocument -Index $Index -IdProperty alert_id -Refresh wait_for
$PSCmdlet.WriteVerbose("Loaded: $($loaded.Created) new, $($loaded.AlreadyExisted) already there.")

# 2. The unique alerts, the module's way ...
$unique = @(Get-ElasticAlert -Index $Index -UniqueBy alert_id -TimeField timestamp)

# ... and the story's own aggregation, exploded twice (buckets, then each bucket's top hit).
$query = @'
{"size":0,"aggs":{"unique_alerts":{"terms":{"field":"alert_id.keyword","size":10},
 "aggs":{"top_alerts_hits":{"top_hits":{"size":1,"_source":{"includes":
 ["alert_id","alert_type","message","severity","timestamp","status"]}}}}}}}
'@
$exploded = @(Invoke-ElasticSearch -Index $Index -Body $query |
    Expand-AlertBucket -Aggregation unique_alerts -TopHits top_alerts_hits -TimeField timestamp)

$uniqueIds = [string[]]($unique | ForEach-Object Id); [array]::Sort($uniqueIds)
$explodedIds = [string[]]($exploded | ForEach-Object Id); [array]::Sort($explodedIds)
if (($uniqueIds -join ',') -ne ($explodedIds -join ',')) {
    throw "The two ways of getting unique alerts disagree: -UniqueBy gave $($uniqueIds -join ','), the aggregation gave $($explodedIds -join ',')."
}

# 3. One IRIS case per alert; an alert that already has a case gets that case back.
$cases = @($unique | New-IrisCase -Customer $Customer)

# 4. Every alert has exactly one case, with its id and message.
foreach ($alert in $unique) {
    $found = @(Get-IrisCase -SocId $alert.Id -Customer $Customer)
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
        Outcome  = if ($made.Existing) { 'Existing' } else { 'Created' }
    }
}
