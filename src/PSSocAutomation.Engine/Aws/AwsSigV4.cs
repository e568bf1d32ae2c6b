using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// AWS Signature Version 4, as one pure function of what goes on the wire, so it is checked byte for byte against
    /// AWS's own test suite (canonical request, string to sign, Authorization) and the same code signs every request.
    /// </summary>
    /// <remarks>
    /// AWSSDK.Core 4.1 has a public signer, but it always adds and signs X-Amz-Content-SHA256: its signatures are valid
    /// for AWS yet never equal the suite's, so nothing could prove it signs what this module sends. The rules here
    /// are the ones for every service but S3 (paths normalised and encoded as sent), the only kind this module calls
    /// over its own clients.
    /// </remarks>
    public static class AwsSigV4
    {
        public const string Algorithm = "AWS4-HMAC-SHA256";

        /// <summary>SHA-256 of nothing: a GET's payload hash.</summary>
        public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

        public static string HashHex(ReadOnlySpan<byte> payload)
        {
#if NETSTANDARD2_0
            using var sha = SHA256.Create();
            return Hex(sha.ComputeHash(payload.ToArray()));
#else
            return Hex(SHA256.HashData(payload));
#endif
        }

        /// <summary>Sign one request. The headers are those to sign, as they will be sent (host and x-amz-date among them).</summary>
        public static AwsSignature Sign(AwsSigningInput input)
        {
            if (input is null) throw new ArgumentNullException(nameof(input));
            var credentials = input.Credentials;
            var amzDate = input.Time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var day = amzDate.Substring(0, 8);
            var scope = day + "/" + input.Region + "/" + input.Service + "/aws4_request";

            var headers = CanonicalHeaders(input.Headers);
            var signedHeaders = string.Join(";", headers.Select(h => h.Key));
            var canonical = new StringBuilder()
                .Append(input.Method.ToUpperInvariant()).Append('\n')
                .Append(CanonicalPath(input.Path)).Append('\n')
                .Append(CanonicalQuery(input.Query)).Append('\n');
            foreach (var header in headers) canonical.Append(header.Key).Append(':').Append(header.Value).Append('\n');
            canonical.Append('\n').Append(signedHeaders).Append('\n').Append(input.PayloadHash);
            var canonicalRequest = canonical.ToString();

            var stringToSign = Algorithm + "\n" + amzDate + "\n" + scope + "\n" + HashHex(Encoding.UTF8.GetBytes(canonicalRequest));
            var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), day);
            key = Hmac(key, input.Region);
            key = Hmac(key, input.Service);
            key = Hmac(key, "aws4_request");
            var signature = Hex(Hmac(key, stringToSign));
            var authorization = Algorithm + " Credential=" + credentials.AccessKeyId + "/" + scope + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature;
            return new AwsSignature(canonicalRequest, stringToSign, signedHeaders, signature, authorization, amzDate);
        }

        /// <summary>
        /// The path as sent, dot segments removed and empty segments collapsed, then every byte but the unreserved
        /// characters and '/' percent-encoded: a path already encoded on the wire is encoded again, as AWS expects of
        /// every service but S3.
        /// </summary>
        public static string CanonicalPath(string path)
        {
            if (string.IsNullOrEmpty(path)) return "/";
            var output = new List<string>();
            foreach (var segment in path.Split('/'))
            {
                if (segment.Length == 0 || segment == ".") continue;
                if (segment == "..")
                {
                    if (output.Count > 0) output.RemoveAt(output.Count - 1);
                    continue;
                }
                output.Add(segment);
            }
            var normalized = "/" + string.Join("/", output);
            if (output.Count > 0 && (path.EndsWith("/", StringComparison.Ordinal) || path.EndsWith("/.", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal)))
                normalized += "/";
            return Encode(normalized, keepSlash: true);
        }

        /// <summary>
        /// The query as sent: each name and value decoded, encoded again with AWS's unreserved set (uppercase hex, %20
        /// for a space), sorted by name then value; a name without '=' gets an empty value.
        /// </summary>
        public static string CanonicalQuery(string? query)
        {
            if (string.IsNullOrEmpty(query)) return string.Empty;
            var q = query![0] == '?' ? query.Substring(1) : query;
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var part in q.Split('&'))
            {
                if (part.Length == 0) continue;
                var eq = part.IndexOf('=');
                var name = eq < 0 ? part : part.Substring(0, eq);
                var value = eq < 0 ? string.Empty : part.Substring(eq + 1);
                pairs.Add(new KeyValuePair<string, string>(Encode(Uri.UnescapeDataString(name), false), Encode(Uri.UnescapeDataString(value), false)));
            }
            return string.Join("&", pairs
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .ThenBy(p => p.Value, StringComparer.Ordinal)
                .Select(p => p.Key + "=" + p.Value));
        }

        /// <summary>Names lowercased and sorted; values trimmed, inner runs of spaces collapsed, repeats joined by ',' in order.</summary>
        public static IReadOnlyList<KeyValuePair<string, string>> CanonicalHeaders(IEnumerable<KeyValuePair<string, string>> headers)
        {
            var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var header in headers)
            {
                var name = header.Key.Trim().ToLowerInvariant();
                var value = CollapseSpaces(header.Value ?? string.Empty);
                merged[name] = merged.TryGetValue(name, out var earlier) ? earlier + "," + value : value;
            }
            return merged.ToList();
        }

        /// <summary>RFC 3986 encoding with AWS's unreserved set: A-Z a-z 0-9 - _ . ~ (and '/' in paths).</summary>
        public static string Encode(string value, bool keepSlash)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes)
            {
                var c = (char)b;
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/'))
                    sb.Append(c);
                else
                    sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            return sb.ToString();
        }

        private static string CollapseSpaces(string value)
        {
            var trimmed = value.Trim();
            var sb = new StringBuilder(trimmed.Length);
            var lastSpace = false;
            foreach (var c in trimmed)
            {
                var space = c == ' ' || c == '\t';
                if (space && lastSpace) continue;
                sb.Append(space ? ' ' : c);
                lastSpace = space;
            }
            return sb.ToString();
        }

        private static byte[] Hmac(byte[] key, string data)
        {
            using var hmac = new HMACSHA256(key);
            return hmac.ComputeHash(Encoding.UTF8.GetBytes(data));
        }

        private static string Hex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }
    }

    /// <summary>What one request's signature is made of.</summary>
    public sealed class AwsSigningInput
    {
        public AwsSigningInput(string method, string path, string? query, IEnumerable<KeyValuePair<string, string>> headers, string payloadHash,
            AwsCredentialSet credentials, string region, string service, DateTimeOffset time)
        {
            Method = method;
            Path = path;
            Query = query;
            Headers = headers;
            PayloadHash = payloadHash;
            Credentials = credentials;
            Region = region;
            Service = service;
            Time = time;
        }

        public string Method { get; }
        /// <summary>The path as it goes on the wire.</summary>
        public string Path { get; }
        /// <summary>The query as it goes on the wire, with or without its '?'.</summary>
        public string? Query { get; }
        public IEnumerable<KeyValuePair<string, string>> Headers { get; }
        public string PayloadHash { get; }
        public AwsCredentialSet Credentials { get; }
        public string Region { get; }
        public string Service { get; }
        public DateTimeOffset Time { get; }
    }

    /// <summary>A signature and the texts it was computed from (compared with AWS's suite in tests; never logged).</summary>
    public sealed class AwsSignature
    {
        internal AwsSignature(string canonicalRequest, string stringToSign, string signedHeaders, string signature, string authorization, string amzDate)
        {
            CanonicalRequest = canonicalRequest;
            StringToSign = stringToSign;
            SignedHeaders = signedHeaders;
            Signature = signature;
            Authorization = authorization;
            AmzDate = amzDate;
        }

        public string CanonicalRequest { get; }
        public string StringToSign { get; }
        public string SignedHeaders { get; }
        public string Signature { get; }
        public string Authorization { get; }
        public string AmzDate { get; }
    }
}
