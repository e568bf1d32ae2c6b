using System.Text.Json;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Stories;

/// <summary>
/// Story 2's first and last steps (examples/Invoke-ElasticSecurityTriage.ps1) and story 4's correlation step
/// (examples/Find-CorrelatedElasticAlert.ps1), each run as a user runs it: a separate pwsh against the Lab.
/// </summary>
public sealed class ElasticSecurityStoryTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public ElasticSecurityStoryTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private static string Example(string name) => Path.Combine(RepositoryPaths.Root, "examples", name);

    private static List<JsonElement> Rows(PwshResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Output.Trim();
        if (json.Length == 0) return new List<JsonElement>();
        var root = JsonDocument.Parse(json).RootElement;
        return root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : new List<JsonElement> { root };
    }

    [Fact]
    public void Triage_takes_the_open_alerts_of_the_last_15_minutes_into_IRIS_and_acknowledges_them_once()
    {
        var lab = _fixture.Lab;
        var space = "triage-" + Guid.NewGuid().ToString("N")[..6];
        lab.Kibana.AddSpace(space);
        var old = lab.Kibana.SeedAlerts(3, space, start: DateTimeOffset.UtcNow.AddHours(-3));
        var fresh = lab.Kibana.SeedAlerts(5, space, start: DateTimeOffset.UtcNow.AddMinutes(-10), step: TimeSpan.FromSeconds(30));
        var closed = lab.Kibana.SeedAlerts(2, space, start: DateTimeOffset.UtcNow.AddMinutes(-5), status: "closed");
        var live = fresh.Where(id => !lab.Kibana.SourceOf(id, space)!.Contains("building_block_type", StringComparison.Ordinal)).ToList();
        var environment = _fixture.PwshEnvironment();
        environment["SCRIPT"] = Example("Invoke-ElasticSecurityTriage.ps1");
        environment["SPACE"] = space;
        const string run = """
            $ErrorActionPreference = 'Stop'
            $esCred = [pscredential]::new($env:ES_USER, (ConvertTo-SecureString $env:ES_PASSWORD -AsPlainText -Force))
            $irisKey = ConvertTo-SecureString $env:IRIS_KEY -AsPlainText -Force
            & $env:SCRIPT -ElasticUri $env:ES_URI -KibanaUri $env:KB_URI -ElasticCredential $esCred -IrisUri $env:IRIS_URI -IrisApiKey $irisKey `
                -IrisCertificateThumbprint $env:IRIS_THUMB -Space $env:SPACE | ConvertTo-Json -Depth 3
            """;

        var rows = Rows(PwshProcess.Run(run, environment));

        Assert.Equal(live.OrderBy(i => i, StringComparer.Ordinal), rows.Select(r => r.GetProperty("AlertId").GetString()!).OrderBy(i => i, StringComparer.Ordinal));
        Assert.All(rows, r =>
        {
            Assert.Equal("Updated", r.GetProperty("Status").GetString());
            Assert.True(r.GetProperty("IrisAlertId").GetInt32() > 0);
            Assert.Contains("ip:", r.GetProperty("Indicators").GetString()!, StringComparison.Ordinal);
        });
        Assert.All(live, id => Assert.Equal("acknowledged", lab.Kibana.WorkflowStatusOf(id, space)));
        Assert.All(old, id => Assert.Equal("open", lab.Kibana.WorkflowStatusOf(id, space)));
        Assert.All(closed, id => Assert.Equal("closed", lab.Kibana.WorkflowStatusOf(id, space)));
        Assert.All(live, id => Assert.Single(lab.Iris.AlertsWithSourceRef(id)));

        // The next tick: nothing is open any more, so nothing is read, sent or changed.
        var again = Rows(PwshProcess.Run(run, environment));
        Assert.Empty(again);
        Assert.All(live, id => Assert.Single(lab.Iris.AlertsWithSourceRef(id)));
    }

    [SharedFixtureFact]
    public void Correlation_finds_the_Elastic_alerts_that_share_a_finding_s_indicators()
    {
        var lab = _fixture.Lab;
        var space = "corr-" + Guid.NewGuid().ToString("N")[..6];
        lab.Kibana.AddSpace(space);
        lab.Kibana.SeedAlerts(20, space);
        // The GuardDuty finding's attacker (its description names 199.241.229.197) seen by an Elastic rule yesterday.
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var hit = lab.Kibana.AddAlert(space, $$"""
            {"@timestamp":"{{yesterday}}","kibana.alert.uuid":"corr-hit-1","kibana.alert.rule.name":"SSH brute force from the internet",
             "kibana.alert.severity":"high","kibana.alert.workflow_status":"open","kibana.space_ids":["{{space}}"],
             "source":{"ip":"199.241.229.197"},"destination":{"ip":"10.0.0.12"},"host":{"name":"web-01"},"event":{"kind":"signal"} }
            """, "corr-hit-1");
        var environment = _fixture.PwshEnvironment();
        environment["SCRIPT"] = Example("Find-CorrelatedElasticAlert.ps1");
        environment["SPACE"] = space;
        environment["FINDINGS"] = Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "securityhub", "get-findings-response.guardduty.json");
        environment["QUIET"] = Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "eventbridge", "securityhub-findings-imported.afsbp-ec2.7.json");
        const string run = """
            $ErrorActionPreference = 'Stop'
            $esCred = [pscredential]::new($env:ES_USER, (ConvertTo-SecureString $env:ES_PASSWORD -AsPlainText -Force))
            @(& $env:SCRIPT -FindingPath $env:FINDINGS -ElasticUri $env:ES_URI -ElasticCredential $esCred -Space $env:SPACE
              & $env:SCRIPT -FindingPath $env:QUIET -ElasticUri $env:ES_URI -ElasticCredential $esCred -Space $env:SPACE) | ConvertTo-Json -Depth 3
            """;

        var rows = Rows(PwshProcess.Run(run, environment));

        Assert.Equal(2, rows.Count);
        var guardDuty = rows[0];
        Assert.Equal("Incident", guardDuty.GetProperty("Priority").GetString());
        Assert.Equal(1, guardDuty.GetProperty("MatchedAlerts").GetInt32());
        Assert.Equal(hit, guardDuty.GetProperty("AlertIds").GetString());
        Assert.Contains("199.241.229.197", guardDuty.GetProperty("Indicators").GetString()!, StringComparison.Ordinal);
        Assert.Equal("SSH brute force from the internet", guardDuty.GetProperty("Rules").GetString());
        Assert.Equal("Monitor", rows[1].GetProperty("Priority").GetString());
        Assert.Equal(0, rows[1].GetProperty("MatchedAlerts").GetInt32());
    }
}
