using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// An Elasticsearch ErrorCause: type, reason, then the extra keys ES adds (resource.id, index_uuid, line, header ...)
/// in the order ES writes them, then caused_by.
/// </summary>
internal sealed class ElasticErrorCause
{
    private readonly List<KeyValuePair<string, object?>> _metadata = new();

    public ElasticErrorCause(string type, string reason)
    {
        Type = type;
        Reason = reason;
    }

    public string Type { get; }
    public string Reason { get; }
    public ElasticErrorCause? CausedBy { get; set; }

    /// <summary>Values: string, bool, int, long, string[], ElasticErrorCause, or Action&lt;Utf8JsonWriter&gt; for anything else.</summary>
    public ElasticErrorCause With(string key, object? value)
    {
        _metadata.Add(new(key, value));
        return this;
    }

    public void Write(Utf8JsonWriter writer, bool withCause = true)
    {
        writer.WriteStartObject();
        WriteBody(writer, withCause);
        writer.WriteEndObject();
    }

    internal void WriteBody(Utf8JsonWriter writer, bool withCause)
    {
        writer.WriteString("type", Type);
        writer.WriteString("reason", Reason);
        foreach (var (key, value) in _metadata)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value);
        }
        if (withCause && CausedBy is not null)
        {
            writer.WritePropertyName("caused_by");
            CausedBy.Write(writer);
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case string[] array:
                writer.WriteStartArray();
                foreach (var item in array) writer.WriteStringValue(item);
                writer.WriteEndArray();
                break;
            case ElasticErrorCause cause: cause.Write(writer); break;
            case Action<Utf8JsonWriter> custom: custom(writer); break;
            default: writer.WriteStringValue(value.ToString()); break;
        }
    }
}

/// <summary>
/// A request ES refuses: the HTTP status and the error body it sends. Thrown anywhere below the routes and written
/// by the error middleware, so handlers read as the happy path.
/// </summary>
internal sealed class ElasticException : Exception
{
    public ElasticException(int status, ElasticErrorCause error, IReadOnlyList<ElasticErrorCause>? rootCauses = null)
        : base(error.Reason)
    {
        Status = status;
        Error = error;
        RootCauses = rootCauses ?? new[] { error };
    }

    /// <summary>The old plain form {"error":"...","status":N} ES still uses for routing errors.</summary>
    private ElasticException(int status, string plainError) : base(plainError)
    {
        Status = status;
        PlainError = plainError;
        Error = new ElasticErrorCause("plain", plainError);
        RootCauses = Array.Empty<ElasticErrorCause>();
    }

    public int Status { get; }
    public ElasticErrorCause Error { get; }
    public IReadOnlyList<ElasticErrorCause> RootCauses { get; }
    public string? PlainError { get; }
    public List<KeyValuePair<string, string>> Headers { get; } = new();

    public static ElasticException Plain(int status, string error) => new(status, error);

    public static ElasticException IllegalArgument(string reason, ElasticErrorCause? causedBy = null) =>
        new(400, new ElasticErrorCause("illegal_argument_exception", reason) { CausedBy = causedBy });

    public static ElasticException Validation(params string[] problems)
    {
        var reason = "Validation Failed: " + string.Concat(problems.Select((p, i) => $"{i + 1}: {p};"));
        return new(400, new ElasticErrorCause("action_request_validation_exception", reason));
    }

    public static ElasticException Parsing(string reason, (int Line, int Col)? location = null, ElasticErrorCause? causedBy = null)
    {
        var cause = new ElasticErrorCause("parsing_exception", reason) { CausedBy = causedBy };
        if (location is var (line, col))
        {
            cause.With("line", line).With("col", col);
        }
        return new(400, cause);
    }

    public static ElasticException XContentParse((int Line, int Col) location, string message, ElasticErrorCause? causedBy = null) =>
        new(400, new ElasticErrorCause("x_content_parse_exception", $"[{location.Line}:{location.Col}] {message}") { CausedBy = causedBy });

    public static ElasticException IndexNotFound(string index, string resourceType = "index_or_alias") =>
        new(404, IndexNotFoundCause(index, resourceType));

    public static ElasticErrorCause IndexNotFoundCause(string index, string resourceType = "index_or_alias") =>
        new ElasticErrorCause("index_not_found_exception", $"no such index [{index}]")
            .With("resource.type", resourceType).With("resource.id", index).With("index_uuid", "_na_").With("index", index);

    public static ElasticException InvalidIndexName(string index, string why) =>
        new(400, new ElasticErrorCause("invalid_index_name_exception", $"Invalid index name [{index}], {why}")
            .With("index_uuid", "_na_").With("index", index));

    /// <summary>
    /// "all shards failed": what ES answers when every shard refused the query (bad query_string, result window,
    /// fielddata on text ...). One failed_shards entry per index, like ES's grouped failures.
    /// </summary>
    public static ElasticException SearchPhase(int status, IReadOnlyList<ShardFailure> failures)
    {
        var error = new ElasticErrorCause("search_phase_execution_exception", "all shards failed")
            .With("phase", "query")
            .With("grouped", true)
            .With("failed_shards", (Action<Utf8JsonWriter>)(writer =>
            {
                writer.WriteStartArray();
                foreach (var failure in failures)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("shard", failure.Shard);
                    if (failure.Index is null) writer.WriteNull("index"); else writer.WriteString("index", failure.Index);
                    if (failure.Index is not null) writer.WriteString("node", ElasticLab.NodeId);
                    writer.WritePropertyName("reason");
                    failure.Reason.Write(writer);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }));
        error.CausedBy = failures.Count > 0 ? failures[0].Reason : null;
        var roots = failures.Select(f => f.Reason).GroupBy(r => r.Type + "\u0000" + r.Reason).Select(g => g.First()).ToArray();
        return new(status, error, roots);
    }

    /// <summary>One shard's failure. Single-shard indices, so the shard number is 0 (or -1 when ES cannot tell).</summary>
    public readonly record struct ShardFailure(string? Index, int Shard, ElasticErrorCause Reason);

    public void WriteBody(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        if (PlainError is not null)
        {
            writer.WriteString("error", PlainError);
        }
        else
        {
            writer.WriteStartObject("error");
            writer.WriteStartArray("root_cause");
            foreach (var root in RootCauses) root.Write(writer, withCause: false);
            writer.WriteEndArray();
            Error.WriteBody(writer, withCause: true);
            writer.WriteEndObject();
        }
        writer.WriteNumber("status", Status);
        writer.WriteEndObject();
    }
}

/// <summary>
/// A failure on one shard (one index here). The search turns these into _shards.failures when other indices
/// answered, and into search_phase_execution_exception when none did, as ES does.
/// </summary>
internal sealed class ElasticShardException : Exception
{
    public ElasticShardException(int status, ElasticErrorCause reason) : base(reason.Reason)
    {
        Status = status;
        Reason = reason;
    }

    public int Status { get; }
    public ElasticErrorCause Reason { get; }
}
