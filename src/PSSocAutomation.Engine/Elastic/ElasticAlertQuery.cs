using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>The search body behind Get-ElasticAlert: the user's query, the time window, the sort and the fields.</summary>
    public sealed class ElasticAlertQuery
    {
        public JsonObject? Query { get; set; }
        public TimeWindow? Since { get; set; }
        public string TimeField { get; set; } = "@timestamp";
        /// <summary>"field", "field:asc", "field:desc"; default: the time field ascending (oldest first, like a log).</summary>
        public IList<string> Sort { get; set; } = new List<string>();
        public IList<string> Fields { get; set; } = new List<string>();

        /// <summary>A bool filter holding the user's query and the time range (filters do not score, so they cache).</summary>
        public JsonObject BuildQuery()
        {
            var filters = new JsonArray();
            if (Query != null) filters.Add(Query.DeepClone());
            if (Since != null)
            {
                filters.Add(new JsonObject
                {
                    ["range"] = new JsonObject { [TimeField] = new JsonObject { ["gte"] = Since.ToElasticGte() } },
                });
            }
            if (filters.Count == 0) return new JsonObject { ["match_all"] = new JsonObject() };
            return new JsonObject { ["bool"] = new JsonObject { ["filter"] = filters } };
        }

        public JsonArray BuildSort()
        {
            var sort = new JsonArray();
            var specs = Sort.Count > 0 ? Sort : new List<string> { TimeField + ":asc" };
            foreach (var spec in specs)
            {
                var colon = spec.LastIndexOf(':');
                var field = colon > 0 ? spec.Substring(0, colon) : spec;
                var order = colon > 0 ? spec.Substring(colon + 1).ToLowerInvariant() : "asc";
                if (order != "asc" && order != "desc") throw new ArgumentException($"-Sort '{spec}': the order must be asc or desc.");
                // Alerts without the field go last rather than failing the whole query on an index that lacks it.
                sort.Add(new JsonObject { [field] = new JsonObject { ["order"] = order, ["unmapped_type"] = field == TimeField ? "date" : "keyword" } });
            }
            return sort;
        }

        public JsonObject BuildSearchBody()
        {
            var body = new JsonObject
            {
                ["query"] = BuildQuery(),
                ["sort"] = BuildSort(),
                ["track_total_hits"] = false,
            };
            if (Fields.Count > 0) body["_source"] = new JsonObject { ["includes"] = new JsonArray(Fields.Select(f => (JsonNode)JsonValue.Create(f)!).ToArray()) };
            return body;
        }

        /// <summary>
        /// One alert per distinct value of <paramref name="field"/>, the latest by the time field: a composite aggregation
        /// (paged with after_key, so every value comes back however many there are) with a top_hits of one under it.
        /// </summary>
        public JsonObject BuildUniqueBody(string field, int bucketsPerPage)
        {
            var topHits = new JsonObject
            {
                ["size"] = 1,
                ["sort"] = new JsonArray(new JsonObject { [TimeField] = new JsonObject { ["order"] = "desc", ["unmapped_type"] = "date" } }),
            };
            if (Fields.Count > 0) topHits["_source"] = new JsonObject { ["includes"] = new JsonArray(Fields.Select(f => (JsonNode)JsonValue.Create(f)!).ToArray()) };
            return new JsonObject
            {
                ["size"] = 0,
                ["track_total_hits"] = false,
                ["query"] = BuildQuery(),
                ["aggs"] = new JsonObject
                {
                    [UniqueAggregation] = new JsonObject
                    {
                        ["composite"] = new JsonObject
                        {
                            ["size"] = bucketsPerPage,
                            ["sources"] = new JsonArray(new JsonObject { ["value"] = new JsonObject { ["terms"] = new JsonObject { ["field"] = field } } }),
                        },
                        ["aggs"] = new JsonObject { [LatestAggregation] = new JsonObject { ["top_hits"] = topHits } },
                    },
                },
            };
        }

        public const string UniqueAggregation = "unique_by";
        public const string LatestAggregation = "latest";
    }
}
