using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;

namespace PSSocAutomation.ElasticSecurity
{
    /// <summary>What GET /api/status says about Kibana.</summary>
    public sealed class KibanaStatus
    {
        public KibanaStatus(string? name, string? version)
        {
            Name = name;
            Version = version;
        }

        public string? Name { get; }
        public string? Version { get; }

        /// <summary>The version as numbers (9.2.0), or null when Kibana did not say.</summary>
        public Version? Parsed => System.Version.TryParse((Version ?? string.Empty).Split('-')[0], out var v) ? v : null;
    }

    /// <summary>What signals/status reports: the update-by-query counts.</summary>
    public sealed class StatusUpdateCounts
    {
        public long Total { get; set; }
        public long Updated { get; set; }
        public long VersionConflicts { get; set; }
        public long Noops { get; set; }
        public int Failures { get; set; }
    }

    /// <summary>
    /// Kibana's Elastic Security detection-engine routes: search the alerts of a space, set their status, check a space.
    /// Every request carries kbn-xsrf (Kibana refuses a mutating request without it) and the public API version.
    /// </summary>
    public sealed class KibanaClient : IDisposable
    {
        /// <summary>The version the detection-engine public routes declare.</summary>
        public const string ApiVersion = "2023-10-31";

        public KibanaClient(HttpPipelineOptions options)
        {
            options.DefaultHeaders["kbn-xsrf"] = "true";
            options.DefaultHeaders["elastic-api-version"] = ApiVersion;
            Pipeline = new HttpPipeline(options, KibanaErrors.Instance);
        }

        public HttpPipeline Pipeline { get; }

        /// <summary>The alerts index (an alias over the current and the 7.x-era signal indices) of a space.</summary>
        public static string AlertsIndex(string space) => ".alerts-security.alerts-" + space;

        /// <summary>The path of a route in a space: no prefix for the default space, /s/&lt;space&gt;/ otherwise.</summary>
        public static string InSpace(string space, string route) =>
            (string.IsNullOrEmpty(space) || space == "default" ? string.Empty : "s/" + Uri.EscapeDataString(space) + "/") + route;

        /// <summary>GET /api/status: the server check of Connect-Elastic -KibanaUri, and Kibana's version.</summary>
        public async Task<KibanaStatus> GetStatusAsync(CancellationToken cancellationToken)
        {
            var response = await Pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "api/status") { TotalTimeout = Pipeline.Options.SetupTimeout, Description = "the Kibana check" }, cancellationToken).ConfigureAwait(false);
            using var doc = response.ParseJson();
            var root = doc.RootElement;
            string? name = null, version = null;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String) name = n.GetString();
                if (root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Object && v.TryGetProperty("number", out var number) && number.ValueKind == JsonValueKind.String)
                    version = number.GetString();
            }
            if (version is null)
                throw new SocApiException(ApiFailureKind.Protocol, "Kibana", $"The server at {Pipeline.Redactor.Redact(Pipeline.BaseUri)} answered GET /api/status without a Kibana version: it does not look like Kibana. Check -KibanaUri.") { StatusCode = response.Status, Url = response.Url };
            return new KibanaStatus(name, version);
        }

        /// <summary>
        /// Whether the space exists. Kibana answers the detection routes of a space that does not exist with 200 and no
        /// alerts, so a typo would pass for "nothing to do"; GET /api/spaces/space/&lt;id&gt; tells the two apart.
        /// </summary>
        public async Task<bool> SpaceExistsAsync(string space, CancellationToken cancellationToken)
        {
            var response = await Pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "api/spaces/space/" + Uri.EscapeDataString(space)) { AcceptStatus = s => s == 404, Description = "the space check" }, cancellationToken).ConfigureAwait(false);
            return response.Status != 404;
        }

        /// <summary>
        /// The spaces' ids and names (GET /api/spaces/space), for -Space completion: bounded as a whole by
        /// <paramref name="timeout"/>, since a completer must answer while the user waits at the prompt.
        /// </summary>
        public async Task<IReadOnlyList<KeyValuePair<string, string>>> ListSpacesAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var response = await Pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "api/spaces/space") { TotalTimeout = timeout, Description = "the space list" }, cancellationToken).ConfigureAwait(false);
            using var doc = response.ParseJson();
            var spaces = new List<KeyValuePair<string, string>>();
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return spaces;
            foreach (var space in doc.RootElement.EnumerateArray())
            {
                if (space.ValueKind != JsonValueKind.Object || !space.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String) continue;
                var name = space.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : id.GetString()!;
                spaces.Add(new KeyValuePair<string, string>(id.GetString()!, name));
            }
            return spaces;
        }

        /// <summary>POST signals/search in a space with an Elasticsearch search body (one page: Kibana drops from and search_after).</summary>
        public async Task<JsonDocument> SearchAsync(string space, byte[] body, CancellationToken cancellationToken)
        {
            var request = new ApiRequest(HttpMethod.Post, InSpace(space, "api/detection_engine/signals/search")) { Body = body, Idempotent = true, StreamJson = true };
            var response = await Pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response.ParseJson();
        }

        /// <summary>
        /// POST signals/status by ids. Setting a status is safe to repeat (the same ids end in the same status), so the
        /// request is retried like a read. A version conflict comes back as 409 with the update-by-query body as a JSON
        /// string in its message; its counts are returned like a 200's.
        /// </summary>
        public async Task<StatusUpdateCounts> SetStatusAsync(string space, IReadOnlyList<string> ids, string status, string? reason, CancellationToken cancellationToken)
        {
            var body = Serialize(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("signal_ids");
                foreach (var id in ids) writer.WriteStringValue(id);
                writer.WriteEndArray();
                writer.WriteString("status", status);
                if (reason != null) writer.WriteString("reason", reason);
                writer.WriteEndObject();
            });
            var request = new ApiRequest(HttpMethod.Post, InSpace(space, "api/detection_engine/signals/status")) { Body = body, Idempotent = true, AcceptStatus = s => s == 409, Description = "the status update" };
            var response = await Pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            using var doc = response.ParseJson();
            var root = doc.RootElement;
            if (response.Status == 409)
            {
                // {"message": "{\"took\":...,\"version_conflicts\":1,...}", "status_code": 409}
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String &&
                    ResponseBody.TryParseJson(System.Text.Encoding.UTF8.GetBytes(message.GetString()!), out var inner))
                {
                    using (inner) return Counts(inner!.RootElement);
                }
                return new StatusUpdateCounts { VersionConflicts = ids.Count };
            }
            return Counts(root);
        }

        private static StatusUpdateCounts Counts(JsonElement root) => new StatusUpdateCounts
        {
            Total = Number(root, "total"),
            Updated = Number(root, "updated"),
            VersionConflicts = Number(root, "version_conflicts"),
            Noops = Number(root, "noops"),
            Failures = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("failures", out var f) && f.ValueKind == JsonValueKind.Array ? f.GetArrayLength() : 0,
        };

        private static long Number(JsonElement root, string name) =>
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

        private static byte[] Serialize(Action<Utf8JsonWriter> write)
        {
            using var buffer = new System.IO.MemoryStream(256);
            using (var writer = new Utf8JsonWriter(buffer)) write(writer);
            return buffer.ToArray();
        }

        public void Dispose() => Pipeline.Dispose();
    }
}
