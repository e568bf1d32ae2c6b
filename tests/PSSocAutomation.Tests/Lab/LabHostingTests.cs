using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

/// <summary>
/// What Hosting does the same for every service: the journal, injected faults, credentials before or after routing,
/// and the line between a route the vendor lacks (its own answer) and one the Lab lacks ("not emulated").
/// </summary>
public sealed class LabHostingTests : IClassFixture<LabFixture>, IDisposable
{
    private const string CallHeader = "X-Lab-Test-Call";
    private readonly LabServer _lab;
    private readonly List<HttpClient> _clients = new();
    private int _calls;

    public LabHostingTests(LabFixture fixture)
    {
        _lab = fixture.Lab;
        _lab.Elastic.Reset();
        _lab.Iris.Reset();
        _lab.Iris.Version = "v2.4.20";
        fixture.Reset();
    }

    public void Dispose()
    {
        foreach (var client in _clients) client.Dispose();
    }

    private sealed record Reply(HttpStatusCode Status, string Text, HttpResponseMessage Response, string Call)
    {
        public JsonNode Json => JsonNode.Parse(Text)!;
        public int Code => (int)Status;
        public string? ContentType => Response.Content.Headers.ContentType?.MediaType;
    }

    private HttpClient Client(ILabService service)
    {
        var thumbprint = _lab.Certificate.GetCertHashString();
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == thumbprint },
        };
        var client = new HttpClient(handler) { BaseAddress = _lab.UriOf(service.Name), Timeout = TimeSpan.FromSeconds(30) };
        _clients.Add(client);
        return client;
    }

    private string ElasticBasic =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(_lab.Credentials.ElasticUser + ":" + _lab.Credentials.ElasticPassword));

    private string IrisBearer => "Bearer " + _lab.Iris.AdministratorApiKey;

    /// <summary>One call, tagged so its journal entry can be found without relying on order.</summary>
    private async Task<Reply> Send(ILabService service, HttpMethod method, string path, string? authorization, string? json = null,
        HttpClient? client = null, Action<HttpRequestMessage>? tweak = null, string? call = null)
    {
        call ??= NextCall();
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Add(CallHeader, call);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        }
        tweak?.Invoke(request);
        var response = await (client ?? Client(service)).SendAsync(request);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), response, call);
    }

    private string NextCall() => Interlocked.Increment(ref _calls).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private JournalEntry EntryOf(string call) =>
        Assert.Single(_lab.Journal.Entries, e => e.Headers.TryGetValue(CallHeader, out var tag) && tag == call);

    // ---- faults and credentials, in each vendor's shape ----

    [Fact]
    public async Task Injected_status_faults_speak_each_vendors_error_shape()
    {
        _lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "/_search", Status = 503 });
        _lab.Faults.Add(new FaultRule { Service = "iris", PathContains = "/api/ping", Status = 503 });

        var es = await Send(_lab.Elastic, HttpMethod.Post, "/any/_search", ElasticBasic, "{}",
            tweak: r => r.Headers.Add("X-Opaque-Id", "trace-7"));
        Assert.Equal(503, es.Code);
        Assert.Equal("application/json", es.ContentType);
        Assert.Equal("es_rejected_execution_exception", (string?)es.Json["error"]!["type"]);
        Assert.Equal("es_rejected_execution_exception", (string?)es.Json["error"]!["root_cause"]![0]!["type"]);
        Assert.Equal(503, (int)es.Json["status"]!);
        Assert.Equal("trace-7", es.Response.Headers.GetValues("X-Opaque-Id").Single());

        var iris = await Send(_lab.Iris, HttpMethod.Get, "/api/ping", IrisBearer);
        Assert.Equal(503, iris.Code);
        Assert.Equal("""{"status":"error","message":"Injected fault 503","data":[]}""", iris.Text);
    }

    [Fact]
    public async Task Refused_credentials_speak_each_vendors_auth_scheme()
    {
        var es = await Send(_lab.Elastic, HttpMethod.Get, "/", "Bearer wrong");
        Assert.Equal(401, es.Code);
        Assert.Equal("security_exception", (string?)es.Json["error"]!["type"]);
        Assert.Equal(401, (int)es.Json["status"]!);
        Assert.Equal(new[] { "Basic realm=\"security\" charset=\"UTF-8\"", "Bearer realm=\"security\"", "ApiKey" },
            es.Response.Headers.WwwAuthenticate.Select(h => h.ToString()));
        Assert.Equal("Elasticsearch", es.Response.Headers.GetValues("X-Elastic-Product").Single());
        var apiKey = "ApiKey " + _lab.Credentials.ElasticApiKeyEncoded;
        Assert.Equal(200, (await Send(_lab.Elastic, HttpMethod.Get, "/", apiKey)).Code);
        Assert.Equal(200, (await Send(_lab.Elastic, HttpMethod.Get, "/", ElasticBasic)).Code);

        var iris = await Send(_lab.Iris, HttpMethod.Get, "/api/ping", "Bearer wrong");
        Assert.Equal(401, iris.Code);
        Assert.Equal("""{"status":"error","message":"Authentication required","data":[]}""", iris.Text);
        Assert.Equal(200, (await Send(_lab.Iris, HttpMethod.Get, "/api/ping", IrisBearer)).Code);
    }

    [Fact]
    public async Task Elasticsearch_checks_credentials_before_routing_and_IRIS_after()
    {
        var esUnknown = await Send(_lab.Elastic, HttpMethod.Get, "/_cat/indices", null);
        Assert.Equal(401, esUnknown.Code);
        Assert.Equal("security_exception", (string?)esUnknown.Json["error"]!["type"]);
        Assert.Null(EntryOf(esUnknown.Call).Principal);

        var irisUnknown = await Send(_lab.Iris, HttpMethod.Get, "/nowhere", null);
        Assert.Equal(HttpStatusCode.BadRequest, irisUnknown.Status);
        // Flask's <int:> converter refuses a sign before any decorator runs.
        Assert.Equal(HttpStatusCode.NotFound, (await Send(_lab.Iris, HttpMethod.Get, "/alerts/-1", null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(_lab.Iris, HttpMethod.Get, "/alerts/1", null)).Status);

        var ok = await Send(_lab.Iris, HttpMethod.Get, "/api/ping", null, tweak: r => r.Headers.Add("X-IRIS-AUTH", _lab.Iris.AdministratorApiKey));
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        var entry = EntryOf(ok.Call);
        Assert.Equal("X-IRIS-AUTH", entry.AuthScheme);
        Assert.Equal("(redacted)", entry.Headers["X-IRIS-AUTH"]);
        Assert.Equal("administrator", entry.Principal);
    }

    // ---- what the Lab does not emulate ----

    [Fact]
    public async Task Elasticsearch_routes_the_Lab_lacks_are_400_not_emulated_in_ES_error_shape()
    {
        var cat = await Send(_lab.Elastic, HttpMethod.Get, "/_cat/indices?v", ElasticBasic);
        Assert.Equal(400, cat.Code);
        Assert.Equal("application/json", cat.ContentType);
        Assert.Equal("illegal_argument_exception", (string?)cat.Json["error"]!["type"]);
        Assert.Equal("GET /_cat/indices is not emulated by the PSSocAutomation Lab", (string?)cat.Json["error"]!["reason"]);
        Assert.Equal("illegal_argument_exception", (string?)cat.Json["error"]!["root_cause"]![0]!["type"]);
        Assert.Equal(400, (int)cat.Json["status"]!);
        Assert.Equal("Elasticsearch", cat.Response.Headers.GetValues("X-Elastic-Product").Single());
        Assert.Equal(400, EntryOf(cat.Call).Status);

        var deep = await Send(_lab.Elastic, HttpMethod.Post, "/alerts/_doc/1/extra/segments", ElasticBasic, "{}");
        Assert.Equal("POST /alerts/_doc/1/extra/segments is not emulated by the PSSocAutomation Lab", (string?)deep.Json["error"]!["reason"]);

        // What ES itself answers stays ES's: a missing index is its 404, a known path with another method its 405.
        var missing = await Send(_lab.Elastic, HttpMethod.Post, "/no-such-index/_search", ElasticBasic, "{}");
        Assert.Equal(404, missing.Code);
        Assert.Equal("index_not_found_exception", (string?)missing.Json["error"]!["type"]);
        var wrongMethod = await Send(_lab.Elastic, HttpMethod.Get, "/_pit", ElasticBasic);
        Assert.Equal(405, wrongMethod.Code);
        Assert.Equal("DELETE", wrongMethod.Response.Content.Headers.Allow.Single());
    }

    [Fact]
    public async Task IRIS_routes_the_Lab_lacks_are_400_not_emulated_in_the_IRIS_envelope()
    {
        var graphql = await Send(_lab.Iris, HttpMethod.Post, "/graphql", IrisBearer, "{}");
        Assert.Equal(400, graphql.Code);
        Assert.Equal("application/json", graphql.ContentType);
        Assert.Equal("""{"status":"error","message":"POST /graphql is not emulated by the PSSocAutomation Lab","data":[]}""", graphql.Text);
        Assert.Equal(400, EntryOf(graphql.Call).Status);

        // A known path with another method stays Flask's 405.
        Assert.Equal(405, (await Send(_lab.Iris, HttpMethod.Post, "/alerts/filter", IrisBearer, "{}")).Code);
    }

    // ---- the journal ----

    [Fact]
    public async Task The_journal_holds_each_request_by_the_time_its_response_arrives()
    {
        var es = Client(_lab.Elastic);
        var iris = Client(_lab.Iris);
        for (var i = 0; i < 100; i++)
        {
            // No wait, no retry: the entry must already be there when the awaited call returns.
            var search = await Send(_lab.Elastic, HttpMethod.Post, "/nothing-here/_search", ElasticBasic, "{\"size\":" + i + "}", client: es);
            var entry = EntryOf(search.Call);
            Assert.Equal(("elastic", "POST", "/nothing-here/_search", 404), (entry.Service, entry.Method, entry.Path, entry.Status));
            Assert.Equal("{\"size\":" + i + "}", entry.Body);

            var ping = await Send(_lab.Iris, HttpMethod.Get, "/api/ping", IrisBearer, client: iris);
            Assert.Equal(200, EntryOf(ping.Call).Status);
        }

        // Also for answers Hosting writes itself: an injected fault, and a connection dropped with no answer (on a fresh
        // connection, which HttpClient does not retry).
        _lab.Faults.Add(new FaultRule { Service = "iris", PathContains = "/api/ping", Status = 429, RetryAfterSeconds = 1 });
        var limited = await Send(_lab.Iris, HttpMethod.Get, "/api/ping", IrisBearer, client: iris);
        Assert.Equal(429, EntryOf(limited.Call).Status);
        _lab.Faults.Add(new FaultRule { Service = "elastic", Kind = FaultKind.Reset });
        var call = NextCall();
        await Assert.ThrowsAsync<HttpRequestException>(() => Send(_lab.Elastic, HttpMethod.Get, "/", ElasticBasic, client: Client(_lab.Elastic), call: call));
        Assert.Equal("GET", EntryOf(call).Method);
    }
}
