using System.IO.Compression;
using System.Text.Json;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Stories;

/// <summary>
/// build.ps1 and the examples run the way a user runs them: a separate pwsh process (the SDK-built one), a fresh
/// engine, no console input, the exit code and the output as the user sees them.
/// </summary>
public sealed class PwshProcessTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public PwshProcessTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    [Fact]
    public void The_story_1_example_runs_in_pwsh_and_a_second_run_creates_nothing()
    {
        var lab = _fixture.Lab;
        lab.Iris.Reset();
        var index = "pwsh-story-" + Guid.NewGuid().ToString("N")[..8];
        var environment = _fixture.PwshEnvironment();
        environment["ES_INDEX"] = index;
        const string Script = """
            $ErrorActionPreference = 'Stop'
            Import-Module $env:MODULE
            $esCred = [pscredential]::new($env:ES_USER, (ConvertTo-SecureString $env:ES_PASSWORD -AsPlainText -Force))
            $irisKey = ConvertTo-SecureString $env:IRIS_KEY -AsPlainText -Force
            ./examples/Invoke-ElasticToIris.ps1 -ElasticUri $env:ES_URI -ElasticCredential $esCred -IrisUri $env:IRIS_URI -IrisApiKey $irisKey `
                -IrisCertificateThumbprint $env:IRIS_THUMB -Index $env:ES_INDEX |
                Select-Object AlertId, Outcome, CaseId | ConvertTo-Json -Compress
            """;

        var first = PwshProcess.Run(Script, environment);
        Assert.True(first.ExitCode == 0, first.ToString());
        var rows = Rows(first);
        Assert.Equal(new[] { "1", "2", "3", "4", "5" }, rows.Select(r => r.AlertId).OrderBy(x => x));
        Assert.All(rows, r => Assert.Equal("Created", r.Outcome));
        foreach (var row in rows) Assert.Equal(row.CaseId, Assert.Single(lab.Iris.CasesWithSocId(row.AlertId)).CaseId);

        var second = PwshProcess.Run(Script, environment);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.All(Rows(second), r => Assert.Equal("Existing", r.Outcome));
        Assert.Equal(5, lab.Journal.For("iris").Count(e => e.Method == "POST" && e.Path == "/manage/cases/add"));
        // Nothing secret reached the user's screen.
        Assert.DoesNotContain(lab.Credentials.ElasticPassword, first.Output + first.Error + second.Output + second.Error);
        Assert.DoesNotContain(lab.Credentials.IrisApiKey, first.Output + first.Error + second.Output + second.Error);
    }

    [Fact]
    public void The_story_1_example_imports_the_module_itself_and_leaves_the_callers_connections_alone()
    {
        var lab = _fixture.Lab;
        lab.Iris.Reset();
        var environment = _fixture.PwshEnvironment();
        environment["ES_INDEX"] = "pwsh-fresh-" + Guid.NewGuid().ToString("N")[..8];
        // No Import-Module: a fresh pwsh, as a user who runs the example first. Then the user's own connection, made
        // before a second run with &, must still be the default afterwards.
        const string Script = """
            $ErrorActionPreference = 'Stop'
            $esCred = [pscredential]::new($env:ES_USER, (ConvertTo-SecureString $env:ES_PASSWORD -AsPlainText -Force))
            $irisKey = ConvertTo-SecureString $env:IRIS_KEY -AsPlainText -Force
            $story = @{ ElasticUri = $env:ES_URI; ElasticCredential = $esCred; IrisUri = $env:IRIS_URI; IrisApiKey = $irisKey; IrisCertificateThumbprint = $env:IRIS_THUMB; Index = $env:ES_INDEX }
            $first = @(& ./examples/Invoke-ElasticToIris.ps1 @story)
            "first: $($first.Count)"
            "defaults after the first run: $(@(Get-ElasticConnection).Count) $(@(Get-IrisConnection).Count)"
            $mine = Connect-Elastic -Uri $env:ES_URI -Credential $esCred
            $second = @(& ./examples/Invoke-ElasticToIris.ps1 @story)
            "second: $($second.Count) $(@($second | Where-Object Outcome -EQ 'Existing').Count)"
            "mine is still the default: $([object]::ReferenceEquals((Get-ElasticConnection), $mine)) $(@(Get-IrisConnection).Count)"
            """;
        var result = PwshProcess.Run(Script, environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("first: 5", result.Output);
        Assert.Contains("defaults after the first run: 0 0", result.Output);
        Assert.Contains("second: 5 5", result.Output);
        Assert.Contains("mine is still the default: True 0", result.Output);
    }

    private static List<(string AlertId, string Outcome, int CaseId)> Rows(PwshResult result)
    {
        using var json = JsonDocument.Parse(result.Output.Trim().Split('\n').Last());
        return json.RootElement.EnumerateArray()
            .Select(r => (r.GetProperty("AlertId").GetString()!, r.GetProperty("Outcome").GetString()!, r.GetProperty("CaseId").GetInt32()))
            .ToList();
    }

    [Fact]
    public void The_story_3_example_runs_in_pwsh_on_environment_credentials_and_a_failure_half_way_exits_non_zero()
    {
        var lab = _fixture.Lab;
        lab.Aws.Reset();
        var scenario = lab.Aws.SeedIsolationScenario();
        var environment = _fixture.PwshEnvironment();
        environment["AWS_ACCESS_KEY_ID"] = lab.Credentials.AwsAccessKeyId;
        environment["AWS_SECRET_ACCESS_KEY"] = lab.Credentials.AwsSecretAccessKey;
        environment["AWS_REGION"] = "us-east-1";
        environment["AWS_EC2_METADATA_DISABLED"] = "true";
        environment["AWS_LAB_URI"] = lab.AwsUri.ToString();
        // The script loads the module itself (the build beside it), as a user's scheduled task would.
        const string Script = """
            $ErrorActionPreference = 'Stop'
            ./examples/Invoke-SecurityHubResponse.ps1 -EndpointUrl $env:AWS_LAB_URI |
                Select-Object FindingId, WorkflowStatus, @{ n = 'Isolation'; e = { $_.Isolation -join ',' } } | ConvertTo-Json -Compress
            """;
        lab.Faults.Add(new PSSocAutomation.Lab.Hosting.FaultRule { Service = "aws", Operation = "ec2:ModifyNetworkInterfaceAttribute", After = 1, Status = 403, Code = "UnauthorizedOperation", Message = "You are not authorized to perform this operation." });

        var failed = PwshProcess.Run(Script, environment);
        Assert.True(failed.ExitCode != 0, failed.ToString());
        Assert.Contains("Done before it: RecordOriginalState", failed.Error, StringComparison.Ordinal);
        Assert.Equal("NEW", (string)lab.Aws.SecurityHub.Finding(scenario.FindingId)!["Workflow"]!["Status"]!);

        var finished = PwshProcess.Run(Script, environment);
        Assert.True(finished.ExitCode == 0, finished.ToString());
        using var json = JsonDocument.Parse(finished.Output.Trim());
        var row = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.EnumerateArray().Single(r => r.GetProperty("FindingId").GetString() == scenario.FindingId) : json.RootElement;
        Assert.Equal(("NOTIFIED", "Isolated"), (row.GetProperty("WorkflowStatus").GetString(), row.GetProperty("Isolation").GetString()));
        Assert.DoesNotContain(lab.Credentials.AwsSecretAccessKey, failed.Output + failed.Error + finished.Output + finished.Error);
    }

    [Fact]
    public void Build_ps1_packages_a_release_module_that_reads_as_data()
    {
        var result = PwshProcess.RunFile(Path.Combine(RepositoryPaths.Root, "build.ps1"), new[] { "-Task", "Package" },
            // One-shot builds: no MSBuild or build-server processes left holding the output pipes open.
            new Dictionary<string, string> { ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0", ["DOTNET_NOLOGO"] = "1" },
            TimeSpan.FromMinutes(10));
        Assert.True(result.ExitCode == 0, result.ToString());
        // (b) Azure Automation's zip: zip, folder and manifest share the module's name, paths under 140, under 100 MB.
        var zip = Path.Combine(RepositoryPaths.Root, "out", "package", "PSSocAutomation.zip");
        Assert.True(File.Exists(zip), result.ToString());
        Assert.Contains("Azure Automation zip: " + zip, result.Output);
        Assert.True(new FileInfo(zip).Length < 100L * 1024 * 1024);
        using var archive = ZipFile.OpenRead(zip);
        var entries = archive.Entries.Select(e => e.FullName.Replace('\\', '/')).ToHashSet();
        Assert.All(entries, e => Assert.StartsWith("PSSocAutomation/", e, StringComparison.Ordinal));
        Assert.All(entries, e => Assert.True(e.Length < 140, e));
        foreach (var expected in new[]
                 {
                     "PSSocAutomation/PSSocAutomation.psd1", "PSSocAutomation/PSSocAutomation.psm1", "PSSocAutomation/PSSocAutomation.Format.ps1xml",
                     "PSSocAutomation/en-US/PSSocAutomation.dll-Help.xml",
                     "PSSocAutomation/core/PSSocAutomation.dll", "PSSocAutomation/core/Dependencies/PSSocAutomation.Engine.dll", "PSSocAutomation/core/Dependencies/Polly.Core.dll",
                     "PSSocAutomation/desktop/PSSocAutomation.dll", "PSSocAutomation/desktop/Dependencies/PSSocAutomation.Engine.dll", "PSSocAutomation/desktop/Dependencies/System.Text.Json.dll",
                 })
            Assert.Contains(expected, entries);

        // (a) The folder Publish-PSResource takes: a manifest Test-ModuleManifest accepts, its version the build's.
        var folder = Path.Combine(RepositoryPaths.Root, "out", "package", "PSSocAutomation");
        Assert.Contains("Module folder (Publish-PSResource -Path): " + folder, result.Output);
        var check = PwshProcess.Run("$m = Test-ModuleManifest -Path (Join-Path $env:FOLDER 'PSSocAutomation.psd1') -ErrorAction Stop; '{0}|{1}|{2}|{3}' -f $m.Name, $m.Version, $m.ExportedCmdlets.Count, ($m.CompatiblePSEditions -join ',')",
            new Dictionary<string, string> { ["FOLDER"] = folder });
        Assert.True(check.ExitCode == 0, check.ToString());
        var parts = check.Output.Trim().Split('|');
        Assert.Equal("PSSocAutomation", parts[0]);
        Assert.Matches(@"^\d+\.\d+\.\d+$", parts[1]);
        Assert.True(int.Parse(parts[2]) > 30, check.Output);
        Assert.Equal("Desktop,Core", parts[3]);
        Assert.DoesNotContain(entries, e => e.EndsWith("System.Management.Automation.dll", StringComparison.OrdinalIgnoreCase));
    }
}
