using System.Text.Json;
using PSSocAutomation.Core;
using PSSocAutomation.Elastic;

namespace PSSocAutomation.Tests.Elastic;

/// <summary>Search hits as normalized alerts: the common core, ECS indicators, resources and tags, and the source's own fields.</summary>
public sealed class ElasticAlertMapperTests
{
    private static SocAlert Map(string source, string index = "alerts-1", string id = "doc-1", string timeField = "@timestamp")
    {
        using var doc = JsonDocument.Parse($$"""{"_index":"{{index}}","_id":"{{id}}","_source":{{source}}}""");
        return new ElasticAlertMapper(timeField).Map(doc.RootElement);
    }

    [Fact]
    public void Ecs_fields_give_typed_indicators_resources_and_tags()
    {
        var alert = Map("""
            {"@timestamp":"2024-09-20T12:00:00Z","kibana.alert.uuid":"k-1","kibana.alert.rule.name":"Beaconing",
             "source":{"ip":"10.0.0.5"},"destination":{"ip":["203.0.113.7","10.0.0.5"]},
             "file":{"hash":{"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","md5":"d41d8cd98f00b204e9800998ecf8427e"}},
             "url":{"full":"https://evil.example/x"},"dns.question.name":"evil.example",
             "host":{"name":"web-01"},"cloud":{"instance":{"id":"i-0abc"}},
             "tags":["prod","edr"],"kibana.alert.workflow_tags":["triaged"]}
            """);
        Assert.Equal("k-1", alert.Id);
        Assert.Equal(new[] { "ip:10.0.0.5", "ip:203.0.113.7", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "md5:d41d8cd98f00b204e9800998ecf8427e", "url:https://evil.example/x", "domain:evil.example" },
            alert.Indicators.Select(i => i.ToString()));
        Assert.Equal("source.ip", alert.Indicators[0].Field);
        Assert.Equal("destination.ip", alert.Indicators[1].Field);
        Assert.Equal(new[] { "host:web-01", "instance:i-0abc" }, alert.Resources.Select(r => r.ToString()));
        Assert.Equal("web-01", alert.Host);
        Assert.Equal(new[] { "prod", "edr", "triaged" }, alert.Tags);
    }

