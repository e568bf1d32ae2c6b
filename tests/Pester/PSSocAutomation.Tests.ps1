#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Runs in a real pwsh (and powershell.exe where present) against the built module folder.
BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/PSSocAutomation/PSSocAutomation.psd1'
    Import-Module $manifest -Force
}

Describe 'PSSocAutomation module' {
    It 'exports every cmdlet the manifest lists' {
        $listed = (Import-PowerShellDataFile $manifest).CmdletsToExport
        $exported = (Get-Module PSSocAutomation).ExportedCmdlets.Keys
        $listed | Should -Not -BeNullOrEmpty
        foreach ($name in $listed) { $exported | Should -Contain $name }
    }

    It 'has help with an example for every cmdlet' {
        foreach ($name in (Get-Module PSSocAutomation).ExportedCmdlets.Keys) {
            $help = Get-Help $name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty -Because $name
            @($help.Examples.Example).Count | Should -BeGreaterThan 0 -Because $name
        }
    }

    It 'refuses to search without a connection' {
        Disconnect-Elastic
        { Get-ElasticAlert -Index alerts -ErrorAction Stop } | Should -Throw -ErrorId 'ElasticNotConnected*'
    }
}
