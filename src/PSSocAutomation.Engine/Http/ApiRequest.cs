using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace PSSocAutomation.Http
{
    /// <summary>One call to a vendor API, before the pipeline adds auth, retries and logging.</summary>
    public sealed class ApiRequest
    {
        public ApiRequest(HttpMethod method, string pathAndQuery)
        {
            Method = method;
            PathAndQuery = pathAndQuery;
            Idempotent = method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Delete || method == HttpMethod.Put;
        }

        public HttpMethod Method { get; }
        /// <summary>Relative to the connection's base URI, e.g. "alerts/_search?ignore_unavailable=true".</summary>
        public string PathAndQuery { get; }
        public byte[]? Body { get; set; }
        public string ContentType { get; set; } = "application/json";
        /// <summary>
        /// Safe to send twice (reads, searches, puts of a known id, create-with-id). Only these are retried after a
        /// timeout, a 5xx or a dropped connection: a POST that may have been applied is never repeated blind.
        /// </summary>
        public bool Idempotent { get; set; }
        public IDictionary<string, string>? Headers { get; set; }
        /// <summary>Statuses the caller handles itself (returned instead of thrown), e.g. 404 on DELETE /_pit.</summary>
        public Func<int, bool>? AcceptStatus { get; set; }
        /// <summary>Per attempt, instead of the connection's <see cref="HttpPipelineOptions.Timeout"/>.</summary>
        public TimeSpan? Timeout { get; set; }
        /// <summary>All attempts together, instead of the connection's <see cref="HttpPipelineOptions.TotalTimeout"/>.</summary>
        public TimeSpan? TotalTimeout { get; set; }
        /// <summary>False for the requests that obtain credentials (an OAuth2 token request), which the authenticator must not see.</summary>
        public bool Authenticate { get; set; } = true;
        /// <summary>What the call is for, in the user's terms ("case creation"), shown in its Verbose line.</summary>
        public string? Description { get; set; }
        /// <summary>
        /// The quota this call counts against, where an endpoint has several (Security Hub: GetFindings 3/s, the rest
        /// 10/s); every attempt waits for its permit. Null: the connection's <see cref="HttpPipelineOptions.RateLimiter"/>.
        /// </summary>
        public System.Threading.RateLimiting.RateLimiter? RateLimiter { get; set; }
        /// <summary>Parse a 2xx body as JSON while it streams in (large pages), instead of reading it into one array first.</summary>
        public bool StreamJson { get; set; }
    }

    /// <summary>A response whose body has been read whole (pages are bounded, so this stays small).</summary>
    public sealed class ApiResponse
    {
        internal ApiResponse(int status, byte[] body, string? contentType, HttpResponseHeaders? headers, string url, string service, SecretRedactor redactor)
        {
            Redactor = redactor;
            Status = status;
            Body = body;
            ContentType = contentType;
            Headers = headers;
            Url = url;
            Service = service;
        }

        public int Status { get; }
        public byte[] Body { get; }
        public string? ContentType { get; }
        public HttpResponseHeaders? Headers { get; }
        /// <summary>Redacted URL, for messages.</summary>
        public string Url { get; }
        public string Service { get; }
        /// <summary>The connection's redactor, for failures built from this response.</summary>
        internal SecretRedactor Redactor { get; }
        public TimeSpan Elapsed { get; internal set; }
        public int Retries { get; internal set; }
        /// <summary>
        /// An earlier attempt of this request may have been applied before it was retried (its answer was lost, or it
        /// timed out or met a 502/503/504): a 409 on a create in this answer can be this request's own earlier write.
        /// </summary>
        public bool MayHaveRepeated { get; internal set; }

        public string? Header(string name)
        {
            if (Headers != null && Headers.TryGetValues(name, out var values))
                foreach (var v in values) return v;
            return null;
        }

        /// <summary>The document already parsed while streaming (see <see cref="ApiRequest.StreamJson"/>).</summary>
        internal JsonDocument? Json { get; set; }

        /// <summary>Parse the body as JSON, or say clearly what came back instead. The caller disposes the document.</summary>
        public JsonDocument ParseJson()
        {
            if (Json != null)
            {
                var parsed = Json;
                Json = null;
                return parsed;
            }
            switch (ResponseBody.Detect(ContentType, Body))
            {
                case BodyFormat.Empty:
                    throw new SocApiException(ApiFailureKind.InvalidResponse, Service, $"{Service} answered {Url} with HTTP {Status} and an empty body where JSON was expected.") { StatusCode = Status, Url = Url };
                case BodyFormat.Html:
                    throw ApiErrorFactory.HtmlPage(Service, Status, Url, Body, Redactor);
                case BodyFormat.Xml:
                    throw Unexpected("XML", "JSON");
            }
            try
            {
                return JsonDocument.Parse(Body, new JsonDocumentOptions { MaxDepth = 256 });
            }
            catch (JsonException ex)
            {
                throw ApiErrorFactory.BadJson(Service, Status, Url, Body, ex, Redactor);
            }
        }

        /// <summary>Parse the body as XML (AWS query APIs), or say clearly what came back instead. DTDs are refused.</summary>
        public XDocument ParseXml()
        {
            switch (ResponseBody.Detect(ContentType, Body))
            {
                case BodyFormat.Empty:
                    throw new SocApiException(ApiFailureKind.InvalidResponse, Service, $"{Service} answered {Url} with HTTP {Status} and an empty body where XML was expected.") { StatusCode = Status, Url = Url };
                case BodyFormat.Html:
                    throw ApiErrorFactory.HtmlPage(Service, Status, Url, Body, Redactor);
                case BodyFormat.Json:
                    throw Unexpected("JSON", "XML");
            }
            try
            {
                using var stream = new System.IO.MemoryStream(Body, writable: false);
                using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                return XDocument.Load(reader);
            }
            catch (XmlException ex)
            {
                throw new SocApiException(ApiFailureKind.InvalidResponse, Service,
                    $"{Service} answered {Url} with HTTP {Status} and a body that is not valid XML ({Body.Length} bytes; it may have been cut short): {ex.Message}", ex)
                { StatusCode = Status, Url = Url, RecommendedAction = "Retry the command; if it persists, check for a proxy that rewrites or truncates responses." };
            }
        }

        /// <summary>The body as text (Slack webhooks answer "ok").</summary>
        public string Text() => ResponseBody.Text(Body);

        private SocApiException Unexpected(string found, string expected) =>
            new SocApiException(ApiFailureKind.Protocol, Service, $"{Service} answered {Url} with HTTP {Status} and {found} where {expected} was expected: is the URL this service's API?")
            { StatusCode = Status, Url = Url };
    }
}
