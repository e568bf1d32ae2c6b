using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// Removes secrets from any text before it reaches a stream, an exception or a log: the exact secret values a
    /// connection holds, their base64 forms, and secret-looking query parameters and headers.
    /// </summary>
    public sealed class SecretRedactor
    {
        public const string Mask = "***";
        private static readonly Regex SecretQuery = new Regex(
            @"(?i)([?&](?:api_key|apikey|key|token|access_token|password|secret|signature|x-amz-signature|x-amz-security-token|x-amz-credential)=)[^&#\s""']+",
            RegexOptions.Compiled | RegexOptions.CultureInvariant);
        // A value ends at a line end, a separator or a closing bracket: the Debug line lists headers as [A: x; B: y].
        private static readonly Regex AuthHeader = new Regex(
            @"(?i)\b(Authorization|X-IRIS-AUTH|x-apikey|X-Amz-Security-Token)(\s*[:=]\s*)(Basic |Bearer |ApiKey |AWS4-HMAC-SHA256 )?[^\r\n,;""'\]]+",
            RegexOptions.Compiled | RegexOptions.CultureInvariant);

        // A SigV4 signature quoted apart from its header (an echoed Authorization cut at a comma, a presigned URL's text).
        private static readonly Regex SigV4Signature = new Regex(
            @"(?i)\b(Signature=)[0-9a-f]{64}\b",
            RegexOptions.Compiled | RegexOptions.CultureInvariant);

        // scheme://user:password@host: everything between the scheme and the last @ of the authority.
        private static readonly Regex UrlCredentials = new Regex(
            @"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s""'<>]*@",
            RegexOptions.Compiled | RegexOptions.CultureInvariant);

        private readonly object _gate = new object();
        private string[] _secrets = Array.Empty<string>();

        /// <summary>Register a secret value (and its common encodings) so it never appears in output.</summary>
        public void Add(string? secret)
        {
            if (string.IsNullOrEmpty(secret) || secret!.Length < 4) return;
            var forms = new List<string> { secret, Uri.EscapeDataString(secret) };
            try { forms.Add(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secret))); } catch (FormatException) { }
            // As a server quoting it in a JSON string may have escaped it: "+" as \u002B (System.Text.Json), "/" as \/ (PHP, some Java).
            var json = System.Text.Json.JsonEncodedText.Encode(secret).ToString();
            forms.Add(json);
            forms.Add(secret.Replace("/", "\\/"));
            forms.Add(json.Replace("/", "\\/"));
            lock (_gate)
            {
                // Longest first, so a secret that contains another is masked whole.
                _secrets = _secrets.Concat(forms).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();
            }
        }

        public string Redact(string? text)
        {
            if (string.IsNullOrEmpty(text)) return text ?? string.Empty;
            var result = text!;
            foreach (var secret in _secrets)
            {
                if (result.IndexOf(secret, StringComparison.Ordinal) >= 0) result = result.Replace(secret, Mask);
            }
            result = MaskUrlCredentials(result);
            result = SecretQuery.Replace(result, "$1" + Mask);
            result = AuthHeader.Replace(result, m => m.Groups[1].Value + m.Groups[2].Value + m.Groups[3].Value + Mask);
            result = SigV4Signature.Replace(result, "$1" + Mask);
            return result;
        }

        public string Redact(Uri uri) => Redact(uri.ToString());

        /// <summary>Any URL's user:password@ part masked: "https://***@host/".</summary>
        public static string MaskUrlCredentials(string text) => UrlCredentials.Replace(text, "$1" + Mask + "@");
    }
}
