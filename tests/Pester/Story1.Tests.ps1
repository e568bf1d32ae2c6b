#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Story 1 (examples/Invoke-ElasticToIris.ps1) against the Lab run as its own process, the way a user would test a
# runbook: start the emulator, read its connection file, connect, run the story, check Elasticsearch and IRIS.
# The test runner names the built Lab in PSSOC_LAB_ASSEMBLY; by hand, the Debug build beside this repository is used.

BeforeAll {
    $repository = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $labAssembly = if ($env:PSSOC_LAB_ASSEMBLY) { $env:PSSOC_LAB_ASSEMBLY } else {
        Join-Path $repository 'src/PSSocAutomation.Lab/bin/Debug/net10.0/PSSocAutomation.Lab.dll'
    }
    $dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { 'dotnet' }
    $story = Join-Path $repository 'examples/Invoke-ElasticToIris.ps1'
    if (-not (Test-Path $labAssembly)) { throw "The Lab is not built at $labAssembly; run: dotnet build PSSocAutomation.sln" }

    # No terminal for the Lab, as in CI: stdin is an empty file; its output stays in TestDrive for a failing run.
    $connectionFile = Join-Path $TestDrive 'lab.json'
    $noInput = New-Item (Join-Path $TestDrive 'stdin.txt') -ItemType File
    $script:lab = Start-Process -FilePath $dotnet -ArgumentList @("`"$labAssembly`"", '--connection-file', "`"$connectionFile`"") `
        -RedirectStandardInput $noInput -RedirectStandardOutput (Join-Path $TestDrive 'lab.out') `
        -RedirectStandardError (Join-Path $TestDrive 'lab.err') -NoNewWindow -PassThru

    # The Lab renames the file into place whole, so it is complete as soon as it exists.
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-Path $connectionFile)) {
        if ($script:lab.HasExited) { throw "The Lab exited ($($script:lab.ExitCode)): $(Get-Content (Join-Path $TestDrive 'lab.err') -Raw)" }
        if ([DateTime]::UtcNow -gt $deadline) { throw 'The Lab wrote no connection file within 60 s.' }
        Start-Sleep -Milliseconds 100
    }
    $connection = Get-Content $connectionFile -Raw | ConvertFrom-Json

    Import-Module (Join-Path $repository 'out/PSSocAutomation/PSSocAutomation.psd1') -Force
    $storyParameters = @{
        ElasticUri                = $connection.Elastic.Uri
        ElasticCredential         = [pscredential]::new($connection.Elastic.User, (ConvertTo-SecureString $connection.Elastic.Password -AsPlainText -Force))
        IrisUri                   = $connection.Iris.Uri
        IrisApiKey                = ConvertTo-SecureString $connection.Iris.ApiKey -AsPlainText -Force
        IrisCertificateThumbprint = $connection.Iris.CertificateThumbprint
    }
    Connect-Elastic -Uri $storyParameters.ElasticUri -Credential $storyParameters.ElasticCredential | Out-Null
    Connect-Iris -Uri $storyParameters.IrisUri -ApiKey $storyParameters.IrisApiKey -CertificateThumbprint $storyParameters.IrisCertificateThumbprint | Out-Null

    # A fresh IRIS holds one case of its own ("Initial Demo"); every count below is relative to what the story found.
    $casesBefore = @(Get-IrisCase -Customer IrisInitialClient).Count
    $script:firstRun = @(& $story @storyParameters)
}

AfterAll {
    if ($script:lab -and -not $script:lab.HasExited) {
        # SIGTERM lets the Lab stop cleanly (and remove its connection file); Windows has only the hard stop.
        if ($IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop') { Stop-Process -Id $script:lab.Id -Force }
        else { & kill -TERM $script:lab.Id }
        if (-not $script:lab.WaitForExit(15000)) { Stop-Process -Id $script:lab.Id -Force }
    }
}

Describe 'Story 1: Elasticsearch alerts to DFIR-IRIS cases' {
    It 'loads the five sample alerts, and Get-ElasticAlert returns each once with its fields' {
        $alerts = @(Get-ElasticAlert -Index alerts -UniqueBy alert_id -TimeField timestamp | Sort-Object Id)
        $alerts.Count | Should -Be 5
        $alerts.Id | Should -Be @('1', '2', '3', '4', '5')
        $alerts | ForEach-Object { $_.Source | Should -Be 'Elasticsearch' }
        $critical = $alerts | Where-Object Id -EQ '3'
        $critical.Title | Should -Be 'Multiple failed login attempts detected'
        [string]$critical.Severity | Should -Be 'Critical'
        $critical.Original.alert_type | Should -Be 'security'
        [string]($alerts | Where-Object Id -EQ '2').Severity | Should -Be 'Medium'
    }

    It 'opens one IRIS case per alert, named after its message' {
        $firstRun.Count | Should -Be 5
        $firstRun | ForEach-Object { $_.Outcome | Should -Be 'Created' -Because "alert $($_.AlertId) had no case yet" }
        @(Get-IrisCase -Customer IrisInitialClient).Count | Should -Be ($casesBefore + 5)
        foreach ($row in $firstRun) {
            $cases = @(Get-IrisCase -SocId $row.AlertId -Customer IrisInitialClient)
            $cases.Count | Should -Be 1 -Because "alert $($row.AlertId) gets exactly one case"
            $cases[0].CaseId | Should -Be $row.CaseId
            $cases[0].Name | Should -BeLike "*$($row.Message)*"
        }
    }

    It 'creates nothing on a second run and reports every case as Existing' {
        $secondRun = @(& $story @storyParameters)
        $secondRun.Count | Should -Be 5
        $secondRun | ForEach-Object { $_.Outcome | Should -Be 'Existing' }
        ($secondRun.CaseId | Sort-Object) | Should -Be ($firstRun.CaseId | Sort-Object)
        @(Get-IrisCase -Customer IrisInitialClient).Count | Should -Be ($casesBefore + 5)
    }

    It 'creates no case with -WhatIf' {
        # An alert with no case yet, in an index of its own, so -WhatIf is all that stands between it and a new case.
        @{ alert_id = 'whatif-1'; timestamp = '2024-09-20T14:00:00'; message = 'Port scan from a lab host'; severity = 'low' } |
            Send-ElasticDocument -Index whatif-alerts -IdProperty alert_id -Refresh wait_for | Out-Null
        $alert = @(Get-ElasticAlert -Index whatif-alerts -TimeField timestamp)
        $alert.Count | Should -Be 1

        $alert | New-IrisCase -Customer IrisInitialClient -WhatIf | Should -BeNullOrEmpty
        @(Get-IrisCase -SocId 'whatif-1' -Customer IrisInitialClient).Count | Should -Be 0
        @(Get-IrisCase -Customer IrisInitialClient).Count | Should -Be ($casesBefore + 5)
    }
}
