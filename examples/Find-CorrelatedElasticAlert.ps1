<#
.SYNOPSIS
    Story 4's correlation step: for each Security Hub finding, the Elastic Security alerts that share its indicators.

.DESCRIPTION
    1. Reads Security Hub findings from a file: a GetFindings response ({"Findings": [...]}), an EventBridge
       "Security Hub Findings - Imported" event (detail.findings), or one finding.
    2. Extracts each finding's addresses and host names (Get-AlertIndicator reads the finding's text and fields).
    3. Searches the Kibana space's alerts index for alerts that name them (Search-ElasticIndicator).
    4. (Escalating to Jira and Slack goes here as those cmdlets arrive.)
    5. Outputs one summary per finding: FindingId, Title, Severity, Indicators, MatchedAlerts (how many Elastic alerts
       share an indicator), AlertIds, Rules, and Priority: 'Incident' when anything matched, else 'Monitor'.

.EXAMPLE
    ./Find-CorrelatedElasticAlert.ps1 -FindingPath ./findings.json -ElasticUri https://es.corp.example:9200 `
        -ElasticCredential (Get-Credential elastic) -Since '30d' | Where-Object Priority -eq Incident
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $FindingPath,
    [Parameter(Mandatory)] [string] $ElasticUri,
    [Parameter(Mandatory)] [pscredential] $ElasticCredential,
    [string] $Space = 'default',
    [string] $Since = '30d'
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

# 1. Whatever shape the file has, a list of ASFF findings.
$document = Get-Content -Raw -LiteralPath $FindingPath | ConvertFrom-Json
$findings = if ($document.Findings) { $document.Findings } elseif ($document.detail.findings) { $document.detail.findings } else { @($document) }

$es = $null
try {
    $es = Connect-Elastic -Uri $ElasticUri -Credential $ElasticCredential -NoDefault
    $alertsIndex = ".alerts-security.alerts-$Space"

    foreach ($finding in $findings) {
        # 2. Addresses and host names, from the finding's fields and its description.
        $indicators = @([pscustomobject]@{ Id = $finding.Id; Title = $finding.Title; Description = $finding.Description } |
            Get-AlertIndicator -Type ip, domain, host)

        # 3. The Elastic Security alerts that name any of them.
        $found = @(if ($indicators) { $indicators | Search-ElasticIndicator -Connection $es -Index $alertsIndex -Since $Since -First 50 })
        $alerts = @($found | ForEach-Object Alerts | Sort-Object Id -Unique)

        # 5. The summary that combines both sides.
        [pscustomobject]@{
            FindingId     = $finding.Id
            Title         = $finding.Title
            Severity      = $finding.Severity.Label
            Indicators    = ($indicators | ForEach-Object Value) -join ', '
            MatchedAlerts = $alerts.Count
            AlertIds      = ($alerts | ForEach-Object Id) -join ', '
            Rules         = ($alerts | ForEach-Object Rule | Sort-Object -Unique) -join ', '
            Priority      = if ($alerts.Count -gt 0) { 'Incident' } else { 'Monitor' }
        }
    }
}
finally {
    if ($es) { Disconnect-Elastic -Connection $es }
}
