using Xunit;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSSocAutomation.Core;
using PSSocAutomation.Http;
using PSSocAutomation.Iris;

namespace PSSocAutomation.Tests.Iris;

/// <summary>The plain parts of the IRIS client: error shapes, version gates, query and body building, mapping.</summary>
public sealed class IrisUnitTests
{
    private static (string? Type, string? Reason) Describe(int status, string json)
    {
        using var doc = JsonDocument.Parse(json);
        return IrisErrors.Instance.Describe(status, doc.RootElement);
    }

    [Fact]
    public void Marshmallow_data_error_names_each_field()
    {
        var (type, reason) = Describe(400, """{"data":{"case_soc_id":["Missing data for required field."],"case_name":["Shorter than minimum length 2."]},"message":"Data error","status":"error"}""");
        Assert.Equal("Data error", type);
        Assert.Equal("case_soc_id: Missing data for required field.; case_name: Shorter than minimum length 2.", reason);
    }

    [Fact]
    public void Nested_many_errors_name_the_item_index()
    {
        var (_, reason) = Describe(400, """{"status":"error","message":"Data error","data":{"alert_iocs":{"1":{"ioc_value":["Missing data for required field."]}}}}""");
        Assert.Equal("alert_iocs[1].ioc_value: Missing data for required field.", reason);
    }

    [Fact]
    public void Python_dict_repr_on_alert_routes_is_parsed_into_fields()
    {
        var message = "{'alert_title': ['Field may not be null.'], 'alert_iocs': {0: {'ioc_value': [\"Can't be empty\", 'Length must be 1']}}}";
        var json = JsonSerializer.Serialize(new { status = "error", message, data = Array.Empty<object>() });
        var (type, reason) = Describe(400, json);
        Assert.Equal("Validation error", type);
        Assert.Equal("alert_title: Field may not be null.; alert_iocs[0].ioc_value: Can't be empty Length must be 1", reason);
    }

    [Fact]
    public void Python_literal_reader_handles_escapes_tuples_and_constants()
    {
        Assert.True(PythonLiteral.TryParse("{'a': ('x\\n', None, True, 3, -1.5), \"b\": [u'\\u00e9', b'\\x41']}", out var value));
        var dict = Assert.IsType<List<KeyValuePair<object?, object?>>>(value);
        var a = Assert.IsType<List<object?>>(dict[0].Value);
        Assert.Equal(new object?[] { "x\n", null, true, 3L, -1.5 }, a);
        Assert.Equal(new object?[] { "é", "A" }, Assert.IsType<List<object?>>(dict[1].Value));
        Assert.False(PythonLiteral.TryParse("{'unterminated': ['x'", out _));
    }

    [Fact]
    public void Bare_case_error_of_248_plus_explains_the_likely_causes()
    {
        var (type, reason) = Describe(400, """{"status":"error","message":"Error creating case - check server logs","data":[]}""");
        Assert.Equal("Error creating case - check server logs", type);
        Assert.Contains("customer the API user is not linked to", reason);
        Assert.Contains("classification", IrisErrors.Instance.Advice(ApiFailureKind.InvalidRequest, 400, type));
    }

    [Fact]
    public void Case_access_403_names_the_case()
    {
        var (type, reason) = Describe(403, """{"status":"error","message":"Permission denied","data":{"user_id":3,"case_id":999,"error_uuid":"0f7e"}}""");
        Assert.Equal("Permission denied", type);
        Assert.Contains("case 999 does not exist or the API user has no access to it", reason);
    }

    [Fact]
    public void Not_found_400_becomes_NotFound_and_html_404_names_the_route()
    {
        var notFound = IrisErrors.Reword(new SocApiException(ApiFailureKind.InvalidRequest, "DFIR-IRIS", "x") { StatusCode = 400, VendorType = "Alert not found" });
        Assert.Equal(ApiFailureKind.NotFound, notFound.Kind);
        var html = IrisErrors.Reword(new SocApiException(ApiFailureKind.HtmlPage, "DFIR-IRIS", "x") { StatusCode = 404, Method = "GET", Url = "https://iris/x" });
        Assert.Equal(ApiFailureKind.NotFound, html.Kind);
        Assert.Contains("has no route GET https://iris/x", html.Message);
        var entitled = IrisErrors.Reword(new SocApiException(ApiFailureKind.InvalidRequest, "DFIR-IRIS", "x") { StatusCode = 400, VendorType = "User not entitled to create alerts for the client" });
        Assert.Equal(ApiFailureKind.Permission, entitled.Kind);
        Assert.Contains("Link the API user", IrisErrors.Instance.Advice(ApiFailureKind.InvalidRequest, 400, "User not entitled to create alerts for the client"));
    }

