using System.Management.Automation;
using System.Text.Json.Nodes;
using Xunit;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Indicators;

/// <summary>Search-ElasticIndicator in the engine against the Lab's Elasticsearch: story 4's "alerts with the same indicators".</summary>
public sealed class SearchElasticIndicatorTests : IClassFixture<LabFixture>
{
    private const string Connect = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryDelaySec 2 | Out-Null\n";
    private readonly LabFixture _fixture;

    public SearchElasticIndicatorTests(LabFixture fixture) => _fixture = fixture;

    private LabServer Lab => _fixture.Lab;

    private ScriptResult Run(string script) => _fixture.Session.Run(script, _fixture.ElasticVariables());

    private string SeedIndex()
    {
        var index = "cor-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.Index(index, "a1", """{"@timestamp":"2026-12-03T10:00:00Z","alert_id":"A-1","message":"first","destination":{"ip":"203.0.113.7"},"file":{"hash":{"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}}""");
        Lab.Elastic.Index(index, "a2", """{"@timestamp":"2026-12-03T11:00:00Z","alert_id":"A-2","message":"second","source":{"ip":"203.0.113.7"},"dns":{"question":{"name":"Evil-CDN.example"}}}""");
        Lab.Elastic.Index(index, "a3", """{"@timestamp":"2026-12-03T12:00:00Z","alert_id":"A-3","message":"third","related":{"ip":["198.51.100.9"],"hash":["E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"]}}""");
        Lab.Elastic.Index(index, "a4", """{"@timestamp":"2026-11-01T12:00:00Z","alert_id":"A-4","message":"old","destination":{"ip":"203.0.113.7"}}""");
        return index;
    }

    [Fact]
    public void Each_indicator_finds_the_documents_naming_it_in_the_fields_of_its_type()
    {
        var index = SeedIndex();
        var result = Run(Connect + $"'203.0.113.7', 'evil-cdn.example', 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', '192.0.2.250' | Search-ElasticIndicator -Index {index} -IdField alert_id");
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var rows = result.OutputOf(Types.IndicatorMatches);
        Assert.Equal(4, rows.Count);
        var ip = rows[0];
        Assert.Equal("ip", (string)ip.Type);
        Assert.Equal(3L, (long)ip.Total);
        // Newest first.
        Assert.Equal(new[] { "A-2", "A-1", "A-4" }, ((IEnumerable<dynamic>)ip.Alerts).Select(a => (string)a.Id));
        Assert.Equal(1L, (long)rows[1].Total);          // the domain, whatever its case in the document
        Assert.Equal("domain", (string)rows[1].Type);
        Assert.Equal(2L, (long)rows[2].Total);          // the hash, in file.hash.sha256 and related.hash
        Assert.Equal("sha256", (string)rows[2].Type);
        Assert.Equal(0L, (long)rows[3].Total);          // unmatched indicators come out too

        // What Elasticsearch was asked: the type's fields, each also as .keyword.
        var search = Lab.Journal.For("elastic").Last(e => e.Path.EndsWith("/_search"));
        var body = JsonNode.Parse(search.Body)!;
        var fields = body["query"]!["bool"]!["should"]!.AsArray().Select(c => c!["term"]!.AsObject().First().Key).ToList();
        Assert.Contains("source.ip", fields);
        Assert.Contains("related.ip.keyword", fields);
    }

    [Fact]
    public void Piped_indicators_keep_their_alert_and_Since_limits_the_window()
    {
        var index = SeedIndex();
        var result = Run(Connect + $"Get-ElasticAlert -Index {index} -IdField alert_id -Query @{{ term = @{{ 'alert_id.keyword' = 'A-1' }} }} | Get-AlertIndicator -Type ip | Search-ElasticIndicator -Index {index} -IdField alert_id -Since '2026-12-01T00:00:00Z'");
        Assert.Null(result.Terminating);
        var match = Assert.Single(result.OutputOf(Types.IndicatorMatches));
        Assert.Equal("A-1", (string)match.Indicator.AlertId);
        Assert.Equal(2L, (long)match.Total); // A-4 is older than -Since
        Assert.Equal(new[] { "A-2" }, ((IEnumerable<object>)match.OtherAlertIds).Select(o => o.ToString()));
    }

    [Fact]
    public void Bad_inputs_are_named_and_a_missing_index_stops_the_command()
    {
        var unknown = Run(Connect + "'hello world' | Search-ElasticIndicator -Index whatever");
        var error = Assert.Single(unknown.Errors);
        Assert.StartsWith("ElasticUnknownIndicatorType", error.FullyQualifiedErrorId);
        Assert.Contains("-Type", error.Exception.Message);

        var missing = Run(Connect + "try { '203.0.113.7', '198.51.100.1' | Search-ElasticIndicator -Index no-such-index-xyz; 'went on' } catch { $_ }");
        var stopped = Assert.Single(missing.OutputOf<ErrorRecord>());
        Assert.StartsWith("ElasticNotFound", stopped.FullyQualifiedErrorId);
        Assert.DoesNotContain(missing.Output, o => o.BaseObject is string s && s == "went on");

        var since = Run(Connect + "try { '203.0.113.7' | Search-ElasticIndicator -Index x -Since yesterday-ish } catch { $_ }");
        Assert.StartsWith("ElasticInvalidSince", Assert.Single(since.OutputOf<ErrorRecord>()).FullyQualifiedErrorId);
    }
}
