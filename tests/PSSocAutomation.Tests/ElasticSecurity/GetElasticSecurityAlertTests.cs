using System.Management.Automation;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Lab.Kibana;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.ElasticSecurity;

/// <summary>
/// Get-ElasticSecurityAlert against the Lab's Kibana and Elasticsearch: one Kibana page when that suffices, deep paging
/// through the alerts index otherwise (same alerts, same order), legacy signals, spaces, and its bad inputs.
/// </summary>
public sealed class GetElasticSecurityAlertTests : IClassFixture<LabFixture>
{
    internal const string ConnectKibana = "Connect-Elastic -Uri $esUri -KibanaUri $kbUri -Credential $esCred -MaximumRetryDelaySec 1 | Out-Null\n";
    private const string ConnectElasticOnly = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryDelaySec 1 | Out-Null\n";
    private readonly LabFixture _fixture;

    public GetElasticSecurityAlertTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private LabServer Lab => _fixture.Lab;

    private ScriptResult Run(string script, string connect = ConnectKibana) => _fixture.Session.Run(connect + script, _fixture.ElasticVariables());

    private static string NewSpace() => "soc-" + Guid.NewGuid().ToString("N")[..8];

    private int Searches(string space) => Lab.Journal.For("kibana").Count(e => e.Method == "POST" && e.Path == (space == "default" ? "" : "/s/" + space) + "/api/detection_engine/signals/search");

    private int PitsOpened() => Lab.Journal.For("elastic").Count(e => e.Method == "POST" && e.Path.EndsWith("/_pit", StringComparison.Ordinal));

    [Fact]
    public void A_read_that_fits_one_page_is_one_Kibana_request_and_carries_the_alert_fields()
    {
        var space = NewSpace();
        Lab.Kibana.AddSpace(space);
        var ids = Lab.Kibana.SeedAlerts(30, space);
        Lab.Kibana.SeedAlerts(7, "default");

        var result = Run($"Get-ElasticSecurityAlert -Space {space} -Status open -IncludeBuildingBlock -Since 2h | ForEach-Object {{ '{{0}}|{{1}}|{{2}}|{{3}}|{{4}}|{{5}}|{{6}}' -f $_.Id, $_.Source, $_.Title, $_.Status, $_.SourceFields.Space, $_.SourceFields.DocumentId, ($null -ne $_.SourceFields.RiskScore) }}");

        AssertClean(result);
        var lines = result.OutputOf<string>().Select(l => l.Split('|')).ToList();
        Assert.Equal(ids.OrderBy(i => i, StringComparer.Ordinal), lines.Select(l => l[0]).OrderBy(i => i, StringComparer.Ordinal));
        Assert.All(lines, l =>
        {
            Assert.Equal("Elastic Security", l[1]);
            Assert.False(string.IsNullOrEmpty(l[2]));
            Assert.Equal("open", l[3]);
            Assert.Equal(space, l[4]);
            Assert.Equal(l[0], l[5]);
            Assert.Equal("True", l[6]);
        });
        Assert.Equal(1, Searches(space));
        Assert.Equal(0, PitsOpened());
    }

    [Fact]
    public void Building_block_alerts_are_left_out_unless_asked_for()
    {
        var space = NewSpace();
        Lab.Kibana.AddSpace(space);
        var ids = Lab.Kibana.SeedAlerts(40, space);
        var buildingBlocks = ids.Where(id => Lab.Kibana.SourceOf(id, space)!.Contains("building_block_type", StringComparison.Ordinal)).ToHashSet();
        Assert.NotEmpty(buildingBlocks);

        var result = Run($"Get-ElasticSecurityAlert -Space {space} | ForEach-Object Id");

        AssertClean(result);
        Assert.Equal(ids.Where(id => !buildingBlocks.Contains(id)).OrderBy(i => i, StringComparer.Ordinal), result.OutputOf<string>().OrderBy(i => i, StringComparer.Ordinal));
    }

    [Fact]
    public void More_than_a_page_goes_on_through_the_alerts_index_with_the_same_alerts_in_the_same_order()
    {
        var space = NewSpace();
        Lab.Kibana.AddSpace(space);
        // One rule run writes fifty alerts with one @timestamp: only the tiebreaker keeps pages apart.
        var ids = Lab.Kibana.SeedAlerts(12_000, space, sameTimestampGroup: 50);

        var throughKibana = Run($"Get-ElasticSecurityAlert -Space {space} -IncludeBuildingBlock -PageSize 5000 | ForEach-Object Id");
        AssertClean(throughKibana);
        var kibanaOrder = throughKibana.OutputOf<string>().ToList();
        Assert.Equal(ids.Count, kibanaOrder.Count);
        Assert.Equal(ids.Count, kibanaOrder.Distinct().Count());
        Assert.Equal(1, Searches(space));
        Assert.Equal(1, PitsOpened());
        Assert.Equal(0, Lab.Elastic.OpenPitCount);

        _fixture.Reset();
        var direct = Run($"Get-ElasticSecurityAlert -Space {space} -IncludeBuildingBlock -PageSize 5000 | ForEach-Object Id", ConnectElasticOnly);
        AssertClean(direct);
        Assert.Equal(kibanaOrder, direct.OutputOf<string>().ToList());
        Assert.Equal(0, Searches(space));
    }

    [Fact]
    public void First_within_one_page_asks_Kibana_for_exactly_that_many()
    {
        Lab.Kibana.SeedAlerts(300, "default");

        var result = Run("Get-ElasticSecurityAlert -IncludeBuildingBlock -First 120 | Measure-Object | ForEach-Object Count");

        AssertClean(result);
        Assert.Equal(120, Assert.Single(result.OutputOf<int>()));
        var search = Lab.Journal.For("kibana").Last(e => e.Path == "/api/detection_engine/signals/search");
        Assert.Contains("\"size\":120", search.Body, StringComparison.Ordinal);
        Assert.Equal(0, PitsOpened());
    }

