using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Aws.SecurityHub
{
    /// <summary>
    /// An AwsSecurityFindingFilters body built from parameters, with whatever the caller wrote by hand laid over it: a
    /// field the caller filters on replaces the parameter's (or its default's) filter of that field. Checked against
    /// Security Hub's limits (10 fields, 20 values each) before it is sent.
    /// </summary>
    public sealed class SecurityHubFilters
    {
        public const int MaxFields = 10;
        public const int MaxValuesPerField = 20;
        private static readonly string[] StringComparisons = { "EQUALS", "PREFIX", "NOT_EQUALS", "PREFIX_NOT_EQUALS", "CONTAINS", "NOT_CONTAINS" };
        private readonly JsonObject _filters = new JsonObject();

        /// <summary>A StringFilter per value (EQUALS by default: Security Hub ORs them within the field).</summary>
        public SecurityHubFilters Strings(string field, IEnumerable<string>? values, string comparison = "EQUALS")
        {
            var list = values?.Where(v => !string.IsNullOrEmpty(v)).ToList();
            if (list is null || list.Count == 0) return this;
            _filters[field] = new JsonArray(list.Select(v => (JsonNode)new JsonObject { ["Value"] = v, ["Comparison"] = comparison }).ToArray());
            return this;
        }

        /// <summary>A DateFilter from <paramref name="start"/> (to now when <paramref name="end"/> is null), in ASFF's UTC form.</summary>
        public SecurityHubFilters Since(string field, DateTimeOffset start, DateTimeOffset? end = null)
        {
            var filter = new JsonObject { ["Start"] = Format(start), ["End"] = Format(end ?? DateTimeOffset.UtcNow.AddMinutes(5)) };
            _filters[field] = new JsonArray(filter);
            return this;
        }

        /// <summary>The caller's own filters (a parsed -Filter), field by field over the ones built so far.</summary>
        public SecurityHubFilters Overlay(JsonObject? own)
        {
            if (own is null) return this;
            foreach (var pair in own)
            {
                if (pair.Value is JsonArray array) _filters[pair.Key] = array.DeepClone();
                else if (pair.Value is JsonObject single) _filters[pair.Key] = new JsonArray(single.DeepClone());
                else throw new ArgumentException($"Filter field '{pair.Key}' must be a list of filter objects such as @{{ Value = 'HIGH'; Comparison = 'EQUALS' }}.");
            }
            return this;
        }

        /// <summary>The body, or <see cref="ArgumentException"/> for what Security Hub would refuse.</summary>
        public JsonObject Build()
        {
            if (_filters.Count > MaxFields)
                throw new ArgumentException($"Security Hub filters on at most {MaxFields} fields at once; this asks for {_filters.Count} ({string.Join(", ", _filters.Select(p => p.Key))}).");
            foreach (var pair in _filters)
            {
                var values = (JsonArray)pair.Value!;
                if (values.Count > MaxValuesPerField)
                    throw new ArgumentException($"Security Hub takes at most {MaxValuesPerField} values per filter field; {pair.Key} has {values.Count}. Split the query.");
                foreach (var value in values.OfType<JsonObject>())
                    if (value["Comparison"] is JsonValue c && c.TryGetValue<string>(out var comparison) && value.ContainsKey("Value") && !value.ContainsKey("Key") && !StringComparisons.Contains(comparison, StringComparer.Ordinal))
                        throw new ArgumentException($"'{comparison}' is not a Security Hub string comparison ({pair.Key}); use one of {string.Join(", ", StringComparisons)}.");
            }
            return (JsonObject)_filters.DeepClone();
        }

        public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
