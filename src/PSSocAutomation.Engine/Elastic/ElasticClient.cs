using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;

namespace PSSocAutomation.Elastic
{
    /// <summary>What GET / told us about the cluster.</summary>
    public sealed class ElasticClusterInfo
    {
        public string? Name { get; set; }
        public string? ClusterName { get; set; }
        public string? Version { get; set; }
        /// <summary>False when GET / was refused (no monitor privilege): connected, but the product was not confirmed.</summary>
        public bool Verified { get; set; }
    }

    /// <summary>One page of hits; its JSON is valid until the stream moves to the next page.</summary>
    public sealed class SearchPage
    {
        internal SearchPage(JsonElement hits, int number) { Hits = hits; Number = number; }

        /// <summary>The hits.hits array.</summary>
        public JsonElement Hits { get; }
        public int Number { get; }
    }

    /// <summary>Elasticsearch REST client: search, point in time + search_after streaming, composite paging, bulk.</summary>
    public sealed class ElasticClient : IDisposable
    {
        private static readonly HttpMethod Delete = HttpMethod.Delete;

        public ElasticClient(HttpPipelineOptions options)
        {
            Pipeline = new HttpPipeline(options, ElasticErrors.Instance);
        }

        public HttpPipeline Pipeline { get; }

        /// <summary>GET / with Elastic's product check: the X-Elastic-Product header (7.14+) or the tagline of older versions.</summary>
        public async Task<ElasticClusterInfo> GetInfoAsync(CancellationToken cancellationToken)
        {
            // The server check of Connect-Elastic: bounded as a whole, so a port that never answers fails in seconds.
            var check = new ApiRequest(HttpMethod.Get, string.Empty) { AcceptStatus = s => s == 403, TotalTimeout = Pipeline.Options.SetupTimeout, Description = "the server check" };
            ApiResponse response;
            try
            {
                response = await Pipeline.SendAsync(check, cancellationToken).ConfigureAwait(false);
            }
            catch (SocApiException ex) when (ex.Kind == ApiFailureKind.NotFound)
            {
                // Elasticsearch reads GET /prefix/ as a request for the index "prefix": its advice would be about -Index, which Connect-Elastic has not.
                const string advice = "Check the path of -Uri: Elasticsearch answers at the root of its address (https://host:9200/), or under the path prefix a proxy in front of it gives it.";
                var path = Pipeline.BaseUri.AbsolutePath;
                var what = ex.VendorType is null ? string.Empty : $" ({ex.VendorType}{(ex.VendorReason is null ? string.Empty : ": " + ex.VendorReason)})";
                throw new SocApiException(ApiFailureKind.NotFound, ex.Service,
                    $"Elasticsearch answered the server check GET {ex.Url} with HTTP {ex.StatusCode}{what}: there is no Elasticsearch at the path '{path}' of -Uri. {advice}", ex)
                { StatusCode = ex.StatusCode, Method = ex.Method, Url = ex.Url, VendorType = ex.VendorType, VendorReason = ex.VendorReason, ResponseBody = ex.ResponseBody, RecommendedAction = advice };
            }
            if (response.Status == 403)
            {
                // A user without the monitor privilege may still search; official clients pass with a warning too.
                RequestLog.Warning("Elasticsearch refused GET / (the user lacks the 'monitor' cluster privilege), so the server could not be confirmed as Elasticsearch. Searches will still be tried.");
                return new ElasticClusterInfo { Verified = false };
            }
            using var doc = response.ParseJson();
            var root = doc.RootElement;
            var info = new ElasticClusterInfo
            {
                Name = Str(root, "name"),
                ClusterName = Str(root, "cluster_name"),
                Version = root.TryGetProperty("version", out var v) ? Str(v, "number") : null,
                Verified = true,
            };
            var product = response.Header("X-Elastic-Product");
            var tagline = Str(root, "tagline");
            if (!string.Equals(product, "Elasticsearch", StringComparison.Ordinal) && tagline != "You Know, for Search")
            {
                throw new SocApiException(ApiFailureKind.Protocol, "Elasticsearch",
                    $"The server at {Pipeline.Redactor.Redact(Pipeline.BaseUri)} does not identify itself as Elasticsearch (no X-Elastic-Product header and no Elasticsearch tagline). If this is Kibana, pass its URL as -KibanaUri and give -Uri the Elasticsearch endpoint.")
                { StatusCode = response.Status, Url = response.Url };
            }
            return info;
        }

        /// <summary>POST /{index}/_search with any body; the whole response.</summary>
        public async Task<JsonDocument> SearchAsync(string? index, byte[] body, CancellationToken cancellationToken, string query = "")
        {
            var path = (string.IsNullOrEmpty(index) ? string.Empty : Escape(index!) + "/") + "_search" + query;
            var response = await Pipeline.SendAsync(new ApiRequest(HttpMethod.Post, path) { Body = body, Idempotent = true, StreamJson = true }, cancellationToken).ConfigureAwait(false);
            return response.ParseJson();
        }

