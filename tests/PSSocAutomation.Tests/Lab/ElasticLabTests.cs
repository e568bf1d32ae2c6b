using PSSocAutomation.Tests.Harness;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Elastic;
using PSSocAutomation.Lab.Hosting;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

public sealed class ElasticLabTests : IClassFixture<LabFixture>, IDisposable
{
    private readonly LabServer _lab;
    private readonly ElasticLab _es;
    private readonly HttpClient _client;

    public ElasticLabTests(LabFixture fixture)
    {
        _lab = fixture.Lab;
        _es = _lab.Elastic;
        _es.Reset();
        _lab.Faults.Clear();
        _lab.Journal.Clear();
        _client = new HttpClient { BaseAddress = _lab.ElasticUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public void Dispose() => _client.Dispose();

    public static string? FixtureDirectory => RepositoryPaths.SharedFixtures is string shared ? Path.Combine(shared, "elastic") : null;

    [Fact]
    public async Task Injected_faults_still_name_the_product_like_a_real_cluster()
    {
        _lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_search", Status = 429, RetryAfterSeconds = 1 });
        var reply = await Send(HttpMethod.Post, "/any/_search", "{}");
        Assert.Equal(429, reply.Code);
        Assert.Equal("Elasticsearch", reply.Response.Headers.GetValues("X-Elastic-Product").Single());
        Assert.Equal("1", reply.Response.Headers.GetValues("Retry-After").Single());
    }

    // ---- HTTP plumbing ----

    private sealed record Reply(HttpStatusCode Status, string Text, HttpResponseMessage Response)
    {
        public JsonNode Json => JsonNode.Parse(Text)!;
        public int Code => (int)Status;
    }

    private string BasicHeader(string? password = null) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(_lab.Credentials.ElasticUser + ":" + (password ?? _lab.Credentials.ElasticPassword)));

    private async Task<Reply> Send(HttpMethod method, string path, string? body = null, string? authorization = "basic",
        string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        var header = authorization == "basic" ? BasicHeader() : authorization;
        if (header is not null) request.Headers.TryAddWithoutValidation("Authorization", header);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        var response = await _client.SendAsync(request);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private Task<Reply> Post(string path, string body) => Send(HttpMethod.Post, path, body);
    private Task<Reply> Get(string path) => Send(HttpMethod.Get, path);
    private Task<Reply> Bulk(string path, string ndjson) => Send(HttpMethod.Post, path, ndjson, contentType: "application/x-ndjson");

    private static string Ndjson(params object[] lines) =>
        string.Concat(lines.Select(l => (l is string s ? s : System.Text.Json.JsonSerializer.Serialize(l)) + "\n"));

    private static readonly string[] StoryAlerts =
    {
        """{"alert_id":"1","timestamp":"2024-09-20T12:00:00","alert_type":"security","message":"Unauthorized login attempt detected","severity":"high","status":"active"}""",
        """{"alert_id":"2","timestamp":"2024-09-20T12:15:00","alert_type":"performance","message":"CPU usage exceeded 90%","severity":"medium","status":"active"}""",
        """{"alert_id":"3","timestamp":"2024-09-20T12:30:00","alert_type":"security","message":"Multiple failed login attempts detected","severity":"critical","status":"active"}""",
        """{"alert_id":"4","timestamp":"2024-09-20T13:00:00","alert_type":"performance","message":"Memory usage exceeded 80%","severity":"medium","status":"resolved"}""",
        """{"alert_id":"5","timestamp":"2024-09-20T13:30:00","alert_type":"security","message":"Potential SQL injection detected","severity":"high","status":"active"}""",
    };

    private const string StoryQuery =
        """{"size":0,"aggs":{"unique_alerts":{"terms":{"field":"alert_id.keyword","size":10},"aggs":{"top_alerts_hits":{"top_hits":{"size":1,"_source":{"includes":["alert_id","alert_type","message","severity","timestamp","status"]}}}}}}}""";

    // ---- info, product header, authentication ----

    [Fact]
    public async Task Info_identifies_Elasticsearch_8_with_the_product_header()
    {
        var reply = await Get("/");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("Elasticsearch", reply.Response.Headers.GetValues("X-Elastic-Product").Single());
        Assert.Equal("8.15.0", (string?)reply.Json["version"]!["number"]);
        Assert.Equal("default", (string?)reply.Json["version"]!["build_flavor"]);
        Assert.Equal("You Know, for Search", (string?)reply.Json["tagline"]);
        Assert.NotNull((string?)reply.Json["cluster_uuid"]);
        var head = await Send(HttpMethod.Head, "/");
        Assert.Equal(HttpStatusCode.OK, head.Status);
        Assert.Equal("", head.Text);
    }

    [Fact]
    public async Task Missing_and_wrong_credentials_get_401_security_exception_without_echoing_secrets()
    {
        var missing = await Send(HttpMethod.Get, "/_search", authorization: null);
        Assert.Equal(401, missing.Code);
        Assert.Equal("Elasticsearch", missing.Response.Headers.GetValues("X-Elastic-Product").Single());
        Assert.Equal("security_exception", (string?)missing.Json["error"]!["type"]);
        Assert.Equal("missing authentication credentials for REST request [/_search]", (string?)missing.Json["error"]!["reason"]);
        Assert.Equal(3, missing.Json["error"]!["header"]!["WWW-Authenticate"]!.AsArray().Count);
        Assert.Equal("security_exception", (string?)missing.Json["error"]!["root_cause"]![0]!["type"]);
        Assert.Equal(401, (int)missing.Json["status"]!);
        Assert.Contains(missing.Response.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey");

        var wrongPassword = await Send(HttpMethod.Get, "/", authorization: BasicHeader("nope-not-it"));
        Assert.Equal(401, wrongPassword.Code);
        Assert.Equal("unable to authenticate user [elastic] for REST request [/]", (string?)wrongPassword.Json["error"]!["reason"]);
        Assert.DoesNotContain("nope-not-it", wrongPassword.Text);

        var badKey = Convert.ToBase64String(Encoding.UTF8.GetBytes(_lab.Credentials.ElasticApiKeyId + ":wrong-secret"));
        var wrongKey = await Send(HttpMethod.Get, "/", authorization: "ApiKey " + badKey);
        Assert.Equal(401, wrongKey.Code);
        Assert.Equal("security_exception", (string?)wrongKey.Json["error"]!["type"]);
        Assert.DoesNotContain("wrong-secret", wrongKey.Text);
        Assert.DoesNotContain(_lab.Credentials.ElasticApiKey, wrongKey.Text);

        var wrongToken = await Send(HttpMethod.Get, "/", authorization: "Bearer not-a-token");
        Assert.Equal(401, wrongToken.Code);
    }

    [Fact]
    public async Task ApiKey_and_Bearer_authenticate_and_the_journal_names_the_principal()
    {
        var apiKey = await Send(HttpMethod.Get, "/_security/_authenticate", authorization: "ApiKey " + _lab.Credentials.ElasticApiKeyEncoded);
        Assert.Equal(200, apiKey.Code);
        Assert.Equal("api_key", (string?)apiKey.Json["authentication_type"]);
        var bearer = await Send(HttpMethod.Get, "/", authorization: "Bearer " + _lab.Credentials.ElasticBearerToken);
        Assert.Equal(200, bearer.Code);
        var entry = await JournalEntry(e => e.Path == "/_security/_authenticate");
        Assert.Equal(_lab.Credentials.ElasticApiKeyId, entry.Principal);
        Assert.Equal("ApiKey", entry.AuthScheme);
    }

    private async Task<JournalEntry> JournalEntry(Func<JournalEntry, bool> match)
    {
        for (var i = 0; i < 100; i++)
        {
            if (_lab.Journal.For("elastic").LastOrDefault(match) is { } entry) return entry;
            await Task.Delay(20);
        }
        throw new Xunit.Sdk.XunitException("No matching journal entry.");
    }

    // ---- bulk ----

    [Fact]
    public async Task Bulk_reports_each_item_and_409s_creates_of_existing_ids()
    {
        var first = await Bulk("/audit/_bulk", Ndjson(
            new JsonObject { ["create"] = new JsonObject { ["_id"] = "a" } }, new JsonObject { ["n"] = 1 },
            new JsonObject { ["create"] = new JsonObject { ["_id"] = "b" } }, new JsonObject { ["n"] = 2 },
            new JsonObject { ["index"] = new JsonObject() }, new JsonObject { ["n"] = 3 }));
        Assert.Equal(200, first.Code);
        Assert.False((bool)first.Json["errors"]!);
        var items = first.Json["items"]!.AsArray();
        Assert.Equal(201, (int)items[0]!["create"]!["status"]!);
        Assert.Equal("created", (string?)items[0]!["create"]!["result"]);
        var autoId = (string)items[2]!["index"]!["_id"]!;
        Assert.Equal(20, autoId.Length);

        var second = await Bulk("/_bulk?refresh=wait_for", Ndjson(
            new JsonObject { ["create"] = new JsonObject { ["_index"] = "audit", ["_id"] = "b" } }, new JsonObject { ["n"] = 22 },
            new JsonObject { ["create"] = new JsonObject { ["_index"] = "audit", ["_id"] = "c" } }, new JsonObject { ["n"] = 3 },
            new JsonObject { ["index"] = new JsonObject { ["_index"] = "audit", ["_id"] = "a" } }, new JsonObject { ["n"] = 11 },
            new JsonObject { ["delete"] = new JsonObject { ["_index"] = "audit", ["_id"] = "zz" } }));
        Assert.True((bool)second.Json["errors"]!);
        var conflict = second.Json["items"]![0]!["create"]!;
        Assert.Equal(409, (int)conflict["status"]!);
        Assert.Equal("version_conflict_engine_exception", (string?)conflict["error"]!["type"]);
        Assert.Equal("[b]: version conflict, document already exists (current version [1])", (string?)conflict["error"]!["reason"]);
        Assert.Equal(201, (int)second.Json["items"]![1]!["create"]!["status"]!);
        Assert.Equal("updated", (string?)second.Json["items"]![2]!["index"]!["result"]);
        Assert.Equal(2, (int)second.Json["items"]![2]!["index"]!["_version"]!);
        Assert.Equal("not_found", (string?)second.Json["items"]![3]!["delete"]!["result"]);
        Assert.Equal(4, _es.Count("audit"));
        Assert.Contains("\"n\":2", _es.GetSource("audit", "b"));

        var doc = await Get("/audit/_doc/a");
        Assert.True((bool)doc.Json["found"]!);
        Assert.Equal(11, (int)doc.Json["_source"]!["n"]!);
        var none = await Get("/audit/_doc/nope");
        Assert.Equal(404, none.Code);
        Assert.False((bool)none.Json["found"]!);
    }

    [Fact]
    public async Task Bulk_without_final_newline_or_with_unknown_action_is_refused_whole()
    {
        var noNewline = await Bulk("/audit/_bulk", "{\"index\":{}}\n{\"n\":1}");
        Assert.Equal(400, noNewline.Code);
        Assert.Equal("illegal_argument_exception", (string?)noNewline.Json["error"]!["type"]);
        Assert.Equal("The bulk request must be terminated by a newline [\\n]", (string?)noNewline.Json["error"]!["reason"]);
        var unknown = await Bulk("/audit/_bulk", "{\"upsert\":{}}\n{\"n\":1}\n");
        Assert.Equal(400, unknown.Code);
        Assert.Contains("expected one of [create, delete, index, update] but found [upsert]", (string?)unknown.Json["error"]!["reason"]);
        var noIndex = await Bulk("/_bulk", "{\"index\":{}}\n{\"n\":1}\n");
        Assert.Equal("action_request_validation_exception", (string?)noIndex.Json["error"]!["type"]);
        Assert.Equal(0, _es.Count("audit"));
    }

    [Fact]
    public async Task Dynamic_mapping_maps_dates_text_with_keyword_numbers_and_booleans()
    {
        await Bulk("/types/_bulk", Ndjson(new JsonObject { ["index"] = new JsonObject { ["_id"] = "1" } },
            """{"ts":"2024-09-20T12:00:00Z","name":"Web 01","count":3,"ratio":0.5,"ok":true,"host":{"ip":"10.0.0.1"}}"""));
        var mapping = await Get("/types/_mapping");
        var props = mapping.Json["types"]!["mappings"]!["properties"]!;
        Assert.Equal("date", (string?)props["ts"]!["type"]);
        Assert.Equal("text", (string?)props["name"]!["type"]);
        Assert.Equal("keyword", (string?)props["name"]!["fields"]!["keyword"]!["type"]);
        Assert.Equal(256, (int)props["name"]!["fields"]!["keyword"]!["ignore_above"]!);
        Assert.Equal("long", (string?)props["count"]!["type"]);
        Assert.Equal("float", (string?)props["ratio"]!["type"]);
        Assert.Equal("boolean", (string?)props["ok"]!["type"]);
        Assert.Equal("text", (string?)props["host"]!["properties"]!["ip"]!["type"]);

        var refused = await Send(HttpMethod.Put, "/types/_doc/2", """{"count":"many"}""");
        Assert.Equal(400, refused.Code);
        Assert.Equal("document_parsing_exception", (string?)refused.Json["error"]!["type"]);

        var created = await Send(HttpMethod.Put, "/types", "{}");
        Assert.Equal(400, created.Code);
        Assert.Equal("resource_already_exists_exception", (string?)created.Json["error"]!["type"]);
        var upper = await Send(HttpMethod.Put, "/Types", "{}");
        Assert.Equal("invalid_index_name_exception", (string?)upper.Json["error"]!["type"]);
        Assert.Equal(200, (await Send(HttpMethod.Delete, "/types")).Code);
        Assert.Equal(404, (await Send(HttpMethod.Head, "/types")).Code);
    }

    // ---- the story query ----

    [Fact]
    public async Task Story_query_returns_one_bucket_per_alert_with_its_filtered_top_hit()
    {
        await Bulk("/alerts/_bulk", Ndjson(StoryAlerts.SelectMany(a => new object[] { new JsonObject { ["index"] = new JsonObject() }, a }).ToArray()));
        var reply = await Post("/alerts/_search", StoryQuery);
        Assert.Equal(200, reply.Code);
        var json = reply.Json;
        Assert.Empty(json["hits"]!["hits"]!.AsArray());
        Assert.Equal(5, (int)json["hits"]!["total"]!["value"]!);
        Assert.Null(json["hits"]!["max_score"]);
        var agg = json["aggregations"]!["unique_alerts"]!;
        Assert.Equal(0, (int)agg["doc_count_error_upper_bound"]!);
        Assert.Equal(0, (int)agg["sum_other_doc_count"]!);
        var buckets = agg["buckets"]!.AsArray();
        Assert.Equal(new[] { "1", "2", "3", "4", "5" }, buckets.Select(b => (string)b!["key"]!));
        foreach (var bucket in buckets)
        {
            Assert.Equal(1, (int)bucket!["doc_count"]!);
            var hits = bucket["top_alerts_hits"]!["hits"]!;
            Assert.Equal(1, (int)hits["total"]!["value"]!);
            Assert.Equal("eq", (string?)hits["total"]!["relation"]);
            var hit = hits["hits"]![0]!;
            Assert.Equal("alerts", (string?)hit["_index"]);
            Assert.Equal(1.0, (double)hit["_score"]!);
            var source = hit["_source"]!.AsObject();
            Assert.Equal(new[] { "alert_id", "alert_type", "message", "severity", "status", "timestamp" }, source.Select(p => p.Key).Order());
            Assert.Equal((string)bucket["key"]!, (string?)source["alert_id"]);
        }
        Assert.Contains("\"_score\":1.0", reply.Text);
        Assert.Equal("Potential SQL injection detected", (string?)buckets[4]!["top_alerts_hits"]!["hits"]!["hits"]![0]!["_source"]!["message"]);
    }

    [Fact]
    public async Task Story_query_over_numeric_alert_ids_finds_no_keyword_field_like_ES()
    {
        _es.Seed("alerts-numeric", StoryAlerts.Select(a => a.Replace("\"alert_id\":\"", "\"alert_id\":").Replace("\",\"timestamp\"", ",\"timestamp\"")));
        var mapping = await Get("/alerts-numeric/_mapping/field/alert_id");
        Assert.Equal("long", (string?)mapping.Json["alerts-numeric"]!["mappings"]!["alert_id"]!["mapping"]!["alert_id"]!["type"]);
        var reply = await Post("/alerts-numeric/_search", StoryQuery);
        Assert.Equal(200, reply.Code);
        Assert.Empty(reply.Json["aggregations"]!["unique_alerts"]!["buckets"]!.AsArray());
    }

    [Fact]
    public async Task Terms_on_a_text_field_is_refused_for_fielddata()
    {
        _es.Seed("alerts", StoryAlerts);
        var reply = await Post("/alerts/_search", """{"size":0,"aggs":{"m":{"terms":{"field":"message"}}}}""");
        Assert.Equal(400, reply.Code);
        Assert.Equal("search_phase_execution_exception", (string?)reply.Json["error"]!["type"]);
        Assert.Equal("illegal_argument_exception", (string?)reply.Json["error"]!["root_cause"]![0]!["type"]);
        Assert.StartsWith("Fielddata is disabled on [message] in [alerts]. Text fields are not optimised", (string?)reply.Json["error"]!["root_cause"]![0]!["reason"]);
    }

    // ---- composite ----

    [Fact]
    public async Task Composite_pages_through_fifty_ids_with_after_key()
    {
        _es.Seed("comp", Enumerable.Range(0, 120).Select(i =>
            $$"""{"alert_id":"id-{{i % 50:D2}}","@timestamp":"2024-09-20T12:{{i % 60:D2}}:00Z","n":{{i}}}"""));
        var seen = new List<string>();
        JsonNode? after = null;
        for (var page = 0; page < 20; page++)
        {
            var composite = new JsonObject
            {
                ["size"] = 7,
                ["sources"] = new JsonArray(new JsonObject { ["id"] = new JsonObject { ["terms"] = new JsonObject { ["field"] = "alert_id.keyword" } } }),
            };
            if (after is not null) composite["after"] = after.DeepClone();
            var body = new JsonObject
            {
                ["size"] = 0,
                ["aggs"] = new JsonObject
                {
                    ["ids"] = new JsonObject
                    {
                        ["composite"] = composite,
                        ["aggs"] = new JsonObject { ["latest"] = JsonNode.Parse("""{"top_hits":{"size":1,"sort":[{"@timestamp":{"order":"desc"}}],"_source":["n"]}}""") },
                    },
                },
            };
            var reply = await Post("/comp/_search", body.ToJsonString());
            Assert.Equal(200, reply.Code);
            var agg = reply.Json["aggregations"]!["ids"]!;
            var buckets = agg["buckets"]!.AsArray();
            if (buckets.Count == 0)
            {
                Assert.Null(agg["after_key"]);
                break;
            }
            foreach (var bucket in buckets)
            {
                seen.Add((string)bucket!["key"]!["id"]!);
                var top = bucket["latest"]!["hits"]!["hits"]![0]!;
                Assert.Null(top["_score"]);
                Assert.Single(top["sort"]!.AsArray());
            }
            Assert.Equal((string)buckets[^1]!["key"]!["id"]!, (string?)agg["after_key"]!["id"]);
            after = agg["after_key"];
        }
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"id-{i:D2}"), seen);
    }

    // ---- point in time + search_after ----

    [Fact]
    public async Task Pit_and_search_after_page_through_25000_alerts_without_loss_or_duplicates()
    {
        var start = new DateTimeOffset(2024, 9, 20, 0, 0, 0, TimeSpan.Zero);
        _es.SeedAlerts("siem-alerts", 20_000, start, TimeSpan.FromSeconds(1));
        // Five thousand alerts on one timestamp: only the _shard_doc tiebreaker keeps pages apart.
        _es.SeedAlerts("siem-alerts", 5_000, start.AddHours(3), TimeSpan.Zero);
        var open = await Send(HttpMethod.Post, "/siem-alerts/_pit?keep_alive=1m");
        Assert.Equal(200, open.Code);
        var pitId = (string)open.Json["id"]!;
        Assert.Equal(1, _es.OpenPitCount);
        _es.SeedAlerts("siem-alerts", 100, start.AddDays(1), TimeSpan.FromSeconds(1));

        var ids = new HashSet<string>();
        JsonNode? after = null;
        long? lastTimestamp = null;
        var pages = 0;
        while (true)
        {
            var body = new JsonObject
            {
                ["size"] = 3_000,
                ["query"] = JsonNode.Parse("""{"range":{"@timestamp":{"gte":"2024-09-20T00:00:00Z","lt":"2024-09-21T00:00:00Z"}}}"""),
                ["sort"] = JsonNode.Parse("""[{"@timestamp":{"order":"asc"}}]"""),
                ["pit"] = new JsonObject { ["id"] = pitId, ["keep_alive"] = "1m" },
                ["track_total_hits"] = false,
                ["_source"] = new JsonArray("alert_id"),
            };
            if (after is not null) body["search_after"] = after.DeepClone();
            var reply = await Post("/_search", body.ToJsonString());
            Assert.Equal(200, reply.Code);
            Assert.Null(reply.Json["hits"]!["total"]);
            pitId = (string)reply.Json["pit_id"]!;
            var hits = reply.Json["hits"]!["hits"]!.AsArray();
            if (hits.Count == 0) break;
            pages++;
            foreach (var hit in hits)
            {
                Assert.True(ids.Add((string)hit!["_id"]!));
                var sort = hit["sort"]!.AsArray();
                Assert.Equal(2, sort.Count);
                var ts = (long)sort[0]!;
                Assert.True(lastTimestamp is null || ts >= lastTimestamp);
                lastTimestamp = ts;
                Assert.Null(hit["_score"]);
            }
            after = hits[^1]!["sort"];
        }
        Assert.Equal(25_000, ids.Count);
        Assert.Equal(9, pages);

        var close = await Send(HttpMethod.Delete, "/_pit", new JsonObject { ["id"] = pitId }.ToJsonString());
        Assert.Equal(200, close.Code);
        Assert.True((bool)close.Json["succeeded"]!);
        Assert.Equal(1, (int)close.Json["num_freed"]!);
        Assert.Equal(0, _es.OpenPitCount);

        var again = await Send(HttpMethod.Delete, "/_pit", new JsonObject { ["id"] = pitId }.ToJsonString());
        Assert.Equal(404, again.Code);
        Assert.Equal(0, (int)again.Json["num_freed"]!);
        var gone = await Post("/_search", new JsonObject { ["pit"] = new JsonObject { ["id"] = pitId } }.ToJsonString());
        Assert.Equal(404, gone.Code);
        Assert.Equal("search_context_missing_exception", (string?)gone.Json["error"]!["root_cause"]![0]!["type"]);
        Assert.StartsWith("No search context found for id [", (string?)gone.Json["error"]!["root_cause"]![0]!["reason"]);
    }

    [Fact]
    public async Task Pit_requires_keep_alive_refuses_an_index_in_the_path_and_expires()
    {
        _es.Seed("pit-idx", new[] { """{"a":1}""", """{"a":2}""" });
        var noKeepAlive = await Send(HttpMethod.Post, "/pit-idx/_pit");
        Assert.Equal(400, noKeepAlive.Code);
        Assert.Equal("action_request_validation_exception", (string?)noKeepAlive.Json["error"]!["type"]);
        Assert.Equal("Validation Failed: 1: [keep_alive] is not specified;", (string?)noKeepAlive.Json["error"]!["reason"]);

        var open = await Send(HttpMethod.Post, "/pit-idx/_pit?keep_alive=5m");
        var id = (string)open.Json["id"]!;
        var withIndex = await Post("/pit-idx/_search", new JsonObject { ["pit"] = new JsonObject { ["id"] = id } }.ToJsonString());
        Assert.Equal(400, withIndex.Code);
        Assert.Contains("[indices] cannot be used with point in time. Do not specify any index with point in time.", (string?)withIndex.Json["error"]!["reason"]);

        var unsorted = await Post("/_search", new JsonObject { ["pit"] = new JsonObject { ["id"] = id } }.ToJsonString());
        Assert.Equal(2, unsorted.Json["hits"]!["hits"]!.AsArray().Count);
        Assert.Null(unsorted.Json["hits"]!["hits"]![0]!["sort"]);

        // ES may hand back a new pit_id on any search; with rotation on, only the latest one keeps working.
        _es.RotatePitIds = true;
        var rotated = await Post("/_search", new JsonObject { ["pit"] = new JsonObject { ["id"] = id } }.ToJsonString());
        var newer = (string)rotated.Json["pit_id"]!;
        Assert.NotEqual(id, newer);
        Assert.Equal(404, (await Post("/_search", new JsonObject { ["pit"] = new JsonObject { ["id"] = id } }.ToJsonString())).Code);
        id = newer;

        _es.ExpirePits();
        Assert.Equal(0, _es.OpenPitCount);
        var expired = await Post("/_search", new JsonObject { ["pit"] = new JsonObject { ["id"] = id, ["keep_alive"] = "1m" } }.ToJsonString());
        Assert.Equal(404, expired.Code);
        Assert.Equal("search_phase_execution_exception", (string?)expired.Json["error"]!["type"]);
    }

    // ---- search errors ----

    [Fact]
    public async Task From_plus_size_beyond_ten_thousand_is_the_result_window_error()
    {
        _es.Seed("win", new[] { """{"a":1}""" });
        var reply = await Post("/win/_search", """{"from":9995,"size":10}""");
        Assert.Equal(400, reply.Code);
        var error = reply.Json["error"]!;
        Assert.Equal("search_phase_execution_exception", (string?)error["type"]);
        Assert.Equal("all shards failed", (string?)error["reason"]);
        Assert.Equal("illegal_argument_exception", (string?)error["root_cause"]![0]!["type"]);
        Assert.Equal("Result window is too large, from + size must be less than or equal to: [10000] but was [10005]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.",
            (string?)error["root_cause"]![0]!["reason"]);
        Assert.Equal("win", (string?)error["failed_shards"]![0]!["index"]);
    }

    [Fact]
    public async Task Missing_index_is_404_but_wildcards_and_ignore_unavailable_are_not()
    {
        _es.Seed("alerts-2024", new[] { """{"a":1}""" });
        var missing = await Get("/nope/_search");
        Assert.Equal(404, missing.Code);
        var error = missing.Json["error"]!;
        Assert.Equal("index_not_found_exception", (string?)error["type"]);
        Assert.Equal("no such index [nope]", (string?)error["reason"]);
        Assert.Equal("index_or_alias", (string?)error["resource.type"]);
        Assert.Equal("nope", (string?)error["resource.id"]);
        Assert.Equal("_na_", (string?)error["index_uuid"]);
        Assert.Equal("nope", (string?)error["index"]);

        var wildcard = await Get("/nothing-*/_search");
        Assert.Equal(200, wildcard.Code);
        Assert.Equal(0, (int)wildcard.Json["hits"]!["total"]!["value"]!);
        Assert.Equal(0, (int)wildcard.Json["_shards"]!["total"]!);
        var ignored = await Get("/alerts-2024,nope/_search?ignore_unavailable=true");
        Assert.Equal(1, (int)ignored.Json["hits"]!["total"]!["value"]!);
        var both = await Get("/alerts-*,nope/_search");
        Assert.Equal(404, both.Code);
    }

    [Fact]
    public async Task Unknown_queries_malformed_json_and_bad_query_strings_are_ES_errors()
    {
        _es.Seed("q", new[] { """{"a":"x"}""" });
        var unknown = await Post("/q/_search", """{"query":{"foo":{}}}""");
        Assert.Equal(400, unknown.Code);
        Assert.Equal("parsing_exception", (string?)unknown.Json["error"]!["type"]);
        Assert.Equal("unknown query [foo]", (string?)unknown.Json["error"]!["reason"]);
        Assert.Equal(1, (int)unknown.Json["error"]!["line"]!);
        Assert.Equal(17, (int)unknown.Json["error"]!["col"]!);
        Assert.Equal("named_object_not_found_exception", (string?)unknown.Json["error"]!["caused_by"]!["type"]);

        var malformed = await Post("/q/_search", """{"query":{"match_all":{}}""");
        Assert.Equal(400, malformed.Code);
        Assert.Equal("x_content_parse_exception", (string?)malformed.Json["error"]!["type"]);

        var unknownKey = await Post("/q/_search", """{"sizes":5}""");
        Assert.Equal("Unknown key for a VALUE_NUMBER in [sizes].", (string?)unknownKey.Json["error"]!["reason"]);

        var badSyntax = await Post("/q/_search", """{"query":{"query_string":{"query":"a:(b"}}}""");
        Assert.Equal(400, badSyntax.Code);
        Assert.Equal("search_phase_execution_exception", (string?)badSyntax.Json["error"]!["type"]);
        var shard = badSyntax.Json["error"]!["failed_shards"]![0]!["reason"]!;
        Assert.Equal("query_shard_exception", (string?)shard["type"]);
        Assert.Equal("parse_exception", (string?)shard["caused_by"]!["type"]);
        Assert.StartsWith("Cannot parse 'a:(b':", (string?)shard["caused_by"]!["reason"]);

        var plain = await Send(HttpMethod.Post, "/q/_search", "{}", contentType: "text/plain");
        Assert.Equal(406, plain.Code);
        var wrongMethod = await Send(HttpMethod.Put, "/_search", "{}");
        Assert.Equal(405, wrongMethod.Code);
        var unknownParam = await Get("/q/_search?sise=3");
        Assert.Equal("request [/q/_search] contains unrecognized parameter: [sise]", (string?)unknownParam.Json["error"]!["reason"]);
    }

    // ---- query DSL, sort, source, totals ----

    [Fact]
    public async Task Query_dsl_matches_like_ES()
    {
        _es.Clock = new FixedClock(new DateTimeOffset(2024, 9, 20, 14, 0, 0, TimeSpan.Zero));
        _es.Seed("alerts", StoryAlerts);
        async Task<string[]> Ids(string query)
        {
            var reply = await Post("/alerts/_search", "{\"size\":100,\"query\":" + query + "}");
            Assert.True(reply.Code == 200, reply.Text);
            return reply.Json["hits"]!["hits"]!.AsArray().Select(h => (string)h!["_source"]!["alert_id"]!).Order().ToArray();
        }

        Assert.Equal(new[] { "1", "5" }, await Ids("""{"term":{"severity.keyword":"high"}}"""));
        Assert.Empty(await Ids("""{"term":{"message":"Login"}}"""));
        Assert.Equal(new[] { "1", "3" }, await Ids("""{"term":{"message":"login"}}"""));
        Assert.Equal(new[] { "1", "3", "5" }, await Ids("""{"match":{"message":"LOGIN injection"}}"""));
        Assert.Equal(new[] { "3" }, await Ids("""{"match":{"message":{"query":"failed login","operator":"and"}}}"""));
        Assert.Equal(new[] { "3" }, await Ids("""{"match_phrase":{"message":"failed login attempts"}}"""));
        Assert.Equal(new[] { "3", "4", "5" }, await Ids("""{"range":{"timestamp":{"gte":"now-90m"}}}"""));
        Assert.Equal(new[] { "1", "2", "3", "4", "5" }, await Ids("""{"range":{"timestamp":{"lte":"2024-09-20"}}}"""));
        Assert.Equal(new[] { "2", "4" }, await Ids("""{"terms":{"alert_type.keyword":["performance"]}}"""));
        Assert.Equal(new[] { "1", "5" }, await Ids(
            """{"bool":{"filter":[{"term":{"alert_type.keyword":"security"}}],"must_not":[{"term":{"severity.keyword":"critical"}}]}}"""));
        Assert.Equal(new[] { "2", "3" }, await Ids(
            """{"bool":{"should":[{"match":{"message":"cpu"}},{"match":{"severity":"critical"}},{"match":{"status":"resolved"}}],"minimum_should_match":1,"must_not":{"ids":{"values":[]}} ,"filter":{"exists":{"field":"message"}},"must":{"prefix":{"status.keyword":"act"}}}}"""));
        Assert.Equal(new[] { "2", "4" }, await Ids("""{"wildcard":{"alert_type.keyword":"perf*"}}"""));
        Assert.Equal(new[] { "1", "5" }, await Ids("""{"query_string":{"query":"alert_type:security AND NOT severity:critical"}}"""));
        Assert.Equal(new[] { "1", "3" }, await Ids("""{"query_string":{"query":"\"login attempt*\" OR message:\"failed login\""}}"""));
        Assert.Equal(new[] { "2", "4" }, await Ids("""{"query_string":{"query":"perf*"}}"""));
    }

    [Fact]
    public async Task Sort_source_filtering_fields_and_totals_follow_ES()
    {
        _es.Seed("alerts", StoryAlerts.Append("""{"alert_id":"6","message":"no timestamp here"}"""));
        var sorted = await Post("/alerts/_search", """{"sort":[{"timestamp":"desc"}],"_source":{"includes":["alert_*"],"excludes":["alert_type"]},"fields":["timestamp"]}""");
        var hits = sorted.Json["hits"]!["hits"]!.AsArray();
        Assert.Equal(new[] { "5", "4", "3", "2", "1", "6" }, hits.Select(h => (string)h!["_source"]!["alert_id"]!));
        Assert.Equal(long.MinValue, (long)hits[5]!["sort"]![0]!);
        Assert.Null(hits[0]!["_score"]);
        Assert.Null(sorted.Json["hits"]!["max_score"]);
        Assert.Single(hits[0]!["_source"]!.AsObject());
        Assert.Equal("2024-09-20T13:30:00.000Z", (string?)hits[0]!["fields"]!["timestamp"]![0]);

        var keyword = await Post("/alerts/_search", """{"size":2,"from":1,"sort":["severity.keyword",{"alert_id.keyword":{"order":"desc"}}],"_source":false}""");
        var kh = keyword.Json["hits"]!["hits"]!.AsArray();
        Assert.Equal(new[] { "high", "5" }, kh[0]!["sort"]!.AsArray().Select(v => (string)v!));
        Assert.Null(kh[0]!["_source"]);

        var exact = await Get("/alerts/_search?rest_total_hits_as_int=true&size=0");
        Assert.Equal(6, (int)exact.Json["hits"]!["total"]!);
        var capped = await Post("/alerts/_search", """{"track_total_hits":3,"size":0}""");
        Assert.Equal(3, (int)capped.Json["hits"]!["total"]!["value"]!);
        Assert.Equal("gte", (string?)capped.Json["hits"]!["total"]!["relation"]);
        var count = await Post("/alerts/_count", """{"query":{"match":{"message":"detected"}}}""");
        Assert.Equal(3, (int)count.Json["count"]!);

        var unmapped = await Post("/alerts/_search", """{"sort":["nope"]}""");
        Assert.Equal(400, unmapped.Code);
        Assert.Equal("No mapping found for [nope] in order to sort on", (string?)unmapped.Json["error"]!["root_cause"]![0]!["reason"]);
    }

    [Fact]
    public async Task Metric_histogram_filter_and_missing_aggregations_with_typed_keys_and_filter_path()
    {
        _es.SeedAlerts("metrics", 50, new DateTimeOffset(2024, 9, 20, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(37));
        var reply = await Post("/metrics/_search?typed_keys=true&filter_path=aggregations",
            """{"size":0,"aggs":{"sev":{"terms":{"field":"severity.keyword","size":1},"aggs":{"last":{"max":{"field":"@timestamp"}}}},"per_day":{"date_histogram":{"field":"@timestamp","calendar_interval":"day"}},"open":{"filter":{"term":{"status.keyword":"open"}},"aggs":{"hosts":{"cardinality":{"field":"host.name.keyword"}}}},"none":{"missing":{"field":"nope"}},"ids":{"value_count":{"field":"alert_id.keyword"}}}}""");
        Assert.Equal(200, reply.Code);
        var aggs = reply.Json["aggregations"]!.AsObject();
        Assert.Single(reply.Json.AsObject());
        var sev = aggs["sterms#sev"]!;
        Assert.Equal("high", (string?)sev["buckets"]![0]!["key"]);
        Assert.Equal(30, (int)sev["sum_other_doc_count"]!);
        Assert.Equal("2024-09-21T06:13:00.000Z", (string?)sev["buckets"]![0]!["max#last"]!["value_as_string"]);
        var days = aggs["date_histogram#per_day"]!["buckets"]!.AsArray();
        Assert.Equal(new[] { 39, 11 }, days.Select(d => (int)d!["doc_count"]!));
        Assert.Equal("2024-09-20T00:00:00.000Z", (string?)days[0]!["key_as_string"]);
        Assert.Equal(50, (int)aggs["filter#open"]!["cardinality#hosts"]!["value"]!);
        Assert.Equal(50, (int)aggs["missing#none"]!["doc_count"]!);
        Assert.Equal(50, (int)aggs["value_count#ids"]!["value"]!);
    }

    [Fact]
    public async Task Single_document_apis_create_update_and_delete_like_ES()
    {
        Assert.Equal(201, (await Send(HttpMethod.Put, "/docs/_create/1", """{"a":1}""")).Code);
        var conflict = await Send(HttpMethod.Put, "/docs/_create/1", """{"a":1}""");
        Assert.Equal(409, conflict.Code);
        Assert.Equal("version_conflict_engine_exception", (string?)conflict.Json["error"]!["root_cause"]![0]!["type"]);
        var updated = await Post("/docs/_update/1", """{"doc":{"b":2}}""");
        Assert.Equal("updated", (string?)updated.Json["result"]);
        Assert.Equal("noop", (string?)(await Post("/docs/_update/1", """{"doc":{"b":2}}""")).Json["result"]);
        Assert.Equal(404, (await Post("/docs/_update/2", """{"doc":{"b":2}}""")).Code);
        var auto = await Post("/docs/_doc?refresh=true", """{"c":3}""");
        Assert.Equal(201, auto.Code);
        Assert.True((bool)auto.Json["forced_refresh"]!);
        Assert.Equal(2, (int)(await Get("/docs/_count")).Json["count"]!);
        Assert.Equal("deleted", (string?)(await Send(HttpMethod.Delete, "/docs/_doc/1")).Json["result"]);
        Assert.Equal(404, (await Send(HttpMethod.Delete, "/docs/_doc/1")).Code);
        Assert.Equal(1, _es.Count("docs"));
    }

    // ---- the shared fixtures ----

    private static JsonNode Fixture(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(FixtureDirectory!, name)))!;

    /// <summary>Every key of the fixture is present in the Lab's body with the same JSON kind, recursively.</summary>
    private static void AssertSameShape(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        if (expected is null)
        {
            Assert.True(actual is null, $"{path}: expected null, got {actual?.ToJsonString()}");
            return;
        }
        Assert.True(actual is not null, $"{path}: missing (expected {expected.GetValueKind()})");
        Assert.True(expected.GetValueKind() == actual!.GetValueKind() ||
                    (expected.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False &&
                     actual.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False),
            $"{path}: expected {expected.GetValueKind()}, got {actual.GetValueKind()}");
        switch (expected)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj) AssertSameShape(value, actual.AsObject()[key], path + "." + key);
                break;
            case JsonArray array when array.Count > 0:
                Assert.True(actual.AsArray().Count > 0, $"{path}: empty array");
                for (var i = 0; i < Math.Min(array.Count, actual.AsArray().Count); i++) AssertSameShape(array[i], actual.AsArray()[i], $"{path}[{i}]");
                break;
        }
    }

    [SharedFixtureFact]
    public async Task Responses_have_the_shapes_of_the_real_Elasticsearch_fixtures()
    {
        // error-400-illegal-argument: byte for byte, it has nothing random in it.
        var badSize = await Post("/my-index-000001/_search?size=surprise_me", "{}");
        Assert.Equal(400, badSize.Code);
        Assert.True(JsonNode.DeepEquals(Fixture("error-400-illegal-argument.response.json"), badSize.Json), badSize.Text);

        // pit-open
        _es.Seed("my-index-000001", new[] { """{"a":1}""" });
        var pit = await Send(HttpMethod.Post, "/my-index-000001/_pit?keep_alive=1m&allow_partial_search_results=true");
        AssertSameShape(Fixture("pit-open.response.json"), pit.Json);
        await Send(HttpMethod.Delete, "/_pit", new JsonObject { ["id"] = pit.Json["id"]!.DeepClone() }.ToJsonString());

        // bulk-partial-failure: two updates of missing documents and a create.
        var bulk = await Bulk("/_bulk", Ndjson(
            """{"update":{"_id":"5","_index":"index1"}}""", """{"doc":{"my_field":"foo"}}""",
            """{"update":{"_id":"6","_index":"index1"}}""", """{"doc":{"my_field":"foo"}}""",
            """{"create":{"_id":"7","_index":"index1"}}""", """{"my_field":"foo"}"""));
        var bulkFixture = Fixture("bulk-partial-failure.response.json");
        AssertSameShape(bulkFixture, bulk.Json);
        Assert.Equal("[5]: document missing", (string?)bulk.Json["items"]![0]!["update"]!["error"]!["reason"]);
        Assert.Equal(bulkFixture["items"]![2]!.AsObject()["create"]!.AsObject().Select(p => p.Key).Order(),
            bulk.Json["items"]![2]!["create"]!.AsObject().Select(p => p.Key).Order());

        // search-terms-agg: size 0 and a terms aggregation named counts.
        var ips = new[] { "10.0.4.174", "10.0.4.174", "10.0.4.241", "10.0.4.241", "10.0.4.76", "10.0.4.123", "10.0.4.156", "10.0.4.231", "10.0.4.248" };
        _es.Seed("logs", ips.Select(ip => $$"""{"source_ip":"{{ip}}"}"""));
        var terms = await Post("/logs/_search", """{"size":0,"aggs":{"counts":{"terms":{"field":"source_ip.keyword"}}}}""");
        AssertSameShape(Fixture("search-terms-agg.response.json"), terms.Json);
        Assert.Equal(new[] { "10.0.4.174", "10.0.4.241" }, terms.Json["aggregations"]!["counts"]!["buckets"]!.AsArray().Take(2).Select(b => (string)b!["key"]!));

        // search-terms-top-hits: the documentation's sales example, values included.
        _es.Index("sales", "AVnNBmauCQpcRyxw6ChK", """{"type":"hat","date":"2015/03/01 00:00:00","price":200}""");
        _es.Index("sales", "hat-2", """{"type":"hat","date":"2015/02/01 00:00:00","price":100}""");
        _es.Index("sales", "hat-3", """{"type":"hat","date":"2015/01/01 00:00:00","price":50}""");
        _es.Index("sales", "AVnNBmauCQpcRyxw6ChL", """{"type":"t-shirt","date":"2015/03/01 00:00:00","price":175}""");
        _es.Index("sales", "shirt-2", """{"type":"t-shirt","date":"2015/02/01 00:00:00","price":10}""");
        _es.Index("sales", "shirt-3", """{"type":"t-shirt","date":"2015/01/01 00:00:00","price":20}""");
        _es.Index("sales", "AVnNBmatCQpcRyxw6ChH", """{"type":"bag","date":"2015/01/01 00:00:00","price":150}""");
        var topHits = await Post("/sales/_search?size=0&filter_path=aggregations",
            """{"aggs":{"top_tags":{"terms":{"field":"type.keyword","size":3},"aggs":{"top_sales_hits":{"top_hits":{"sort":[{"date":{"order":"desc"}}],"_source":{"includes":["date","price"]},"size":1}}}}}}""");
        var topFixture = Fixture("search-terms-top-hits.response.json");
        AssertSameShape(topFixture, topHits.Json);
        Assert.True(JsonNode.DeepEquals(topFixture, topHits.Json), topHits.Text);

        // search-alerts-fields: the fields option over the Security alerts index, total as a bare number.
        const string alertsIndex = ".internal.alerts-security.alerts-default-000001";
        _es.Index(alertsIndex, "38dd308706a127696cc63b8f142e8e4d66f8f79bc7d491dd79a42ea4ead62dd1",
            """{"kibana.alert.severity":"low","process.name":"iexlorer.exe","@timestamp":"2022-03-22T16:48:07.518Z","kibana.alert.risk_score":21,"kibana.alert.rule.name":"test","user.name":"5qcxz8o4j7","kibana.alert.reason":"registry event with process iexlorer.exe, by 5qcxz8o4j7 on Host-4dbzugdlqd created low alert test.","host.name":"Host-4dbzugdlqd"}""");
        _es.Index(alertsIndex, "8361363c0db6f30ca2dfb4aeb4835e7d6ec57bc195b96d9ee5a4ead1bb9f8b86",
            """{"kibana.alert.severity":"low","process.name":"iexlorer.exe","@timestamp":"2022-03-22T16:17:50.769Z","kibana.alert.risk_score":21,"kibana.alert.rule.name":"test","user.name":"hdgsmwj08h","kibana.alert.reason":"network event with process iexlorer.exe, by hdgsmwj08h on Host-4dbzugdlqd created low alert test.","host.name":"Host-4dbzugdlqd"}""");
        var fields = await Post($"/{alertsIndex}/_search?rest_total_hits_as_int=true",
            """{"_source":false,"fields":["kibana.alert.severity","process.name","@timestamp","kibana.alert.risk_score","kibana.alert.rule.name","user.name","kibana.alert.reason","host.name"]}""");
        var fieldsFixture = Fixture("search-alerts-fields.response.json");
        fieldsFixture["_shards"]!["total"] = 1;
        fieldsFixture["_shards"]!["successful"] = 1;
        AssertSameShape(fieldsFixture, fields.Json);
        Assert.True(JsonNode.DeepEquals(fieldsFixture["hits"]!["hits"]![0]!["fields"], fields.Json["hits"]!["hits"]![0]!["fields"]), fields.Text);
    }

    private sealed class FixedClock : TimeProvider
    {
        private readonly DateTimeOffset _now;
        public FixedClock(DateTimeOffset now) => _now = now;
        public override DateTimeOffset GetUtcNow() => _now;
    }
}
