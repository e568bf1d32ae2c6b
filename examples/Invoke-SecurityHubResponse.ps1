<#
.SYNOPSIS
    Story 3: a high GuardDuty finding in Security Hub answered: its instance isolated on every network interface, its
    role contained, and the finding set to NOTIFIED with a note saying what was done.

.DESCRIPTION
    1. Receives the findings: pushed (-InputEvent: an SNS notification carrying the EventBridge "Security Hub Findings -
       Imported" event, the EventBridge event itself, or Azure Automation's $WebhookData; SNS signatures are verified),
       or pulled from Security Hub (the NEW, ACTIVE GuardDuty findings of -Severity).
    2. Keeps the findings of -Severity whose workflow status is still NEW. That is also what keeps the script from
       acting on its own change: setting NOTIFIED makes Security Hub send the finding again as a new Imported event,
       which arrives NOTIFIED and is passed over.
    3. For each EC2 instance a finding names (region from the resource ARN): reads it (Get-Ec2Instance), isolates it
       (Invoke-Ec2Isolation: protected, snapshotted, out of its Auto Scaling group and target groups, every interface
       moved to the VPC's isolation group, its instance profile removed), and contains the role of its instance profile
       (Invoke-IamContainment: sessions issued before now are denied, since the credentials already on the instance
       stay valid after the profile is gone). An IAM finding (an access key) gets its user or role contained.
    4. Sets the finding to NOTIFIED with a note naming what was done, unless it already is (re-read first, so a
       repeated event sends no second update and starts no second echo).
    Outputs one row per finding: FindingId, Severity, Title, Instances, Isolation, Principals, Containment,
    WorkflowStatus, Note.

    Running it again changes nothing: isolation and containment find every step done, and the finding is NOTIFIED.
    -WhatIf lists every step of every isolation and containment and sends no call that changes anything. If a step
    fails, the script stops with an error naming the steps that were done; the record stays on the instance's tags, so
    running the script again finishes the work, and Undo-Ec2Isolation -InstanceId puts the original groups back.

    It works on a connection of its own (Connect-Aws -NoDefault, then -Connection), closed at the end; the caller's
    default connection is left as it was. It loads the module itself when it is not loaded.

.EXAMPLE
    ./Invoke-SecurityHubResponse.ps1 -Region eu-west-1 -ProfileName soc-responder -WhatIf

    What the response to the new high and critical GuardDuty findings of eu-west-1 would do, step by step; nothing is changed.

.EXAMPLE
    # An Azure Automation webhook runbook behind an SNS HTTPS subscription:
    param([object] $WebhookData)
    ./Invoke-SecurityHubResponse.ps1 -InputEvent $WebhookData -AllowedTopicArn 'arn:aws:sns:eu-west-1:123456789012:securityhub-findings'
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $Region,
    [string] $ProfileName,
    # AWS credentials as every AWS cmdlet takes them (AWSCredentials, PSCredential or a hashtable); default: the standard chain.
    [object] $Credential,
    # Send every AWS request here instead of the public endpoints (a VPC endpoint, the Lab).
    [string] $EndpointUrl,
    # A pushed event: an SNS envelope, an EventBridge event or $WebhookData. Without it, findings are pulled.
    [object] $InputEvent,
    # SNS topics whose notifications are accepted (any verified topic when empty).
    [string[]] $AllowedTopicArn,
    # The SNS signing certificate to pin instead of fetching it (offline checks, tests).
    [object] $SnsSigningCertificate,
    [ValidateSet('INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL')]
    [string[]] $Severity = @('HIGH', 'CRITICAL')
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

$connect = @{}
foreach ($name in 'Region', 'ProfileName', 'Credential', 'EndpointUrl') {
    if ($PSBoundParameters.ContainsKey($name)) { $connect[$name] = $PSBoundParameters[$name] }
}
# The containment cmdlets ask before they act (ConfirmImpact High); this script is the decision, so it does not ask
# again, but it passes -WhatIf on.
$act = @{ Confirm = $false; WhatIf = [bool]$WhatIfPreference }

$aws = Connect-Aws @connect -NoDefault
try {
    # 1. The findings, pushed or pulled.
    if ($PSBoundParameters.ContainsKey('InputEvent')) {
        $verify = @{}
        if ($AllowedTopicArn) { $verify.AllowedTopicArn = $AllowedTopicArn }
        if ($SnsSigningCertificate) { $verify.SigningCertificate = $SnsSigningCertificate }
        $findings = @($InputEvent | ConvertFrom-SecurityHubEvent @verify)
    }
    else {
        $findings = @(Get-SecurityHubFinding -Connection $aws -ProductName GuardDuty -Severity $Severity)
    }

    foreach ($finding in $findings) {
        # 2. Only what is still to be answered.
        if ($finding.SourceSeverity -notin $Severity) { Write-Verbose "Finding $($finding.Id) is $($finding.SourceSeverity): not answered."; continue }
        if ($finding.Status -ne 'NEW') { Write-Verbose "Finding $($finding.Id) is $($finding.Status) already: not answered again."; continue }

        # 3. Contain what it names.
        $isolations = @(); $containments = @(); $instances = @()
        if ($finding.Resources | Where-Object Type -eq 'AwsEc2Instance') {
            $instances = @($finding | Get-Ec2Instance -Connection $aws)
            foreach ($instance in $instances) {
                $isolations += $instance | Invoke-Ec2Isolation -Connection $aws -DisassociateInstanceProfile @act
                # The instance as it was read before isolation still names its profile, whose role is contained.
                if ($instance.InstanceProfileArn) { $containments += $instance | Invoke-IamContainment -Connection $aws @act }
            }
        }
        if ($finding.Resources | Where-Object Type -eq 'AwsIamAccessKey') {
            $containments += $finding | Invoke-IamContainment -Connection $aws @act
        }

        $done = @()
        foreach ($i in $isolations) { $done += "isolated $($i.InstanceId) ($(@($i.OriginalGroups.Keys).Count) interfaces; snapshots $(@($i.Snapshots) -join ', '))" }
        foreach ($c in $containments) { $done += "contained $($c.PrincipalType) $($c.PrincipalName)" }
        $note = 'PSSocAutomation: ' + $(if ($done) { $done -join '; ' } else { 'nothing to contain' }) + '.'
        if ($note.Length -gt 512) { $note = $note.Substring(0, 509) + '...' }

        # 4. Tell Security Hub, once: the finding is read again, and a NOTIFIED one is left alone.
        $status = 'NEW'
        if (-not $WhatIfPreference) {
            $current = Get-SecurityHubFinding -Connection $aws -WorkflowStatus Any -RecordState Any -Filter @{ Id = @(@{ Value = $finding.Id; Comparison = 'EQUALS' }) }
            $status = if ($current) { $current.Status } else { $finding.Status }
            if ($status -eq 'NEW') {
                $null = $finding | Update-SecurityHubFinding -Connection $aws -WorkflowStatus NOTIFIED -Note $note -Confirm:$false
                $status = 'NOTIFIED'
            }
        }

        # ForEach-Object's member form honours -WhatIf (it would print instead of read), so each uses a script block.
        [pscustomobject]@{
            FindingId      = $finding.Id
            Severity       = $finding.SourceSeverity
            Title          = $finding.Title
            Instances      = @($instances | ForEach-Object { $_.InstanceId })
            Isolation      = @($isolations | ForEach-Object { $_.State })
            Principals     = @($containments | ForEach-Object { "$($_.PrincipalType) $($_.PrincipalName)" })
            Containment    = @($containments | ForEach-Object { $_.StepSummary })
            WorkflowStatus = $status
            Note           = $note
        }
    }
}
finally {
    Disconnect-Aws -Connection $aws
}
