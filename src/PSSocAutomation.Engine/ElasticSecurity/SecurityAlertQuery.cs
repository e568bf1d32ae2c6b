using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using PSSocAutomation.Core;

namespace PSSocAutomation.ElasticSecurity
{
    /// <summary>
    /// The search behind Get-ElasticSecurityAlert, the same for Kibana's signals/search and for the alerts index:
    /// status, severity and rule filters that read modern (kibana.alert.*) and 7.x-era (signal.*) alerts alike, the time
    /// window, building-block alerts left out as the Kibana UI does, and a sort with a tiebreaker.
    /// </summary>
    public sealed class SecurityAlertQuery
    {
        public const string TimeField = "@timestamp";

        /// <summary>Triage statuses a user asks for; open, acknowledged, closed.</summary>
        public IList<string> Statuses { get; set; } = new List<string>();
        /// <summary>low, medium, high, critical.</summary>
        public IList<string> Severities { get; set; } = new List<string>();
        /// <summary>Rule names, matched exactly.</summary>
        public IList<string> RuleNames { get; set; } = new List<string>();
        /// <summary>Alerts created at or after this (relative windows are the server's date math: now-900s).</summary>
        public TimeWindow? Since { get; set; }
        /// <summary>Anything else, as Query DSL (the value of "query").</summary>
        public JsonObject? Query { get; set; }
        public bool IncludeBuildingBlocks { get; set; }

        /// <summary>
        /// The modern field and its 7.x-era counterpart: Kibana itself still reads "kibana.alert.workflow_status, else
        /// signal.status" for legacy documents, and so does this filter.
        /// </summary>
        private static readonly (string Modern, string Legacy) StatusFields = ("kibana.alert.workflow_status", "signal.status");
        private static readonly (string Modern, string Legacy) SeverityFields = ("kibana.alert.severity", "signal.rule.severity");
        private static readonly (string Modern, string Legacy) RuleFields = ("kibana.alert.rule.name", "signal.rule.name");

        public JsonObject BuildQuery()
        {
            var filters = new JsonArray();
            if (Statuses.Count > 0) filters.Add(Either(StatusFields, Statuses.SelectMany(LegacyStatuses).Distinct().ToList(), Statuses));
            if (Severities.Count > 0) filters.Add(Either(SeverityFields, Severities, Severities));
            if (RuleNames.Count > 0) filters.Add(Either(RuleFields, RuleNames, RuleNames));
            if (Since != null)
                filters.Add(new JsonObject { ["range"] = new JsonObject { [TimeField] = new JsonObject { ["gte"] = Since.ToElasticGte() } } });
            if (Query != null) filters.Add(Query.DeepClone());
            var query = new JsonObject { ["filter"] = filters };
            if (!IncludeBuildingBlocks)
                query["must_not"] = new JsonArray(new JsonObject { ["exists"] = new JsonObject { ["field"] = "kibana.alert.building_block_type" } });
            return new JsonObject { ["bool"] = query };
        }

        /// <summary>Oldest first, then by alert id: alerts of one rule run share one @timestamp.</summary>
        public static JsonArray BuildSort() => new JsonArray(
            new JsonObject { [TimeField] = new JsonObject { ["order"] = "asc", ["unmapped_type"] = "date" } },
            new JsonObject { ["kibana.alert.uuid"] = new JsonObject { ["order"] = "asc", ["unmapped_type"] = "keyword" } });

        /// <summary>The body for the alerts index through a point in time (the client adds size, pit and search_after).</summary>
        public JsonObject BuildSearchBody() => new JsonObject
        {
            ["query"] = BuildQuery(),
            ["sort"] = BuildSort(),
            ["track_total_hits"] = false,
        };

        /// <summary>The body for Kibana's signals/search: only keys its schema knows (it refuses or drops the rest).</summary>
        public JsonObject BuildKibanaBody(int size) => new JsonObject
        {
            ["query"] = BuildQuery(),
            ["sort"] = BuildSort(),
            ["size"] = size,
            ["track_total_hits"] = true,
        };

        /// <summary>7.x-era signals said in-progress where 8.x says acknowledged.</summary>
        private static IEnumerable<string> LegacyStatuses(string status) =>
            status == "acknowledged" ? new[] { "acknowledged", "in-progress" } : new[] { status };

        /// <summary>
        /// A modern alert matched on its field, a legacy one (without it) on the signal.* field. match_phrase, as Kibana's
        /// own filters use, is an exact match on these keyword fields.
        /// </summary>
        private static JsonObject Either((string Modern, string Legacy) fields, IList<string> legacyValues, IList<string> modernValues) => new JsonObject
        {
            ["bool"] = new JsonObject
            {
                ["should"] = new JsonArray(
                    AnyOf(fields.Modern, modernValues),
                    new JsonObject
                    {
                        ["bool"] = new JsonObject
                        {
                            ["must_not"] = new JsonArray(new JsonObject { ["exists"] = new JsonObject { ["field"] = fields.Modern } }),
                            ["filter"] = new JsonArray(AnyOf(fields.Legacy, legacyValues)),
                        },
                    }),
                ["minimum_should_match"] = 1,
            },
        };

        private static JsonObject AnyOf(string field, IList<string> values) => new JsonObject
        {
            ["bool"] = new JsonObject
            {
                ["should"] = new JsonArray(values.Select(v => (JsonNode)new JsonObject { ["match_phrase"] = new JsonObject { [field] = v } }).ToArray()),
                ["minimum_should_match"] = 1,
            },
        };

        /// <summary>A space id as Kibana allows it: lowercase letters, digits, '_' and '-'.</summary>
        public static bool IsValidSpace(string space) =>
            space.Length > 0 && space.All(c => c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-');
    }
}
