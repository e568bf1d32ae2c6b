using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// The Lab's own SigV4 arithmetic, written from the contract (aws-api.md section 6) and checked against AWS's
/// test suite: the canonical request, the string to sign, the signing key and the signature. The verifier recomputes
/// these from what arrived; it shares nothing with the module's signer, so a bug in one is caught by the other.
/// </summary>
public static class AwsSigV4Canonical
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Method, canonical URI, canonical query, canonical headers, blank line, signed headers, payload hash.</summary>
    public static string CanonicalRequest(AwsSignedRequest request, IReadOnlyList<string> signedHeaders)
    {
        var builder = new StringBuilder();
        builder.Append(request.Method).Append('\n');
        builder.Append(CanonicalUri(request.RawPath)).Append('\n');
        builder.Append(CanonicalQuery(request.RawQuery)).Append('\n');
        foreach (var name in signedHeaders)
            builder.Append(name).Append(':').Append(CanonicalHeaderValue(request.ValuesOf(name))).Append('\n');
        builder.Append('\n');
        builder.Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(request.PayloadHash);
        return builder.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        Algorithm + "\n" + amzDate + "\n" + scope + "\n" + AwsSignedRequest.HashHex(Encoding.UTF8.GetBytes(canonicalRequest));

    /// <summary>HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request", then over the string to sign; lowercase hex.</summary>
    public static string Signature(string secret, string date, string region, string service, string stringToSign)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        return Convert.ToHexString(Hmac(key, stringToSign)).ToLowerInvariant();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    /// <summary>
    /// Non-S3 rule: remove dot segments and empty segments (keeping a trailing slash), then percent-encode every UTF-8
    /// byte outside the unreserved set and '/'. Applied to the path as sent, so an already-encoded path is encoded
    /// again, as AWS's non-S3 services expect.
    /// </summary>
    public static string CanonicalUri(string rawPath)
    {
        if (rawPath.Length == 0) return "/";
        var segments = new List<string>();
        foreach (var segment in rawPath.Split('/'))
        {
            if (segment.Length == 0 || segment == ".") continue;
            if (segment == "..")
            {
                if (segments.Count > 0) segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(segment);
        }
        var normalized = "/" + string.Join('/', segments);
        if (segments.Count > 0 && rawPath.EndsWith('/')) normalized += "/";
        return Encode(normalized, keepSlash: true);
    }

    /// <summary>
    /// Each key and value decoded from the wire then encoded with the unreserved set (uppercase hex, %20 for a space);
    /// sorted by key, then value; a key without '=' gets an empty value.
    /// </summary>
    public static string CanonicalQuery(string rawQuery)
    {
        var pairs = new List<(string Key, string Value)>();
        foreach (var part in rawQuery.Split('&'))
        {
            if (part.Length == 0) continue;
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? string.Empty : part[(equals + 1)..];
            pairs.Add((Encode(Uri.UnescapeDataString(key), keepSlash: false), Encode(Uri.UnescapeDataString(value), keepSlash: false)));
        }
        pairs.Sort((a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Key + "=" + p.Value));
    }

    /// <summary>Each value trimmed with its inner runs of whitespace collapsed to one space; repeats joined by ',' in arrival order.</summary>
    public static string CanonicalHeaderValue(IEnumerable<string> values) => string.Join(',', values.Select(Collapse));

    private static string Collapse(string value)
    {
        var builder = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value.Trim())
        {
            if (c is ' ' or '\t')
            {
                space = true;
                continue;
            }
            if (space) builder.Append(' ');
            space = false;
            builder.Append(c);
        }
        return builder.ToString();
    }

    private static string Encode(string text, bool keepSlash)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
                builder.Append(c);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
