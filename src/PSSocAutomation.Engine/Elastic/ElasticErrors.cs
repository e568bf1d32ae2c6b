using System;
using System.Text.Json;
using PSSocAutomation.Http;

namespace PSSocAutomation.Elastic
{
    /// <summary>Elasticsearch's error envelope: {"error": {type, reason, root_cause, caused_by, failed_shards}, "status"}; error may be a plain string.</summary>
    internal sealed class ElasticErrors : IVendorErrors
    {
        public static readonly ElasticErrors Instance = new ElasticErrors();

        public string ServiceName => "Elasticsearch";

        /// <summary>Elasticsearch answers errors in JSON; anything else (a proxy's text) the pipeline quotes as it is.</summary>
        public (string? Type, string? Reason) Describe(int status, string? contentType, ReadOnlyMemory<byte> body)
        {
            if (!ResponseBody.TryParseJson(body, out var doc)) return (null, null);
            using (doc) return Describe(status, doc!.RootElement);
        }

        public (string? Type, string? Reason) Describe(int status, JsonElement body)
        {
            if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("error", out var error))
                return (null, null);
            if (error.ValueKind == JsonValueKind.String) return (null, error.GetString());
            if (error.ValueKind != JsonValueKind.Object) return (null, null);

            var type = Text(error, "type");
            var reason = Text(error, "reason");
            // "all shards failed" says nothing; the shard's own cause names the mistake in the query.
            if (type == "search_phase_execution_exception" && error.TryGetProperty("failed_shards", out var shards) && shards.ValueKind == JsonValueKind.Array)
            {
                foreach (var shard in shards.EnumerateArray())
                {
                    if (!shard.TryGetProperty("reason", out var shardReason)) continue;
                    var cause = shardReason.TryGetProperty("caused_by", out var c) ? c : shardReason;
                    return (Text(cause, "type") ?? type, Text(cause, "reason") ?? Text(shardReason, "reason") ?? reason);
                }
            }
            if (error.TryGetProperty("root_cause", out var roots) && roots.ValueKind == JsonValueKind.Array)
            {
                foreach (var root in roots.EnumerateArray())
                {
                    var rootType = Text(root, "type");
                    if (rootType != null && rootType != type) return (rootType, Text(root, "reason") ?? reason);
                    break;
                }
            }
            if (error.TryGetProperty("caused_by", out var causedBy) && Text(causedBy, "reason") is string inner && reason != null && !reason.Contains(inner))
                reason = reason + " (" + inner + ")";
            return (type, reason);
        }

        public string? Advice(ApiFailureKind kind, int? status, string? vendorType)
        {
            switch (vendorType)
            {
                case "index_not_found_exception":
                    return "Check -Index: the index does not exist (a wildcard pattern such as 'alerts-*' matches nothing without failing).";
                case "parsing_exception":
                case "x_content_parse_exception":
                case "query_shard_exception":
                case "parse_exception":
                case "illegal_argument_exception":
                    return "Fix the query or parameters: Elasticsearch names the problem above.";
                case "search_context_missing_exception":
                    return "The point in time expired between pages; run the command again.";
                case "circuit_breaking_exception":
                case "es_rejected_execution_exception":
                    return "Elasticsearch is overloaded; run again later or use smaller pages/batches.";
            }
            switch (kind)
            {
                case ApiFailureKind.Authentication:
                    return "Check the -Credential, -ApiKey or -BearerToken given to Connect-Elastic: they are missing, wrong or expired.";
                case ApiFailureKind.Permission:
                    return "The user is authenticated but lacks the index or cluster privilege named above; grant it, or use an account that has it.";
                case ApiFailureKind.Connection:
                    return "Check the -Uri given to Connect-Elastic and that Elasticsearch is running.";
                case ApiFailureKind.Timeout:
                    return "Check the -Uri given to Connect-Elastic (the HTTP port, 9200 by default, not the transport port 9300) and any proxy in between, or raise -TimeoutSec if Elasticsearch is only slow.";
                default:
                    return null;
            }
        }

        /// <summary>Elasticsearch's statuses mean what they say.</summary>
        public SocApiException Refine(SocApiException failure) => failure;

        private static string? Text(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
