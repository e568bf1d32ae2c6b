# The module's loader: picks the build for the running PowerShell, so the manifest can stay plain data
# (Import-PowerShellDataFile, the Gallery and Azure Automation all read it without running it).
#   Windows PowerShell 5.1 (.NET Framework)  -> desktop/ (netstandard2.0)
#   PowerShell 7.4+ (.NET 8 and later)       -> core/    (net8.0)
#   PowerShell 7.0 to 7.3 (.NET Core 3.1 to 7) cannot load either: the net8.0 build asks for System.Runtime 8.0, and the
#   netstandard2.0 build's System.Text.Json 8 collides with the one those versions load. Refuse with a clear message.
$ErrorActionPreference = 'Stop'

if ($PSVersionTable.PSEdition -eq 'Core') {
    if ($PSVersionTable.PSVersion -lt [version]'7.4') {
        throw [System.PlatformNotSupportedException]::new(
            "PSSocAutomation needs PowerShell 7.4 or later, or Windows PowerShell 5.1; this is PowerShell $($PSVersionTable.PSVersion). " +
            'Install PowerShell 7.4 LTS or later (in Azure Automation, pick the PowerShell 7.4 runtime, or 5.1).')
    }
    $build = 'core'
}
else {
    $build = 'desktop'
}

$cmdlets = Join-Path $PSScriptRoot "$build/PSSocAutomation.dll"
# The cmdlet types derive from bases that name engine types, so the engine must be resolvable before PowerShell scans
# them: load the assembly and run its resolver hook first (Import-Module below reuses the loaded assembly).
[void][System.Reflection.Assembly]::LoadFrom($cmdlets).GetType('PSSocAutomation.Core.ModuleInitializer', $true).GetMethod('Register').Invoke($null, $null)
$binary = Import-Module -Name $cmdlets -PassThru
Export-ModuleMember -Cmdlet @($binary.ExportedCmdlets.Keys)
