using System;
using System.Collections.Generic;
using System.Text.Json;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// Explodes an aggregation response: the buckets of one aggregation, and the hits of a top_hits aggregation
    /// inside each bucket. Accepts a whole search response, an "aggregations" object, one aggregation, or one bucket.
    /// </summary>
    public static class AggregationBuckets
    {
        /// <summary>The buckets of aggregation <paramref name="name"/> (or of the first aggregation that has buckets).</summary>
        public static IEnumerable<JsonElement> Buckets(JsonElement input, string? name)
        {
            if (input.ValueKind != JsonValueKind.Object) throw new ArgumentException("Expand-AlertBucket needs a search response or an aggregation object.");
            if (IsBucket(input))
            {
                yield return input;
                yield break;
            }
            if (input.TryGetProperty("buckets", out var direct))
            {
                foreach (var bucket in Items(direct)) yield return bucket;
                yield break;
            }
            var aggregations = input.TryGetProperty("aggregations", out var a) ? a : input.TryGetProperty("aggs", out var b) ? b : input;
            if (name != null)
            {
                if (!aggregations.TryGetProperty(name, out var agg) || !agg.TryGetProperty("buckets", out var buckets))
                    throw new ArgumentException($"The response has no aggregation named '{name}' with buckets. It has: {Names(aggregations)}.");
                foreach (var bucket in Items(buckets)) yield return bucket;
                yield break;
            }
            foreach (var property in aggregations.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("buckets", out var buckets))
                {
                    foreach (var bucket in Items(buckets)) yield return bucket;
                    yield break;
                }
            }
            throw new ArgumentException("The response has no aggregation with buckets. Did the search body have \"aggs\"? (-Aggregation names one.)");
        }

        /// <summary>The hits of the top_hits aggregation <paramref name="topHits"/> inside a bucket.</summary>
        public static IEnumerable<JsonElement> TopHits(JsonElement bucket, string topHits)
        {
            if (!bucket.TryGetProperty(topHits, out var agg))
                throw new ArgumentException($"The bucket '{Key(bucket)}' has no aggregation named '{topHits}'. It has: {Names(bucket)}.");
            if (!agg.TryGetProperty("hits", out var hits) || !hits.TryGetProperty("hits", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new ArgumentException($"'{topHits}' in bucket '{Key(bucket)}' is not a top_hits aggregation (no hits.hits).");
            foreach (var hit in list.EnumerateArray()) yield return hit;
        }

        public static string Key(JsonElement bucket) =>
            bucket.TryGetProperty("key_as_string", out var s) ? s.ToString() : bucket.TryGetProperty("key", out var k) ? k.ToString() : "?";

        private static bool IsBucket(JsonElement element) => element.TryGetProperty("key", out _) && element.TryGetProperty("doc_count", out _);

        /// <summary>Buckets come as an array, or as an object keyed by name (keyed/filters aggregations).</summary>
        private static IEnumerable<JsonElement> Items(JsonElement buckets)
        {
            if (buckets.ValueKind == JsonValueKind.Array)
            {
                foreach (var bucket in buckets.EnumerateArray()) yield return bucket;
            }
            else if (buckets.ValueKind == JsonValueKind.Object)
            {
                foreach (var bucket in buckets.EnumerateObject()) yield return bucket.Value;
            }
        }

        private static string Names(JsonElement element)
        {
            var names = new List<string>();
            if (element.ValueKind == JsonValueKind.Object)
                foreach (var p in element.EnumerateObject())
                    if (p.Value.ValueKind == JsonValueKind.Object) names.Add(p.Name);
            return names.Count == 0 ? "none" : string.Join(", ", names);
        }
    }
}