    [Theory]
    [InlineData("v2.4.20", true, true, true, true)]
    [InlineData("v2.4.17", true, true, true, true)]
    [InlineData("v2.4.16", true, true, false, false)]
    [InlineData("v2.4.15", true, true, false, false)]
    [InlineData("v2.4.14", true, false, false, false)]
    [InlineData("v2.4.7", false, false, false, false)]
    [InlineData("2.1.0", false, false, false, false)]
    public void Version_gates(string text, bool creationFilter, bool sourceReference, bool customConditions, bool severityOnCreate)
    {
        var v = IrisServerVersion.Parse(text);
        Assert.Equal(creationFilter, v.HasCreationDateFilter);
        Assert.Equal(sourceReference, v.HasSourceReferenceFilter);
        Assert.Equal(customConditions, v.HasCustomConditions);
        Assert.Equal(severityOnCreate, v.AcceptsSeverityOnCaseCreate);
        Assert.True(v.HasAlerts);
        Assert.False(IrisServerVersion.Parse("v2.0.4").HasAlerts);
        Assert.False(IrisServerVersion.TryParse("nightly", out _));
    }

    [Fact]
    public void Source_reference_filter_follows_the_version()
    {
        var filter = new IrisAlertFilter { SourceReference = "ref 1&2", CustomerId = 3 };
        var (q20, exact20, _) = IrisClient.BuildAlertQuery(filter, 50, IrisServerVersion.Parse("v2.4.20"));
        Assert.Contains("custom_conditions=" + Uri.EscapeDataString("""[{"field":"alert_source_ref","operator":"eq","value":"ref 1&2"}]"""), q20);
        Assert.Contains("alert_customer_id=3", q20);
        Assert.Null(exact20);

        var (q15, exact15, _) = IrisClient.BuildAlertQuery(filter, 50, IrisServerVersion.Parse("v2.4.15"));
        Assert.Contains("source_reference=ref%201%262", q15);
        Assert.DoesNotContain("custom_conditions", q15);
        Assert.Equal("ref 1&2", exact15);

        var (q14, exact14, _) = IrisClient.BuildAlertQuery(filter, 50, IrisServerVersion.Parse("v2.4.14"));
        Assert.DoesNotContain("source_reference", q14);
        Assert.Equal("ref 1&2", exact14);
        Assert.All(new[] { q20, q15, q14 }, q => Assert.Contains("cid=1", q));
    }

    [Fact]
    public void Date_windows_use_the_names_each_version_reads()
    {
        var from = new DateTimeOffset(2024, 9, 20, 12, 0, 0, TimeSpan.Zero);
        var filter = new IrisAlertFilter { CreatedFrom = from, CreatedTo = from.AddHours(1), EventFrom = from };
        var (q14, _, here14) = IrisClient.BuildAlertQuery(filter, 10, IrisServerVersion.Parse("v2.4.14"));
        Assert.Contains("creation_start_date=2024-09-20T12%3A00%3A00", q14);
        Assert.Contains("source_start_date=2024-09-20T12%3A00%3A00", q14);
        Assert.False(here14);
        // Before 2.4.14 the source_* names filtered the creation time, and event times can only be compared here.
        var (q13, _, here13) = IrisClient.BuildAlertQuery(filter, 10, IrisServerVersion.Parse("v2.4.13"));
        Assert.DoesNotContain("creation_start_date", q13);
        Assert.Contains("source_end_date=2024-09-20T13%3A00%3A00", q13);
        Assert.True(here13);
    }

    [Fact]
    public void Case_create_body_has_only_the_fields_the_route_accepts()
    {
        var request = new IrisCaseCreate { Name = "Case", Description = "Desc", SocId = "S-1", CustomerId = 2, ClassificationId = 5, TemplateId = 3, SeverityId = 6 };
        request.Tags.Add("a");
        var body20 = IrisClient.BuildCaseCreateBody(request, IrisServerVersion.Parse("v2.4.20"));
        Assert.Equal(new[] { "case_name", "case_description", "case_soc_id", "case_customer", "classification_id", "case_template_id", "severity_id" }, body20.Select(p => p.Key));
        Assert.Equal(JsonValueKind.String, body20["case_template_id"]!.GetValueKind());
        Assert.Equal("3", body20["case_template_id"]!.GetValue<string>());
        var body16 = IrisClient.BuildCaseCreateBody(request, IrisServerVersion.Parse("v2.4.16"));
        Assert.False(body16.ContainsKey("severity_id"));
        Assert.False(body16.ContainsKey("case_tags"));
    }

