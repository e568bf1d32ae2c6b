using System.Text.Json;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Elastic;

/// <summary>
/// The real Elasticsearch and Kibana bodies in ../shared/fixtures/elastic, served by the Lab in place of its own answer,
/// go through the cmdlets and clients over real sockets and come out as the right objects and messages.
/// </summary>
public sealed class ElasticConformanceTests : IClassFixture<LabFixture>
{
    private const string Connect = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryCount 0 | Out-Null\n";
    private readonly LabFixture _fixture;

    public ElasticConformanceTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(RepositoryPaths.SharedFixtures!, "elastic", name));

    private void Serve(string pathContains, string fixture, int status = 200, string? method = null) =>
        _fixture.Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = pathContains, Method = method, Status = status, Body = Fixture(fixture) });

    private ScriptResult Run(string script) => _fixture.Session.Run(Connect + script, _fixture.ElasticVariables());

    [SharedFixtureFact]
    public void Search_error_400_reports_the_type_the_reason_and_the_cause()
    {
        Serve("_search", "error-400-illegal-argument.response.json", 400);
        var error = Assert.Single(Run("Invoke-ElasticSearch -Index my-index-000001 -Body @{}").Errors);
        Assert.StartsWith("ElasticInvalidRequest", error.FullyQualifiedErrorId);
        Assert.Contains("illegal_argument_exception: Failed to parse int parameter [size] with value [surprise_me]", error.Exception.Message);
        Assert.Contains("For input string", error.Exception.Message);
        Assert.Equal("illegal_argument_exception", (string)((dynamic)error.Exception).VendorType);
    }

    [SharedFixtureFact]
    public void Terms_aggregation_explodes_into_its_buckets()
    {
        Serve("_search", "search-terms-agg.response.json");
        var result = Run("Invoke-ElasticSearch -Index logs | Expand-AlertBucket");
        Assert.Empty(result.Errors);
        using var doc = JsonDocument.Parse(Fixture("search-terms-agg.response.json"));
        var expected = doc.RootElement.GetProperty("aggregations").GetProperty("counts").GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("key").GetString()).ToList();
        Assert.Equal(expected, result.Output.Select(o => o.Properties["key"].Value as string));
        Assert.Equal(2L, result.Output[0].Properties["doc_count"].Value);
    }

    [SharedFixtureFact]
    public void Terms_with_top_hits_explodes_into_one_alert_per_hit_keeping_the_source()
    {
        Serve("_search", "search-terms-top-hits.response.json");
        var result = Run("Invoke-ElasticSearch -Index sales | Expand-AlertBucket -Aggregation top_tags -TopHits top_sales_hits -TimeField date");
        Assert.Empty(result.Errors);
        var alerts = result.OutputOf(Types.SocAlert);
        Assert.Equal(3, alerts.Count);
        Assert.Equal("AVnNBmauCQpcRyxw6ChK", (string)alerts[0].Id);
        Assert.Equal("sales", (string)alerts[0].Index);
        using var original = JsonDocument.Parse((string)alerts[0].OriginalJson());
        Assert.Equal(200, original.RootElement.GetProperty("price").GetInt32());
    }

    [SharedFixtureFact]
    public void A_point_in_time_id_from_elasticsearch_is_used_for_the_search_and_kibana_alert_fields_map_to_alerts()
    {
        Serve("/_pit", "pit-open.response.json", method: "POST");
        Serve("/_search", "search-alerts-fields.response.json", method: "POST");
        var result = Run("Get-ElasticAlert -Index .alerts-security.alerts-default -PageSize 100");
        Assert.Empty(result.Errors);
        var alerts = result.OutputOf(Types.SocAlert);
        Assert.Equal(2, alerts.Count);
        Assert.Equal("Low", (string)alerts[0].Severity.ToString());
        Assert.Equal(new DateTimeOffset(2022, 3, 22, 16, 48, 7, 518, TimeSpan.Zero), (DateTimeOffset)alerts[0].Time);
        Assert.Equal("38dd308706a127696cc63b8f142e8e4d66f8f79bc7d491dd79a42ea4ead62dd1", (string)alerts[0].DocumentId);
        using var pit = JsonDocument.Parse(Fixture("pit-open.response.json"));
        var pitId = pit.RootElement.GetProperty("id").GetString()!;
        var search = Assert.Single(_fixture.Lab.Journal.For("elastic"), e => e.Path == "/_search");
        Assert.Contains(pitId, search.Body);
        var close = Assert.Single(_fixture.Lab.Journal.For("elastic"), e => e.Method == "DELETE");
        Assert.Contains(pitId, close.Body);
    }

    [SharedFixtureFact]
    public void A_partly_failed_bulk_names_each_rejected_document_with_elastics_reason()
    {
        Serve("_bulk", "bulk-partial-failure.response.json");
        var result = Run("'{\"a\":1}', '{\"a\":2}', '{\"a\":3}' | Send-ElasticDocument -Index index1");
        using var doc = JsonDocument.Parse(Fixture("bulk-partial-failure.response.json"));
        var items = doc.RootElement.GetProperty("items").EnumerateArray().Select(i => i.EnumerateObject().First().Value).ToList();
        var failed = items.Count(i => i.GetProperty("status").GetInt32() >= 300);
        Assert.Equal(failed, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.Contains("document_missing_exception", e.Exception.Message));
        Assert.Contains(result.Errors, e => e.Exception.Message.Contains("document #1"));
        var summary = Assert.Single(result.OutputOf(Types.SendResult));
        Assert.Equal(failed, (int)summary.Failed);
        Assert.Equal(items.Count - failed, (int)summary.Created + (int)summary.Updated + (int)summary.AlreadyExisted);
    }

    [SharedFixtureFact]
    public void Kibana_signal_bodies_parse_into_objects_and_buckets()
    {
        Serve("_search", "signals-search.response.json");
        var buckets = Run("Invoke-ElasticSearch -Index .siem-signals | Expand-AlertBucket -Aggregation alertsByGrouping");
        Assert.Empty(buckets.Errors);
        Assert.Equal("Host-f43kkddfyc", Assert.Single(buckets.Output).Properties["key"].Value);
    }
}
