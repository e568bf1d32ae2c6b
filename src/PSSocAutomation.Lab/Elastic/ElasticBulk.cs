using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// _bulk: NDJSON action/source pairs, each item succeeding or failing on its own (HTTP 200 with errors:true), indices
/// created on first write. Malformed framing (no final newline, unknown action) fails the whole request, as in ES.
/// </summary>
internal static class ElasticBulk
{
    private static readonly HashSet<string> MetadataKeys = new(StringComparer.Ordinal)
    {
        "_index", "_id", "routing", "_routing", "version", "version_type", "if_seq_no", "if_primary_term", "pipeline", "require_alias",
        "require_data_stream", "retry_on_conflict", "dynamic_templates", "list_executed_pipelines", "op_type", "_source",
    };

    public static readonly string[] Parameters =
    {
        "refresh", "routing", "timeout", "wait_for_active_shards", "pipeline", "require_alias", "require_data_stream", "_source",
        "_source_includes", "_source_excludes", "list_executed_pipelines", "include_source_on_error",
    };

    private sealed record BulkAction(string Op, string? Index, string? Id, byte[]? Source, long? IfSeqNo);

    private sealed record BulkItem(string Op, string Index, string? Id, WriteResult Result);

    public static void Execute(ElasticStore store, byte[] body, string? defaultIndex, string? refresh, Utf8JsonWriter writer)
    {
        var started = Stopwatch.GetTimestamp();
        var forced = refresh switch
        {
            null or "false" or "wait_for" => false,
            "" or "true" => true,
            _ => throw ElasticException.IllegalArgument($"Unknown value for refresh: [{refresh}]."),
        };
        var actions = Parse(body, defaultIndex);
        var items = new List<BulkItem>(actions.Count);
        foreach (var action in actions) items.Add(Run(store, action));
        writer.WriteStartObject();
        writer.WriteBoolean("errors", items.Any(i => i.Result.Failed));
        writer.WriteNumber("took", (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        writer.WriteStartArray("items");
        foreach (var item in items) WriteItem(writer, item, forced);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static List<BulkAction> Parse(byte[] body, string? defaultIndex)
    {
        if (body.Length == 0)
            throw new ElasticException(400, new ElasticErrorCause("parse_exception", "request body is required"));
        var actions = new List<BulkAction>();
        var problems = new List<string>();
        var pos = 0;
        var line = 0;
        while (pos < body.Length)
        {
            var actionLine = NextLine(body, ref pos, ref line);
            if (ElasticRequestBody.IsBlank(actionLine)) continue;
            JsonElement root;
            try
            {
                using var doc = JsonDocument.Parse(actionLine.ToArray());
                root = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw ElasticRequestBody.Malformed(e);
            }
            if (root.ValueKind != JsonValueKind.Object)
                throw ElasticException.IllegalArgument($"Malformed action/metadata line [{line}], expected START_OBJECT or END_OBJECT but found [{ElasticRequestBody.TokenName(root)}]");
            var properties = root.EnumerateObject().ToList();
            if (properties.Count != 1 || properties[0].Name is not ("index" or "create" or "update" or "delete"))
            {
                var found = properties.Count == 0 ? "null" : properties[0].Name;
                throw ElasticException.IllegalArgument($"Malformed action/metadata line [{line}], expected one of [create, delete, index, update] but found [{found}]");
            }
            var op = properties[0].Name;
            var meta = properties[0].Value;
            if (meta.ValueKind != JsonValueKind.Object)
                throw ElasticException.IllegalArgument($"Malformed action/metadata line [{line}], expected a simple value for field [{op}] but found [{ElasticRequestBody.TokenName(meta)}]");
            string? index = defaultIndex, id = null;
            long? ifSeqNo = null;
            foreach (var m in meta.EnumerateObject())
            {
                if (!MetadataKeys.Contains(m.Name))
                    throw ElasticException.IllegalArgument($"Action/metadata line [{line}] contains an unknown parameter [{m.Name}]");
                switch (m.Name)
                {
                    case "_index": index = m.Value.GetString(); break;
                    case "_id": id = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString() : m.Value.GetRawText(); break;
                    case "if_seq_no": ifSeqNo = m.Value.GetInt64(); break;
                    case "op_type" when m.Value.GetString() == "create": op = "create"; break;
                }
            }
            if (index is null) problems.Add("index is missing");
            if (op is "update" or "delete" && string.IsNullOrEmpty(id)) problems.Add("id is missing");
            byte[]? source = null;
            if (op != "delete")
            {
                if (pos >= body.Length)
                    throw ElasticException.IllegalArgument("The bulk request must be terminated by a newline [\\n]");
                source = NextLine(body, ref pos, ref line).ToArray();
            }
            actions.Add(new BulkAction(op, index, id, source, ifSeqNo));
        }
        if (actions.Count == 0) problems.Add("no requests added");
        if (problems.Count > 0) throw ElasticException.Validation(problems.ToArray());
        return actions;
    }

    private static ReadOnlySpan<byte> NextLine(byte[] body, ref int pos, ref int line)
    {
        var newline = Array.IndexOf(body, (byte)'\n', pos);
        if (newline < 0)
            throw ElasticException.IllegalArgument("The bulk request must be terminated by a newline [\\n]");
        var end = newline > pos && body[newline - 1] == (byte)'\r' ? newline - 1 : newline;
        var span = body.AsSpan(pos, end - pos);
        pos = newline + 1;
        line++;
        return span;
    }

    private static BulkItem Run(ElasticStore store, BulkAction action)
    {
        var indexName = action.Index!;
        ElasticIndex index;
        try
        {
            index = action.Op == "delete" ? store.Find(indexName) ?? throw ElasticException.IndexNotFound(indexName) : store.GetOrCreate(indexName);
        }
        catch (ElasticException e)
        {
            return new BulkItem(action.Op, indexName, action.Id, new WriteResult(action.Id ?? string.Empty, 0, 0, "error", e.Status, e.Error));
        }
        if (action.IfSeqNo is { } expected && action.Id is not null)
        {
            var current = index.Get(action.Id);
            if (current is null || current.SeqNo != expected)
            {
                var reason = current is null
                    ? $"[{action.Id}]: version conflict, required seqNo [{expected}], primary term [1] but no document was found"
                    : $"[{action.Id}]: version conflict, required seqNo [{expected}], primary term [1]. current document has seqNo [{current.SeqNo}] and primary term [1]";
                var error = new ElasticErrorCause("version_conflict_engine_exception", reason).With("index_uuid", index.Uuid).With("shard", "0").With("index", index.Name);
                return new BulkItem(action.Op, index.Name, action.Id, new WriteResult(action.Id, 0, 0, "error", 409, error));
            }
        }
        WriteResult result = action.Op switch
        {
            "index" => index.Write(action.Id, action.Source!, createOnly: false),
            "create" => index.Write(action.Id, action.Source!, createOnly: true),
            "delete" => index.Delete(action.Id!),
            _ => Update(index, action),
        };
        return new BulkItem(action.Op, index.Name, result.Id, result);
    }

    private static WriteResult Update(ElasticIndex index, BulkAction action)
    {
        JsonObject body;
        try
        {
            body = JsonNode.Parse(action.Source!) as JsonObject ?? throw new JsonException("update body must be an object");
        }
        catch (JsonException e)
        {
            return new WriteResult(action.Id!, 0, 0, "error", 400, new ElasticErrorCause("x_content_parse_exception", e.Message));
        }
        if (body.ContainsKey("script"))
            return new WriteResult(action.Id!, 0, 0, "error", 400,
                new ElasticErrorCause("illegal_argument_exception", "[script] updates are not supported by the PSSocAutomation Lab"));
        var partial = body["doc"] as JsonObject;
        var upsert = body["upsert"] as JsonObject;
        var docAsUpsert = body["doc_as_upsert"]?.GetValue<bool>() ?? false;
        var detectNoop = body["detect_noop"]?.GetValue<bool>() ?? true;
        if (partial is null && upsert is null)
            return new WriteResult(action.Id!, 0, 0, "error", 400,
                new ElasticErrorCause("action_request_validation_exception", "Validation Failed: 1: script or doc is missing;"));
        return index.Update(action.Id!, partial, upsert, docAsUpsert, detectNoop);
    }

    private static void WriteItem(Utf8JsonWriter writer, BulkItem item, bool forcedRefresh)
    {
        var r = item.Result;
        writer.WriteStartObject();
        writer.WriteStartObject(item.Op);
        writer.WriteString("_index", item.Index);
        writer.WriteString("_id", item.Id);
        if (r.Failed)
        {
            writer.WriteNumber("status", r.Status);
            writer.WritePropertyName("error");
            r.Error!.Write(writer);
        }
        else
        {
            WriteSuccess(writer, r, forcedRefresh);
            writer.WriteNumber("status", r.Status);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The fields of a successful write: shared by bulk items and the single-document APIs.</summary>
    public static void WriteSuccess(Utf8JsonWriter writer, WriteResult r, bool forcedRefresh)
    {
        writer.WriteNumber("_version", r.Version);
        writer.WriteString("result", r.Result);
        if (forcedRefresh && r.Result != "noop") writer.WriteBoolean("forced_refresh", true);
        writer.WriteStartObject("_shards");
        var noop = r.Result == "noop";
        writer.WriteNumber("total", noop ? 0 : 2);
        writer.WriteNumber("successful", noop ? 0 : 1);
        writer.WriteNumber("failed", 0);
        writer.WriteEndObject();
        writer.WriteNumber("_seq_no", r.SeqNo);
        writer.WriteNumber("_primary_term", 1);
    }
}
