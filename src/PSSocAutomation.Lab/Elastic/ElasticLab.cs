using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// Elasticsearch 8.x on loopback: security (Basic, ApiKey, Bearer), _bulk, documents, indices and mappings, _search
/// with the query DSL, sorting, source filtering, aggregations, point in time and search_after, with ES's status
/// codes, bodies and error shapes. Tests seed it directly through <see cref="Index"/>, <see cref="Seed"/> and
/// <see cref="SeedAlerts"/>.
/// </summary>
public sealed class ElasticLab : ILabService
{
    public const string Version = "8.15.0";
    internal const string ClusterName = "pssoc-lab";
    internal const string NodeName = "lab-es-01";
    internal const string PrincipalItem = "elastic.principal";
    internal static readonly string NodeId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_')[..22];

    private readonly LabServer _lab;
    private readonly ElasticSearchEndpoints _search;
    private readonly ElasticIndexEndpoints _indices;
    private readonly ElasticDocumentEndpoints _documents;
    private readonly ElasticAuthentication _authentication;

    public ElasticLab(LabServer lab)
    {
        _lab = lab;
        _authentication = new ElasticAuthentication(lab.Credentials);
        Store = new ElasticStore(() => Now);
        _search = new ElasticSearchEndpoints(this);
        _indices = new ElasticIndexEndpoints(this);
        _documents = new ElasticDocumentEndpoints(this);
    }

    public string Name => "elastic";
    public bool UseHttps => false;

    /// <summary>ES's security layer runs before its REST controller looks for a handler: no credentials, no 400 or 405.</summary>
    public bool AuthenticatesBeforeRouting => true;

    /// <summary>Every ES credential travels in Authorization (Basic, ApiKey, Bearer).</summary>
    public IReadOnlyList<string> CredentialHeaders => [];

    /// <summary>Elasticsearch 7.14+ names itself on every response, errors and rejections included, and echoes X-Opaque-Id.</summary>
    public IEnumerable<KeyValuePair<string, string>> EveryResponseHeaders(HttpRequest request)
    {
        yield return new("X-Elastic-Product", "Elasticsearch");
        if (request.Headers.TryGetValue("X-Opaque-Id", out var opaque)) yield return new("X-Opaque-Id", opaque.ToString());
    }

    /// <summary>What "now" is for date math (now-15m) and keep-alives; tests can freeze or move it.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Return a new pit_id on every PIT search and retire the old one (ES may change it; clients must use the latest).</summary>
    public bool RotatePitIds { get; set; }

    /// <summary>Points in time opened and neither closed nor expired.</summary>
    public int OpenPitCount => Pits.CountOpen(Now);

    /// <summary>Existing indices, sorted by name.</summary>
    public IReadOnlyList<string> IndexNames => Store.Indices.Select(i => i.Name).ToList();

