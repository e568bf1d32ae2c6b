@{
    # One folder serves both editions; the loader picks desktop/ (Windows PowerShell 5.1) or core/ (PowerShell 7.4+).
    # The manifest stays plain data so Import-PowerShellDataFile, the Gallery and Azure Automation can read it.
    RootModule           = 'PSSocAutomation.psm1'
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '5c0f7d1e-3b7a-4d0e-9a57-1f1e6b0c4a21'
    Author               = 'PSSocAutomation contributors'
    CompanyName          = 'PSSocAutomation'
    Copyright            = '(c) PSSocAutomation contributors. MIT License.'
    Description          = 'Detection-and-response automation for SOC analysts: pull alerts from Elasticsearch, de-duplicate and explode them, open DFIR-IRIS cases and alerts, and log every action, as PowerShell pipelines.'
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
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
            Tags       = @('SOC', 'SOAR', 'Security', 'Elasticsearch', 'DFIR-IRIS', 'IncidentResponse', 'PSEdition_Desktop', 'PSEdition_Core')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