    [Theory]
    [InlineData("x", "Description", "S", 1, "case name")]
    [InlineData("Name", "d", "S", 1, "case description")]
    [InlineData("Name", "Description", "S", 0, "customer")]
    public void Case_fields_are_checked_locally(string name, string description, string socId, int customer, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => new IrisCaseCreate { Name = name, Description = description, SocId = socId, CustomerId = customer }.Validate());
        Assert.Contains(expected, ex.Message);
        Assert.Throws<ArgumentException>(() => new IrisCaseCreate { Name = "Name", Description = "Description", SocId = new string('x', 257), CustomerId = 1 }.Validate());
    }

    [Theory]
    [InlineData("ip", "10.0.0.1", "ip-any")]
    [InlineData(null, "10.0.0.1", "ip-any")]
    [InlineData(null, "2001:db8::1", "ip-any")]
    [InlineData(null, "d41d8cd98f00b204e9800998ecf8427e", "md5")]
    [InlineData("hash", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1")]
    [InlineData(null, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256")]
    [InlineData(null, "https://evil.example.net/a", "url")]
    [InlineData(null, "bob@example.org", "email-src")]
    [InlineData(null, "evil.example.net", "domain")]
    [InlineData("user", "bob", "account")]
    [InlineData("ip-src", "10.0.0.1", "ip-src")]
    [InlineData(null, "just text", "other")]
    public void Indicator_types_map_to_iris_names(string? type, string value, string expected)
    {
        // The first candidate a stock IRIS knows (the type as given comes first, and is skipped when IRIS has no such name).
        var stock = new HashSet<string> { "ip-any", "ip-src", "ip-dst", "md5", "sha1", "sha256", "url", "email-src", "email", "domain", "hostname", "account", "other" };
        Assert.Equal(expected, IrisLookups.IocTypeCandidates(type, value).First(stock.Contains));
    }

    [Fact]
    public void Severity_scale_maps_onto_iris_names()
    {
        Assert.Equal("Unspecified", IrisSeverityMap.NameFor(AlertSeverity.Unknown));
        Assert.Equal("Informational", IrisSeverityMap.NameFor(AlertSeverity.Informational));
        Assert.Equal("Critical", IrisSeverityMap.NameFor(AlertSeverity.Critical));
    }

    [Fact]
    public void Case_description_renders_fields_and_a_link()
    {
        var text = IrisCaseDescription.Render("Unauthorized login", "1", "Elasticsearch", "Unauthorized login attempt detected",
            new[] { new KeyValuePair<string, string?>("severity", "high"), new("message", "a | b\nc"), new("empty", null) }, "https://kibana/app/x (1)");
        Assert.StartsWith("**Unauthorized login** (Elasticsearch alert `1`)", text);
        Assert.Contains("| severity | high |", text);
        Assert.Contains("| message | a \\| b c |", text);
        Assert.DoesNotContain("empty", text);
        Assert.Contains("[Open the alert in Elasticsearch](https://kibana/app/x%20(1%29)", text);
    }

    [Fact]
    public void Tags_are_one_comma_string()
    {
        Assert.Equal("a,b c,d", IrisTags.Join(new[] { "a", "b,c", " ", "d", "a" }));
    }

    [Fact]
    public void Naive_utc_times_keep_microseconds_only_when_there_are_some()
    {
        Assert.Equal("2024-09-20T10:00:00", IrisJson.FormatTime(new DateTimeOffset(2024, 9, 20, 12, 0, 0, TimeSpan.FromHours(2))));
        Assert.Equal("2024-09-20T12:00:00.123400", IrisJson.FormatTime(new DateTimeOffset(2024, 9, 20, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_000)));
    }

    [Fact]
    public async Task Keyed_once_runs_one_creation_per_key_and_shares_it()
    {
        var once = new KeyedOnce<string>();
        var runs = 0;
        var gate = new TaskCompletionSource();
        async Task<string> Work() { Interlocked.Increment(ref runs); await gate.Task; return "made"; }
        var first = once.RunAsync("k", Work);
        var second = once.RunAsync("k", Work);
        var other = once.RunAsync("other", Work);
        gate.SetResult();
        var results = await Task.WhenAll(first, second, other);
        Assert.Equal(2, runs);
        Assert.Equal(2, results.Count(r => r.Ran));
        Assert.All(results, r => Assert.Equal("made", r.Result));
    }
}