    internal ElasticStore Store { get; }
    internal PointInTimeRegistry Pits { get; } = new();
    internal string ClusterUuid { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_')[..22];
    internal DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Indexes (or replaces) one document, creating the index with dynamic mapping if needed.</summary>
    /// <exception cref="InvalidOperationException">The document is refused the way ES would refuse it (the message is ES's reason).</exception>
    public void Index(string index, string id, string json)
    {
        var result = Store.GetOrCreate(index).Write(id, Encoding.UTF8.GetBytes(json), createOnly: false);
        if (result.Failed) throw new InvalidOperationException(result.Error!.Reason);
    }

    /// <summary>Indexes documents with generated ids.</summary>
    public void Seed(string index, IEnumerable<string> jsonDocuments)
    {
        var results = Store.GetOrCreate(index).WriteMany(jsonDocuments.Select(j => ((string?)null, Encoding.UTF8.GetBytes(j))), createOnly: false);
        if (results.FirstOrDefault(r => r.Failed) is { } failed) throw new InvalidOperationException(failed.Error!.Reason);
    }

    /// <summary>
    /// <paramref name="count"/> synthetic alerts (about 300 bytes each: @timestamp start + i*step, alert_id "A-0000001",
    /// rule.name, severity, risk_score, host.name, source.ip, user.name, message, event.kind "alert", status "open").
    /// </summary>
    public void SeedAlerts(string index, int count, DateTimeOffset start, TimeSpan step)
    {
        var target = Store.GetOrCreate(index);
        const int batch = 65_536;
        for (var offset = 0; offset < count; offset += batch)
        {
            var n = Math.Min(batch, count - offset);
            var results = target.WriteMany(ElasticSeedData.Alerts(n, start + step * offset, step), createOnly: false);
            if (results.FirstOrDefault(r => r.Failed) is { } failed) throw new InvalidOperationException(failed.Error!.Reason);
        }
    }

    /// <summary>Creates an index, optionally with the body PUT /index takes (settings, mappings).</summary>
    public void CreateIndex(string index, string? bodyJson = null)
    {
        using var body = bodyJson is null ? null : JsonDocument.Parse(bodyJson);
        Store.Create(index, body?.RootElement);
    }

    public bool DeleteIndex(string index) => Store.Delete(index);

    /// <summary>Points <paramref name="alias"/> at <paramref name="index"/>, which must exist (create it first).</summary>
    /// <exception cref="InvalidOperationException">The index does not exist, or an index already has the alias's name.</exception>
    public void AddAlias(string alias, string index)
    {
        try
        {
            Store.AddAlias(alias, index);
        }
        catch (ElasticException e)
        {
            throw new InvalidOperationException(e.Error.Reason);
        }
    }

    /// <summary>
    /// A _search run on Kibana's behalf (signals/search forwards its body as the current user): same parser and
    /// executor as the HTTP route, ignore_unavailable so a space with no alerts index finds nothing instead of failing.
    /// Returns ES's raw response body; a refused request throws the <see cref="ElasticException"/> ES would answer.
    /// </summary>
    internal async Task<string> SearchForKibanaAsync(string index, byte[] body)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var parsed = ElasticRequestBody.Parse(body);
        var request = SearchRequest.Parse(parsed, QueryCollection.Empty);
        request.IgnoreUnavailable = true;
        var targets = Store.Resolve(index, ignoreUnavailable: true).Select(i => i.Snapshot).ToArray();
        using var result = SearchExecutor.Execute(request, targets, null, Store, Now);
        var took = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            await SearchResponseWriter.WriteAsync(new JsonSink(writer, null), request, result, took, null).ConfigureAwait(false);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Live documents in an index (0 when it does not exist).</summary>
    public long Count(string index) => Store.Find(index)?.LiveCount ?? 0;

    /// <summary>A stored document's _source as it was sent, or null.</summary>
    public string? GetSource(string index, string id) => Store.Find(index)?.Get(id) is { } doc ? Encoding.UTF8.GetString(doc.Source) : null;

    /// <summary>The index's mapping as GET /index/_mapping shows it under "mappings".</summary>
    public string GetMapping(string index)
    {
        var target = Store.Find(index) ?? throw new InvalidOperationException($"no such index [{index}]");
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) target.Mapping.Write(writer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The live documents a query matches in an index expression (ignore_unavailable), with the index holding each:
    /// the scan half of the _update_by_query Kibana's signals/status runs, without the 10,000-hit window of a search.
    /// </summary>
    internal List<(ElasticIndex Index, StoredDocument Doc)> MatchForKibana(string index, byte[] queryJson)
    {
        using var body = ElasticRequestBody.Parse(queryJson);
        var query = body.Root is { } root ? new ElasticQueryParser(body).Parse(root, JsonPath.Root.Property("query")) : ElasticQuery.MatchAll;
        var now = Now;
        var matches = new List<(ElasticIndex, StoredDocument)>();
        foreach (var target in Store.Resolve(index, ignoreUnavailable: true))
        {
            var snapshot = target.Snapshot;
            DocMatcher matcher;
            try
            {
                matcher = query.Bind(new QueryContext(snapshot, now));
            }
            catch (ElasticShardException e)
            {
                throw ElasticException.SearchPhase(e.Status, new[] { new ElasticException.ShardFailure(target.Name, 0, e.Reason) });
            }
            for (var i = 0; i < snapshot.Count; i++)
            {
                if (snapshot.Visible(i) && matcher.Matches(snapshot.Docs[i])) matches.Add((target, snapshot.Docs[i]));
            }
        }
        return matches;
    }

    /// <summary>Makes every open point in time expire now, as if its keep-alive had run out.</summary>
    public void ExpirePits() => Pits.ExpireAll();

    /// <summary>Back to a fresh cluster: no index (so no alias), no point in time, the system clock, stable pit ids.</summary>
    public void Reset()
    {
        foreach (var name in IndexNames) Store.Delete(name);
        Pits.ExpireAll();
        _ = Pits.CountOpen(Now);
        Clock = TimeProvider.System;
        RotatePitIds = false;
    }

    /// <summary>Basic, ApiKey or Bearer as the ES contract has them; a refusal is ES's 401 with its WWW-Authenticate challenges.</summary>
    public ValueTask<LabResponse?> AuthenticateAsync(HttpContext context)
    {
        try
        {
            var principal = _authentication.Authenticate(context);
            LabRequest.SetPrincipal(context, principal.JournalName);
            context.Items[PrincipalItem] = principal;
            return ValueTask.FromResult<LabResponse?>(null);
        }
        catch (ElasticException e)
        {
            return ValueTask.FromResult<LabResponse?>(ElasticResponse.Render(context.Request, e));
        }
    }

    /// <summary>A thread pool rejection is what an overloaded cluster answers, whatever status the test picked.</summary>
    public LabResponse Fault(HttpRequest request, int status) =>
        ElasticResponse.Render(request, new ElasticException(status,
            new ElasticErrorCause("es_rejected_execution_exception", "rejected execution (injected by the Lab)")));

    public LabResponse Unmatched(HttpRequest request) => ElasticResponse.Render(request, NoHandler(request));

    public void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (ElasticException e) when (!context.Response.HasStarted)
            {
                await ElasticResponse.WriteErrorAsync(context, e).ConfigureAwait(false);
            }
            catch (ElasticShardException e) when (!context.Response.HasStarted)
            {
                await ElasticResponse.WriteErrorAsync(context, ElasticException.SearchPhase(e.Status,
                    new[] { new ElasticException.ShardFailure(null, -1, e.Reason) })).ConfigureAwait(false);
            }
            catch (JsonException e) when (!context.Response.HasStarted)
            {
                await ElasticResponse.WriteErrorAsync(context, ElasticRequestBody.Malformed(e)).ConfigureAwait(false);
            }
        });

