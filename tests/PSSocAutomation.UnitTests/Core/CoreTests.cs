using System.Text.Json;
using PSSocAutomation.Core;
using PSSocAutomation.Elastic;
using PSSocAutomation.Http;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Core;

public sealed class CoreTests
{
    [Theory]
    [InlineData("15m", 900)]
    [InlineData("2h", 7200)]
    [InlineData("7d", 604800)]
    [InlineData("30s", 30)]
    [InlineData("1w", 604800)]
    public void TimeWindow_parses_relative_windows(string text, int seconds)
    {
        var window = TimeWindow.Parse(text);
        Assert.Equal(TimeSpan.FromSeconds(seconds), window.RelativeSpan);
        Assert.Equal($"now-{seconds}s", window.ToElasticGte());
    }

    [Theory]
    [InlineData("15")]
    [InlineData("0m")]
    [InlineData("yesterday-ish")]
    public void TimeWindow_rejects_nonsense_with_the_accepted_forms(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => TimeWindow.Parse(text));
        Assert.Contains(text, ex.Message);
    }

    [Fact]
    public void A_bare_number_says_to_quote_the_window_since_PowerShell_reads_30d_as_a_number()
    {
        foreach (var value in new object[] { 30m, (short)30, (sbyte)2, 7, "30" })
        {
            var ex = Assert.Throws<ArgumentException>(() => TimeWindow.Parse(value));
            Assert.Contains("has no unit", ex.Message);
            Assert.Contains("quote the window", ex.Message);
        }
    }

    [Fact]
    public void TimeWindow_takes_dates_and_timespans()
    {
        Assert.Equal("2024-09-20T12:00:00.000Z", TimeWindow.Parse(new DateTimeOffset(2024, 9, 20, 14, 0, 0, TimeSpan.FromHours(2))).ToElasticGte());
        Assert.Equal(TimeSpan.FromMinutes(90), TimeWindow.Parse(TimeSpan.FromMinutes(90)).RelativeSpan);
    }

    [Theory]
    [InlineData("high", AlertSeverity.High)]
    [InlineData("CRITICAL", AlertSeverity.Critical)]
    [InlineData("informational", AlertSeverity.Informational)]
    [InlineData("21", AlertSeverity.Low)]
    [InlineData("47", AlertSeverity.Medium)]
    [InlineData("73", AlertSeverity.High)]
    [InlineData("99", AlertSeverity.Critical)]
    [InlineData("bogus", AlertSeverity.Unknown)]
    public void Severity_maps_labels_and_kibana_risk_scores(string value, AlertSeverity expected) =>
        Assert.Equal(expected, AlertSeverityScale.Parse(value));

    [Fact]
    public void Redactor_masks_secrets_their_base64_and_secret_query_parameters()
    {
        var redactor = new SecretRedactor();
        redactor.Add("s3cr3t-value");
        var text = redactor.Redact("pw s3cr3t-value b64 " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("s3cr3t-value")) + " url https://x/?api_key=abcdef&x=1 Authorization: Bearer tokentoken");
        Assert.DoesNotContain("s3cr3t-value", text);
        Assert.DoesNotContain("abcdef", text);
        Assert.DoesNotContain("tokentoken", text);
        Assert.Contains("x=1", text);
    }

    [Fact]
    public void Redacting_a_header_list_keeps_its_closing_bracket()
    {
        var text = new SecretRedactor().Redact("GET https://x/ [Authorization: ApiKey c2VjcmV0OmtleQ==; Accept: application/json] body 3 bytes");
        Assert.Equal("GET https://x/ [Authorization: ApiKey ***; Accept: application/json] body 3 bytes", text);
        Assert.Equal("GET https://x/ [Authorization: ***] body 3 bytes", new SecretRedactor().Redact("GET https://x/ [Authorization: ***] body 3 bytes"));
    }

    [Fact]
    public void JsonBody_writes_hashtables_objects_and_dates_and_refuses_secrets()
    {
        var table = new System.Collections.Hashtable { ["a"] = 1, ["b"] = new object[] { "x", true }, ["c"] = new DateTime(2024, 9, 20, 12, 0, 0, DateTimeKind.Utc) };
        using var doc = JsonDocument.Parse(JsonBody.ToUtf8(table));
        Assert.Equal(1, doc.RootElement.GetProperty("a").GetInt32());
        Assert.Equal("2024-09-20T12:00:00Z", doc.RootElement.GetProperty("c").GetString());
        Assert.Throws<ArgumentException>(() => JsonBody.ToUtf8(new System.Collections.Hashtable { ["pw"] = new System.Security.SecureString() }));
    }

    [Fact]
    public void JsonToPSObject_round_trips_through_JsonBody()
    {
        const string json = """{"a":1,"b":[1.5,"x",null],"c":{"d":true}}""";
        var pso = JsonToPSObject.Parse(json);
        Assert.Equal(json, JsonBody.ToJson(pso));
    }

    [Fact]
    public void Cloud_id_gives_elasticsearch_and_kibana_urls()
    {
        var id = "staging:" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("us-east-1.aws.found.io$cec6f261a74bf24ce33bb8811b84294f$c6c2ca6d042249af0cc7d7a9e9625743"));
        var (es, kb) = ElasticCloudId.Parse(id);
        Assert.Equal("https://cec6f261a74bf24ce33bb8811b84294f.us-east-1.aws.found.io/", es.ToString());
        Assert.Equal("https://c6c2ca6d042249af0cc7d7a9e9625743.us-east-1.aws.found.io/", kb!.ToString());
        var (withPort, _) = ElasticCloudId.Parse(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("host:9243$es$kb")));
        Assert.Equal(9243, withPort.Port);
        Assert.Throws<ArgumentException>(() => ElasticCloudId.Parse("label:bm90LWEtY2xvdWQtaWQ="));
    }

    [Fact]
    public void Elastic_api_key_accepts_encoded_and_id_colon_key()
    {
        Assert.Equal("VuaCfGcBCdbkQm-e5aOx", HttpAuth.ElasticApiKey("VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==").Principal);
        Assert.Equal("VuaCfGcBCdbkQm-e5aOx", HttpAuth.ElasticApiKey("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw").Principal);
        Assert.DoesNotContain("ui2lp2", HttpAuth.ElasticApiKey("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw").ToString());
    }
}

public sealed class JsonToPSObjectConformanceTests
{
    [SharedFixtureFact]
    public void Kibanas_signal_status_body_becomes_an_object_with_its_counts_and_failures()
    {
        var path = Path.Combine(RepositoryPaths.SharedFixtures!, "elastic", "signals-status.response.json");
        var status = JsonToPSObject.Parse(File.ReadAllText(path)) as System.Management.Automation.PSObject;
        Assert.Equal(1L, status!.Properties["updated"].Value);
        Assert.Empty((object?[])status.Properties["failures"].Value);
    }
}

public sealed class JsonRawTests
{
    [Fact]
    public void Copies_an_elements_own_utf8_text_including_escapes_and_spacing()
    {
        const string json = """{"hit":{ "a" : "caf\u00e9 \"q\"", "b": [1, 2] }}""";
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var element = doc.RootElement.GetProperty("hit");
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(element.GetRawText()), PSSocAutomation.Core.JsonRaw.CopyUtf8(element));
    }
}
