#requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages PSSocAutomation (for people who have pwsh; CI uses `dotnet test` directly).
.EXAMPLE
    ./build.ps1 -Task Build
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)

$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$moduleOut = Join-Path $root 'out/PSSocAutomation'

function Invoke-Dotnet {
    param([string[]] $Arguments)
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE." }
}

switch ($Task) {
    'Build' {
        # Building the solution lays out out/PSSocAutomation from an explicit file list.
        Invoke-Dotnet @('build', (Join-Path $root 'PSSocAutomation.sln'), '-c', $Configuration)
        Write-Host "Module folder: $moduleOut"
    }
    'Test' {
        Invoke-Dotnet @('test', (Join-Path $root 'PSSocAutomation.sln'), '-c', $Configuration)
        if (Get-Module -ListAvailable -Name Pester | Where-Object Version -ge '5.0.0') {
            $config = New-PesterConfiguration
            $config.Run.Path = Join-Path $root 'tests/Pester'
            $config.Run.Exit = $true
            Invoke-Pester -Configuration $config
        }
        else {
            Write-Warning 'Pester 5 is not installed; skipped tests/Pester (Install-Module Pester -MinimumVersion 5.0).'
        }
    }
    'Package' {
        Invoke-Dotnet @('build', (Join-Path $root 'PSSocAutomation.sln'), '-c', 'Release')
        $zip = Join-Path $root "out/PSSocAutomation-$((Import-PowerShellDataFile (Join-Path $moduleOut 'PSSocAutomation.psd1')).ModuleVersion).zip"
        Compress-Archive -Path $moduleOut -DestinationPath $zip -Force
        Write-Host "Package: $zip"
    }
}