        app.MapMethods("/", new[] { "GET", "HEAD" }, context => HttpMethods.IsHead(context.Request.Method) ? Head(context) : _indices.InfoAsync(context));
        app.MapGet("/_cluster/health", _indices.HealthAsync);
        app.MapGet("/_security/_authenticate", _indices.AuthenticateAsync);
        app.MapGet("/_resolve/index/{name}", context => _indices.ResolveIndexAsync(context, Route(context, "name")));

        app.MapMethods("/_search", new[] { "GET", "POST" }, context => _search.SearchAsync(context, null));
        app.MapMethods("/{index}/_search", new[] { "GET", "POST" }, context => _search.SearchAsync(context, Route(context, "index")));
        app.MapMethods("/_count", new[] { "GET", "POST" }, context => _search.CountAsync(context, null));
        app.MapMethods("/{index}/_count", new[] { "GET", "POST" }, context => _search.CountAsync(context, Route(context, "index")));
        app.MapPost("/{index}/_pit", context => _search.OpenPitAsync(context, Route(context, "index")));
        app.MapDelete("/_pit", _search.ClosePitAsync);

        app.MapMethods("/_bulk", new[] { "POST", "PUT" }, context => _documents.BulkAsync(context, null));
        app.MapMethods("/{index}/_bulk", new[] { "POST", "PUT" }, context => _documents.BulkAsync(context, Route(context, "index")));
        app.MapMethods("/{index}/_doc/{id}", new[] { "GET", "HEAD" }, context => _documents.GetAsync(context, Route(context, "index"), Route(context, "id")));
        app.MapMethods("/{index}/_doc/{id}", new[] { "PUT", "POST" }, context => _documents.IndexAsync(context, Route(context, "index"), Route(context, "id"), createOnly: false));
        app.MapPost("/{index}/_doc", context => _documents.IndexAsync(context, Route(context, "index"), null, createOnly: false));
        app.MapDelete("/{index}/_doc/{id}", context => _documents.DeleteAsync(context, Route(context, "index"), Route(context, "id")));
        app.MapMethods("/{index}/_create/{id}", new[] { "PUT", "POST" }, context => _documents.IndexAsync(context, Route(context, "index"), Route(context, "id"), createOnly: true));
        app.MapPost("/{index}/_update/{id}", context => _documents.UpdateAsync(context, Route(context, "index"), Route(context, "id")));

