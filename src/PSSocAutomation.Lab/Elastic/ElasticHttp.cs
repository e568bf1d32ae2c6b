using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// Request plumbing ES is strict about: the body's Content-Type (a text/plain body is refused with 406, as a
/// client that forgets to set it finds out against a real cluster), gzip request bodies, and unknown URL parameters.
/// </summary>
internal static class ElasticHttp
{
    private static readonly string[] CommonParameters = { "pretty", "human", "error_trace", "filter_path", "format" };

    public static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream(request.ContentLength is > 0 and < int.MaxValue ? (int)request.ContentLength : 1024);
        Stream source = request.Body;
        var gzip = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        if (gzip) source = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        try
        {
            await source.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            throw ElasticException.IllegalArgument("Content-Encoding is gzip but the body is not a gzip stream");
        }
        finally
        {
            if (gzip) await source.DisposeAsync().ConfigureAwait(false);
        }
        var bytes = buffer.ToArray();
        if (bytes.Length > 0) CheckContentType(request, ndjson: false);
        return bytes;
    }

    public static void CheckContentType(HttpRequest request, bool ndjson)
    {
        var contentType = request.ContentType;
        var media = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        var accepted = media is "application/json" or "application/x-ndjson" or "application/vnd.elasticsearch+json"
            or "application/vnd.elasticsearch+x-ndjson" or "application/yaml" or "application/smile" or "application/cbor";
        if (!accepted)
            throw ElasticException.Plain(406, $"Content-Type header [{contentType ?? string.Empty}] is not supported");
        if (media is "application/yaml" or "application/smile" or "application/cbor")
            throw ElasticException.IllegalArgument($"Content-Type [{media}] is not supported by the PSSocAutomation Lab; send JSON");
    }

    /// <summary>"request [/x/_search] contains unrecognized parameter: [foo]", ES's answer to a misspelt option.</summary>
    public static void CheckParameters(HttpContext context, IEnumerable<string> allowed)
    {
        var set = allowed as ISet<string> ?? new HashSet<string>(allowed, StringComparer.Ordinal);
        var unknown = context.Request.Query.Keys.Where(k => !set.Contains(k) && !CommonParameters.Contains(k)).ToList();
        if (unknown.Count == 0) return;
        var path = context.Request.Path.Value ?? "/";
        throw ElasticException.IllegalArgument(unknown.Count == 1
            ? $"request [{path}] contains unrecognized parameter: [{unknown[0]}]"
            : $"request [{path}] contains unrecognized parameters: {string.Join(", ", unknown.Select(u => "[" + u + "]"))}");
    }

    public static string? Param(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var value) ? value.ToString() : null;

    public static bool Flag(HttpContext context, string name, bool fallback = false) =>
        Param(context, name) is { } text ? SearchRequest.UrlBool(text, name) : fallback;
}
