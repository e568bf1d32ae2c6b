using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>The _search response body, in ES's key order: pit_id, took, timed_out, _shards, hits, aggregations.</summary>
internal static class SearchResponseWriter
{
    public static async ValueTask WriteAsync(JsonSink sink, SearchRequest request, SearchResult result, long took, string? pitId)
    {
        var writer = sink.Writer;
        writer.WriteStartObject();
        if (pitId is not null) writer.WriteString("pit_id", pitId);
        writer.WriteNumber("took", took);
        writer.WriteBoolean("timed_out", false);
        WriteShards(writer, result.Targets.Length, result.Failures);
        writer.WriteStartObject("hits");
        if (request.RestTotalHitsAsInt)
        {
            writer.WriteNumber("total", result.Total);
        }
        else if (result.Total >= 0)
        {
            writer.WriteStartObject("total");
            writer.WriteNumber("value", result.Total);
            writer.WriteString("relation", result.TotalIsLowerBound ? "gte" : "eq");
            writer.WriteEndObject();
        }
        writer.WritePropertyName("max_score");
        if (float.IsNaN(result.MaxScore)) writer.WriteNullValue();
        else ElasticNumbers.Write(writer, result.MaxScore, isFloat: true);
        writer.WriteStartArray("hits");
        var options = new HitOptions(request.Source, request.Fields, result.WriteSort, request.Version, request.SeqNoPrimaryTerm);
        for (var i = 0; i < result.Hits.Count; i++)
        {
            ElasticHitWriter.Write(writer, result.Hits[i], options);
            if ((i & 255) == 255) await sink.FlushIfLargeAsync().ConfigureAwait(false);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        if (result.Aggregations is { } aggregations)
        {
            writer.WriteStartObject("aggregations");
            AggregationResult.WriteAll(writer, aggregations, request.TypedKeys);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    public static void WriteShards(Utf8JsonWriter writer, int total, IReadOnlyList<ElasticException.ShardFailure>? failures = null)
    {
        var failed = failures?.Count ?? 0;
        writer.WriteStartObject("_shards");
        writer.WriteNumber("total", total);
        writer.WriteNumber("successful", total - failed);
        writer.WriteNumber("skipped", 0);
        writer.WriteNumber("failed", failed);
        if (failed > 0)
        {
            writer.WriteStartArray("failures");
            foreach (var failure in failures!)
            {
                writer.WriteStartObject();
                writer.WriteNumber("shard", failure.Shard);
                writer.WriteString("index", failure.Index);
                writer.WriteString("node", ElasticLab.NodeId);
                writer.WritePropertyName("reason");
                failure.Reason.Write(writer);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}