        app.MapMethods("/_refresh", new[] { "GET", "POST" }, context => _indices.RefreshAsync(context, null));
        app.MapMethods("/{index}/_refresh", new[] { "GET", "POST" }, context => _indices.RefreshAsync(context, Route(context, "index")));
        app.MapGet("/_mapping", context => _indices.GetMappingAsync(context, null));
        app.MapGet("/{index}/_mapping", context => _indices.GetMappingAsync(context, Route(context, "index")));
        app.MapPut("/{index}/_mapping", context => _indices.PutMappingAsync(context, Route(context, "index")));
        app.MapGet("/{index}/_mapping/field/{fields}", context => _indices.GetFieldMappingAsync(context, Route(context, "index"), Route(context, "fields")));
        app.MapPut("/{index}", context => IndexRoute(context, () => _indices.CreateAsync(context, Route(context, "index"))));
        app.MapDelete("/{index}", context => IndexRoute(context, () => _indices.DeleteAsync(context, Route(context, "index"))));
        app.MapGet("/{index}", context => IndexRoute(context, () => _indices.GetAsync(context, Route(context, "index"))));
        app.MapMethods("/{index}", new[] { "HEAD" }, context => IndexRoute(context, () => _indices.ExistsAsync(context, Route(context, "index"))));
    }

    private static string Route(HttpContext context, string name) => (string)context.Request.RouteValues[name]!;

    private static Task Head(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        return Task.CompletedTask;
    }

    /// <summary>/{index} also catches /_pit, /_search ... with the wrong method: those get ES's 405, not an index lookup.</summary>
    private static Task IndexRoute(HttpContext context, Func<Task> handle)
    {
        var index = Route(context, "index");
        if (index.StartsWith('_') && index != "_all") throw NoHandler(context.Request);
        return handle();
    }

    /// <summary>
    /// A path the Lab emulates with another method gets ES's own 405 (with Allow); anything else is a route the Lab does
    /// not emulate: 400 in ES's error shape, an illegal_argument_exception as ES gives for a request it cannot take.
    /// </summary>
    private static ElasticException NoHandler(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var method = request.Method;
        var allowed = AllowedMethods(path);
        if (allowed is not null && !allowed.Contains(method))
        {
            var error = ElasticException.Plain(405, $"Incorrect HTTP method for uri [{path}] and method [{method}], allowed: [{string.Join(", ", allowed)}]");
            error.Headers.Add(new("Allow", string.Join(",", allowed)));
            return error;
        }
        return ElasticException.IllegalArgument(LabResponse.NotEmulatedMessage(request));
    }

    private static string[]? AllowedMethods(string path)
    {
        var segments = path.Trim('/').Split('/');
        var last = segments[^1];
        return segments.Length switch
        {
            1 => last switch
            {
                "_search" or "_count" or "_refresh" => new[] { "GET", "POST" },
                "_bulk" => new[] { "POST", "PUT" },
                "_pit" => new[] { "DELETE" },
                "_mapping" => new[] { "GET" },
                "" => new[] { "GET", "HEAD" },
                _ when !last.StartsWith('_') => new[] { "GET", "HEAD", "PUT", "DELETE" },
                _ => null,
            },
            2 => last switch
            {
                "_search" or "_count" or "_refresh" => new[] { "GET", "POST" },
                "_bulk" => new[] { "POST", "PUT" },
                "_pit" => new[] { "POST" },
                "_mapping" => new[] { "GET", "PUT" },
                "_doc" => new[] { "POST" },
                _ => null,
            },
            3 => segments[1] switch
            {
                "_doc" => new[] { "GET", "HEAD", "PUT", "POST", "DELETE" },
                "_create" => new[] { "PUT", "POST" },
                "_update" => new[] { "POST" },
                _ => null,
            },
            _ => null,
        };
    }
}
