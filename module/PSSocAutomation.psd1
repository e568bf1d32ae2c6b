@{
    # One folder serves both editions: Windows PowerShell 5.1 loads the netstandard2.0 build, PowerShell 7.4+ the net8.0 one.
    RootModule           = if ($PSEdition -eq 'Core') { 'core/PSSocAutomation.dll' } else { 'desktop/PSSocAutomation.dll' }
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
        'Expand-AlertBucket'
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
