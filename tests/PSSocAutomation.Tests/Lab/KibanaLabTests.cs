using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Kibana;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

public sealed class KibanaLabTests : IClassFixture<LabFixture>, IDisposable
{
    private readonly LabServer _lab;
    private readonly KibanaLab _kibana;
    private readonly HttpClient _client;
    private readonly HttpClient _es;

    public KibanaLabTests(LabFixture fixture)
    {
        _lab = fixture.Lab;
        _kibana = _lab.Kibana;
        _lab.Elastic.Reset();
        _kibana.Reset();
        fixture.Reset();
        _client = new HttpClient { BaseAddress = _lab.KibanaUri, Timeout = TimeSpan.FromSeconds(60) };
        _es = new HttpClient { BaseAddress = _lab.ElasticUri, Timeout = TimeSpan.FromSeconds(60) };
    }

    public void Dispose()
    {
        _client.Dispose();
        _es.Dispose();
    }

    // ---- auth, XSRF, spaces, status ----

    [Fact]
    public async Task Missing_or_wrong_credentials_get_the_platform_401()
    {
        var none = await Send(_client, HttpMethod.Get, "/api/status", authorization: null);
        Assert.Equal(401, none.Code);
        Assert.Equal("""{"statusCode":401,"error":"Unauthorized","message":"Unauthorized"}""", none.Text);
        Assert.Contains("Basic realm=\"kibana\"", none.Response.Headers.WwwAuthenticate.ToString());

        var wrong = await Send(_client, HttpMethod.Post, "/api/detection_engine/signals/search", "{\"size\":1}", authorization: Basic("nope"));
        Assert.Equal(401, wrong.Code);
        Assert.Equal(401, (int)wrong.Json["statusCode"]!);
    }

    [Fact]
    public async Task An_api_key_from_the_elasticsearch_lab_is_accepted()
    {
        var reply = await Send(_client, HttpMethod.Get, "/api/status", authorization: "ApiKey " + _lab.Credentials.ElasticApiKeyEncoded);
        Assert.Equal(200, reply.Code);
        Assert.Equal("available", (string?)reply.Json["status"]!["overall"]!["level"]);
        Assert.Equal("8.15.0", (string?)reply.Json["version"]!["number"]);
    }

    [Fact]
    public async Task A_post_without_kbn_xsrf_is_refused_with_400()
    {
        var reply = await Send(_client, HttpMethod.Post, "/api/detection_engine/signals/search", "{\"size\":1}", xsrf: false);
        Assert.Equal(400, reply.Code);
        Assert.Equal("""{"statusCode":400,"error":"Bad Request","message":"Request must contain a kbn-xsrf header."}""", reply.Text);
    }

    [Fact]
    public async Task A_path_kibana_lacks_is_the_platform_404()
    {
        var reply = await Send(_client, HttpMethod.Get, "/api/nothing/here");
        Assert.Equal(404, reply.Code);
        Assert.Equal("""{"statusCode":404,"error":"Not Found","message":"Not Found"}""", reply.Text);
    }

    [Fact]
    public async Task Spaces_api_finds_known_spaces_and_404s_unknown_ones()
    {
        _kibana.AddSpace("soc", "SOC team");
        var soc = await Send(_client, HttpMethod.Get, "/api/spaces/space/soc");
        Assert.Equal(200, soc.Code);
        Assert.Equal("SOC team", (string?)soc.Json["name"]);
        Assert.Empty(soc.Json["disabledFeatures"]!.AsArray());

        var missing = await Send(_client, HttpMethod.Get, "/api/spaces/space/typo");
        Assert.Equal(404, missing.Code);
        Assert.Equal("Saved object [space/typo] not found", (string?)missing.Json["message"]);
        Assert.Equal(404, (int)missing.Json["statusCode"]!);

        var all = await Send(_client, HttpMethod.Get, "/api/spaces/space");
        Assert.Equal(new[] { "default", "soc" }, all.Json.AsArray().Select(s => (string)s!["id"]!).ToArray());
        Assert.Equal(new[] { "default", "soc" }, _kibana.Spaces);
    }

