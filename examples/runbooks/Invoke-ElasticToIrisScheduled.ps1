<#
.SYNOPSIS
    Azure Automation runbook, on a schedule: the Elasticsearch alerts that arrived since the last completed run become
    DFIR-IRIS alerts, each exactly once.

.DESCRIPTION
    Every run reads the alerts of -Index from where the last completed run stopped (less -Overlap, for alerts indexed
    late) and opens one IRIS alert each. Where it stopped lives in an Automation variable (-CheckpointVariable, a
    string variable created empty), not on the sandbox's disk, which does not outlive the job.

    Automation restarts an interrupted job from its start (and runs a job that overran its fair share again), so the
    runbook is built to be run again at any point: the checkpoint variable is written only after the whole pipeline
    completed, and New-IrisAlert finds an alert it opened before by its source reference instead of opening a second.
    Everything it needs comes from Automation assets, whose names are the parameters:
      - variables: the Elasticsearch and IRIS URLs, the IRIS certificate's thumbprint (may be empty), the checkpoint;
      - credentials: Elasticsearch (user and password), IRIS (any user name; the password is the API key).
    Times are UTC, as in every Automation sandbox. For an on-premises Elasticsearch or IRIS, run it on a Hybrid
    Runbook Worker that can reach them.

.EXAMPLE
    # In the Automation account: import PSSocAutomation.zip (runtime 7.4, or 5.1), create the assets, publish this
    # runbook, and link it to a schedule every 15 minutes.
    Start-AzAutomationRunbook -AutomationAccountName soc -ResourceGroupName soc -Name Invoke-ElasticToIrisScheduled -Parameters @{ Index = 'alerts-*' }
#>
param(
    [string] $Index = 'alerts',
    [string] $Customer = 'IrisInitialClient',
    # How far back the very first run reads.
    [string] $Since = '1d',
    [string] $Overlap = '10m',
    [string] $ElasticUriVariable = 'PSSoc-ElasticUri',
    [string] $ElasticCredentialName = 'PSSoc-Elastic',
    [string] $IrisUriVariable = 'PSSoc-IrisUri',
    [string] $IrisThumbprintVariable = 'PSSoc-IrisThumbprint',
    [string] $IrisCredentialName = 'PSSoc-Iris',
    [string] $CheckpointVariable = 'PSSoc-ElasticToIris-Checkpoint'
)

$ErrorActionPreference = 'Stop'
# Automation loads an imported module by itself; a Hybrid Worker or a test may have it loaded from elsewhere already.
if (-not (Get-Module PSSocAutomation)) { Import-Module PSSocAutomation }

$elasticCredential = Get-AutomationPSCredential -Name $ElasticCredentialName
$irisCredential = Get-AutomationPSCredential -Name $IrisCredentialName
$irisTls = @{}
$thumbprint = Get-AutomationVariable -Name $IrisThumbprintVariable
if ($thumbprint) { $irisTls.CertificateThumbprint = $thumbprint }

# The checkpoint goes through a file of this job's own for the run, and back into the variable at the end.
$checkpointFile = Join-Path ([System.IO.Path]::GetTempPath()) ('pssoc-' + [guid]::NewGuid().ToString('N') + '.checkpoint')
$saved = Get-AutomationVariable -Name $CheckpointVariable
if ($saved) { [System.IO.File]::WriteAllText($checkpointFile, $saved) }

$es = $iris = $null
try {
    $es = Connect-Elastic -Uri (Get-AutomationVariable -Name $ElasticUriVariable) -Credential $elasticCredential -NoDefault
    $iris = Connect-Iris -Uri (Get-AutomationVariable -Name $IrisUriVariable) -ApiKey $irisCredential.Password @irisTls -NoDefault

    # One pipeline: the checkpoint moves only if it completes (a terminating error ends the job before the save below).
    $opened = @(Get-ElasticAlert -Connection $es -Index $Index -Since $Since -Checkpoint $checkpointFile -Overlap $Overlap |
        New-IrisAlert -Connection $iris -Customer $Customer)

    if (Test-Path $checkpointFile) {
        Set-AutomationVariable -Name $CheckpointVariable -Value ([System.IO.File]::ReadAllText($checkpointFile))
    }
    [pscustomobject]@{
        Index    = $Index
        Alerts   = $opened.Count
        Created  = @($opened | Where-Object { $_.Action -eq 'Created' }).Count
        Existing = @($opened | Where-Object { $_.Action -ne 'Created' }).Count
        RunAtUtc = [DateTime]::UtcNow.ToString('o')
    }
}
finally {
    if ($es) { Disconnect-Elastic -Connection $es }
    if ($iris) { Disconnect-Iris -Connection $iris }
    Remove-Item $checkpointFile -ErrorAction SilentlyContinue
}
