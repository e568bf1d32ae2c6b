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
        # session (or a test run) has loaded. Two products:
        #  (a) out/package/PSSocAutomation: the module folder Publish-PSResource -Path takes for the Gallery;
        #  (b) out/package/PSSocAutomation.zip: what Azure Automation imports. Its rules: the zip, the folder in it and
        #      the manifest carry the same name, every path stays under 140 characters, the file under 100 MB.
        $staging = Join-Path $root 'out/package'
        if (Test-Path $staging) { Remove-Item $staging -Recurse -Force }
        Invoke-Dotnet @('build', (Join-Path $root 'src/PSSocAutomation/PSSocAutomation.csproj'), '-c', 'Release', "-p:ModuleOutDir=$staging/PSSocAutomation/")
        $folder = Join-Path $staging 'PSSocAutomation'
        $manifest = Join-Path $folder 'PSSocAutomation.psd1'
        $data = Import-PowerShellDataFile $manifest
        foreach ($field in 'ModuleVersion', 'Description', 'Author', 'GUID') {
            if (-not $data[$field]) { throw "The manifest has no $field; Publish-PSResource would refuse it." }
        }
        $zip = Join-Path $staging 'PSSocAutomation.zip'
        # ZipFile rather than Compress-Archive: the Archive module is not part of every PowerShell (the SDK-built pwsh has none).
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        [System.IO.Compression.ZipFile]::CreateFromDirectory($folder, $zip, [System.IO.Compression.CompressionLevel]::Optimal, $true)
        $archive = [System.IO.Compression.ZipFile]::OpenRead($zip)
        try {
            $long = @($archive.Entries | Where-Object { $_.FullName.Length -ge 140 } | ForEach-Object { $_.FullName })
            if ($long) { throw "Azure Automation refuses paths of 140 characters or more: $($long -join ', ')" }
        }
        finally { $archive.Dispose() }
        $size = (Get-Item $zip).Length
        if ($size -ge 100MB) { throw "Azure Automation refuses a module zip of 100 MB or more; this one is $([math]::Round($size / 1MB)) MB." }
        Write-Host "Module folder (Publish-PSResource -Path): $folder"
        Write-Host "Azure Automation zip: $zip ($([math]::Round($size / 1KB)) KB, version $($data.ModuleVersion))"
    }
}
