using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.ElasticSecurity;

/// <summary>
/// Get-ElasticSecurityAlert -Checkpoint as a scheduled runbook uses it: detection alerts into IRIS run after run, late
/// alerts inside the overlap included, a run that dies half-way moving nothing; IRIS ends with one alert per source alert.
/// </summary>
public sealed class SecurityAlertResumeTests : IClassFixture<LabFixture>, IDisposable
{
    private readonly LabFixture _fixture;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pssoc-kresume-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public SecurityAlertResumeTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        Directory.CreateDirectory(_folder);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private LabServer Lab => _fixture.Lab;

    private ScriptResult Run(string script)
    {
        var variables = _fixture.ElasticVariables();
        foreach (var (k, v) in Variables(Lab)) variables[k] = v;
        variables["cp"] = Path.Combine(_folder, "kibana.checkpoint");
        return _fixture.Session.Run(GetElasticSecurityAlertTests.ConnectKibana + Connect + script, variables);
    }

    /// <summary>A detection alert as the alerts index holds it, created <paramref name="ago"/> before the test began.</summary>
    private void Alert(string space, string id, TimeSpan ago) =>
        Lab.Kibana.AddAlert(space, $$"""
            {"@timestamp":"{{(_now - ago).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}","kibana.alert.uuid":"{{id}}","kibana.alert.rule.name":"Rule {{id}}",
             "kibana.alert.severity":"high","kibana.alert.risk_score":73,"kibana.alert.workflow_status":"open","kibana.alert.status":"active",
             "kibana.alert.reason":"alert {{id}} on host-1","kibana.space_ids":["{{space}}"],"host":{"name":"host-1"},"event":{"kind":"signal"} }
            """, id);

    private static string ToIris(string extra = "") =>
        $"Get-ElasticSecurityAlert -Space $space -Status open -Checkpoint $cp -Overlap 10m {extra}| New-IrisAlert -Customer ACME | Measure-Object | ForEach-Object Count";

    [Fact]
    public void Runs_deliver_each_detection_alert_once_through_late_arrivals_and_a_run_that_died()
    {
        Fresh(Lab);
        var space = "resume-" + Guid.NewGuid().ToString("N")[..6];
        Lab.Kibana.AddSpace(space);
        var expected = new List<string>();
        for (var i = 1; i <= 8; i++) { Alert(space, "K" + i, TimeSpan.FromMinutes(60 - i)); expected.Add("K" + i); }

        var first = Run($"$space = '{space}'\n" + ToIris());
        AssertClean(first);
        Assert.Equal(8, Assert.Single(first.OutputOf<int>()));

        // New ones, and two indexed late: their time is before the watermark (K8, 52 min ago) but inside the overlap.
        for (var i = 9; i <= 11; i++) { Alert(space, "K" + i, TimeSpan.FromMinutes(50 - i)); expected.Add("K" + i); }
        Alert(space, "L1", TimeSpan.FromMinutes(55)); expected.Add("L1");
        Alert(space, "L2", TimeSpan.FromMinutes(53)); expected.Add("L2");
        var checkpoint = Path.Combine(_folder, "kibana.checkpoint");
        var saved = File.ReadAllText(checkpoint);

        var died = Run($"$space = '{space}'\nGet-ElasticSecurityAlert -Space $space -Status open -Checkpoint $cp -Overlap 10m | ForEach-Object {{ if (++$n -eq 2) {{ throw 'the runbook was killed' }}; $_ }} | New-IrisAlert -Customer ACME");
        Assert.NotNull(died.Terminating);
        Assert.Equal(saved, File.ReadAllText(checkpoint));

        var third = Run($"$space = '{space}'\n" + ToIris());
        AssertClean(third);
        Assert.Equal(5, Assert.Single(third.OutputOf<int>()));

        var last = Run($"$space = '{space}'\n" + ToIris("-Verbose "));
        AssertClean(last);
        Assert.Equal(0, Assert.Single(last.OutputOf<int>()));
        Assert.Contains(last.Verbose, v => v.Contains("Resuming from the checkpoint", StringComparison.Ordinal));

        foreach (var id in expected) Assert.Single(Lab.Iris.AlertsWithSourceRef(id));
        Assert.Equal(expected.Count, Lab.Iris.Alerts.Count);
    }
}
