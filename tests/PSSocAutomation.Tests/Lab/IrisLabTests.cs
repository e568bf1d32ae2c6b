using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Lab.Iris;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

public sealed class IrisLabTests : IClassFixture<LabFixture>, IDisposable
{
    private readonly LabServer _lab;
    private readonly IrisLab _iris;
    private readonly List<HttpClient> _clients = new();
    private HttpClient? _default;

    public IrisLabTests(LabFixture fixture)
    {
        _lab = fixture.Lab;
        _iris = _lab.Iris;
        _iris.Reset();
        _iris.Version = "v2.4.20";
        _lab.Faults.Clear();
        _lab.Journal.Clear();
    }

    public void Dispose()
    {
        foreach (var client in _clients) client.Dispose();
    }

    public static string? FixtureDirectory => RepositoryPaths.SharedFixtures is string shared ? Path.Combine(shared, "iris") : null;

    private static JsonObject Fixture(string name) => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(FixtureDirectory!, name)))!;

    // ---- HTTP plumbing ----

    private HttpClient Client(bool cookies = false)
    {
        var thumbprint = _lab.Certificate.GetCertHashString();
        var handler = new SocketsHttpHandler
        {
            UseCookies = cookies,
            CookieContainer = new CookieContainer(),
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == thumbprint },
        };
        var client = new HttpClient(handler) { BaseAddress = _lab.IrisUri, Timeout = TimeSpan.FromSeconds(20) };
        _clients.Add(client);
        return client;
    }

    private sealed record Reply(HttpStatusCode Status, string Body, HttpResponseMessage Response)
    {
        public JsonObject Json => (JsonObject)JsonNode.Parse(Body)!;
        public string? Message => (string?)Json["message"];
        public JsonNode? Data => Json["data"];
    }

    private string Admin => _iris.AdministratorApiKey;

    private async Task<Reply> Send(HttpMethod method, string path, string? json = null, string? key = "admin", string contentType = "application/json",
        HttpClient? client = null, Action<HttpRequestMessage>? tweak = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (key is not null) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + (key == "admin" ? Admin : key));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        else if (contentType.Length > 0 && method == HttpMethod.Get)
        {
            // IRIS only answers JSON 404s to requests that say they speak JSON, so clients send the header on GETs too.
            request.Content = new ByteArrayContent([]);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        tweak?.Invoke(request);
        var response = await (client ?? (_default ??= Client())).SendAsync(request);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private Task<Reply> Get(string path, string? key = "admin", HttpClient? client = null) => Send(HttpMethod.Get, path, key: key, client: client);

    private Task<Reply> Post(string path, JsonNode body, string? key = "admin", string contentType = "application/json", HttpClient? client = null) =>
        Send(HttpMethod.Post, path, body.ToJsonString(), key, contentType, client);

    /// <summary>The journal records a request once its answer is written, which can be just after the client has it.</summary>
    private async Task<JournalEntry> JournalEntry(Func<JournalEntry, bool> match)
    {
        for (var i = 0; i < 100; i++)
        {
            var entry = _lab.Journal.For("iris").LastOrDefault(match);
            if (entry is not null) return entry;
            await Task.Delay(20);
        }
        throw new Xunit.Sdk.XunitException("No matching journal entry.");
    }

    private static JsonObject CaseBody(string name = "Phishing wave", string soc = "SIEM-1", JsonNode? customer = null) => new()
    {
        ["case_name"] = name, ["case_description"] = "Raised by the SIEM", ["case_soc_id"] = soc, ["case_customer"] = customer ?? 1,
    };

    private static JsonObject AlertBody(string title = "Suspicious login", string? sourceRef = "ES-1", int customer = 1, string? eventTime = null) => new()
    {
        ["alert_title"] = title,
        ["alert_severity_id"] = 4,
        ["alert_status_id"] = 2,
        ["alert_customer_id"] = customer,
        ["alert_source"] = "Elastic",
        ["alert_source_ref"] = sourceRef,
        ["alert_source_event_time"] = eventTime ?? "2024-05-01T10:00:00",
    };

    private static void AssertEnvelopeError(Reply reply, HttpStatusCode status, string message)
    {
        Assert.Equal(status, reply.Status);
        Assert.Equal("error", (string?)reply.Json["status"]);
        Assert.Equal(message, reply.Message);
    }

    // ---- authentication ----

    [Fact]
    public async Task Ping_needs_a_valid_key_in_any_accepted_form()
    {
        var none = await Get("/api/ping", key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.Status);
        Assert.Equal("""{"status":"error","message":"Authentication required","data":[]}""", none.Body);
        AssertEnvelopeError(await Get("/api/ping", key: "not-a-key"), HttpStatusCode.Unauthorized, "Authentication required");

        var bearer = await Get("/api/ping");
        Assert.Equal(HttpStatusCode.OK, bearer.Status);
        Assert.Equal("pong", bearer.Message);
        Assert.Empty(bearer.Data!.AsArray());

        // One leading "Bearer " is stripped, so the raw key works too.
        var raw = await Send(HttpMethod.Get, "/api/ping", key: null, tweak: r => r.Headers.TryAddWithoutValidation("Authorization", Admin));
        Assert.Equal(HttpStatusCode.OK, raw.Status);

        var irisAuth = await Send(HttpMethod.Get, "/api/ping", key: null, tweak: r => r.Headers.Add("X-IRIS-AUTH", Admin));
        Assert.Equal(HttpStatusCode.OK, irisAuth.Status);

        var entry = await JournalEntry(e => e.Headers.ContainsKey("X-IRIS-AUTH"));
        Assert.Equal("administrator", entry.Principal);
        Assert.Equal("(redacted)", entry.Headers["X-IRIS-AUTH"]);
    }

    [Fact]
    public async Task X_IRIS_AUTH_arrives_in_2_4_8_and_the_api_key_query_parameter_leaves()
    {
        _iris.Version = "v2.4.7";
        var header = await Send(HttpMethod.Get, "/api/ping", key: null, tweak: r => r.Headers.Add("X-IRIS-AUTH", Admin));
        Assert.Equal(HttpStatusCode.Unauthorized, header.Status);
        Assert.Equal(HttpStatusCode.OK, (await Get("/api/ping?api_key=" + Uri.EscapeDataString(Admin), key: null)).Status);

        _iris.Version = "v2.4.8";
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("/api/ping?api_key=" + Uri.EscapeDataString(Admin), key: null)).Status);
    }

    [Fact]
    public async Task The_analyst_key_authenticates_as_the_analyst_and_stops_working_when_inactive()
    {
        Assert.Equal(HttpStatusCode.OK, (await Get("/api/ping", key: _iris.AnalystApiKey)).Status);
        Assert.Equal("/api/ping", (await JournalEntry(e => e.Principal == "analyst")).Path);
        // Listing users needs server_administrator.
        AssertEnvelopeError(await Get("/manage/users/list", key: _iris.AnalystApiKey), HttpStatusCode.Forbidden, "Permission denied");

        _iris.SetActive(IrisLab.AnalystLogin, false);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("/api/ping", key: _iris.AnalystApiKey)).Status);
    }

    [Theory]
    [InlineData("v2.4.20", "2.0.4", "2.0.5")]
    [InlineData("v2.4.7", "2.0.4", "2.0.5")]
    [InlineData("v2.3.7", "2.0.0", "2.0.3")]
    public async Task Versions_report_the_emulated_release(string version, string apiMin, string apiCurrent)
    {
        _iris.Version = version;
        var data = (await Get("/api/versions?cid=1")).Data!;
        Assert.Equal(version, (string?)data["iris_current"]);
        Assert.Equal(apiMin, (string?)data["api_min"]);
        Assert.Equal(apiCurrent, (string?)data["api_current"]);
    }

    // ---- the session cookie and CSRF ----

    [Fact]
    public async Task Api_answers_set_a_session_cookie()
    {
        var reply = await Get("/api/ping");
        var cookie = Assert.Single(reply.Response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("session=", cookie);
        Assert.EndsWith("; Secure; HttpOnly; Path=/; SameSite=Lax", cookie);
    }

    [Fact]
    public async Task A_cookie_keeping_client_breaks_every_post_on_2_4_7_but_not_on_2_4_20()
    {
        _iris.Version = "v2.4.7";
        var browserLike = Client(cookies: true);
        Assert.Equal(HttpStatusCode.OK, (await Get("/api/ping", client: browserLike)).Status);
        var refused = await Post("/manage/cases/add", CaseBody(), client: browserLike);
        AssertEnvelopeError(refused, HttpStatusCode.BadRequest, "Invalid CSRF token");
        Assert.Equal("""{"status":"error","message":"Invalid CSRF token","data":[]}""", refused.Body);
        Assert.Single(_iris.Cases);

        _iris.Version = "v2.4.20";
        Assert.Equal(HttpStatusCode.OK, (await Post("/manage/cases/add", CaseBody(), client: browserLike)).Status);

        // 2.4.8+ still checks a cookie-carrying POST that has no key header.
        var cookieOnly = await Send(HttpMethod.Post, "/manage/cases/add", CaseBody().ToJsonString(), key: null,
            tweak: r => r.Headers.Add("Cookie", "session=abc"));
        AssertEnvelopeError(cookieOnly, HttpStatusCode.BadRequest, "Invalid CSRF token");
    }

    // ---- cases ----

    [SharedFixtureFact]
    public async Task The_documented_case_request_is_accepted_and_answered_with_the_documented_fields()
    {
        var request = Fixture("cases-add.request.json");
        var expected = Fixture("cases-add.response.json");

        var reply = await Post("/manage/cases/add", request);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("success", (string?)reply.Json["status"]);
        Assert.Equal((string?)expected["message"], reply.Message);
        var data = reply.Data!.AsObject();
        Assert.Equal(expected["data"]!.AsObject().Select(p => p.Key).Order(), data.Select(p => p.Key).Order());
        var id = (int)data["case_id"]!;
        Assert.Equal($"#{id} - My Case API", (string?)data["case_name"]);
        Assert.Equal("SOC_154", (string?)data["case_soc_id"]);
        Assert.Equal(4, (int)data["severity_id"]!);
        Assert.Equal(3, (int)data["state_id"]!);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", (string)data["open_date"]!);
        var history = Assert.Single(data["modification_history"]!.AsObject());
        Assert.Matches(@"^\d{10}\.\d+$", history.Key);
        Assert.Equal("created", (string?)history.Value!["action"]);

        var stored = _iris.FindCase(id)!;
        Assert.Equal(1, stored.CustomerId);
        Assert.Equal("A super nice description", stored.Description);
    }

    [Fact]
    public async Task Case_validation_errors_carry_fields_up_to_2_4_7_and_only_a_generic_message_from_2_4_8()
    {
        var missingSoc = CaseBody();
        missingSoc.Remove("case_soc_id");

        _iris.Version = "v2.4.7";
        var old = await Post("/manage/cases/add", missingSoc);
        AssertEnvelopeError(old, HttpStatusCode.BadRequest, "Data error");
        Assert.Equal("""{"case_soc_id":["Missing data for required field."]}""", old.Data!.ToJsonString());
        var shortName = await Post("/manage/cases/add", CaseBody(name: "x"));
        Assert.Equal("""{"case_name":["Shorter than minimum length 2."]}""", shortName.Data!.ToJsonString());
        var badCustomer = await Post("/manage/cases/add", CaseBody(customer: 42));
        Assert.Equal("""{"case_customer":["Invalid client id"]}""", badCustomer.Data!.ToJsonString());

        _iris.Version = "v2.4.20";
        foreach (var body in new[] { missingSoc, CaseBody(name: "x"), CaseBody(customer: 42), CaseBody(customer: "ACME") })
        {
            var reply = await Post("/manage/cases/add", body);
            Assert.Equal("""{"status":"error","message":"Error creating case - check server logs","data":[]}""", reply.Body);
            Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        }
        Assert.Single(_iris.Cases);
    }

    [Fact]
    public async Task Case_create_takes_only_its_own_fields_and_a_string_template_id()
    {
        foreach (var (key, value) in new (string, JsonNode)[] { ("case_tags", "a,b"), ("owner_id", 1), ("status_id", 0), ("case_template_id", 1) })
        {
            var body = CaseBody();
            body[key] = value;
            AssertEnvelopeError(await Post("/manage/cases/add", body), HttpStatusCode.BadRequest, "Error creating case - check server logs");
        }

        // Unknown names are dropped silently; a numeric string customer and an empty soc id are fine.
        var lenient = CaseBody(soc: "", customer: "1");
        lenient["case_descrption"] = "typo";
        lenient["classification_id"] = "";
        Assert.Equal(HttpStatusCode.OK, (await Post("/manage/cases/add", lenient)).Status);

        var template = _iris.AddCaseTemplate("phishing", titlePrefix: "[PHISH]");
        var templated = CaseBody();
        templated["case_template_id"] = template.Id.ToString();
        var reply = await Post("/manage/cases/add", templated);
        Assert.EndsWith(" - [PHISH] Phishing wave", (string?)reply.Data!["case_name"]);

        var missing = CaseBody();
        missing["case_template_id"] = "99";
        AssertEnvelopeError(await Post("/manage/cases/add", missing), HttpStatusCode.BadRequest, "Error creating case - check server logs");
        _iris.Version = "v2.4.7";
        AssertEnvelopeError(await Post("/manage/cases/add", missing), HttpStatusCode.BadRequest, "Invalid Case template ID 99");
    }

    [Theory]
    [InlineData("v2.4.7", true, 4)]
    [InlineData("v2.4.16", false, 0)]
    [InlineData("v2.4.17", true, 6)]
    public async Task Severity_on_case_create_depends_on_the_release(string version, bool accepted, int stored)
    {
        _iris.Version = version;
        var body = CaseBody();
        body["severity_id"] = 6;
        var reply = await Post("/manage/cases/add", body);
        if (!accepted)
        {
            AssertEnvelopeError(reply, HttpStatusCode.BadRequest, "Error creating case - check server logs");
            return;
        }
        Assert.Equal(stored, (int)reply.Data!["severity_id"]!);
    }

    [Fact]
    public async Task Cases_can_be_filtered_by_soc_id_and_paged()
    {
        for (var i = 0; i < 12; i++) _iris.AddCase($"Case {i}", socId: i == 7 ? "ES-7" : $"other-{i}");

        var bySoc = (await Get("/manage/cases/filter?case_soc_id=ES-7")).Data!;
        Assert.Equal(1, (int)bySoc["total"]!);
        var match = bySoc["cases"]![0]!;
        Assert.Equal("ES-7", (string?)match["soc_id"]);
        Assert.EndsWith(" - Case 7", (string?)match["name"]);
        Assert.Equal("IrisInitialClient", (string?)match["client"]!["customer_name"]);

        var page = (await Get("/manage/cases/filter?per_page=5&page=2")).Data!;
        Assert.Equal(13, (int)page["total"]!);
        Assert.Equal(3, (int)page["last_page"]!);
        Assert.Equal(2, (int)page["current_page"]!);
        Assert.Equal(3, (int)page["next_page"]!);
        Assert.Equal(5, page["cases"]!.AsArray().Count);
        var last = (await Get("/manage/cases/filter?per_page=5&page=3")).Data!;
        Assert.Null(last["next_page"]);

        var list = (await Get("/manage/cases/list")).Data!.AsArray();
        Assert.Equal(13, list.Count);
        Assert.Matches(@"^\d{2}/\d{2}/\d{4}$", (string)list[0]!["case_open_date"]!);
    }

    [Fact]
    public async Task Cases_are_read_updated_closed_reopened_and_deleted()
    {
        var seeded = _iris.AddCase("Ransomware", socId: "ES-9");
        var get = await Get($"/manage/cases/{seeded.CaseId}");
        Assert.Equal("ES-9", (string?)get.Data!["case_soc_id"]);
        Assert.Equal("IrisInitialClient", (string?)get.Data!["customer_name"]);

        var update = await Post($"/manage/cases/update/{seeded.CaseId}", new JsonObject { ["case_name"] = "Ransomware (contained)", ["severity_id"] = 6, ["case_tags"] = "ransomware,edr" });
        Assert.Equal(HttpStatusCode.OK, update.Status);
        Assert.Equal($"#{seeded.CaseId} - Ransomware (contained)", (string?)update.Data!["case_name"]);
        Assert.Equal(new[] { "ransomware", "edr" }, _iris.FindCase(seeded.CaseId)!.Tags);
        // The "#id - " prefix is applied before validation, so only other fields can fail it.
        AssertEnvelopeError(await Post($"/manage/cases/update/{seeded.CaseId}", new JsonObject { ["case_description"] = "x" }),
            HttpStatusCode.BadRequest, "Error updating case - check server logs");

        var closed = await Post($"/manage/cases/close/{seeded.CaseId}", new JsonObject());
        Assert.Equal("Case closed successfully", closed.Message);
        Assert.Equal(9, (int)closed.Data!["state_id"]!);
        var reopened = await Post($"/manage/cases/reopen/{seeded.CaseId}", new JsonObject());
        Assert.Equal(3, (int)reopened.Data!["state_id"]!);

        Assert.Equal("Case successfully deleted", (await Post($"/manage/cases/delete/{seeded.CaseId}", new JsonObject())).Message);
        Assert.Null(_iris.FindCase(seeded.CaseId));
        AssertEnvelopeError(await Post("/manage/cases/delete/1", new JsonObject()), HttpStatusCode.BadRequest, "Cannot delete a primary case to keep consistency");

        // A case that does not exist is a permission problem, not a 404.
        var gone = await Get($"/manage/cases/{seeded.CaseId}");
        AssertEnvelopeError(gone, HttpStatusCode.Forbidden, "Permission denied");
        Assert.Equal(seeded.CaseId, (int)gone.Data!["case_id"]!);
        Assert.NotNull(gone.Data!["error_uuid"]);
    }

    // ---- alerts ----

    [SharedFixtureFact]
    public async Task The_documented_alert_request_is_accepted_and_answered_with_the_documented_fields()
    {
        var expected = Fixture("alerts-add.response.json")["data"]!.AsObject();
        var reply = await Post("/alerts/add", Fixture("alerts-add.request.json"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("", reply.Message);
        var data = reply.Data!.AsObject();
        Assert.Empty(expected.Select(p => p.Key).Except(data.Select(p => p.Key)));
        Assert.Equal(Keys(expected["iocs"]![0]!), Keys(data["iocs"]![0]!));
        Assert.Equal(Keys(expected["iocs"]![0]!["ioc_type"]!), Keys(data["iocs"]![0]!["ioc_type"]!));
        Assert.Equal(Keys(expected["assets"]![0]!), Keys(data["assets"]![0]!));
        Assert.Equal(Keys(expected["assets"]![0]!["asset_type"]!), Keys(data["assets"]![0]!["asset_type"]!));
        Assert.Equal(Keys(expected["customer"]!), Keys(data["customer"]!));
        Assert.Equal(Keys(expected["severity"]!), Keys(data["severity"]!));
        Assert.Equal(Keys(expected["status"]!), Keys(data["status"]!));
        Assert.Equal(Keys(expected["classification"]!), Keys(data["classification"]!));

        // Type ids of a fresh install: 2 is aba-rtn and 4 anonymised, as in the documented response.
        Assert.Equal("aba-rtn", (string?)data["iocs"]![0]!["ioc_type"]!["type_name"]);
        Assert.Equal("anonymised", (string?)data["iocs"]![1]!["ioc_type"]!["type_name"]);
        Assert.Equal("Account", (string?)data["assets"]![0]!["asset_type"]!["asset_name"]);
        Assert.Equal("2023-03-26T03:00:30", (string?)data["alert_source_event_time"]);
        Assert.Equal("Test-123", (string?)data["alert_source_ref"]);
        Assert.Equal("IrisInitialClient", (string?)data["customer"]!["customer_name"]);
        Assert.True(JsonNode.DeepEquals(Fixture("alerts-add.request.json")["alert_source_content"], data["alert_source_content"]));

        var alert = Assert.Single(_iris.Alerts);
        Assert.Equal(2, _iris.IocsOfAlert(alert.AlertId).Count);
        Assert.Null(Assert.Single(_iris.AssetsOfAlert(alert.AlertId)).CaseId);
    }

    [SharedFixtureFact]
    public async Task The_filter_answer_has_the_documented_shape()
    {
        var expected = Fixture("alerts-filter.response.json")["data"]!.AsObject();
        _iris.AddAlertJson(Fixture("alerts-add.request.json").ToJsonString());
        var data = (await Get("/alerts/filter")).Data!.AsObject();
        Assert.Equal(Keys(expected), Keys(data));
        Assert.Equal(Keys(expected["alerts"]![0]!), Keys(data["alerts"]![0]!));
    }

    private static IEnumerable<string> Keys(JsonNode node) => node.AsObject().Select(p => p.Key).Order();

    [Fact]
    public async Task Alert_errors_are_python_reprs_with_empty_data()
    {
        var noTitle = AlertBody();
        noTitle.Remove("alert_title");
        var reply = await Post("/alerts/add", noTitle);
        Assert.Equal("""{"status":"error","message":"{'alert_title': ['Missing data for required field.']}","data":[]}""", reply.Body);

        var nullTitle = AlertBody();
        nullTitle["alert_title"] = null;
        Assert.Equal("{'alert_title': ['Field may not be null.']}", (await Post("/alerts/add", nullTitle)).Message);

        var arrayTags = AlertBody();
        arrayTags["alert_tags"] = new JsonArray("a", "b");
        AssertEnvelopeError(await Post("/alerts/add", arrayTags), HttpStatusCode.BadRequest, "'list' object has no attribute 'split'");

        var badIoc = AlertBody();
        badIoc["alert_iocs"] = new JsonArray(new JsonObject { ["ioc_type_id"] = 77, ["ioc_tlp_id"] = 2 });
        Assert.Equal("{0: {'ioc_value': ['Missing data for required field.']}}", (await Post("/alerts/add", badIoc)).Message);

        var badHash = AlertBody();
        badHash["alert_iocs"] = new JsonArray(new JsonObject { ["ioc_value"] = "not-a-hash", ["ioc_type_id"] = 113, ["ioc_tlp_id"] = 2 });
        Assert.Equal("{'ioc_ioc_value': [\"The input doesn't match the expected format (expected: 64 hexadecimal characters)\"]}",
            (await Post("/alerts/add", badHash)).Message);

        var badAsset = AlertBody();
        badAsset["alert_assets"] = new JsonArray(new JsonObject { ["asset_name"] = "srv", ["asset_type_id"] = 999 });
        Assert.Equal("{'asset_type_id': ['Invalid asset type ID']}", (await Post("/alerts/add", badAsset)).Message);

        var badSeverity = AlertBody();
        badSeverity["alert_severity_id"] = 99;
        Assert.StartsWith("(psycopg2.errors.ForeignKeyViolation)", (await Post("/alerts/add", badSeverity)).Message);

        AssertEnvelopeError(await Post("/alerts/add", new JsonObject()), HttpStatusCode.BadRequest, "No JSON data provided");
        Assert.Empty(_iris.Alerts);
    }

    [Fact]
    public async Task The_same_source_ref_twice_makes_two_alerts()
    {
        Assert.Equal(HttpStatusCode.OK, (await Post("/alerts/add", AlertBody(sourceRef: "ES-dup"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Post("/alerts/add", AlertBody(sourceRef: "ES-dup"))).Status);
        Assert.Equal(2, _iris.AlertsWithSourceRef("ES-dup").Count);
    }

    [Fact]
    public async Task Alerts_page_newest_event_first()
    {
        for (var i = 0; i < 25; i++) _iris.AddAlert($"Alert {i}", sourceRef: $"ES-{i}", sourceEventTime: new DateTime(2024, 1, 1).AddMinutes(i));

        var first = (await Get("/alerts/filter?per_page=10&page=1")).Data!;
        Assert.Equal(25, (int)first["total"]!);
        Assert.Equal(3, (int)first["last_page"]!);
        Assert.Equal(1, (int)first["current_page"]!);
        Assert.Equal(2, (int)first["next_page"]!);
        Assert.Equal("Alert 24", (string?)first["alerts"]![0]!["alert_title"]);

        var last = (await Get("/alerts/filter?per_page=10&page=3")).Data!;
        Assert.Equal(5, last["alerts"]!.AsArray().Count);
        Assert.Null(last["next_page"]);
        Assert.Empty((await Get("/alerts/filter?per_page=10&page=9")).Data!["alerts"]!.AsArray());

        var ascending = (await Get("/alerts/filter?per_page=3&sort=asc")).Data!;
        Assert.Equal("Alert 0", (string?)ascending["alerts"]![0]!["alert_title"]);

        var window = (await Get("/alerts/filter?source_start_date=2024-01-01T00:10:00&source_end_date=2024-01-01T00:12:00")).Data!;
        Assert.Equal(3, (int)window["total"]!);
        var byStatus = (await Get("/alerts/filter?alert_status_id=2&alert_customer_id=1&per_page=100")).Data!;
        Assert.Equal(25, (int)byStatus["total"]!);
        AssertEnvelopeError(await Get("/alerts/filter?alert_customer_id=acme"), HttpStatusCode.BadRequest, "Filtering error");
    }

    [Fact]
    public async Task Dedup_filters_exist_only_from_their_release()
    {
        _iris.AddAlert("A", sourceRef: "ES-100");
        _iris.AddAlert("B", sourceRef: "ES-1000");
        _iris.AddAlert("C", sourceRef: "other");
        var exact = Uri.EscapeDataString("""[{"field":"alert_source_ref","operator":"eq","value":"ES-100"}]""");

        Assert.Equal(1, (int)(await Get("/alerts/filter?custom_conditions=" + exact)).Data!["total"]!);
        // source_reference is a substring match, so the client must still compare for equality.
        Assert.Equal(2, (int)(await Get("/alerts/filter?source_reference=ES-100")).Data!["total"]!);
        // alert_source_ref is not a filter parameter at all.
        Assert.Equal(3, (int)(await Get("/alerts/filter?alert_source_ref=ES-100")).Data!["total"]!);
        AssertEnvelopeError(await Get("/alerts/filter?custom_conditions=not-json"), HttpStatusCode.BadRequest, "Filtering error");
        var slim = (await Get("/alerts/filter?fields=alert_id,alert_source_ref&per_page=1")).Data!["alerts"]![0]!;
        Assert.Equal(new[] { "alert_id", "alert_source_ref" }, Keys(slim));

        _iris.Version = "v2.4.16";
        Assert.Equal(3, (int)(await Get("/alerts/filter?custom_conditions=" + exact)).Data!["total"]!);
        Assert.Equal(2, (int)(await Get("/alerts/filter?source_reference=ES-100")).Data!["total"]!);

        _iris.Version = "v2.4.14";
        Assert.Equal(3, (int)(await Get("/alerts/filter?source_reference=ES-100")).Data!["total"]!);
    }

    [Fact]
    public async Task Alerts_are_scoped_to_the_customers_a_user_is_linked_to()
    {
        var acme = _iris.AddCustomer("ACME");
        var key = _iris.AnalystApiKey;
        AssertEnvelopeError(await Post("/alerts/add", AlertBody(), key), HttpStatusCode.BadRequest, "User not entitled to create alerts for the client");

        _iris.SetCustomerMembership(IrisLab.AnalystLogin, 1);
        var mine = await Post("/alerts/add", AlertBody(), key);
        Assert.Equal(HttpStatusCode.OK, mine.Status);
        var theirs = _iris.AddAlert("ACME only", customerId: acme.CustomerId);

        var visible = (await Get("/alerts/filter", key)).Data!;
        Assert.Equal(1, (int)visible["total"]!);
        AssertEnvelopeError(await Get($"/alerts/{theirs.AlertId}", key), HttpStatusCode.BadRequest, "Alert not found");
        AssertEnvelopeError(await Post($"/alerts/update/{theirs.AlertId}", new JsonObject { ["alert_status_id"] = 6 }, key),
            HttpStatusCode.Forbidden, "User not entitled to update alerts for the client");
        var customers = (await Get("/manage/customers/list", key)).Data!.AsArray();
        Assert.Equal("IrisInitialClient", (string?)Assert.Single(customers)!["customer_name"]);
        Assert.Equal(2, (int)(await Get("/alerts/filter")).Data!["total"]!);
    }

    [Fact]
    public async Task Alerts_are_read_updated_and_deleted()
    {
        var alert = _iris.AddAlert("Beacon", sourceRef: "ES-5");
        var get = await Get($"/alerts/{alert.AlertId}");
        Assert.Equal("Beacon", (string?)get.Data!["alert_title"]);
        Assert.NotNull(get.Data!["related_alerts"]);
        AssertEnvelopeError(await Get("/alerts/999"), HttpStatusCode.BadRequest, "Alert not found");

        var update = await Post($"/alerts/update/{alert.AlertId}", new JsonObject { ["alert_status_id"] = 4 });
        Assert.Equal(4, (int)update.Data!["alert_status_id"]!);
        // Updating an unowned alert without naming an owner assigns it to the caller.
        Assert.Equal(1, (int)update.Data!["alert_owner_id"]!);
        Assert.Contains("\"alert_status_id\" from \"2\" to \"4\"", _iris.FindAlert(alert.AlertId)!.History.Last().Action);

        var delete = await Post($"/alerts/delete/{alert.AlertId}", new JsonObject());
        Assert.Equal(alert.AlertId, (int)delete.Data!["alert_id"]!);
        Assert.Empty(_iris.Alerts);
    }

    [Fact]
    public async Task Escalation_creates_a_case_with_the_selected_iocs_and_assets()
    {
        var body = AlertBody(title: "Malware on WS01", sourceRef: "ES-77");
        body["alert_iocs"] = new JsonArray(
            new JsonObject { ["ioc_value"] = "evil.example", ["ioc_type_id"] = 20, ["ioc_tlp_id"] = 2 },
            new JsonObject { ["ioc_value"] = "10.0.0.9", ["ioc_type_id"] = 77, ["ioc_tlp_id"] = 2 });
        body["alert_assets"] = new JsonArray(new JsonObject { ["asset_name"] = "WS01", ["asset_type_id"] = 9 });
        var added = (await Post("/alerts/add", body)).Data!;
        var alertId = (int)added["alert_id"]!;
        var iocUuid = (string)added["iocs"]![0]!["ioc_uuid"]!;
        var assetUuid = (string)added["assets"]![0]!["asset_uuid"]!;

        var reply = await Post($"/alerts/escalate/{alertId}", new JsonObject
        {
            ["iocs_import_list"] = new JsonArray(iocUuid),
            ["assets_import_list"] = new JsonArray(assetUuid),
            ["note"] = "Escalated by the pipeline",
            ["case_tags"] = "siem,auto",
            ["import_as_event"] = false,
        });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var caseId = (int)reply.Data!["case_id"]!;
        Assert.Equal($"#{caseId} - [ALERT] Malware on WS01", (string?)reply.Data!["case_name"]);
        Assert.Equal(alertId.ToString(), (string?)reply.Data!["case_soc_id"]);
        Assert.Equal("evil.example", Assert.Single(_iris.IocsOfCase(caseId)).Value);
        var asset = Assert.Single(_iris.AssetsOfCase(caseId));
        Assert.Equal(assetUuid, asset.Uuid.ToString());
        Assert.Equal(1, asset.AnalysisStatusId);
        var alert = _iris.FindAlert(alertId)!;
        Assert.Equal(8, alert.StatusId);
        Assert.Equal(new[] { caseId }, alert.CaseIds);
        Assert.Equal(new[] { "siem", "auto" }, _iris.FindCase(caseId)!.Tags);
        Assert.Contains("Escalated by the pipeline", _iris.FindCase(caseId)!.Description);
        Assert.Equal(alertId, (int)(await Get($"/alerts/filter?case_id={caseId}")).Data!["alerts"]![0]!["alert_id"]!);
    }

    [Fact]
    public async Task Escalation_without_case_tags_fails_after_marking_the_alert_escalated()
    {
        var alert = _iris.AddAlert("No tags");
        var reply = await Post($"/alerts/escalate/{alert.AlertId}", new JsonObject { ["iocs_import_list"] = new JsonArray(), ["assets_import_list"] = new JsonArray() });
        AssertEnvelopeError(reply, HttpStatusCode.BadRequest, "'NoneType' object has no attribute 'split'");
        Assert.Equal(8, _iris.FindAlert(alert.AlertId)!.StatusId);
        AssertEnvelopeError(await Post("/alerts/escalate/999", new JsonObject()), HttpStatusCode.BadRequest, "Alert not found");
    }

    [Fact]
    public async Task Merge_links_the_alert_to_an_existing_case()
    {
        var target = _iris.AddCase("Campaign");
        var alert = _iris.AddAlert("Second hit");
        AssertEnvelopeError(await Post($"/alerts/merge/{alert.AlertId}", new JsonObject()), HttpStatusCode.BadRequest, "No target case id provided");
        AssertEnvelopeError(await Post($"/alerts/merge/{alert.AlertId}", new JsonObject { ["target_case_id"] = 999 }), HttpStatusCode.BadRequest, "Target case not found");

        var reply = await Post($"/alerts/merge/{alert.AlertId}", new JsonObject
        {
            ["target_case_id"] = target.CaseId, ["iocs_import_list"] = new JsonArray(), ["assets_import_list"] = new JsonArray(), ["note"] = "same actor",
        });
        Assert.Equal(target.CaseId, (int)reply.Data!["case_id"]!);
        Assert.Equal(7, _iris.FindAlert(alert.AlertId)!.StatusId);
        Assert.Equal(new[] { alert.AlertId }, _iris.FindCase(target.CaseId)!.AlertIds);

        await Post($"/manage/cases/close/{target.CaseId}", new JsonObject());
        Assert.Equal(6, _iris.FindAlert(alert.AlertId)!.StatusId);
        Assert.Equal(5, _iris.FindAlert(alert.AlertId)!.ResolutionStatusId);
    }

    // ---- case objects and cid ----

    [Fact]
    public async Task Case_objects_land_where_the_cid_rules_say()
    {
        var target = _iris.AddCase("Target");
        JsonObject Ioc(string value) => new() { ["ioc_value"] = value, ["ioc_type_id"] = 77, ["ioc_tlp_id"] = 2, ["ioc_description"] = "seen" };

        Assert.Equal("IOC added", (await Post($"/case/ioc/add?cid={target.CaseId}", Ioc("10.1.1.1"))).Message);
        Assert.Equal(target.CaseId, Assert.Single(_iris.IocsOfCase(target.CaseId)).CaseIds.Single());

        // No cid: the user's last UI case (1 here). ?cid=0 is falsy, so it falls back the same way.
        await Post("/case/ioc/add", Ioc("10.1.1.2"));
        await Post("/case/ioc/add?cid=0", Ioc("10.1.1.3"));
        Assert.Equal(new[] { "10.1.1.2", "10.1.1.3" }, _iris.IocsOfCase(1).Select(i => i.Value).Order());

        // A body cid is read only when the Content-Type is exactly application/json.
        var inBody = Ioc("10.1.1.4");
        inBody["cid"] = target.CaseId;
        await Post("/case/ioc/add", inBody);
        var withCharset = Ioc("10.1.1.5");
        withCharset["cid"] = target.CaseId;
        await Post("/case/ioc/add", withCharset, contentType: "application/json; charset=utf-8");
        Assert.Contains(_iris.IocsOfCase(target.CaseId), i => i.Value == "10.1.1.4");
        Assert.Contains(_iris.IocsOfCase(1), i => i.Value == "10.1.1.5");

        var nullCid = Ioc("10.1.1.6");
        nullCid["cid"] = null;
        var invalid = await Post("/case/ioc/add", nullCid);
        Assert.Equal("""{"status":"error","message":"Invalid case ID","data":[]}""", invalid.Body);
        Assert.Equal(HttpStatusCode.NotFound, invalid.Status);

        var missing = await Get("/case/ioc/list?cid=9999");
        AssertEnvelopeError(missing, HttpStatusCode.Forbidden, "Permission denied");
        Assert.Equal(1, (int)missing.Data!["user_id"]!);
        Assert.Equal(9999, (int)missing.Data!["case_id"]!);

        // The analyst reaches case 1 (fresh install) but not a case nobody shared with it.
        Assert.Equal(HttpStatusCode.OK, (await Get("/case/ioc/list?cid=1", _iris.AnalystApiKey)).Status);
        AssertEnvelopeError(await Get($"/case/ioc/list?cid={target.CaseId}", _iris.AnalystApiKey), HttpStatusCode.Forbidden, "Permission denied");
        _iris.GrantCaseAccess(IrisLab.AnalystLogin, target.CaseId, IrisCaseAccess.ReadOnly);
        Assert.Equal(HttpStatusCode.OK, (await Get($"/case/ioc/list?cid={target.CaseId}", _iris.AnalystApiKey)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post($"/case/ioc/add?cid={target.CaseId}", Ioc("10.9.9.9"), _iris.AnalystApiKey)).Status);
    }

    [Fact]
    public async Task Case_iocs_are_global_and_validated()
    {
        var a = _iris.AddCase("A");
        var b = _iris.AddCase("B");
        var ioc = new JsonObject { ["ioc_value"] = "bad.example", ["ioc_type_id"] = 20, ["ioc_tlp_id"] = 2 };
        Assert.Equal("IOC added", (await Post($"/case/ioc/add?cid={a.CaseId}", ioc)).Message);
        Assert.Equal("IOC already exists and linked to this case", (await Post($"/case/ioc/add?cid={a.CaseId}", ioc)).Message);
        Assert.Equal("IOC already existed in DB. Updated with info on DB.", (await Post($"/case/ioc/add?cid={b.CaseId}", ioc)).Message);
        Assert.Equal(2, Assert.Single(_iris.Iocs).CaseIds.Count);

        var list = (await Get($"/case/ioc/list?cid={b.CaseId}")).Data!;
        var row = Assert.Single(list["ioc"]!.AsArray())!;
        Assert.Equal("domain", (string?)row["ioc_type"]);
        Assert.Equal("amber", (string?)row["tlp_name"]);
        Assert.Equal(a.CaseId, (int)row["link"]![0]!["case_id"]!);

        var noType = await Post($"/case/ioc/add?cid={a.CaseId}", new JsonObject { ["ioc_value"] = "x" });
        AssertEnvelopeError(noType, HttpStatusCode.BadRequest, "Not a valid IOC type");
        var noValue = await Post($"/case/ioc/add?cid={a.CaseId}", new JsonObject { ["ioc_type_id"] = 20 });
        AssertEnvelopeError(noValue, HttpStatusCode.BadRequest, "Data error");
        Assert.Equal("""{"ioc_value":["Missing data for required field."]}""", noValue.Data!.ToJsonString());
        // Tags must be a comma string; a list crashes the route (500 page) on /case/*.
        var listTags = await Post($"/case/ioc/add?cid={a.CaseId}", new JsonObject { ["ioc_value"] = "y", ["ioc_type_id"] = 20, ["ioc_tags"] = new JsonArray("t") });
        Assert.Equal(HttpStatusCode.InternalServerError, listTags.Status);
    }

    [Fact]
    public async Task Assets_notes_and_the_summary_follow_the_2_4_rules()
    {
        var c = _iris.AddCase("Host compromise", description: "Initial summary");
        var asset = new JsonObject { ["asset_name"] = "SRV01", ["asset_type_id"] = 10, ["asset_ip"] = "10.0.0.5" };
        Assert.Equal(HttpStatusCode.OK, (await Post($"/case/assets/add?cid={c.CaseId}", asset)).Status);
        var duplicate = await Post($"/case/assets/add?cid={c.CaseId}", asset);
        Assert.Equal("""{"asset_name":["Asset name already exists in this case"]}""", duplicate.Data!.ToJsonString());
        var nullType = await Post($"/case/assets/add?cid={c.CaseId}", new JsonObject { ["asset_name"] = "X", ["asset_type_id"] = null });
        Assert.Equal("""{"asset_type_id":["Invalid data - non null expected"]}""", nullType.Data!.ToJsonString());
        var assets = (await Get($"/case/assets/list?cid={c.CaseId}")).Data!;
        Assert.Equal("Windows - Server", (string?)assets["assets"]![0]!["asset_type"]);

        var directory = await Post($"/case/notes/directories/add?cid={c.CaseId}", new JsonObject { ["name"] = "Triage" });
        var directoryId = (int)directory.Data!["id"]!;
        var note = await Post($"/case/notes/add?cid={c.CaseId}", new JsonObject { ["note_title"] = "Timeline", ["note_content"] = "…", ["directory_id"] = directoryId });
        Assert.Equal($"Note ID {(int)note.Data!["note_id"]!} created", note.Message);
        var wrongDirectory = await Post($"/case/notes/add?cid=1", new JsonObject { ["note_title"] = "T", ["directory_id"] = directoryId });
        Assert.Equal("""{"directory_id":["Invalid directory id for the case"]}""", wrongDirectory.Data!.ToJsonString());
        var tree = (await Get($"/case/notes/directories/filter?cid={c.CaseId}")).Data!.AsArray();
        Assert.Equal("Timeline", (string?)tree[0]!["notes"]![0]!["title"]);
        Assert.Single(_iris.NotesOfCase(c.CaseId));
        Assert.Equal(HttpStatusCode.Gone, (await Post($"/case/notes/groups/add?cid={c.CaseId}", new JsonObject { ["group_title"] = "old" })).Status);

        var summary = (await Get($"/case/summary/fetch?cid={c.CaseId}")).Data!;
        Assert.Equal("Initial summary", (string?)summary["case_description"]);
        // binascii.crc32(b"Initial summary")
        Assert.Equal(2280632681L, (long)summary["crc32"]!);
        await Post($"/case/summary/update?cid={c.CaseId}", new JsonObject { ["case_description"] = "Updated" });
        Assert.Equal("Updated", _iris.FindCase(c.CaseId)!.Description);
    }

    // ---- lookups ----

    [Fact]
    public async Task Lookups_have_the_rows_of_a_fresh_install()
    {
        async Task<JsonArray> List(string path) => (await Get(path)).Data!.AsArray();
        static int IdOf(JsonArray rows, string nameField, string name, string idField) =>
            (int)rows.Single(r => (string?)r![nameField] == name)![idField]!;

        var customers = await List("/manage/customers/list");
        Assert.Equal(1, IdOf(customers, "customer_name", "IrisInitialClient", "customer_id"));
        Assert.Equal(4, IdOf(await List("/manage/severities/list"), "severity_name", "Medium", "severity_id"));
        Assert.Equal(2, IdOf(await List("/manage/alert-status/list"), "status_name", "New", "status_id"));
        Assert.Equal(8, IdOf(await List("/manage/alert-status/list"), "status_name", "Escalated", "status_id"));
        Assert.Equal(6, IdOf(await List("/manage/alert-resolutions/list"), "resolution_status_name", "Legitimate", "resolution_status_id"));
        Assert.Equal(2, IdOf(await List("/manage/tlp/list"), "tlp_name", "amber", "tlp_id"));
        var iocTypes = await List("/manage/ioc-types/list");
        Assert.Equal(113, IdOf(iocTypes, "type_name", "sha256", "type_id"));
        Assert.Equal(77, IdOf(iocTypes, "type_name", "ip-dst", "type_id"));
        Assert.Equal(9, IdOf(await List("/manage/asset-type/list"), "asset_name", "Windows - Computer", "asset_id"));
        Assert.Equal(3, IdOf(await List("/manage/case-states/list"), "state_name", "Open", "state_id"));
        Assert.Equal(1, IdOf(await List("/manage/case-classifications/list"), "name", "abusive-content:spam", "id"));
        Assert.Empty(await List("/manage/case-templates/list"));
        Assert.Contains(await List("/manage/users/list"), u => (string?)u!["user_login"] == "administrator");

        var added = await Post("/manage/customers/add", new JsonObject { ["customer_name"] = "ACME", ["customer_description"] = "Retail" });
        Assert.Equal(2, (int)added.Data!["customer_id"]!);
        var again = await Post("/manage/customers/add", new JsonObject { ["customer_name"] = "acme" });
        AssertEnvelopeError(again, HttpStatusCode.BadRequest, "Error adding customer");
        Assert.Equal("""{"customer_name":["Customer already exists"]}""", again.Data!.ToJsonString());
    }

    // ---- HTTP edges ----

    [Fact]
    public async Task Routes_the_Lab_lacks_are_400_not_emulated_and_IRIS_404s_answer_json_only_to_json_requests()
    {
        // A path no emulated route has: the envelope's 400 naming the method and path, JSON whatever was asked.
        var json = await Send(HttpMethod.Get, "/alerts/nope/nothing", contentType: "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, json.Status);
        Assert.Equal("""{"status":"error","message":"GET /alerts/nope/nothing is not emulated by the PSSocAutomation Lab","data":[]}""", json.Body);
        var bare = await Send(HttpMethod.Post, "/api/v2/cases", "{}", contentType: "text/plain");
        Assert.Equal(HttpStatusCode.BadRequest, bare.Status);
        Assert.Equal("POST /api/v2/cases is not emulated by the PSSocAutomation Lab", (string?)JsonNode.Parse(bare.Body)!["message"]);

        // IRIS's own 404, where IRIS gives it (a route this version lacks): JSON only to requests that declare JSON.
        _iris.Version = "v2.3.3";
        var gated = await Send(HttpMethod.Get, "/manage/cases/filter", contentType: "application/json");
        Assert.Equal(HttpStatusCode.NotFound, gated.Status);
        Assert.Equal("""{"status":"error","message":"Resource not found","data":[]}""", gated.Body);
        var html = await Send(HttpMethod.Get, "/manage/cases/filter", contentType: "");
        Assert.Equal(HttpStatusCode.NotFound, html.Status);
        Assert.StartsWith("text/html", html.Response.Content.Headers.ContentType!.ToString());
        _iris.Version = "v2.4.20";

        // Routing comes before authentication: no key is asked of a path the Lab lacks or one Flask's converter refuses.
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Get, "/nowhere", key: null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/alerts/-1", key: null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/alerts/-1")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, "/alerts/1", key: null)).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Send(HttpMethod.Post, "/alerts/filter", "{}")).Status);

        var plain = await Send(HttpMethod.Post, "/alerts/add", AlertBody().ToJsonString(), contentType: "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.Status);
        Assert.StartsWith("text/html", plain.Response.Content.Headers.ContentType!.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Post, "/alerts/add", "{not json")).Status);
    }

    [Fact]
    public async Task Concurrent_writers_each_get_their_own_alert()
    {
        var client = Client();
        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Post("/alerts/add", AlertBody(sourceRef: $"ES-par-{i}"), client: client)));
        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(8, replies.Select(r => (int)r.Data!["alert_id"]!).Distinct().Count());
        Assert.Equal(8, _iris.Alerts.Count);
    }
}
