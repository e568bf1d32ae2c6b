<#
.SYNOPSIS
    Azure Automation webhook runbook: a Security Hub finding that AWS pushes (EventBridge, then an SNS HTTPS
    subscription to the webhook's URL) is answered as story 3: instance isolated, role contained, finding NOTIFIED.

.DESCRIPTION
    Automation hands a webhook runbook $WebhookData (WebhookName, RequestHeader, RequestBody as the raw text SNS
    posted). ConvertFrom-SecurityHubEvent verifies the SNS signature (the certificate is fetched from SNS over HTTPS),
    refuses a topic outside -AllowedTopicArn, and answers SNS's SubscriptionConfirmation by visiting its SubscribeURL
    (-ConfirmSubscription), so subscribing the webhook needs no manual step. A notification goes on to
    Invoke-SecurityHubResponse.ps1 (published in the same Automation account as a child runbook).

    The AWS keys come from an Automation credential asset (user = access key id, password = secret access key) and the
    region from a variable. Automation may run a job again from its start; the response is safe to repeat (every
    step finds its state done) and passes over Security Hub's echo of its own update.

.EXAMPLE
    # SNS: aws sns subscribe --topic-arn arn:aws:sns:eu-west-1:123456789012:securityhub-findings --protocol https --notification-endpoint <the webhook URL>
    # EventBridge: a rule on "Security Hub Findings - Imported", severity HIGH/CRITICAL, workflow NEW, targeting the topic.
#>
param(
    [object] $WebhookData,
    [string[]] $AllowedTopicArn = @(),
    [string] $RegionVariable = 'PSSoc-AwsRegion',
    [string] $AwsCredentialName = 'PSSoc-Aws',
    # Tests pin the signing certificate; in Automation it is fetched from SNS.
    [object] $SnsSigningCertificate,
    # Tests send AWS calls to the Lab.
    [string] $EndpointUrl
)

$ErrorActionPreference = 'Stop'
# Automation loads an imported module by itself; a Hybrid Worker or a test may have it loaded from elsewhere already.
if (-not (Get-Module PSSocAutomation)) { Import-Module PSSocAutomation }
if (-not $WebhookData) { throw 'This runbook is started by its webhook: $WebhookData is empty.' }

$verify = @{}
if ($AllowedTopicArn) { $verify.AllowedTopicArn = $AllowedTopicArn }
if ($SnsSigningCertificate) { $verify.SigningCertificate = $SnsSigningCertificate }

# A SubscriptionConfirmation is confirmed here and needs nothing else; a notification is passed on.
$confirmations = @($WebhookData | ConvertFrom-SecurityHubEvent @verify -ConfirmSubscription -Confirm:$false |
    # By type name: the module's types live in its own load context, where [type] literals do not reach.
    Where-Object { $_.PSObject.TypeNames -contains 'PSSocAutomation.Aws.Events.SnsSubscriptionConfirmation' })
if ($confirmations) { return $confirmations }

$aws = Get-AutomationPSCredential -Name $AwsCredentialName
$story = @((Join-Path $PSScriptRoot 'Invoke-SecurityHubResponse.ps1'), (Join-Path $PSScriptRoot '../Invoke-SecurityHubResponse.ps1')) |
    Where-Object { Test-Path $_ } | Select-Object -First 1
if (-not $story) { throw 'Invoke-SecurityHubResponse.ps1 is not published beside this runbook.' }
$response = @{ InputEvent = $WebhookData; Region = (Get-AutomationVariable -Name $RegionVariable); Credential = $aws }
if ($AllowedTopicArn) { $response.AllowedTopicArn = $AllowedTopicArn }
if ($SnsSigningCertificate) { $response.SnsSigningCertificate = $SnsSigningCertificate }
if ($EndpointUrl) { $response.EndpointUrl = $EndpointUrl }
& $story @response
