using System.Diagnostics;
using System.Management.Automation;
using System.Security.Cryptography;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Stories;

/// <summary>Story 1 (examples/Invoke-ElasticToIris.ps1) end to end against the Lab, and the README's demo command.</summary>
public sealed class ElasticToIrisStoryTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public ElasticToIrisStoryTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private ScriptResult RunStory(string index) => _fixture.Session.Run(
        "& $script -ElasticUri $esUri -ElasticCredential $esCred -IrisUri $irisUri -IrisApiKey $irisKey -IrisCertificateThumbprint $thumb -Index $index",
        new Dictionary<string, object?>(_fixture.ElasticVariables())
        {
            ["script"] = Path.Combine(RepositoryPaths.Root, "examples", "Invoke-ElasticToIris.ps1"),
            ["irisUri"] = _fixture.Lab.IrisUri.ToString(),
            ["irisKey"] = LabFixture.Secure(_fixture.Lab.Credentials.IrisApiKey),
            ["thumb"] = Convert.ToHexString(SHA256.HashData(_fixture.Lab.Certificate.RawData)),
            ["index"] = index,
        });

    [Fact]
    public void Every_alert_gets_exactly_one_case_and_a_second_run_creates_nothing()
    {
        var index = "story-" + Guid.NewGuid().ToString("N")[..8];
        var first = RunStory(index);
        Assert.Null(first.Terminating);
        Assert.Empty(first.Errors);
        var rows = first.Output.Select(o => (Id: (string)o.Properties["AlertId"].Value, Message: (string)o.Properties["Message"].Value, Outcome: (string)o.Properties["Outcome"].Value)).OrderBy(r => r.Id).ToList();
        Assert.Equal(new[] { "1", "2", "3", "4", "5" }, rows.Select(r => r.Id));
        Assert.All(rows, r => Assert.Equal("Created", r.Outcome));
        Assert.Equal("Potential SQL injection detected", rows[4].Message);

        // What IRIS now holds: one case per SOC id, carrying the alert's message.
        foreach (var (id, message, _) in rows)
        {
            var cases = _fixture.Lab.Iris.CasesWithSocId(id);
            var single = Assert.Single(cases);
            Assert.Contains(message, single.Description);
        }
        var createsAfterFirst = _fixture.Lab.Journal.For("iris").Count(e => e.Method == "POST" && e.Path == "/manage/cases/add");
        Assert.Equal(5, createsAfterFirst);

        var second = RunStory(index);
        Assert.Empty(second.Errors);
        Assert.All(second.Output, o => Assert.Equal("Existing", o.Properties["Outcome"].Value));
        Assert.Equal(5, second.Output.Count);
        Assert.Equal(createsAfterFirst, _fixture.Lab.Journal.For("iris").Count(e => e.Method == "POST" && e.Path == "/manage/cases/add"));
        Assert.All(new[] { "1", "2", "3", "4", "5" }, id => Assert.Single(_fixture.Lab.Iris.CasesWithSocId(id)));
    }

    [Fact]
    public void Ecs_fields_of_an_elastic_alert_become_iris_iocs_and_its_host_an_asset()
    {
        var index = "ecs-" + Guid.NewGuid().ToString("N")[..8];
        var doc = """
            {"id":"ecs-1","@timestamp":"2024-09-20T12:00:00Z","message":"Beaconing to a known C2","event":{"severity":73},
             "source":{"ip":"10.20.30.40"},"destination":{"ip":"203.0.113.77"},
             "file":{"hash":{"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
             "dns":{"question":{"name":"c2.evil.example"}},"host":{"name":"ws-0142"}}
            """;
        var variables = new Dictionary<string, object?>(_fixture.ElasticVariables())
        {
            ["irisUri"] = _fixture.Lab.IrisUri.ToString(),
            ["irisKey"] = LabFixture.Secure(_fixture.Lab.Iris.AdministratorApiKey),
            ["irisThumb"] = _fixture.Lab.Certificate.Thumbprint,
            ["docs"] = new[] { doc },
        };
        var result = _fixture.Session.Run($"""
            Connect-Elastic -Uri $esUri -Credential $esCred | Out-Null
            Connect-Iris -Uri $irisUri -ApiKey $irisKey -CertificateThumbprint $irisThumb | Out-Null
            $docs | Send-ElasticDocument -Index {index} -IdProperty id -Refresh true | Out-Null
            Get-ElasticAlert -Index {index} -IdField id | New-IrisAlert -Customer 1
            """, variables);
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var alert = Assert.Single(result.OutputOf(Types.IrisAlert));
        Assert.Equal("ecs-1", (string)alert.SourceRef);
        var iocs = ((IEnumerable<object>)alert.Iocs).Cast<dynamic>().Select(i => (string)i.Value + " " + (string)i.Type).OrderBy(t => t).ToList();
        Assert.Equal(new[] { "10.20.30.40 ip-src", "203.0.113.77 ip-dst", "c2.evil.example domain", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 sha256" }, iocs);
        Assert.Equal("ws-0142", (string)((IEnumerable<object>)alert.Assets).Cast<dynamic>().Single().Name);
    }

    /// <summary>
    /// The README's one command, as a separate process: the module loads from its folder alone (its Polly comes from
    /// Dependencies/, not from a test's bin folder), and the story runs twice.
    /// </summary>
    [Fact]
    public async Task The_demo_command_runs_the_story_in_a_process_of_its_own()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var lab = Path.Combine(RepositoryPaths.Root, "src", "PSSocAutomation.Lab", "bin", configuration, "net10.0", "PSSocAutomation.Lab.dll");
        Assert.True(File.Exists(lab), "build the solution first: " + lab);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryPaths.Root };
        start.ArgumentList.Add(lab);
        start.ArgumentList.Add("demo");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);
        var output = await stdout;
        Assert.True(process.ExitCode == 0, output + await stderr);
        Assert.Contains("5 created, 0 already existed.", output);
        Assert.Contains("0 created, 5 already existed.", output);
        Assert.Contains("Potential SQL injection detected", output);
        Assert.DoesNotContain("ERROR", output);
    }
}