    [Fact]
    public async Task An_injected_fault_comes_in_the_platform_shape()
    {
        _lab.Faults.Add(new FaultRule { Service = "kibana", PathContains = "signals/search", Status = 503, RetryAfterSeconds = 2 });
        var reply = await Search("/api/detection_engine/signals/search", """{"size":1}""");
        Assert.Equal(503, reply.Code);
        Assert.Equal("""{"statusCode":503,"error":"Service Unavailable","message":"Service Unavailable"}""", reply.Text);
        Assert.Equal("2", reply.Response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("kibana", _lab.Journal.Entries[^1].Service);
    }

    [Fact]
    public void Seeded_alerts_are_shaped_like_alerts_as_data_documents()
    {
        var start = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var ids = _kibana.SeedAlerts(20, start: start, step: TimeSpan.FromMinutes(1), status: "acknowledged", sameTimestampGroup: 4);
        var docs = ids.Select(id => JsonNode.Parse(_kibana.SourceOf(id)!)!.AsObject()).ToList();
        // Groups of four share one @timestamp, one minute apart.
        Assert.Equal(5, docs.Select(d => (string)d["@timestamp"]!).Distinct().Count());
        Assert.Equal("2026-03-01T08:00:00.000Z", (string?)docs[3]["@timestamp"]);
        Assert.Equal("2026-03-01T08:01:00.000Z", (string?)docs[4]["@timestamp"]);
        Assert.All(docs, d =>
        {
            Assert.Equal("acknowledged", (string?)d["kibana.alert.workflow_status"]);
            Assert.Equal("signal", (string?)d["event"]!["kind"]);
            Assert.Equal("default", (string?)d["kibana.space_ids"]![0]);
            Assert.Contains((string)d["kibana.alert.severity"]!, new[] { "low", "medium", "high", "critical" });
            Assert.True(DateTimeOffset.Parse((string)d["kibana.alert.original_time"]!, System.Globalization.CultureInfo.InvariantCulture) <
                DateTimeOffset.Parse((string)d["@timestamp"]!, System.Globalization.CultureInfo.InvariantCulture));
        });
        Assert.Equal(ids, docs.Select(d => (string)d["kibana.alert.uuid"]!).ToArray());
        Assert.Equal(2, docs.Count(d => d["kibana.alert.building_block_type"] is not null));
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", ids[0]);
        // Another space never shares an id.
        Assert.DoesNotContain(_kibana.SeedAlerts(20, "soc")[0], ids);
    }

    // ---- signals/search ----

    [Fact]
    public async Task Search_finds_seeded_alerts_in_the_default_and_a_custom_space()
    {
        var ids = _kibana.SeedAlerts(30);
        var socIds = _kibana.SeedAlerts(5, "soc");

        var reply = await Search("/api/detection_engine/signals/search",
            """{"size":100,"query":{"term":{"kibana.alert.workflow_status":"open"}},"sort":[{"@timestamp":"asc"}]}""");
        Assert.Equal(200, reply.Code);
        Assert.Equal(30, (int)reply.Json["hits"]!["total"]!["value"]!);
        var hits = reply.Json["hits"]!["hits"]!.AsArray();
        Assert.Equal(ids, hits.Select(h => (string)h!["_id"]!).ToArray());
        Assert.Equal(KibanaLab.AlertsIndex(), (string?)hits[0]!["_index"]);
        Assert.Equal(ids[0], (string?)hits[0]!["_source"]!["kibana.alert.uuid"]);

        var soc = await Search("/s/soc/api/detection_engine/signals/search", """{"query":{"match_all":{}}}""");
        Assert.Equal(200, soc.Code);
        Assert.Equal(socIds.OrderBy(i => i, StringComparer.Ordinal), soc.Json["hits"]!["hits"]!.AsArray().Select(h => (string)h!["_id"]!).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(soc.Json["hits"]!["hits"]!.AsArray(), h => ids.Contains((string)h!["_id"]!));
    }

    [Fact]
    public async Task Search_aggregates_like_the_kibana_ui_and_building_blocks_can_be_left_out()
    {
        _kibana.SeedAlerts(50);
        var reply = await Search("/api/detection_engine/signals/search",
            """{"size":0,"query":{"bool":{"filter":[{"match_phrase":{"kibana.alert.workflow_status":"open"}}],"must_not":[{"exists":{"field":"kibana.alert.building_block_type"}}]}},"aggs":{"bySeverity":{"terms":{"field":"kibana.alert.severity"}}},"runtime_mappings":{}}""");
        Assert.Equal(200, reply.Code);
        Assert.Equal(45, (int)reply.Json["hits"]!["total"]!["value"]!);
        Assert.Equal(45, reply.Json["aggregations"]!["bySeverity"]!["buckets"]!.AsArray().Sum(b => (int)b!["doc_count"]!));
    }

    [Fact]
    public async Task An_unknown_space_answers_200_with_no_hits()
    {
        _kibana.SeedAlerts(3);
        var reply = await Search("/s/nowhere/api/detection_engine/signals/search", """{"query":{"match_all":{}}}""");
        Assert.Equal(200, reply.Code);
        Assert.Equal(0, (int)reply.Json["hits"]!["total"]!["value"]!);
        Assert.Empty(reply.Json["hits"]!["hits"]!.AsArray());
    }

    [Fact]
    public async Task From_is_refused_before_8_15_and_silently_dropped_from_8_15()
    {
        _kibana.SeedAlerts(20);
        const string sorted = """{"size":5,"sort":[{"@timestamp":"asc"}]""";
        _kibana.Version = "8.14.0";
        var refused = await Search("/api/detection_engine/signals/search", sorted + ""","from":5,"search_after":[1]}""");
        Assert.Equal(400, refused.Code);
        Assert.Equal("""{"status_code":400,"message":"[request body]: invalid keys \"from,search_after\""}""", refused.Text);

        _kibana.Version = "8.15.0";
        var first = await Search("/api/detection_engine/signals/search", sorted + "}");
        var paged = await Search("/api/detection_engine/signals/search", sorted + ""","from":5}""");
        Assert.Equal(200, paged.Code);
        Assert.Equal(Ids(first), Ids(paged));
    }

    [Fact]
    public async Task Search_body_rules_numeric_track_total_hits_and_empty_body_are_400()
    {
        var numeric = await Search("/api/detection_engine/signals/search", """{"track_total_hits":10000}""");
        Assert.Equal(400, numeric.Code);
        Assert.Equal(400, (int)numeric.Json["status_code"]!);
        Assert.Contains("track_total_hits", (string)numeric.Json["message"]!);

        var empty = await Search("/api/detection_engine/signals/search", "{}");
        Assert.Equal(400, empty.Code);
        Assert.Equal("""{"status_code":400,"message":"[request body]: \"value\" must have at least 1 children"}""", empty.Text);
    }

    // ---- signals/status ----

    [Fact]
    public async Task Status_by_ids_updates_the_stored_alerts_and_elasticsearch_sees_it()
    {
        var ids = _kibana.SeedAlerts(10);
        var first = await Search("/api/detection_engine/signals/status",
            new JsonObject { ["signal_ids"] = new JsonArray(ids[2]), ["status"] = "closed" }.ToJsonString());
        Assert.Equal(1, (int)first.Json["updated"]!);
        var closedAt = (string?)JsonNode.Parse(_kibana.SourceOf(ids[2])!)!["kibana.alert.workflow_status_updated_at"];
        Assert.NotNull(closedAt);
        await Task.Delay(5);
        var reply = await Search("/api/detection_engine/signals/status",
            new JsonObject { ["signal_ids"] = new JsonArray(ids[1], ids[2], ids[3]), ["status"] = "closed" }.ToJsonString());
        Assert.Equal(200, reply.Code);
        var body = reply.Json.AsObject();
        Assert.Equal(new[] { "took", "timed_out", "total", "updated", "deleted", "batches", "version_conflicts", "noops", "retries",
            "throttled_millis", "requests_per_second", "throttled_until_millis", "failures" }, body.Select(p => p.Key).ToArray());
        Assert.Equal(3, (int)body["total"]!);
        // The alert that was closed already still counts as updated.
        Assert.Equal(3, (int)body["updated"]!);
        Assert.Equal(0, (int)body["noops"]!);
        Assert.Equal(-1, (int)body["requests_per_second"]!);

        Assert.Equal("closed", _kibana.WorkflowStatusOf(ids[1]));
        Assert.Equal("open", _kibana.WorkflowStatusOf(ids[0]));
        var source = JsonNode.Parse(_kibana.SourceOf(ids[1])!)!;
        Assert.Equal(_lab.Credentials.ElasticUser, (string?)source["kibana.alert.workflow_user"]);
        Assert.NotNull(source["kibana.alert.workflow_status_updated_at"]);
        Assert.Null(source["kibana.alert.workflow_reason"]);
        // Set only when the status changes: closing a closed alert leaves it alone.
        Assert.Equal(closedAt, (string?)JsonNode.Parse(_kibana.SourceOf(ids[2])!)!["kibana.alert.workflow_status_updated_at"]);

        var es = await Send(_es, HttpMethod.Post, "/" + KibanaLab.AlertsAlias() + "/_search",
            """{"size":20,"query":{"term":{"kibana.alert.workflow_status":"closed"}}}""");
        Assert.Equal(200, es.Code);
        Assert.Equal(new[] { ids[1], ids[2], ids[3] }, Ids(es).Order(StringComparer.Ordinal));
        var count = await Send(_es, HttpMethod.Post, "/" + KibanaLab.AlertsAlias() + "/_count", """{"query":{"term":{"kibana.alert.workflow_status":"open"}}}""");
        Assert.Equal(7, (int)count.Json["count"]!);
    }

    [Fact]
    public async Task Status_matches_kibana_alert_uuid_and_counts_nothing_for_unknown_ids()
    {
        var id = _kibana.AddAlert("default", """{"@timestamp":"2026-01-01T00:00:00Z","kibana.alert.uuid":"late-1","kibana.alert.workflow_status":"open"}""", "doc-1");
        Assert.Equal("late-1", id);
        // Stored under another _id: only kibana.alert.uuid can find it.
        _lab.Elastic.Index(KibanaLab.AlertsIndex(), "other-id", """{"@timestamp":"2026-01-01T00:00:00Z","kibana.alert.uuid":"by-uuid","kibana.alert.workflow_status":"open"}""");
        var byUuid = await Search("/api/detection_engine/signals/status", """{"signal_ids":["by-uuid"],"status":"acknowledged"}""");
        Assert.Equal(1, (int)byUuid.Json["updated"]!);
        Assert.Equal("acknowledged", _kibana.WorkflowStatusOf("other-id"));

        var unknown = await Search("/api/detection_engine/signals/status", """{"signal_ids":["no-such-alert"],"status":"closed"}""");
        Assert.Equal(200, unknown.Code);
        Assert.Equal(0, (int)unknown.Json["total"]!);
        Assert.Equal(0, (int)unknown.Json["updated"]!);
    }

    [Fact]
    public async Task Status_by_query_in_a_space_updates_only_that_space()
    {
        _kibana.SeedAlerts(12, "soc");
        var defaults = _kibana.SeedAlerts(4);
        var reply = await Search("/s/soc/api/detection_engine/signals/status",
            """{"query":{"term":{"kibana.alert.severity":"critical"}},"status":"acknowledged","conflicts":"proceed"}""");
        Assert.Equal(200, reply.Code);
        Assert.Equal(4, (int)reply.Json["updated"]!);
        Assert.All(defaults, id => Assert.Equal("open", _kibana.WorkflowStatusOf(id)));

        var unknownSpace = await Search("/s/nowhere/api/detection_engine/signals/status", """{"query":{"match_all":{}},"status":"closed"}""");
        Assert.Equal(0, (int)unknownSpace.Json["total"]!);
    }

    [Fact]
    public async Task Legacy_signals_get_signal_status()
    {
        var ids = _kibana.SeedLegacySignals(3);
        var reply = await Search("/api/detection_engine/signals/status",
            new JsonObject { ["signal_ids"] = new JsonArray(ids[0]), ["status"] = "in-progress" }.ToJsonString());
        Assert.Equal(1, (int)reply.Json["updated"]!);
        var source = JsonNode.Parse(_kibana.SourceOf(ids[0])!)!;
        Assert.Equal("in-progress", (string?)source["signal"]!["status"]);
        Assert.Null(source["kibana.alert.workflow_status"]);
        Assert.Equal("open", _kibana.WorkflowStatusOf(ids[1]));
    }

    [Fact]
    public async Task A_bad_status_is_400_naming_the_value()
    {
        var ids = _kibana.SeedAlerts(1);
        var reply = await Search("/api/detection_engine/signals/status",
            new JsonObject { ["signal_ids"] = new JsonArray(ids[0]), ["status"] = "bogus" }.ToJsonString());
        Assert.Equal(400, reply.Code);
        Assert.Equal("[request body]: status: Invalid enum value. Expected 'open' | 'closed' | 'acknowledged' | 'in-progress', received 'bogus'",
            (string?)reply.Json["message"]);
        Assert.Equal("open", _kibana.WorkflowStatusOf(ids[0]));
    }

    [Fact]
    public async Task Reason_is_ignored_before_9_2_and_checked_and_stored_from_9_2()
    {
        var ids = _kibana.SeedAlerts(2);
        string Body(string id, string reason) => new JsonObject { ["signal_ids"] = new JsonArray(id), ["status"] = "closed", ["reason"] = reason }.ToJsonString();

        var old = await Search("/api/detection_engine/signals/status", Body(ids[0], "not-a-reason"));
        Assert.Equal(200, old.Code);
        Assert.Null(JsonNode.Parse(_kibana.SourceOf(ids[0])!)!["kibana.alert.workflow_reason"]);

        _kibana.Version = "9.2.0";
        var bad = await Search("/api/detection_engine/signals/status", Body(ids[1], "not-a-reason"));
        Assert.Equal(400, bad.Code);
        Assert.Contains("reason: Invalid enum value", (string)bad.Json["message"]!);
        var good = await Search("/api/detection_engine/signals/status", Body(ids[1], "false_positive"));
        Assert.Equal(200, good.Code);
        Assert.Equal("false_positive", (string?)JsonNode.Parse(_kibana.SourceOf(ids[1])!)!["kibana.alert.workflow_reason"]);
    }

    [Fact]
    public async Task A_version_conflict_with_abort_is_409_with_the_body_as_a_json_string_and_changes_nothing()
    {
        var ids = _kibana.SeedAlerts(3);
        _kibana.ConflictOnNextUpdates = 1;
        var body = new JsonObject { ["signal_ids"] = new JsonArray(ids[0], ids[1]), ["status"] = "closed" }.ToJsonString();
        var reply = await Search("/api/detection_engine/signals/status", body);
        Assert.Equal(409, reply.Code);
        Assert.Equal(409, (int)reply.Json["statusCode"]!);
        Assert.Equal("Conflict", (string?)reply.Json["error"]);
        var inner = JsonNode.Parse((string)reply.Json["message"]!)!;
        Assert.Equal(2, (int)inner["version_conflicts"]!);
        Assert.Equal(0, (int)inner["updated"]!);
        Assert.Equal(2, inner["failures"]!.AsArray().Count);
        Assert.Equal("version_conflict_engine_exception", (string?)inner["failures"]![0]!["cause"]!["type"]);
        Assert.Equal("open", _kibana.WorkflowStatusOf(ids[0]));
        Assert.Equal(0, _kibana.ConflictOnNextUpdates);

        // The next request goes through.
        var retry = await Search("/api/detection_engine/signals/status", body);
        Assert.Equal(2, (int)retry.Json["updated"]!);
    }

    [Fact]
    public async Task Conflict_on_next_update_with_proceed_is_200_counting_every_match_and_updating_none()
    {
        var ids = _kibana.SeedAlerts(3);
        _kibana.ConflictOnNextUpdates = 2;
        var reply = await Search("/api/detection_engine/signals/status",
            """{"query":{"match_all":{}},"status":"closed","conflicts":"proceed"}""");
        Assert.Equal(200, reply.Code);
        Assert.Equal(3, (int)reply.Json["total"]!);
        Assert.Equal(3, (int)reply.Json["version_conflicts"]!);
        Assert.Equal(0, (int)reply.Json["updated"]!);
        Assert.Empty(reply.Json["failures"]!.AsArray());
        Assert.All(ids, id => Assert.Equal("open", _kibana.WorkflowStatusOf(id)));
        Assert.Equal(1, _kibana.ConflictOnNextUpdates);
    }

    [Fact]
    public async Task Conflicts_proceed_counts_them_and_updates_the_rest()
    {
        var ids = _kibana.SeedAlerts(3);
        _kibana.ConflictWhen = id => id == ids[0];
        var reply = await Search("/api/detection_engine/signals/status",
            new JsonObject { ["signal_ids"] = new JsonArray(ids[0], ids[1]), ["status"] = "closed", ["conflicts"] = "proceed" }.ToJsonString());
        Assert.Equal(200, reply.Code);
        Assert.Equal(1, (int)reply.Json["version_conflicts"]!);
        Assert.Equal(1, (int)reply.Json["updated"]!);
        Assert.Equal("open", _kibana.WorkflowStatusOf(ids[0]));
        Assert.Equal("closed", _kibana.WorkflowStatusOf(ids[1]));
    }

    [Fact]
    public async Task The_alias_resolves_by_name_and_by_pattern_and_goes_with_its_indices()
    {
        Assert.Throws<InvalidOperationException>(() => _lab.Elastic.AddAlias(".my-alias", ".missing"));
        _kibana.SeedAlerts(4);
        _kibana.SeedAlerts(2, "soc");
        _kibana.SeedLegacySignals(3);
        var byName = await Send(_es, HttpMethod.Get, "/" + KibanaLab.AlertsAlias() + "/_count");
        Assert.Equal(7, (int)byName.Json["count"]!);
        var byPattern = await Send(_es, HttpMethod.Get, "/.alerts-security.alerts-*/_count");
        Assert.Equal(9, (int)byPattern.Json["count"]!);
        // A hidden alias is not reached by a pattern that does not start with a dot.
        var hiddenSafe = await Send(_es, HttpMethod.Get, "/*alerts-security*/_count");
        Assert.Equal(0, (int)hiddenSafe.Json["count"]!);

        Assert.True(_lab.Elastic.DeleteIndex(KibanaLab.LegacyIndex()));
        var afterDelete = await Send(_es, HttpMethod.Get, "/" + KibanaLab.AlertsAlias() + "/_count");
        Assert.Equal(4, (int)afterDelete.Json["count"]!);
        Assert.True(_lab.Elastic.DeleteIndex(KibanaLab.AlertsIndex()));
        var gone = await Send(_es, HttpMethod.Get, "/" + KibanaLab.AlertsAlias() + "/_count");
        Assert.Equal(404, gone.Code);
    }

    // ---- deep paging on the alias, seeding volume ----

    [Fact]
    public async Task Pit_and_search_after_over_the_alias_page_through_25000_alerts_without_duplicates()
    {
        var ids = _kibana.SeedAlerts(25_000, sameTimestampGroup: 50);
        var pit = await Send(_es, HttpMethod.Post, "/" + KibanaLab.AlertsAlias() + "/_pit?keep_alive=1m");
        Assert.Equal(200, pit.Code);
        var pitId = (string)pit.Json["id"]!;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        JsonNode? after = null;
        while (true)
        {
            var request = new JsonObject
            {
                ["size"] = 5000,
                ["pit"] = new JsonObject { ["id"] = pitId, ["keep_alive"] = "1m" },
                ["sort"] = new JsonArray(new JsonObject { ["@timestamp"] = "asc" }, new JsonObject { ["kibana.alert.uuid"] = "asc" }),
                ["_source"] = false,
            };
            if (after is not null) request["search_after"] = after.DeepClone();
            var page = await Send(_es, HttpMethod.Post, "/_search", request.ToJsonString());
            Assert.Equal(200, page.Code);
            pitId = (string)page.Json["pit_id"]!;
            var hits = page.Json["hits"]!["hits"]!.AsArray();
            if (hits.Count == 0) break;
            foreach (var hit in hits) Assert.True(seen.Add((string)hit!["_id"]!), "duplicate " + hit!["_id"]);
            after = hits[^1]!["sort"];
        }
        Assert.Equal(25_000, seen.Count);
        Assert.True(seen.SetEquals(ids));
    }

    [Fact]
    public void Seeding_100000_alerts_completes()
    {
        var ids = _kibana.SeedAlerts(100_000);
        Assert.Equal(100_000, ids.Count);
        Assert.Equal(100_000, ids.Distinct().Count());
        Assert.Equal(100_000, _lab.Elastic.Count(KibanaLab.AlertsIndex()));
    }

    // ---- HTTP plumbing ----

    private sealed record Reply(int Code, string Text, HttpResponseMessage Response)
    {
        public JsonNode Json => JsonNode.Parse(Text)!;
    }

    private string Basic(string? password = null) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(_lab.Credentials.ElasticUser + ":" + (password ?? _lab.Credentials.ElasticPassword)));

    private Task<Reply> Search(string path, string body) => Send(_client, HttpMethod.Post, path, body);

    private static string[] Ids(Reply reply) => reply.Json["hits"]!["hits"]!.AsArray().Select(h => (string)h!["_id"]!).ToArray();

    private async Task<Reply> Send(HttpClient client, HttpMethod method, string path, string? body = null, string? authorization = "basic", bool xsrf = true)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        var header = authorization == "basic" ? Basic() : authorization;
        if (header is not null) request.Headers.TryAddWithoutValidation("Authorization", header);
        if (xsrf) request.Headers.TryAddWithoutValidation("kbn-xsrf", "true");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        }
        var response = await client.SendAsync(request);
        return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }
}
