using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// A request as SigV4 sees it: the method, the path and query exactly as sent on the wire (before any decoding, since
/// the canonical form is computed from what the client signed), every header in arrival order, and the body's hash.
/// Built from Kestrel's request here, or from a raw test-suite file by a test.
/// </summary>
public sealed record AwsSignedRequest(
    string Method,
    string RawPath,
    string RawQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string PayloadHash)
{
    public static string HashHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    /// <summary>
    /// The request target as the client wrote it (Kestrel's RawTarget, not the decoded Path), split at the first '?'.
    /// Repeated headers keep their arrival order, which the canonical form joins with commas.
    /// </summary>
    public static AwsSignedRequest From(HttpRequest request, ReadOnlySpan<byte> body)
    {
        var target = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path.Value + request.QueryString.Value);
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? string.Empty : target[(question + 1)..];
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in request.Headers)
            foreach (var value in values)
                headers.Add(new(name, value ?? string.Empty));
        return new AwsSignedRequest(request.Method, path, query, headers, HashHex(body));
    }

    /// <summary>All values of a header, in arrival order (names compare without case, as HTTP's do).</summary>
    public IEnumerable<string> ValuesOf(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public string? Header(string name) => ValuesOf(name).FirstOrDefault();
}
