@{
    # One folder serves both editions; the loader picks desktop/ (Windows PowerShell 5.1) or core/ (PowerShell 7.4+).
    # The manifest stays plain data so Import-PowerShellDataFile, the Gallery and Azure Automation can read it.
    # The version is set in one place, Directory.Build.props (ModuleVersion), and written here by the build.
    # No DotNetFrameworkVersion: it has no effect above 4.5, and 5.1 itself needs 4.5.2. No HelpInfoURI: the help
    # ships inside the module, there is no updatable help to point at.
    RootModule           = 'PSSocAutomation.psm1'
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '5c0f7d1e-3b7a-4d0e-9a57-1f1e6b0c4a21'
    Author               = 'PSSocAutomation contributors'
    CompanyName          = 'PSSocAutomation'
    Copyright            = '(c) PSSocAutomation contributors. MIT License.'
    Description          = 'Detection-and-response automation for SOC analysts, as PowerShell pipelines: pull alerts from Elasticsearch, Elastic Security and AWS Security Hub, de-duplicate and explode them, open DFIR-IRIS cases and alerts, isolate EC2 instances and contain IAM principals with undo, and log every action. Runs in Windows PowerShell 5.1 and PowerShell 7.4+, and in Azure Automation.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('PSSocAutomation.Format.ps1xml')
    CmdletsToExport      = @(
        'Connect-Elastic'
        'Get-ElasticConnection'
        'Disconnect-Elastic'
        'Invoke-ElasticSearch'
        'Get-ElasticAlert'
        'Get-ElasticSecurityAlert'
        'Set-ElasticAlertStatus'
        'Expand-AlertBucket'
        'Get-AlertIndicator'
        'Search-ElasticIndicator'
        'Send-ElasticDocument'
        'Connect-Iris'
        'Get-IrisConnection'
        'Disconnect-Iris'
        'Get-IrisCustomer'
        'Get-IrisLookup'
        'New-IrisCase'
        'Get-IrisCase'
        'New-IrisAlert'
        'Get-IrisAlert'
        'Set-IrisAlert'
        'Invoke-IrisAlertEscalation'
        'Add-IrisCaseIoc'
        'Add-IrisCaseAsset'
        'Add-IrisCaseNote'
        'Connect-Aws'
        'Get-AwsConnection'
        'Disconnect-Aws'
        'Get-SecurityHubFinding'
        'Update-SecurityHubFinding'
        'ConvertFrom-SecurityHubEvent'
        'Get-Ec2Instance'
        'Invoke-Ec2Isolation'
        'Undo-Ec2Isolation'
        'Invoke-IamContainment'
        'Undo-IamContainment'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('SOC', 'SOAR', 'Security', 'IncidentResponse', 'Elasticsearch', 'ElasticSecurity', 'DFIR-IRIS', 'AWS', 'SecurityHub', 'GuardDuty',
                'AzureAutomation', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/PSSocAutomation/PSSocAutomation'
            LicenseUri   = 'https://github.com/PSSocAutomation/PSSocAutomation/blob/main/LICENSE'
            # The notes themselves are in CHANGELOG.md, kept with the code; a link cannot go stale as copied text does.
            ReleaseNotes = 'https://github.com/PSSocAutomation/PSSocAutomation/blob/main/CHANGELOG.md'
        }
    }
}
