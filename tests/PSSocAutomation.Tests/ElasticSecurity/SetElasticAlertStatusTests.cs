using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.ElasticSecurity;

/// <summary>
/// Set-ElasticAlertStatus against the Lab's Kibana: a result per alert (updated, unchanged, conflict, not found),
/// batches, legacy signals, -Reason on both sides of 9.2, -WhatIf, and what a proxy that strips kbn-xsrf looks like.
/// </summary>
public sealed class SetElasticAlertStatusTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public SetElasticAlertStatusTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private LabServer Lab => _fixture.Lab;

    private ScriptResult Run(string script) => _fixture.Session.Run(GetElasticSecurityAlertTests.ConnectKibana + script, _fixture.ElasticVariables());

    private static string NewSpace() => "st-" + Guid.NewGuid().ToString("N")[..8];

    private List<JournalEntry> StatusPosts(string space) =>
        Lab.Journal.For("kibana").Where(e => e.Method == "POST" && e.Path == "/s/" + space + "/api/detection_engine/signals/status").ToList();

    private const string Outcomes = " | ForEach-Object { '{0}|{1}|{2}' -f $_.Id, $_.Outcome, $_.PreviousStatus }";

    private static List<string[]> Lines(ScriptResult result) => result.OutputOf<string>().Select(l => l.Split('|')).ToList();

    private string NewSpaceWith(int alerts, out IReadOnlyList<string> ids, string status = "open")
    {
        var space = NewSpace();
        Lab.Kibana.AddSpace(space);
        ids = Lab.Kibana.SeedAlerts(alerts, space, status: status);
        return space;
    }

    [Fact]
    public void Piped_alerts_are_updated_in_batches_and_a_second_run_changes_nothing()
    {
        var space = NewSpaceWith(12, out var ids);

        var first = Run($"Get-ElasticSecurityAlert -Space {space} -IncludeBuildingBlock | Set-ElasticAlertStatus acknowledged -BatchSize 5" + Outcomes);

        AssertClean(first);
        var lines = Lines(first);
        Assert.Equal(ids.OrderBy(i => i, StringComparer.Ordinal), lines.Select(l => l[0]).OrderBy(i => i, StringComparer.Ordinal));
        Assert.All(lines, l => Assert.Equal(new[] { "Updated", "open" }, l[1..]));
        Assert.All(ids, id => Assert.Equal("acknowledged", Lab.Kibana.WorkflowStatusOf(id, space)));
        var posts = StatusPosts(space);
        Assert.Equal(3, posts.Count);
        Assert.All(posts, p => Assert.Equal("true", p.Headers["kbn-xsrf"]));

        var again = Run($"Get-ElasticSecurityAlert -Space {space} -IncludeBuildingBlock | Set-ElasticAlertStatus acknowledged" + Outcomes);
        AssertClean(again);
        Assert.All(Lines(again), l => Assert.Equal(new[] { "Unchanged", "acknowledged" }, l[1..]));
        Assert.Equal(3, StatusPosts(space).Count);
    }

    [Fact]
    public void Ids_that_do_not_exist_are_reported_as_not_found_beside_the_ones_that_do()
    {
        var space = NewSpaceWith(2, out var ids);

        var result = Run($"Set-ElasticAlertStatus -Space {space} -Status closed -Id '{ids[0]}', 'no-such-alert', '{ids[1]}'" + Outcomes);

        Assert.Empty(result.Errors);
        Assert.Null(result.Terminating);
        var lines = Lines(result);
        Assert.Equal(new[] { ids[0], "Updated", "open" }, lines[0]);
        Assert.Equal(new[] { "no-such-alert", "NotFound", "" }, lines[1]);
        Assert.Equal(new[] { ids[1], "Updated", "open" }, lines[2]);
        Assert.Contains(result.Warnings, w => w.Contains("1 not found", StringComparison.Ordinal));
        Assert.Equal("closed", Lab.Kibana.WorkflowStatusOf(ids[0], space));
        Assert.DoesNotContain("no-such-alert", Assert.Single(StatusPosts(space)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_conflict_is_reported_per_alert_and_nothing_is_claimed_done()
    {
        var space = NewSpaceWith(3, out var ids);
        Lab.Kibana.ConflictOnNextUpdates = 1;

        var result = Run($"Set-ElasticAlertStatus -Space {space} -Status closed -Id {string.Join(", ", ids.Select(i => "'" + i + "'"))} | ForEach-Object {{ '{{0}}|{{1}}' -f $_.Outcome, $_.Message }}");

        Assert.Empty(result.Errors);
        var lines = Lines(result);
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l =>
        {
            Assert.Equal("Conflict", l[0]);
            Assert.Contains("changed while its status was being set", l[1], StringComparison.Ordinal);
        });
        Assert.All(ids, id => Assert.Equal("open", Lab.Kibana.WorkflowStatusOf(id, space)));
        Assert.Equal(409, Assert.Single(StatusPosts(space)).Status);
        Assert.Contains(result.Warnings, w => w.Contains("3 conflict(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void Legacy_signals_get_signal_status()
    {
        var space = NewSpace();
        Lab.Kibana.AddSpace(space);
        var legacy = Lab.Kibana.SeedLegacySignals(3, space, status: "open");

        var result = Run($"Get-ElasticSecurityAlert -Space {space} -Status open | Set-ElasticAlertStatus closed" + Outcomes);

        AssertClean(result);
        Assert.All(Lines(result), l => Assert.Equal("Updated", l[1]));
        Assert.All(legacy, id =>
        {
            Assert.Equal("closed", Lab.Kibana.WorkflowStatusOf(id, space));
            Assert.Contains("\"signal\"", Lab.Kibana.SourceOf(id, space)!, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_reason_is_sent_only_to_a_Kibana_that_has_it()
    {
        var space = NewSpaceWith(2, out var ids);

        var old = Run($"Set-ElasticAlertStatus -Space {space} -Status closed -Reason false_positive -Id '{ids[0]}'" + Outcomes);
        Assert.Empty(old.Errors);
        Assert.Contains(old.Warnings, w => w.Contains("no closing reason", StringComparison.Ordinal) && w.Contains("9.2", StringComparison.Ordinal));
        Assert.DoesNotContain("reason", Assert.Single(StatusPosts(space)).Body, StringComparison.Ordinal);

        Lab.Kibana.Version = "9.2.0";
        try
        {
            var current = Run($"Set-ElasticAlertStatus -Space {space} -Status closed -Reason false_positive -Id '{ids[1]}'" + Outcomes);
            AssertClean(current);
            Assert.Contains("\"reason\":\"false_positive\"", StatusPosts(space).Last().Body, StringComparison.Ordinal);
            Assert.Contains("false_positive", Lab.Kibana.SourceOf(ids[1], space)!, StringComparison.Ordinal);
        }
        finally
        {
            Lab.Kibana.Version = "8.15.0";
        }
    }

    [Fact]
    public void WhatIf_reads_nothing_and_changes_nothing()
    {
        var space = NewSpaceWith(4, out var ids);

        var result = Run($"Get-ElasticSecurityAlert -Space {space} -IncludeBuildingBlock | Set-ElasticAlertStatus closed -WhatIf");

        Assert.Empty(result.Errors);
        Assert.Empty(result.Output);
        Assert.Empty(StatusPosts(space));
        Assert.All(ids, id => Assert.Equal("open", Lab.Kibana.WorkflowStatusOf(id, space)));
    }

    [Fact]
    public void A_proxy_that_strips_kbn_xsrf_is_named_as_the_cause()
    {
        var space = NewSpaceWith(1, out var ids);
        Lab.Faults.Add(new FaultRule
        {
            Service = "kibana", Method = "POST", PathContains = "signals/status", Kind = FaultKind.Status, Status = 400,
            Body = """{"statusCode":400,"error":"Bad Request","message":"Request must contain a kbn-xsrf header."}""",
        });

        var result = Run($"Set-ElasticAlertStatus -Space {space} -Status closed -Id '{ids[0]}'");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ElasticSecurity", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("kbn-xsrf", error.ToString(), StringComparison.Ordinal);
        // PowerShell shows the recommendation on its own line under the message.
        Assert.Contains("proxy", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal("open", Lab.Kibana.WorkflowStatusOf(ids[0], space));
    }

    [Theory]
    [InlineData("Set-ElasticAlertStatus -Id x -Status bogus", "ParameterArgumentValidationError")]
    [InlineData("Set-ElasticAlertStatus -Id x -Status open -Reason false_positive", "ElasticSecurityReasonNotClosing")]
    [InlineData("Set-ElasticAlertStatus -Id x -Status closed -Reason because", "ParameterArgumentValidationError")]
    [InlineData("Set-ElasticAlertStatus -Id x -Status closed -Space 'Not A Space'", "ElasticSecurityInvalidSpace")]
    [InlineData("[pscustomobject]@{ Title = 'no id' } | Set-ElasticAlertStatus closed", "ElasticSecurityAlertWithoutId")]
    public void Bad_input_is_refused_with_its_own_error(string script, string errorId)
    {
        var result = Run(script);

        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.DoesNotContain(Lab.Journal.For("kibana"), e => e.Path.EndsWith("signals/status", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_Kibana_it_says_how_to_connect()
    {
        var result = _fixture.Session.Run("Connect-Elastic -Uri $esUri -Credential $esCred | Out-Null\nSet-ElasticAlertStatus -Id x -Status closed", _fixture.ElasticVariables());

        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Equal("ElasticSecurityNoKibana", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("-KibanaUri", error.Exception.Message, StringComparison.Ordinal);
    }
}