    [Fact]
    public void Kibana_before_8_15_is_never_sent_keys_it_refuses_and_deep_paging_still_works()
    {
        var space = NewSpace();
        Lab.Kibana.AddSpace(space);
        Lab.Kibana.Version = "8.14.3";
        try
        {
            Lab.Kibana.SeedAlerts(2_500, space);
            var result = Run($"Get-ElasticSecurityAlert -Space {space} -IncludeBuildingBlock -PageSize 1000 | Measure-Object | ForEach-Object Count");
            AssertClean(result);
            Assert.Equal(2_500, Assert.Single(result.OutputOf<int>()));
            Assert.All(Lab.Journal.For("kibana").Where(e => e.Path.EndsWith("signals/search", StringComparison.Ordinal)), e => Assert.Equal(200, e.Status));
        }
        finally
        {
            Lab.Kibana.Version = "8.15.0";
        }
    }

    [Fact]
    public void Legacy_signals_are_read_and_filtered_on_signal_status()
    {
        var space = NewSpace();
        Lab.Kibana.AddSpace(space);
        var legacy = Lab.Kibana.SeedLegacySignals(4, space, status: "in-progress");
        Lab.Kibana.SeedLegacySignals(3, space, status: "closed");
        var modern = Lab.Kibana.SeedAlerts(5, space, status: "acknowledged");

        var result = Run($"Get-ElasticSecurityAlert -Space {space} -Status acknowledged -IncludeBuildingBlock | ForEach-Object {{ '{{0}}|{{1}}|{{2}}' -f $_.Id, $_.SourceFields.Legacy, $_.Title }}");

        AssertClean(result);
        var lines = result.OutputOf<string>().Select(l => l.Split('|')).ToList();
        Assert.Equal(legacy.Concat(modern).OrderBy(i => i, StringComparer.Ordinal), lines.Select(l => l[0]).OrderBy(i => i, StringComparer.Ordinal));
        Assert.Equal(4, lines.Count(l => l[1] == "True"));
        Assert.All(lines, l => Assert.False(string.IsNullOrEmpty(l[2])));
    }

    [Fact]
    public void Severity_and_rule_name_filter_on_the_server()
    {
        var space = NewSpace();
        Lab.Kibana.AddSpace(space);
        var ids = Lab.Kibana.SeedAlerts(60, space);
        var rule = Lab.Kibana.SourceOf(ids[0], space)!;
        var ruleName = System.Text.Json.JsonDocument.Parse(rule).RootElement.GetProperty("kibana.alert.rule.name").GetString()!;

        var result = Run($"Get-ElasticSecurityAlert -Space {space} -IncludeBuildingBlock -RuleName '{ruleName}' -Severity low, medium, high, critical | ForEach-Object Title");

        AssertClean(result);
        Assert.NotEmpty(result.OutputOf<string>());
        Assert.All(result.OutputOf<string>(), t => Assert.Equal(ruleName, t));
        Assert.Contains(ruleName, Lab.Journal.For("kibana").Last(e => e.Path.EndsWith("signals/search", StringComparison.Ordinal)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_space_is_an_error_not_a_quiet_day()
    {
        var result = Run("Get-ElasticSecurityAlert -Space no-such-space -Status open");

        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Equal("ElasticSecuritySpaceNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("no space 'no-such-space'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.Equal(0, Searches("no-such-space"));
    }

    [Theory]
    [InlineData("-Space 'SOC Team'", "ElasticSecurityInvalidSpace", "-Space")]
    [InlineData("-Status bogus", "ParameterArgumentValidationError", "Status")]
    [InlineData("-Severity extreme", "ParameterArgumentValidationError", "Severity")]
    [InlineData("-Since yesterday", "ElasticInvalidSince", "-Since")]
    [InlineData("-Query '{not json'", "ElasticInvalidQuery", "-Query")]
    [InlineData("-Checkpoint /tmp/pssoc-bad-overlap.cp -Overlap 2020-01-01", "ElasticInvalidOverlap", "-Overlap")]
    public void Bad_input_stops_with_its_own_error(string arguments, string errorId, string named)
    {
        var result = Run("Get-ElasticSecurityAlert " + arguments);

        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, Lab.Journal.For("kibana").Count(e => e.Path.EndsWith("signals/search", StringComparison.Ordinal)));
    }

    [Fact]
    public void Connect_Elastic_checks_Kibana_and_a_dead_Kibana_stops_it()
    {
        var ok = Run("(Get-ElasticConnection).KibanaVersion");
        AssertClean(ok);
        Assert.Equal(Lab.Kibana.Version, Assert.Single(ok.OutputOf<string>()));

        var dead = _fixture.Session.Run("Connect-Elastic -Uri $esUri -KibanaUri http://127.0.0.1:9 -Credential $esCred -MaximumRetryCount 0 -TimeoutSec 3", _fixture.ElasticVariables());
        var error = dead.Terminating?.ErrorRecord ?? Assert.Single(dead.Errors);
        Assert.StartsWith("ElasticKibana", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:9", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(dead.Output);
    }

    [Fact]
    public void A_space_completes_from_Kibana()
    {
        var space = NewSpace();
        Lab.Kibana.AddSpace(space);

        var result = Run($"(TabExpansion2 -inputScript 'Get-ElasticSecurityAlert -Space {space[..6]}' -cursorColumn {"Get-ElasticSecurityAlert -Space ".Length + 6}).CompletionMatches | ForEach-Object CompletionText");

        AssertClean(result);
        Assert.Contains(space, result.OutputOf<string>());
    }
}
