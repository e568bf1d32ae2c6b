using System;
using System.Management.Automation;
using System.Text.Json;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// <para type="synopsis">Runs any Elasticsearch search body on any index and returns the response as objects.</para>
    /// <para type="description">The escape hatch for the query an analyst writes by hand: a hashtable, a JSON string or an object becomes the body of POST /{index}/_search, and the whole response comes back as one object (hits, aggregations, took ...). Pipe it to Expand-AlertBucket to explode aggregation buckets.</para>
    /// </summary>
    /// <example><code>Invoke-ElasticSearch -Index alerts -Body '{"size":0,"aggs":{"unique_alerts":{"terms":{"field":"alert_id.keyword"}}}}'</code><para>Runs a search given as JSON text and returns Elasticsearch's response whole: here only the buckets of a terms aggregation, no hits.</para></example>
    /// <example><code>Invoke-ElasticSearch -Index 'logs-*' -Body @{ query = @{ term = @{ 'user.name' = 'jdoe' } }; size = 50 }</code><para>Runs a search written as a hashtable: up to fifty log documents of the user jdoe.</para></example>
    [Cmdlet(VerbsLifecycle.Invoke, "ElasticSearch")]
    [OutputType(typeof(PSObject), typeof(string))]
    public sealed class InvokeElasticSearchCommand : ElasticCommandBase
    {
        /// <summary>Index, alias, data stream, comma list or wildcard pattern; all indices when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ValidateIndexName]
        [ArgumentCompleter(typeof(ElasticIndexCompleter))]
        public string? Index { get; set; }

        /// <summary>The search body: a hashtable, a JSON string, or an object. Default: match_all.</summary>
        [Parameter(Position = 1, ValueFromPipeline = true)]
        [Alias("Query")]
        public object? Body { get; set; }

        /// <summary>Query-string parameters such as @{ ignore_unavailable = 'true'; rest_total_hits_as_int = 'true' }.</summary>
        [Parameter]
        public System.Collections.Hashtable? Parameters { get; set; }

        /// <summary>Return the response as its JSON text instead of objects.</summary>
        [Parameter]
        public SwitchParameter Raw { get; set; }

        protected override void ProcessRecord()
        {
            byte[] body;
            try
            {
                body = Body is null ? System.Text.Encoding.UTF8.GetBytes("{}") : JsonBody.ToUtf8(JsonBody.ToJsonObject(Body, "-Body"));
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, "ElasticInvalidBody", ErrorCategory.InvalidArgument, Body));
                return;
            }
            var query = string.Empty;
            if (Parameters != null)
            {
                foreach (System.Collections.DictionaryEntry entry in Parameters)
                    query += (query.Length == 0 ? "?" : "&") + Uri.EscapeDataString(entry.Key.ToString()!) + "=" + Uri.EscapeDataString(LanguagePrimitives.ConvertTo<string>(entry.Value));
            }
            try
            {
                using var doc = Run(ct => Client.SearchAsync(Index, body, ct, query));
                WriteShardWarnings(doc.RootElement);
                WriteObject(Raw ? (object)doc.RootElement.GetRawText() : JsonToPSObject.Convert(doc.RootElement));
            }
            catch (SocApiException ex)
            {
                WriteApiError(ex, ErrorPrefix, Index ?? "_all");
            }
        }

        /// <summary>A 200 can still be partial (allow_partial_search_results defaults to true); say so.</summary>
        private void WriteShardWarnings(JsonElement root)
        {
            if (root.TryGetProperty("timed_out", out var timedOut) && timedOut.ValueKind == JsonValueKind.True)
                WriteWarning("Elasticsearch timed out on part of the search: the results are partial.");
            if (root.TryGetProperty("_shards", out var shards) && shards.TryGetProperty("failed", out var failed) && failed.ValueKind == JsonValueKind.Number && failed.GetInt32() > 0)
                WriteWarning($"{failed.GetInt32()} shard(s) failed during the search: the results are partial.");
        }
    }
}