        public async Task<string> OpenPointInTimeAsync(string index, string keepAlive, CancellationToken cancellationToken)
        {
            var response = await Pipeline.SendAsync(new ApiRequest(HttpMethod.Post, Escape(index) + "/_pit?keep_alive=" + Uri.EscapeDataString(keepAlive)) { Idempotent = true }, cancellationToken).ConfigureAwait(false);
            using var doc = response.ParseJson();
            return Str(doc.RootElement, "id") ?? throw new SocApiException(ApiFailureKind.Protocol, "Elasticsearch", "Elasticsearch opened a point in time but returned no id.") { Url = response.Url };
        }

        /// <summary>DELETE /_pit. A PIT that already expired (404) counts as closed.</summary>
        public async Task ClosePointInTimeAsync(string pitId, CancellationToken cancellationToken)
        {
            var body = Encoding.UTF8.GetBytes("{\"id\":" + JsonSerializer.Serialize(pitId) + "}");
            await Pipeline.SendAsync(new ApiRequest(Delete, "_pit") { Body = body, AcceptStatus = s => s == 404 }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Every hit of a query, page by page, through a point in time and search_after (never from/size, so no 10,000
        /// window). The next page is already on its way while the caller works through this one; the point in time is
        /// closed at the end, on error, on cancellation and when the caller stops early (<see cref="Pager{TPage, TCursor}"/>).
        /// </summary>
        /// <param name="index">Index, pattern or comma list the point in time is opened on.</param>
        /// <param name="body">query, sort, _source ... (size, pit and search_after are set here). Sort must be set.</param>
        /// <param name="pageSize">Hits per request.</param>
        /// <param name="limit">Stop after this many hits; null for all.</param>
        /// <param name="keepAlive">How long the point in time lives between two pages ("2m").</param>
        /// <param name="cancellationToken">Stops the stream; the point in time is still closed.</param>
        /// <param name="startAfter">The sort values of the last hit already read another way (Kibana's first page), to go on after it.</param>
        public IAsyncEnumerable<SearchPage> StreamAsync(string index, JsonObject body, int pageSize, long? limit, string keepAlive,
            CancellationToken cancellationToken, JsonElement? startAfter = null) =>
            StreamPagesAsync(index, body, pageSize, limit, keepAlive, page => page, beside: false, cancellationToken, startAfter);

        /// <summary>
        /// The same stream, each page turned into <typeparamref name="TPage"/> by <paramref name="read"/> on a pool thread
        /// as soon as it is parsed, while the request for the next page is already out (its cursor is all that request
        /// needs) and the caller still works on the page before. A reader that does real work per hit (mapping alerts)
        /// then runs beside the server and the pipeline instead of between them.
        /// </summary>
        public IAsyncEnumerable<TPage> StreamAsync<TPage>(string index, JsonObject body, int pageSize, long? limit, string keepAlive,
            Func<SearchPage, TPage> read, CancellationToken cancellationToken, JsonElement? startAfter = null) =>
            StreamPagesAsync(index, body, pageSize, limit, keepAlive, read, beside: true, cancellationToken, startAfter);

        private async IAsyncEnumerable<TPage> StreamPagesAsync<TPage>(string index, JsonObject body, int pageSize, long? limit, string keepAlive,
            Func<SearchPage, TPage> read, bool beside, [EnumeratorCancellation] CancellationToken cancellationToken, JsonElement? startAfter)
        {
            string? pitId = null;
            long delivered = 0;
            var pager = new Pager<Task<TPage>, JsonElement?>(
                async (searchAfter, number, ct) =>
                {
                    // Opened by the first fetch, inside the pager, so every way out from here on closes it.
                    pitId ??= await OpenPointInTimeAsync(index, keepAlive, ct).ConfigureAwait(false);
                    var requested = PageSize(pageSize, limit, delivered);
                    var doc = await FetchPageAsync(body, pitId, keepAlive, searchAfter, requested, ct).ConfigureAwait(false);
                    try
                    {
                        var root = doc.RootElement;
                        if (Str(root, "pit_id") is string newer) pitId = newer;
                        var hits = root.GetProperty("hits").GetProperty("hits");
                        var count = hits.GetArrayLength();
                        if (count == 0)
                        {
                            doc.Dispose();
                            return null;
                        }
                        delivered += count;
                        var page = new SearchPage(hits, number);
                        var reading = beside ? Task.Run(() => read(page)) : Task.FromResult(read(page));
                        // The document lives until the consumer is past the page and the reading is done, whichever is last.
                        var owner = new DisposeAfter(reading, doc);
                        // A short page is the last; so is the one that reaches the limit.
                        if (count >= requested && PageSize(pageSize, limit, delivered) > 0)
                            return FetchedPage<Task<TPage>, JsonElement?>.WithNext(reading, hits[count - 1].GetProperty("sort").Clone(), owner);
                        return FetchedPage<Task<TPage>, JsonElement?>.Last(reading, owner);
                    }
                    catch
                    {
                        doc.Dispose();
                        throw;
                    }
                },
                // An open PIT pins segments on the cluster until it expires; the pager closes it within its own bound, even after Ctrl+C.
                ct => pitId is null ? Task.CompletedTask : ClosePointInTimeAsync(pitId, ct))
            {
                TimeProvider = Pipeline.Options.TimeProvider,
                CloseFailure = "Could not close the Elasticsearch point in time (it expires by itself after its keep-alive)",
            };
            await foreach (var reading in pager.ReadAsync(startAfter, cancellationToken).ConfigureAwait(false)) yield return await reading.ConfigureAwait(false);
        }

        /// <summary>Disposes a page's document once its reading has ended too (a consumer that stops early does not wait for it).</summary>
        private sealed class DisposeAfter : IDisposable
        {
            private readonly Task _reading;
            private readonly IDisposable _document;

            public DisposeAfter(Task reading, IDisposable document)
            {
                _reading = reading;
                _document = document;
            }

            public void Dispose() => _reading.ContinueWith((task, document) =>
            {
                _ = task.Exception; // a reading nobody waits for any more fails unobserved otherwise
                ((IDisposable)document!).Dispose();
            }, _document, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private static int PageSize(int pageSize, long? limit, long delivered) =>
            limit is long max ? (int)Math.Min(pageSize, Math.Max(0, max - delivered)) : pageSize;

        private Task<JsonDocument> FetchPageAsync(JsonObject template, string pitId, string keepAlive, JsonElement? searchAfter, int size, CancellationToken cancellationToken)
        {
            var body = Serialize(writer =>
            {
                writer.WriteStartObject();
                foreach (var property in template)
                {
                    if (property.Key == "size" || property.Key == "pit" || property.Key == "search_after" || property.Key == "from") continue;
                    writer.WritePropertyName(property.Key);
                    if (property.Value is null) writer.WriteNullValue(); else property.Value.WriteTo(writer);
                }
                writer.WriteNumber("size", size);
                writer.WriteStartObject("pit");
                writer.WriteString("id", pitId);
                writer.WriteString("keep_alive", keepAlive);
                writer.WriteEndObject();
                if (searchAfter is JsonElement after)
                {
                    writer.WritePropertyName("search_after");
                    after.WriteTo(writer);
                }
                writer.WriteEndObject();
            });
            return SearchAsync(null, body, cancellationToken);
        }

        /// <summary>
        /// Every bucket of a composite aggregation named <paramref name="aggregationName"/>, page by page with after_key,
        /// so no bucket is lost past the first page; the next page is fetched while the caller works through this one.
        /// Yields each bucket; its JSON is valid until the stream moves past its page.
        /// </summary>
        public async IAsyncEnumerable<JsonElement> StreamCompositeBucketsAsync(string index, JsonObject body, string aggregationName,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var composite = body["aggs"]?[aggregationName]?["composite"] as JsonObject
                ?? throw new ArgumentException("The body has no composite aggregation named " + aggregationName + ".");
            var pager = new Pager<JsonElement, JsonNode?>(
                async (after, number, ct) =>
                {
                    if (after != null) composite["after"] = after;
                    var doc = await SearchAsync(index, Encoding.UTF8.GetBytes(body.ToJsonString()), ct).ConfigureAwait(false);
                    try
                    {
                        if (!doc.RootElement.TryGetProperty("aggregations", out var aggs) || !aggs.TryGetProperty(aggregationName, out var agg))
                        {
                            doc.Dispose();
                            return null;
                        }
                        var buckets = agg.GetProperty("buckets");
                        if (buckets.GetArrayLength() > 0 && agg.TryGetProperty("after_key", out var afterKey))
                            return FetchedPage<JsonElement, JsonNode?>.WithNext(buckets, JsonNode.Parse(afterKey.GetRawText()), doc);
                        return FetchedPage<JsonElement, JsonNode?>.Last(buckets, doc);
                    }
                    catch
                    {
                        doc.Dispose();
                        throw;
                    }
                })
            { TimeProvider = Pipeline.Options.TimeProvider };
            await foreach (var buckets in pager.ReadAsync(null, cancellationToken).ConfigureAwait(false))
                foreach (var bucket in buckets.EnumerateArray()) yield return bucket;
        }

        /// <summary>GET /{index}/_mapping: each index's mappings.</summary>
        public async Task<JsonDocument> GetMappingAsync(string index, CancellationToken cancellationToken)
        {
            var response = await Pipeline.SendAsync(new ApiRequest(HttpMethod.Get, Escape(index) + "/_mapping"), cancellationToken).ConfigureAwait(false);
            return response.ParseJson();
        }

        /// <summary>
        /// The field to aggregate on for <paramref name="field"/>: itself when it is keyword/numeric/date, its .keyword
        /// sub-field when it is text (terms on text fails: fielddata is off), null when no index maps it.
        /// </summary>
        public async Task<string?> ResolveAggregatableFieldAsync(string index, string field, CancellationToken cancellationToken)
        {
            using var doc = await GetMappingAsync(index, cancellationToken).ConfigureAwait(false);
            string? resolved = null;
            foreach (var perIndex in doc.RootElement.EnumerateObject())
            {
                if (!perIndex.Value.TryGetProperty("mappings", out var mappings)) continue;
                var node = mappings;
                var found = true;
                foreach (var part in field.Split('.'))
                {
                    if (node.TryGetProperty("properties", out var props) && props.TryGetProperty(part, out var child)) node = child;
                    else if (node.TryGetProperty("fields", out var multi) && multi.TryGetProperty(part, out var sub)) node = sub;
                    else { found = false; break; }
                }
                if (!found) continue;
                var type = node.TryGetProperty("type", out var t) ? t.GetString() : "object";
                if (type == "text")
                {
                    if (node.TryGetProperty("fields", out var subFields))
                        foreach (var sub in subFields.EnumerateObject())
                            if (sub.Value.TryGetProperty("type", out var st) && st.GetString() == "keyword") return field + "." + sub.Name;
                    throw new ArgumentException($"'{field}' is a text field in index '{perIndex.Name}' and has no keyword sub-field, so it cannot be grouped on. Map it as keyword (or add a .keyword sub-field).");
                }
                if (type == "object" || type == "nested")
                    throw new ArgumentException($"'{field}' is an object in index '{perIndex.Name}'; name one of its leaf fields.");
                resolved = field;
            }
            return resolved;
        }

        /// <summary>
        /// POST /{index}/_bulk with an NDJSON body. Safe to repeat only when every action is a create with an id. The
        /// response, not only its body: how often it was sent and whether an earlier attempt may have landed change what
        /// its items mean (<see cref="ApiResponse.MayHaveRepeated"/>).
        /// </summary>
        public Task<ApiResponse> BulkAsync(string? index, byte[] ndjson, bool idempotent, string query, CancellationToken cancellationToken)
        {
            var path = (string.IsNullOrEmpty(index) ? string.Empty : Escape(index!) + "/") + "_bulk" + query;
            return Pipeline.SendAsync(new ApiRequest(HttpMethod.Post, path) { Body = ndjson, ContentType = "application/x-ndjson", Idempotent = idempotent }, cancellationToken);
        }

        /// <summary>
        /// The indices, aliases and data streams <paramref name="pattern"/> matches (GET _resolve/index, Elasticsearch
        /// 7.9+), by name; hidden ones only for a pattern that starts with a dot. Bounded by <paramref name="timeout"/> as
        /// a whole, retries included: tab completion asks, and must not wait on a slow cluster.
        /// </summary>
        public async Task<IReadOnlyList<ElasticIndexName>> ListIndexNamesAsync(string pattern, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var request = new ApiRequest(HttpMethod.Get, "_resolve/index/" + Escape(pattern) + "?expand_wildcards=open") { TotalTimeout = timeout, Description = "the index list" };
            var response = await Pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            using var doc = response.ParseJson();
            var names = new SortedDictionary<string, ElasticIndexName>(StringComparer.Ordinal);
            void Add(string list, string kind)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(list, out var items) || items.ValueKind != JsonValueKind.Array) return;
                foreach (var item in items.EnumerateArray())
                {
                    if (Str(item, "name") is string name && !names.ContainsKey(name)) names[name] = new ElasticIndexName(name, kind);
                }
            }
            Add("indices", "index");
            Add("aliases", "alias");
            Add("data_streams", "data stream");
            return new List<ElasticIndexName>(names.Values);
        }

        /// <summary>Index names may hold wildcards and commas; everything else is escaped.</summary>
        internal static string Escape(string index)
        {
            var parts = index.Split(',');
            for (var i = 0; i < parts.Length; i++) parts[i] = Uri.EscapeDataString(parts[i].Trim()).Replace("%2A", "*");
            return string.Join(",", parts);
        }

        internal static byte[] Serialize(Action<Utf8JsonWriter> write)
        {
            using var buffer = new System.IO.MemoryStream(1024);
            using (var writer = new Utf8JsonWriter(buffer)) write(writer);
            return buffer.ToArray();
        }

        private static string? Str(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        public void Dispose() => Pipeline.Dispose();
    }
}
