using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;
using PSSocAutomation.Indicators;

namespace PSSocAutomation.Elastic
{
    /// <summary>What Elasticsearch holds for one indicator: how many documents name it, and the newest of them as alerts.</summary>
    public sealed class IndicatorMatches
    {
        internal IndicatorMatches(AlertIndicator indicator, string index, IReadOnlyList<string> fields, long total, bool totalIsLowerBound, IReadOnlyList<SocAlert> alerts)
        {
            Indicator = indicator;
            Index = index;
            Fields = fields;
            Total = total;
            TotalIsLowerBound = totalIsLowerBound;
            Alerts = alerts;
        }

        /// <summary>The indicator looked for (its Value, Type, and the alert it came from).</summary>
        public AlertIndicator Indicator { get; }
        public string Value => Indicator.Value;
        public string? Type => Indicator.Type;
        /// <summary>The index (or pattern) searched.</summary>
        public string Index { get; }
        /// <summary>The ECS fields searched for it.</summary>
        public IReadOnlyList<string> Fields { get; }
        /// <summary>How many documents name it (at least this many when <see cref="TotalIsLowerBound"/>).</summary>
        public long Total { get; }
        public bool TotalIsLowerBound { get; }
        /// <summary>The newest matching documents, as alerts (at most -First).</summary>
        public IReadOnlyList<SocAlert> Alerts { get; }
        /// <summary>The alert ids the matches hold, other than the alert the indicator came from.</summary>
        public IReadOnlyList<string> OtherAlertIds => Alerts.Select(a => a.Id).Where(id => !string.Equals(id, Indicator.AlertId, StringComparison.Ordinal)).Distinct().ToList();

        public override string ToString() => $"{Indicator}: {Total}{(TotalIsLowerBound ? "+" : string.Empty)} match(es)";
    }

    /// <summary>
    /// Correlation: the documents of an index that name an indicator in the ECS fields of its type (an address in
    /// source/destination/client/server/host .ip and related.ip, a hash in file/process/threat hashes and related.hash ...).
    /// </summary>
    public static class ElasticIndicatorSearch
    {
        /// <summary>
        /// The search for one indicator: any of its fields holds the value exactly. Text-mapped fields are matched through
        /// their .keyword sub-field; names (domains, e-mail, users, hosts, URLs, hashes) ignore case, addresses do not need
        /// to (an ip field refuses case_insensitive), and a CIDR value matches every address in its range on ip fields.
        /// </summary>
        public static JsonObject BuildBody(AlertIndicator indicator, IReadOnlyList<string> fields, TimeWindow? since, string timeField, int size)
        {
            var type = indicator.Type ?? string.Empty;
            var caseInsensitive = type != "ip" && type != "cidr";
            var should = new JsonArray();
            foreach (var field in fields)
                foreach (var name in new[] { field, field + ".keyword" })
                {
                    var term = new JsonObject { ["value"] = indicator.Value };
                    if (caseInsensitive) term["case_insensitive"] = true;
                    should.Add(new JsonObject { ["term"] = new JsonObject { [name] = term } });
                }
            var @bool = new JsonObject { ["should"] = should, ["minimum_should_match"] = 1 };
            if (since != null)
                @bool["filter"] = new JsonArray(new JsonObject { ["range"] = new JsonObject { [timeField] = new JsonObject { ["gte"] = since.ToElasticGte() } } });
            return new JsonObject
            {
                ["size"] = size,
                ["track_total_hits"] = true,
                ["sort"] = new JsonArray(new JsonObject { [timeField] = new JsonObject { ["order"] = "desc", ["unmapped_type"] = "date" } }),
                ["query"] = new JsonObject { ["bool"] = @bool },
            };
        }

        public static async Task<IndicatorMatches> SearchAsync(ElasticClient client, string index, AlertIndicator indicator, ElasticAlertMapper mapper,
            TimeWindow? since, int size, CancellationToken cancellationToken)
        {
            var type = indicator.Type ?? throw new ArgumentException($"The indicator '{indicator.Value}' has no type, and none could be told from its value. Give -Type.");
            var fields = DocumentIndicators.FieldsFor(type);
            if (fields.Count == 0) throw new ArgumentException($"There are no ECS fields for indicators of type '{type}'.");
            var body = BuildBody(indicator, fields, since, mapper.TimeField, size);
            using var response = await client.SearchAsync(index, Encoding.UTF8.GetBytes(body.ToJsonString()), cancellationToken).ConfigureAwait(false);
            var hits = response.RootElement.GetProperty("hits");
            long total = 0;
            var lowerBound = false;
            if (hits.TryGetProperty("total", out var t))
            {
                if (t.ValueKind == JsonValueKind.Number) total = t.GetInt64();
                else if (t.ValueKind == JsonValueKind.Object)
                {
                    total = t.GetProperty("value").GetInt64();
                    lowerBound = t.TryGetProperty("relation", out var relation) && relation.GetString() == "gte";
                }
            }
            var alerts = hits.GetProperty("hits").EnumerateArray().Select(mapper.Map).ToList();
            return new IndicatorMatches(indicator, index, fields, total, lowerBound, alerts);
        }
    }
}
