using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>Where a handler writes its JSON; streams to the socket unless filter_path needs the whole body first.</summary>
internal sealed class JsonSink
{
    private const int FlushThreshold = 256 * 1024;
    private readonly HttpResponse? _response;
    private long _flushedAt;

    public JsonSink(Utf8JsonWriter writer, HttpResponse? response)
    {
        Writer = writer;
        _response = response;
    }

    public Utf8JsonWriter Writer { get; }

    /// <summary>Big pages go out as they are written instead of piling up in memory.</summary>
    public async ValueTask FlushIfLargeAsync()
    {
        // BytesPending alone never grows large: the writer hands full blocks to the pipe as it goes, unflushed.
        var written = Writer.BytesCommitted + Writer.BytesPending;
        if (_response is null || written - _flushedAt < FlushThreshold) return;
        Writer.Flush();
        _flushedAt = written;
        await _response.BodyWriter.FlushAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// JSON responses as ES sends them: its content type, ?pretty, ?filter_path (include and -exclude patterns with
/// * and **), and no HTML escaping of the text (ES leaves '&lt;' and non-ASCII alone).
/// </summary>
internal static class ElasticResponse
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly JsonWriterOptions Pretty = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true, Indented = true };

    public static Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write) =>
        WriteAsync(context, status, sink =>
        {
            write(sink.Writer);
            return ValueTask.CompletedTask;
        });

    public static async Task WriteAsync(HttpContext context, int status, Func<JsonSink, ValueTask> write)
    {
        var request = context.Request;
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType(request);
        if (HttpMethods.IsHead(request.Method)) return;
        var pretty = request.Query.TryGetValue("pretty", out var p) && p.ToString() != "false";
        var filterPath = request.Query.TryGetValue("filter_path", out var f) ? f.ToString() : null;
        if (string.IsNullOrEmpty(filterPath))
        {
            await using var writer = new Utf8JsonWriter(response.BodyWriter, pretty ? Pretty : Compact);
            await write(new JsonSink(writer, response)).ConfigureAwait(false);
            await writer.FlushAsync().ConfigureAwait(false);
            return;
        }
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            await write(new JsonSink(writer, null)).ConfigureAwait(false);
        }
        var node = JsonNode.Parse(buffer.ToArray());
        var filtered = FilterPath(node, filterPath) ?? new JsonObject();
        await using var output = new Utf8JsonWriter(response.BodyWriter, pretty ? Pretty : Compact);
        filtered.WriteTo(output);
        await output.FlushAsync().ConfigureAwait(false);
    }

    public static Task WriteErrorAsync(HttpContext context, ElasticException error) => Render(context.Request, error).WriteAsync(context);

    /// <summary>An error as ES would send it to this request (media type, ?pretty, ?filter_path), for Hosting to write.</summary>
    public static LabResponse Render(HttpRequest request, ElasticException error)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Compact)) error.WriteBody(writer);
        var pretty = request.Query.TryGetValue("pretty", out var p) && p.ToString() != "false";
        var filterPath = request.Query.TryGetValue("filter_path", out var f) ? f.ToString() : null;
        var body = buffer.ToArray();
        if (pretty || !string.IsNullOrEmpty(filterPath))
        {
            var node = JsonNode.Parse(body);
            var shaped = string.IsNullOrEmpty(filterPath) ? node! : FilterPath(node, filterPath) ?? new JsonObject();
            using var output = new MemoryStream();
            using (var writer = new Utf8JsonWriter(output, pretty ? Pretty : Compact)) shaped.WriteTo(writer);
            body = output.ToArray();
        }
        return new LabResponse(error.Status, ContentType(request), Encoding.UTF8.GetString(body)) { Headers = error.Headers.ToArray() };
    }

    /// <summary>ES answers in the media type it was asked in: the versioned vnd type for official clients, JSON otherwise.</summary>
    private static string ContentType(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        var asked = accept.Length > 0 ? accept : request.ContentType ?? string.Empty;
        if (asked.Contains("application/vnd.elasticsearch+json", StringComparison.OrdinalIgnoreCase))
            return asked.Contains("compatible-with=7", StringComparison.Ordinal)
                ? "application/vnd.elasticsearch+json;compatible-with=7"
                : "application/vnd.elasticsearch+json;compatible-with=8";
        return "application/json";
    }

    internal static JsonNode? FilterPath(JsonNode? node, string filterPath)
    {
        var patterns = filterPath.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var includes = patterns.Where(x => !x.StartsWith('-')).Select(x => x.Split('.')).ToList();
        var excludes = patterns.Where(x => x.StartsWith('-')).Select(x => x[1..].Split('.')).ToList();
        var result = includes.Count > 0 ? Include(node, includes) : node?.DeepClone();
        if (result is not null && excludes.Count > 0) Exclude(result, excludes);
        return result;
    }

    private static JsonNode? Include(JsonNode? node, List<string[]> patterns)
    {
        switch (node)
        {
            case JsonObject obj:
            {
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    var (whole, deeper) = Step(patterns, key);
                    if (whole) result[key] = value?.DeepClone();
                    else if (deeper.Count > 0 && value is JsonObject or JsonArray && Include(value, deeper) is { } inner && NotEmpty(inner)) result[key] = inner;
                }
                return result;
            }
            case JsonArray array:
            {
                var result = new JsonArray();
                foreach (var item in array)
                {
                    if (item is JsonObject or JsonArray && Include(item, patterns) is { } inner && NotEmpty(inner)) result.Add(inner);
                }
                return result;
            }
            default:
                return null;
        }
    }

    private static void Exclude(JsonNode node, List<string[]> patterns)
    {
        if (node is JsonObject obj)
        {
            foreach (var key in obj.Select(kv => kv.Key).ToList())
            {
                var (whole, deeper) = Step(patterns, key);
                if (whole) obj.Remove(key);
                else if (deeper.Count > 0 && obj[key] is { } child) Exclude(child, deeper);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is not null) Exclude(item, patterns);
            }
        }
    }

    /// <summary>Which patterns a key completes, and which continue below it ("**" matches any depth).</summary>
    private static (bool Whole, List<string[]> Deeper) Step(List<string[]> patterns, string key)
    {
        var whole = false;
        var deeper = new List<string[]>();
        foreach (var p in patterns)
        {
            if (p[0] == "**")
            {
                deeper.Add(p);
                if (p.Length == 1) whole = true;
                else if (ElasticWildcard.Matches(p[1], key))
                {
                    if (p.Length == 2) whole = true;
                    else deeper.Add(p[2..]);
                }
                continue;
            }
            if (!ElasticWildcard.Matches(p[0], key)) continue;
            if (p.Length == 1) whole = true;
            else deeper.Add(p[1..]);
        }
        return (whole, deeper);
    }

    private static bool NotEmpty(JsonNode node) => node is JsonObject { Count: > 0 } or JsonArray { Count: > 0 };
}
