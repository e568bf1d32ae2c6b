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
        # The xunit suite runs tests/Pester too, under Pester 5.7.1 from NuGet, each It reported as a test.
        Invoke-Dotnet @('test', (Join-Path $root 'PSSocAutomation.sln'), '-c', $Configuration)
    }
    'Package' {
        # A Release build laid out in a folder of its own, so packaging never rewrites the out/PSSocAutomation that a
        # session (or a test run) has loaded.
        $staging = Join-Path $root 'out/package'
        Invoke-Dotnet @('build', (Join-Path $root 'src/PSSocAutomation/PSSocAutomation.csproj'), '-c', 'Release', "-p:ModuleOutDir=$staging/PSSocAutomation/")
        $folder = Join-Path $staging 'PSSocAutomation'
        $version = (Import-PowerShellDataFile (Join-Path $folder 'PSSocAutomation.psd1')).ModuleVersion
        $zip = Join-Path $root "out/PSSocAutomation-$version.zip"
        # ZipFile rather than Compress-Archive: the Archive module is not part of every PowerShell (the SDK-built pwsh has none).
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        if (Test-Path $zip) { Remove-Item $zip }
        [System.IO.Compression.ZipFile]::CreateFromDirectory($folder, $zip, [System.IO.Compression.CompressionLevel]::Optimal, $true)
        Write-Host "Package: $zip"
    }
}
