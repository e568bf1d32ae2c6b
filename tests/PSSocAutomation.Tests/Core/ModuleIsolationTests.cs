using System.Text.Json;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Core;

/// <summary>
/// The module loads what it ships, from where it ships it: the cmdlet assembly from out/, the engine and its
/// dependencies from out/.../Dependencies into the module's own load context, whatever else the session loaded first
/// or loads later (AWS Tools ships its own AWSSDK.Core, other modules their own Polly).
/// </summary>
public sealed class ModuleIsolationTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public ModuleIsolationTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private static string CoreFolder => Path.Combine(Path.GetDirectoryName(RepositoryPaths.ModuleManifest)!, "core");

    [Fact]
    public void The_runspace_runs_the_cmdlets_and_the_engine_from_the_shipped_folder()
    {
        var result = _fixture.Session.Run("""
            Get-Command Get-ElasticAlert | Out-Null
            [AppDomain]::CurrentDomain.GetAssemblies() |
                Where-Object { $_.GetName().Name -in 'PSSocAutomation', 'PSSocAutomation.Engine', 'Polly.Core' } |
                ForEach-Object { '{0}|{1}|{2}' -f $_.GetName().Name, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name, $_.Location }
            """);
        Assert.Null(result.Terminating);
        var loaded = result.Output.Select(o => o.ToString().Split('|')).ToList();
        var cmdlets = Assert.Single(loaded, l => l[0] == "PSSocAutomation");
        Assert.Equal("Default", cmdlets[1]);
        Assert.Equal(Path.Combine(CoreFolder, "PSSocAutomation.dll"), cmdlets[2]);
        var engine = Assert.Single(loaded, l => l[0] == "PSSocAutomation.Engine");
        Assert.Equal("PSSocAutomation", engine[1]);
        Assert.Equal(Path.Combine(CoreFolder, "Dependencies", "PSSocAutomation.Engine.dll"), engine[2]);
        // Nothing of the module from the test's own bin folder, in any context.
        Assert.All(loaded.Where(l => l[0].StartsWith("PSSocAutomation", StringComparison.Ordinal)), l => Assert.StartsWith(CoreFolder, l[2]));
    }

    [Fact]
    public void The_manifest_is_plain_data()
    {
        var result = _fixture.Session.Run("$m = Import-PowerShellDataFile $manifest; $m.RootModule; $m.ModuleVersion; $m.CmdletsToExport.Count",
            new Dictionary<string, object?> { ["manifest"] = RepositoryPaths.ModuleManifest });
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal("PSSocAutomation.psm1", result.Output[0].ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+$", result.Output[1].ToString());
        Assert.True(int.Parse(result.Output[2].ToString()) > 10);
    }

    [Fact]
    public void Test_ModuleManifest_accepts_the_manifest_with_the_Gallerys_metadata()
    {
        var result = _fixture.Session.Run(
            "$m = Test-ModuleManifest -Path $manifest -ErrorAction Stop; $d = Import-PowerShellDataFile $manifest\n" +
            "$m.Name; $m.Description.Length; ($m.CompatiblePSEditions -join ','); ($d.PrivateData.PSData.Tags -join ','); $d.PrivateData.PSData.ProjectUri; $d.PrivateData.PSData.LicenseUri; $d.PrivateData.PSData.ReleaseNotes; $d.ContainsKey('DotNetFrameworkVersion')",
            new Dictionary<string, object?> { ["manifest"] = RepositoryPaths.ModuleManifest });
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var lines = result.Output.Select(o => o.ToString()).ToList();
        Assert.Equal("PSSocAutomation", lines[0]);
        Assert.True(int.Parse(lines[1]) > 100);
        Assert.Equal("Desktop,Core", lines[2]);
        var tags = lines[3].Split(',');
        foreach (var tag in new[] { "PSEdition_Desktop", "PSEdition_Core", "Windows", "Linux", "MacOS", "AWS", "DFIR-IRIS" }) Assert.Contains(tag, tags);
        Assert.All(lines.Skip(4).Take(3), uri => Assert.StartsWith("https://", uri, StringComparison.Ordinal));
        Assert.Equal("False", lines[7]);
    }

    // A fresh pwsh per case, so the load order is the script's and nothing from this process is already loaded.
    private const string Prologue = """
        $ErrorActionPreference = 'Stop'
        function Use-OtherPolly { Add-Type -Path $env:OTHER_POLLY; [Polly.ResiliencePipeline]::Empty.GetType().Assembly.Location }
        function Use-Module {
            Import-Module $env:MODULE
            $cred = [pscredential]::new($env:ES_USER, (ConvertTo-SecureString $env:ES_PASSWORD -AsPlainText -Force))
            Connect-Elastic -Uri $env:ES_URI -Credential $cred -MaximumRetryDelaySec 1 | Out-Null
            @(Get-ElasticAlert -Index $env:ES_INDEX -PageSize 7).Count
        }
        function Get-Pollies {
            [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Polly.Core' } |
                ForEach-Object { [pscustomobject]@{ Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name; Location = $_.Location } }
        }

        """;

    private Dictionary<string, string> Environment(string index, string otherPolly)
    {
        var environment = _fixture.PwshEnvironment();
        environment["ES_INDEX"] = index;
        environment["OTHER_POLLY"] = otherPolly;
        return environment;
    }

    [Theory]
    [InlineData("other-first", "$other = Use-OtherPolly; $count = Use-Module")]
    [InlineData("module-first", "$count = Use-Module; $other = Use-OtherPolly; $count = Use-Module")]
    public void Another_build_of_polly_loaded_before_or_after_leaves_both_working_and_the_module_on_its_own_copy(string order, string body)
    {
        var index = "iso-" + order;
        _fixture.Lab.Elastic.SeedAlerts(index, 20, DateTimeOffset.UtcNow.AddHours(-1), TimeSpan.FromSeconds(1));
        var otherPolly = Path.Combine(RepositoryPaths.NuGetPackage("Polly.Core", "8.6.5"), "lib", "net8.0", "Polly.Core.dll");
        Assert.True(File.Exists(otherPolly), otherPolly + " was not restored (PackageDownload in the test project).");

        var result = PwshProcess.Run(Prologue + body + "\n[pscustomobject]@{ Count = $count; Other = $other; Pollies = @(Get-Pollies) } | ConvertTo-Json -Depth 3 -Compress",
            Environment(index, otherPolly));
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output.Trim().Split('\n').Last());
        var root = json.RootElement;
        Assert.Equal(20, root.GetProperty("Count").GetInt32());
        Assert.Equal(otherPolly, root.GetProperty("Other").GetString());
        var pollies = root.GetProperty("Pollies").EnumerateArray().Select(p => (Context: p.GetProperty("Context").GetString(), Location: p.GetProperty("Location").GetString())).ToList();
        Assert.Equal(2, pollies.Count);
        Assert.Contains(("Default", otherPolly), pollies);
        Assert.Contains(("PSSocAutomation", Path.Combine(CoreFolder, "Dependencies", "Polly.Core.dll")), pollies);
    }

    [Theory]
    [InlineData("aws-sdk-first", "Add-Type -Path $env:AWS_SDK; $arn = Use-Aws")]
    [InlineData("module-first", "Import-Module $env:MODULE; $null = Get-Command Connect-Aws; Add-Type -Path $env:AWS_SDK; $arn = Use-Aws")]
    public void AWSSDK_Core_of_AWS_Tools_loaded_beside_the_module_gives_credentials_the_module_signs_with(string order, string body)
    {
        var lab = _fixture.Lab;
        var sdk = Path.Combine(RepositoryPaths.NuGetPackage("AWSSDK.Core", "4.1.1"), "lib", "net8.0", "AWSSDK.Core.dll");
        Assert.True(File.Exists(sdk), sdk + " was not restored (PackageDownload in the test project).");
        var environment = _fixture.PwshEnvironment();
        environment["AWS_SDK"] = sdk;
        environment["AWS_KEY"] = lab.Credentials.AwsAccessKeyId;
        environment["AWS_SECRET"] = lab.Credentials.AwsSecretAccessKey;
        environment["AWS_LAB_URI"] = lab.AwsUri.ToString();
        environment["AWS_EC2_METADATA_DISABLED"] = "true";
        const string UseAws = """
            $ErrorActionPreference = 'Stop'
            function Use-Aws {
                Import-Module $env:MODULE
                # What AWS Tools' Get-AWSCredential returns: an AWSSDK.Core credentials object.
                $credential = [Amazon.Runtime.BasicAWSCredentials]::new($env:AWS_KEY, $env:AWS_SECRET)
                (Connect-Aws -Region us-east-1 -Credential $credential -EndpointUrl $env:AWS_LAB_URI).Arn
            }

            """;

        var result = PwshProcess.Run(UseAws + body + "\n[pscustomobject]@{ Arn = $arn; Sdk = [Amazon.Runtime.BasicAWSCredentials].Assembly.Location; Order = '" + order + "' } | ConvertTo-Json -Compress",
            environment);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output.Trim().Split('\n').Last());
        Assert.Equal(lab.Credentials.AwsUserArn, json.RootElement.GetProperty("Arn").GetString());
        Assert.Equal(sdk, json.RootElement.GetProperty("Sdk").GetString());
        Assert.DoesNotContain(lab.Credentials.AwsSecretAccessKey, result.Output + result.Error);
    }
}