    [Fact]
    public void The_indicators_are_typed_and_normalized_as_Get_AlertIndicator_gives_them()
    {
        var alert = Map("""
            {"alert_id":"n-1","file":{"hash":{"sha256":"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"}},
             "related":{"ip":["198.51.100.9","not-an-address"],"hash":["D41D8CD98F00B204E9800998ECF8427E"]},
             "source":{"ip":"999.1.1.1"},"dns":{"question":{"name":"Evil.Example"}}}
            """);
        Assert.Equal(new[]
            {
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "domain:evil.example",
                "ip:198.51.100.9", "md5:d41d8cd98f00b204e9800998ecf8427e",
            }.OrderBy(x => x, StringComparer.Ordinal),
            alert.Indicators.Select(i => i.ToString()).OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void Kibanas_flattened_fields_arrays_give_the_same()
    {
        using var doc = JsonDocument.Parse("""{"_index":".alerts-security.alerts-default","_id":"x","fields":{"source.ip":["198.51.100.1"],"host.name":["db-02"],"kibana.alert.uuid":["u-9"]}}""");
        var alert = new ElasticAlertMapper("@timestamp").Map(doc.RootElement);
        Assert.Equal("u-9", alert.Id);
        Assert.Equal("198.51.100.1", Assert.Single(alert.Indicators).Value);
        Assert.Equal("db-02", Assert.Single(alert.Resources).Id);
    }

    [Fact]
    public void A_document_without_them_has_empty_lists()
    {
        var alert = Map("""{"alert_id":"1","message":"CPU usage exceeded 90%","severity":"medium"}""");
        Assert.Empty(alert.Indicators);
        Assert.Empty(alert.Resources);
        Assert.Empty(alert.Tags);
        Assert.Equal(AlertSeverity.Medium, alert.Severity);
    }

    [Fact]
    public void Index_and_document_id_are_source_fields_and_still_read_as_before()
    {
        var alert = Map("""{"alert_id":"7"}""", index: "sales", id: "AVnNB");
        var fields = Assert.IsType<ElasticAlertFields>(alert.SourceFields);
        Assert.Equal("sales", fields.Index);
        Assert.Equal("AVnNB", fields.DocumentId);
        Assert.Equal("sales", alert.Index);
        Assert.Equal("AVnNB", alert.DocumentId);
        Assert.Equal(new[] { "Index", "DocumentId" }, fields.Fields.Select(f => f.Key));
        Assert.Equal("7", alert.Id);
    }

    [Fact]
    public void Nothing_is_read_from_the_document_until_a_field_is_asked_for()
    {
        // Mapping copies the document and leaves its fields to the first read (the resolver is still pending).
        using var doc = JsonDocument.Parse("""{"_index":"a","_id":"b","_source":{"source":{"ip":"10.1.1.1"}}}""");
        var alert = new ElasticAlertMapper("@timestamp").Map(doc.RootElement);
        Assert.Equal("a", alert.Index); // the hit's own fields are there at once
        var fill = typeof(SocAlert).GetField("_resolve", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        Assert.NotNull(fill.GetValue(alert));
        Assert.Equal("10.1.1.1", Assert.Single(alert.Indicators).Value);
        Assert.Null(fill.GetValue(alert));
    }

    [Fact]
    public void Dotted_keys_nesting_and_both_mixed_reach_the_same_paths()
    {
        // "kibana.alert" as one key holding {"rule": {"name": ...}}, an escaped key (\u0065 is e), and nesting: all one path each.
        var alert = Map("""
            {"kibana.alert":{"rule":{"name":"Mixed"},"uuid":"m-1"},"host":{"na\u006de":"h-1"},"user.name":"u-1",
             "event":{"severity":7,"kind":"alert"},"status":"","message":null,"rule":{"name":{"nested":"object"}}}
            """);
        Assert.Equal("m-1", alert.Id);
        Assert.Equal("Mixed", alert.Title);
        Assert.Equal("Mixed", alert.Rule);
        Assert.Equal("h-1", alert.Host);
        Assert.Equal("u-1", alert.User);
        // A number is read as the JSON scalar it is; "" and null are absent, so Status falls to nothing and Description too.
        Assert.Equal("7", alert.SourceSeverity);
        Assert.Null(alert.Status);
        Assert.Null(alert.Description);
    }

    [Fact]
    public void An_array_counts_by_its_first_item_and_every_item_is_collected()
    {
        var alert = Map("""
            {"alert_id":["", "ignored"],"id":"fallback","title":[["deep"]],"tags":["a",{"x":1},"b","a"],"related":{"ip":[]},
             "@timestamp":[1700000000000],"severity":[true]}
            """);
        // The first item of alert_id is "", so the array is absent and the next candidate gives the id.
        Assert.Equal("fallback", alert.Id);
        Assert.Equal("deep", alert.Title);
        Assert.Equal(new[] { "a", "b" }, alert.Tags);
        Assert.Empty(alert.Indicators);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000000), alert.Time);
        Assert.Equal("True", alert.SourceSeverity);
    }

    [Fact]
    public void A_page_mapped_at_once_gives_what_each_hit_mapped_alone_gives()
    {
        using var doc = JsonDocument.Parse("""
            {"hits":{"hits":[
              {"_index":"a","_id":"1","_source":{"alert_id":"A-1","severity":"high","host":{"name":"h"},"source":{"ip":"10.0.0.1"},"@timestamp":"2024-01-02T03:04:05Z","tags":["t"]}},
              {"_index":"a","_id":"2","_source":{"kibana.alert.risk_score":91,"message":"m","user":{"name":"u"}}},
              {"_index":"b","_id":"3","fields":{"kibana.alert.uuid":["k-3"],"host.name":["db"]}}]}}
            """);
        var hits = doc.RootElement.GetProperty("hits").GetProperty("hits");
        var mapper = new ElasticAlertMapper("@timestamp");
        var eager = mapper.MapPage(hits);
        var lazy = hits.EnumerateArray().Select(new ElasticAlertMapper("@timestamp").Map).ToArray();
        static string Shape(SocAlert a) => string.Join("|", a.Id, a.Title, a.Description, a.Severity, a.SourceSeverity, a.Time, a.Status, a.Host, a.User,
            a.Rule, a.Index, a.DocumentId, string.Join(",", a.Indicators), string.Join(",", a.Resources), string.Join(",", a.Tags), a.OriginalJson());
        Assert.Equal(lazy.Select(Shape), eager.Select(Shape));
        Assert.Equal("A-1|A-1||High|high|01/02/2024 03:04:05 +00:00||h|||a|1|ip:10.0.0.1|host:h|t", Shape(eager[0]).Substring(0, Shape(eager[0]).IndexOf("|{", StringComparison.Ordinal)));
        Assert.Equal(AlertSeverity.Critical, eager[1].Severity);
        Assert.Equal("k-3", eager[2].Id);
    }

    [Fact]
    public void A_page_is_read_ahead_only_once_the_consumer_has_read_a_field()
    {
        using var doc = JsonDocument.Parse("""{"hits":{"hits":[{"_index":"a","_id":"1","_source":{"alert_id":"A-1","severity":"high"}},{"_index":"a","_id":"2","_source":{"alert_id":"A-2","severity":"low"}}]}}""");
        var hits = doc.RootElement.GetProperty("hits").GetProperty("hits");
        var mapper = new ElasticAlertMapper("@timestamp");
        var first = mapper.MapPage(hits);
        var second = mapper.MapPage(hits);
        // Nothing read yet: a consumer that never looks (Measure-Object) never pays for the fields.
        Assert.DoesNotContain(first.Concat(second), a => a.IsResolved);
        Assert.Equal(AlertSeverity.High, first[0].Severity);
        Assert.True(first[0].IsResolved);
        Assert.False(first[1].IsResolved);
        // From now on the pages are read where they are mapped, and read the same.
        var third = mapper.MapPage(hits);
        Assert.All(third, a => Assert.True(a.IsResolved));
        Assert.Equal(new[] { "A-1", "A-2" }, third.Select(a => a.Id));
        Assert.Equal(new[] { AlertSeverity.High, AlertSeverity.Low }, third.Select(a => a.Severity));
    }
}
