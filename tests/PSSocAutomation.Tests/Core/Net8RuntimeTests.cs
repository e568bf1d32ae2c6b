using System.Diagnostics;
using System.Text.Json;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Core;

/// <summary>
/// The net8.0 engine the module's core/ folder ships, on a real .NET 8 runtime: tests/PSSocAutomation.Net8Check is a
/// self-contained net8.0 app (NuGet's .NET 8 runtime pack, not the SDK's .NET 10) that runs the Elasticsearch client
/// and the AWS signer and credentials against the Lab. PowerShell 7.4, and Azure Automation's 7.4 runtime, run on .NET 8:
/// this proves the engine and its dependencies load and work there; the cmdlets themselves need a 7.4 host, which
/// this machine does not have.
/// </summary>
public sealed class Net8RuntimeTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public Net8RuntimeTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private static string App()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        return Path.Combine(RepositoryPaths.Root, "tests", "PSSocAutomation.Net8Check", "bin", configuration, "net8.0", "linux-x64", "PSSocAutomation.Net8Check");
    }

    [Fact]
    public async Task The_engine_runs_its_clients_against_the_lab_on_dotnet_8()
    {
        var app = App();
        Assert.True(File.Exists(app), app + " is not built: dotnet build PSSocAutomation.sln builds it.");
        var lab = _fixture.Lab;
        var index = "net8-" + Guid.NewGuid().ToString("N")[..8];
        lab.Elastic.SeedAlerts(index, 42, DateTimeOffset.UtcNow.AddHours(-1), TimeSpan.FromSeconds(1));

        var start = new ProcessStartInfo(app) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["ES_URI"] = lab.ElasticUri.ToString();
        start.Environment["ES_USER"] = lab.Credentials.ElasticUser;
        start.Environment["ES_PASSWORD"] = lab.Credentials.ElasticPassword;
        start.Environment["ES_INDEX"] = index;
        start.Environment["AWS_LAB_URI"] = lab.AwsUri.ToString();
        start.Environment["AWS_KEY"] = lab.Credentials.AwsAccessKeyId;
        start.Environment["AWS_SECRET"] = lab.Credentials.AwsSecretAccessKey;
        // Its own runtime, whatever the machine has: no DOTNET_ROOT leaks in from the test host.
        start.Environment.Remove("DOTNET_ROOT");
        using var process = Process.Start(start)!;
        var reading = process.StandardOutput.ReadToEndAsync();
        var readingError = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(bound.Token);
        var output = await reading;
        var error = await readingError;
        Assert.True(process.ExitCode == 0, error + output);

        using var json = JsonDocument.Parse(output.Trim());
        var root = json.RootElement;
        Assert.StartsWith(".NET 8.0.", root.GetProperty("Framework").GetString(), StringComparison.Ordinal);
        Assert.Equal(42, root.GetProperty("Alerts").GetInt64());
        Assert.Equal(lab.Credentials.AwsUserArn, root.GetProperty("Arn").GetString());
        Assert.DoesNotContain(lab.Credentials.AwsSecretAccessKey, output + error);
    }
}
