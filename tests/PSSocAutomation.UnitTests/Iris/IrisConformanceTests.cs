using Xunit;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSSocAutomation.Iris;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;
using static PSSocAutomation.Tests.Iris.IrisTestClients;

namespace PSSocAutomation.Tests.Iris;

/// <summary>
/// The real IRIS bodies in ../shared/fixtures/iris (from the IRIS API reference) through the client's types, and the
/// module's create requests against the fixture requests. Without the folder these tests report themselves skipped.
/// </summary>
public sealed class IrisConformanceTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public IrisConformanceTests(LabFixture fixture) => _fixture = fixture;

    private LabServer Lab => _fixture.Lab;

    /// <summary>shared/fixtures/iris found by walking up from the test assembly (the repo's sibling "shared"), or null.</summary>
    internal static readonly string? FixtureDirectory = RepositoryPaths.SharedFixtures is string shared ? Path.Combine(shared, "iris") : null;



    private static JsonElement Load(string name)
    {
        var path = Path.Combine(FixtureDirectory!, name);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.Clone();
    }

    // What the create routes accept (reference/iris-api.md §3.1 and §4.1: Cases.__init__, AlertSchema, IocSchema, CaseAssetsSchema).
    private static readonly HashSet<string> CaseCreateFields = new() { "case_name", "case_description", "case_soc_id", "case_customer", "classification_id", "custom_attributes", "case_template_id", "severity_id" };
    private static readonly HashSet<string> AlertCreateFields = new()
    {
        "alert_title", "alert_severity_id", "alert_status_id", "alert_customer_id", "alert_classification_id", "alert_description", "alert_source",
        "alert_source_ref", "alert_source_link", "alert_source_content", "alert_source_event_time", "alert_context", "alert_note", "alert_tags",
        "alert_owner_id", "alert_resolution_status_id", "alert_iocs", "alert_assets",
    };
    private static readonly HashSet<string> IocFields = new() { "ioc_value", "ioc_type_id", "ioc_tlp_id", "ioc_description", "ioc_tags", "ioc_enrichment", "custom_attributes" };
    private static readonly HashSet<string> AssetFields = new()
    {
        "asset_name", "asset_type_id", "asset_description", "asset_ip", "asset_domain", "asset_info", "asset_tags", "asset_enrichment",
        "analysis_status_id", "asset_compromise_status_id", "custom_attributes",
    };

    [SharedFixtureFact]
    public void Alert_create_response_parses_into_IrisAlert()
    {
        var root = Load("alerts-add.response.json");
        Assert.Equal("success", root.GetProperty("status").GetString());
        var alert = new IrisAlert(root.GetProperty("data"), new Uri("https://iris.example/"));
        Assert.Equal(3826, alert.AlertId);
        Assert.Equal("98ab0a1f-06fd-4b26-8b4c-9441e3f46b79", alert.Uuid);
        Assert.Equal("Test-123", alert.SourceRef);
        Assert.Equal("Medium", alert.Severity);
        Assert.Equal("Assigned", alert.Status);
        Assert.Equal("IrisInitialClient", alert.Customer);
        Assert.Equal("abusive-content:spam", alert.Classification);
        Assert.Equal(new DateTime(2023, 3, 26, 3, 0, 30, DateTimeKind.Utc), alert.EventTime);
        Assert.Equal(2, alert.Iocs.Length);
        Assert.Equal("aba-rtn", alert.Iocs[0].Type);
        Assert.All(alert.Iocs, i => Assert.False(string.IsNullOrEmpty(i.Uuid)));
        Assert.Equal("Account", Assert.Single(alert.Assets).Type);
        Assert.Equal("https://iris.example/alerts?alert_ids=3826", alert.Link!.ToString());
        Assert.Contains("\"alert_source_content\"", alert.RawJson());
    }

    [SharedFixtureFact]
    public void Alert_filter_page_parses_with_its_paging_keys()
    {
        var data = Load("alerts-filter.response.json").GetProperty("data");
        Assert.Equal(1755, IrisJson.Int(data, "total"));
        Assert.Equal(2, IrisJson.Int(data, "next_page"));
        Assert.Equal(439, IrisJson.Int(data, "last_page"));
        var alerts = IrisJson.Array(data, "alerts").Select(a => new IrisAlert(a, null)).ToList();
        Assert.Equal(4, alerts.Count);
        Assert.Equal(new[] { 884, 962, 972, 807 }, alerts.Select(a => a.AlertId));
        Assert.Equal(new[] { 442 }, alerts[2].CaseIds);
        Assert.Equal("adm_3", alerts[0].Owner);
        Assert.All(alerts, a => Assert.NotNull(a.Status));
    }

    [SharedFixtureFact]
    public void Case_create_response_parses_into_IrisCase()
    {
        var data = Load("cases-add.response.json").GetProperty("data");
        var c = new IrisCase(data, new Uri("https://iris.example/"));
        Assert.Equal(1065, c.CaseId);
        Assert.Equal("#1065 - My Case API", c.Name);
        Assert.Equal("My Case API", c.Title);
        Assert.Equal("SOC_154", c.SocId);
        Assert.Equal(1, c.CustomerId);
        Assert.Equal(4, c.SeverityId);
        Assert.Equal(11, c.StateId);
        Assert.Equal(new DateTime(2024, 1, 10), c.OpenDate!.Value.Date);
        Assert.Equal("https://iris.example/case?cid=1065", c.Link!.ToString());
    }

    [SharedFixtureFact]
    public void Validation_error_fixture_names_the_field()
    {
        var root = Load("error-validation.response.json");
        var (type, reason) = IrisErrors.Instance.Describe(400, root);
        Assert.Equal("Data error", type);
        Assert.Equal("case_soc_id: Missing data for required field.", reason);
    }

    [SharedFixtureFact]
    public void Case_create_request_carries_the_fixture_fields_and_nothing_the_route_rejects()
    {
        var fixture = Load("cases-add.request.json");
        var request = new IrisCaseCreate
        {
            Name = fixture.GetProperty("case_name").GetString()!,
            Description = fixture.GetProperty("case_description").GetString()!,
            SocId = fixture.GetProperty("case_soc_id").GetString()!,
            CustomerId = fixture.GetProperty("case_customer").GetInt32(),
        };
        request.Tags.Add("never-on-create");
        foreach (var version in new[] { "v2.4.20", "v2.4.16", "v2.4.7", "v2.3.3" })
        {
            var body = IrisClient.BuildCaseCreateBody(request, IrisServerVersion.Parse(version));
            Assert.Equal(fixture.EnumerateObject().Select(p => p.Name).OrderBy(n => n), body.Select(p => p.Key).OrderBy(n => n));
            foreach (var p in fixture.EnumerateObject()) Assert.Equal(p.Value.GetRawText(), body[p.Name]!.ToJsonString());
            Assert.All(body.Select(p => p.Key), k => Assert.Contains(k, CaseCreateFields));
        }
    }

    [SharedFixtureFact]
    public async Task Alert_create_request_carries_the_fixture_fields_and_nothing_the_route_rejects()
    {
        var fixture = JsonNode.Parse(Load("alerts-add.request.json").GetRawText())!.AsObject();
        Fresh(Lab);
        using var client = await ConnectedClient(Lab);

        // The fixture's alert, as a draft the module would build from a piped alert.
        var draft = new IrisAlertDraft
        {
            Title = fixture["alert_title"]!.GetValue<string>(),
            Description = fixture["alert_description"]!.GetValue<string>(),
            Source = fixture["alert_source"]!.GetValue<string>(),
            SourceRef = fixture["alert_source_ref"]!.GetValue<string>(),
            SourceLink = fixture["alert_source_link"]!.GetValue<string>(),
            SourceContent = fixture["alert_source_content"]!.DeepClone(),
            EventTime = DateTimeOffset.Parse(fixture["alert_source_event_time"]!.GetValue<string>() + "Z"),
            Severity = fixture["alert_severity_id"]!.GetValue<int>(),
            Note = fixture["alert_note"]!.GetValue<string>(),
            Context = fixture["alert_context"]!.DeepClone().AsObject(),
        };
        foreach (var tag in fixture["alert_tags"]!.GetValue<string>().Split(',')) draft.Tags.Add(tag);
        foreach (var ioc in fixture["alert_iocs"]!.AsArray())
        {
            var d = new IrisIndicatorDraft(ioc!["ioc_value"]!.GetValue<string>(), ioc["ioc_type_id"]!.GetValue<int>().ToString(), ioc["ioc_description"]!.GetValue<string>())
            {
                Enrichment = ioc["ioc_enrichment"]!.DeepClone().AsObject(),
            };
            foreach (var tag in ioc["ioc_tags"]!.GetValue<string>().Split(',')) d.Tags.Add(tag);
            draft.Indicators.Add(d);
        }
        foreach (var asset in fixture["alert_assets"]!.AsArray())
        {
            var h = new IrisHostDraft(asset!["asset_name"]!.GetValue<string>(), asset["asset_ip"]!.GetValue<string>(), asset["asset_type_id"]!.GetValue<int>().ToString())
            {
                Description = asset["asset_description"]!.GetValue<string>(),
                Domain = "corp.example",
                Enrichment = asset["asset_enrichment"]!.DeepClone().AsObject(),
            };
            foreach (var tag in asset["asset_tags"]!.GetValue<string>().Split(',')) h.Tags.Add(tag);
            draft.Hosts.Add(h);
        }
        var defaults = new IrisAlertDefaults { CustomerId = fixture["alert_customer_id"]!.GetValue<int>(), StatusId = fixture["alert_status_id"]!.GetValue<int>(), ClassificationId = fixture["alert_classification_id"]!.GetValue<int>() };
        var request = await IrisAlertBuilder.BuildAsync(draft, defaults, client.Lookups, CancellationToken.None);
        var body = request.ToJson();

        Assert.All(fixture.Select(p => p.Key), k => Assert.True(body.ContainsKey(k), "missing " + k));
        Assert.All(body.Select(p => p.Key), k => Assert.Contains(k, AlertCreateFields));
        foreach (var key in new[] { "alert_title", "alert_source_ref", "alert_source_event_time", "alert_tags", "alert_severity_id", "alert_status_id", "alert_customer_id", "alert_classification_id" })
            Assert.Equal(fixture[key]!.ToJsonString(), body[key]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(fixture["alert_source_content"], body["alert_source_content"]));
        var fixtureIoc = fixture["alert_iocs"]![0]!.AsObject();
        var ioc0 = body["alert_iocs"]![0]!.AsObject();
        Assert.All(fixtureIoc.Select(p => p.Key), k => Assert.True(ioc0.ContainsKey(k), "IOC missing " + k));
        Assert.All(body["alert_iocs"]!.AsArray(), i => Assert.All(i!.AsObject().Select(p => p.Key), k => Assert.Contains(k, IocFields)));
        Assert.All(fixture["alert_assets"]![0]!.AsObject().Select(p => p.Key), k => Assert.True(body["alert_assets"]![0]!.AsObject().ContainsKey(k), "asset missing " + k));
        Assert.All(body["alert_assets"]!.AsArray(), a => Assert.All(a!.AsObject().Select(p => p.Key), k => Assert.Contains(k, AssetFields)));
        Assert.Equal(JsonValueKind.String, body["alert_tags"]!.GetValueKind());

        // And IRIS (the Lab) takes it.
        var created = await client.CreateAlertAsync(request, CancellationToken.None);
        Assert.Equal("Test-123", created.SourceRef);
        Assert.Equal(2, created.Iocs.Length);
    }
}
