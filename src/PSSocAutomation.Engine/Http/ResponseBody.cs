using System;
using System.Text;
using System.Text.Json;

namespace PSSocAutomation.Http
{
    /// <summary>What kind of body came back, whatever the API promised.</summary>
    public enum BodyFormat
    {
        Empty,
        Json,
        /// <summary>XML that is not an HTML page: AWS query APIs (EC2, IAM, STS) answer in it, errors included.</summary>
        Xml,
        /// <summary>A web page: a proxy, tunnel, load balancer or login page answering in the service's place (or IRIS's Flask errors).</summary>
        Html,
        /// <summary>Plain text, such as Slack webhooks' "ok" and "invalid_payload".</summary>
        Text,
    }

    /// <summary>
    /// Reads response bodies of any format: tells JSON, XML, HTML and text apart, and turns bytes into text. One
    /// place, so every vendor's error hook and every client sees a body the same way.
    /// </summary>
    public static class ResponseBody
    {
        private static readonly byte[] HtmlTag = Encoding.ASCII.GetBytes("<html");
        private static readonly byte[] Doctype = Encoding.ASCII.GetBytes("<!doctype");

        public static BodyFormat Detect(string? contentType, ReadOnlySpan<byte> body)
        {
            if (IsHtml(contentType, body)) return BodyFormat.Html;
            var start = ContentStart(body);
            if (start >= body.Length) return BodyFormat.Empty;
            var first = body[start];
            if (first == '{' || first == '[') return BodyFormat.Json;
            if (first == '<') return BodyFormat.Xml;
            var media = MediaType(contentType);
            // A JSON scalar ("str", 42) is still JSON when the server says so; anything else that is not markup is text.
            if (media.EndsWith("json", StringComparison.Ordinal) || media.EndsWith("+json", StringComparison.Ordinal)) return BodyFormat.Json;
            return BodyFormat.Text;
        }

        /// <summary>
        /// An HTML page, by its media type or by how it starts (after white space and a BOM): "&lt;html" or
        /// "&lt;!DOCTYPE". A leading "&lt;" alone is not enough: XML starts with one too.
        /// </summary>
        public static bool IsHtml(string? contentType, ReadOnlySpan<byte> body)
        {
            if (IsHtmlMediaType(contentType)) return true;
            var rest = body.Slice(Math.Min(ContentStart(body), body.Length));
            return StartsWithIgnoringCase(rest, HtmlTag) || StartsWithIgnoringCase(rest, Doctype);
        }

        public static bool IsHtmlMediaType(string? contentType)
        {
            var media = MediaType(contentType);
            return media == "text/html" || media == "application/xhtml+xml";
        }

        /// <summary>The body parsed as JSON, or false when it is not JSON (the caller disposes the document).</summary>
        public static bool TryParseJson(ReadOnlyMemory<byte> body, out JsonDocument? document)
        {
            document = null;
            if (Detect(null, body.Span) != BodyFormat.Json) return false;
            try
            {
                document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 256 });
                return true;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        /// <summary>
        /// Does the body hold one whole JSON value? False, with the parser's reason, when it ends early or is malformed:
        /// checked without building a document, for the bodies the caller will parse later.
        /// </summary>
        public static bool IsCompleteJson(ReadOnlySpan<byte> body, out JsonException? error)
        {
            if (body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF) body = body.Slice(3);
            try
            {
                var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
                while (reader.Read()) { }
                error = null;
                return true;
            }
            catch (JsonException ex)
            {
                error = ex;
                return false;
            }
        }

        /// <summary>The body as text (UTF-8, without a BOM).</summary>
        public static string Text(ReadOnlyMemory<byte> body)
        {
            var span = body.Span;
            if (span.Length >= 3 && span[0] == 0xEF && span[1] == 0xBB && span[2] == 0xBF) span = span.Slice(3);
            if (span.IsEmpty) return string.Empty;
#if NETSTANDARD2_0
            return Encoding.UTF8.GetString(span.ToArray());
#else
            return Encoding.UTF8.GetString(span);
#endif
        }

        /// <summary>"text/xml; charset=utf-8" -> "text/xml".</summary>
        public static string MediaType(string? contentType)
        {
            if (string.IsNullOrEmpty(contentType)) return string.Empty;
            var semicolon = contentType!.IndexOf(';');
            return (semicolon >= 0 ? contentType.Substring(0, semicolon) : contentType).Trim().ToLowerInvariant();
        }

        private static int ContentStart(ReadOnlySpan<byte> body)
        {
            var i = 0;
            if (body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF) i = 3;
            while (i < body.Length && (body[i] == ' ' || body[i] == '\r' || body[i] == '\n' || body[i] == '\t')) i++;
            return i;
        }

        private static bool StartsWithIgnoringCase(ReadOnlySpan<byte> text, byte[] lowerPrefix)
        {
            if (text.Length < lowerPrefix.Length) return false;
            for (var i = 0; i < lowerPrefix.Length; i++)
            {
                var b = text[i];
                if (b >= 'A' && b <= 'Z') b = (byte)(b + 32);
                if (b != lowerPrefix[i]) return false;
            }
            return true;
        }
    }
}
