using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>Single-document APIs (_doc, _create, _update) and _bulk.</summary>
internal sealed class ElasticDocumentEndpoints
{
    private static readonly string[] WriteParameters =
    {
        "op_type", "refresh", "routing", "timeout", "version", "version_type", "if_seq_no", "if_primary_term", "pipeline",
        "wait_for_active_shards", "require_alias", "require_data_stream",
    };

    private static readonly string[] GetParameters =
    {
        "_source", "_source_includes", "_source_excludes", "_source_include", "_source_exclude", "realtime", "refresh", "routing",
        "preference", "stored_fields", "version", "version_type",
    };

    private readonly ElasticLab _lab;

    public ElasticDocumentEndpoints(ElasticLab lab) => _lab = lab;

    public async Task BulkAsync(HttpContext context, string? index)
    {
        ElasticHttp.CheckParameters(context, ElasticBulk.Parameters);
        if (index is not null) ElasticStore.ValidateName(index);
        var body = await ElasticHttp.ReadBodyAsync(context).ConfigureAwait(false);
        var refresh = ElasticHttp.Param(context, "refresh");
        // Everything is applied before the first byte goes out, so a failing request never half-answers.
        using var buffer = new MemoryStream();
        await using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            ElasticBulk.Execute(_lab.Store, body, index, refresh, writer);
        }
        var bytes = buffer.ToArray();
        await ElasticResponse.WriteAsync(context, 200, w => w.WriteRawValue(bytes, skipInputValidation: true)).ConfigureAwait(false);
    }

    public async Task GetAsync(HttpContext context, string index, string id)
    {
        ElasticHttp.CheckParameters(context, GetParameters);
        var target = _lab.Store.Find(index) ?? throw ElasticException.IndexNotFound(index, "index_expression");
        var doc = target.Get(id);
        var filter = SourceFilter.FromUrl(ElasticHttp.Param(context, "_source"),
            ElasticHttp.Param(context, "_source_includes") ?? ElasticHttp.Param(context, "_source_include"),
            ElasticHttp.Param(context, "_source_excludes") ?? ElasticHttp.Param(context, "_source_exclude")) ?? SourceFilter.All;
        await ElasticResponse.WriteAsync(context, doc is null ? 404 : 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("_index", target.Name);
            writer.WriteString("_id", id);
            if (doc is not null)
            {
                writer.WriteNumber("_version", doc.Version);
                writer.WriteNumber("_seq_no", doc.SeqNo);
                writer.WriteNumber("_primary_term", 1);
            }
            writer.WriteBoolean("found", doc is not null);
            if (doc is not null && filter.Fetch)
            {
                writer.WritePropertyName("_source");
                filter.Write(writer, doc.Source);
            }
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>PUT/POST /index/_doc/id, POST /index/_doc (auto id) and PUT/POST /index/_create/id.</summary>
    public async Task IndexAsync(HttpContext context, string index, string? id, bool createOnly)
    {
        ElasticHttp.CheckParameters(context, WriteParameters);
        var opType = ElasticHttp.Param(context, "op_type");
        if (opType is not null and not ("index" or "create"))
            throw ElasticException.IllegalArgument($"opType must be 'create' or 'index', found: [{opType}]");
        createOnly |= opType == "create";
        if (createOnly && id is null) throw ElasticException.Validation("an id must be provided if version type or value are set");
        var body = await ElasticHttp.ReadBodyAsync(context).ConfigureAwait(false);
        if (body.Length == 0) throw new ElasticException(400, new ElasticErrorCause("parse_exception", "request body is required"));
        var target = _lab.Store.GetOrCreate(index);
        if (ElasticHttp.Param(context, "if_seq_no") is { } ifSeqNo && id is not null)
        {
            var current = target.Get(id);
            if (current is null || current.SeqNo.ToString(System.Globalization.CultureInfo.InvariantCulture) != ifSeqNo)
                throw new ElasticException(409, new ElasticErrorCause("version_conflict_engine_exception",
                        $"[{id}]: version conflict, required seqNo [{ifSeqNo}], primary term [1]. current document has seqNo [{current?.SeqNo ?? -1}] and primary term [1]")
                    .With("index_uuid", target.Uuid).With("shard", "0").With("index", target.Name));
        }
        var result = target.Write(id, body, createOnly);
        await WriteResultAsync(context, target, result).ConfigureAwait(false);
    }

    public async Task UpdateAsync(HttpContext context, string index, string id)
    {
        ElasticHttp.CheckParameters(context, new[] { "refresh", "routing", "timeout", "retry_on_conflict", "if_seq_no", "if_primary_term", "wait_for_active_shards", "_source", "require_alias", "lang" });
        using var body = ElasticRequestBody.Parse(await ElasticHttp.ReadBodyAsync(context).ConfigureAwait(false));
        if (body.Root is not { } root) throw new ElasticException(400, new ElasticErrorCause("parse_exception", "request body is required"));
        var target = _lab.Store.GetOrCreate(index);
        if (root.TryGetProperty("script", out _)) throw ElasticException.IllegalArgument("[script] updates are not supported by the PSSocAutomation Lab");
        var node = JsonNode.Parse(root.GetRawText()) as JsonObject ?? new JsonObject();
        var partial = node["doc"] as JsonObject;
        var upsert = node["upsert"] as JsonObject;
        if (partial is null && upsert is null) throw ElasticException.Validation("script or doc is missing");
        var result = target.Update(id, partial, upsert, node["doc_as_upsert"]?.GetValue<bool>() ?? false, node["detect_noop"]?.GetValue<bool>() ?? true);
        await WriteResultAsync(context, target, result).ConfigureAwait(false);
    }

    public async Task DeleteAsync(HttpContext context, string index, string id)
    {
        ElasticHttp.CheckParameters(context, WriteParameters);
        var target = _lab.Store.Find(index) ?? throw ElasticException.IndexNotFound(index);
        var result = target.Delete(id);
        await WriteResultAsync(context, target, result).ConfigureAwait(false);
    }

    private static Task WriteResultAsync(HttpContext context, ElasticIndex target, WriteResult result)
    {
        if (result.Failed) throw new ElasticException(result.Status, result.Error!);
        var forced = ElasticHttp.Param(context, "refresh") is "" or "true";
        return ElasticResponse.WriteAsync(context, result.Status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("_index", target.Name);
            writer.WriteString("_id", result.Id);
            ElasticBulk.WriteSuccess(writer, result, forced);
            writer.WriteEndObject();
        });
    }
}
