using System;

namespace PSSocAutomation.Http
{
    /// <summary>What kind of failure a call met, which decides the ErrorId and ErrorCategory a cmdlet reports.</summary>
    public enum ApiFailureKind
    {
        /// <summary>The service answered with an error status and its own error body.</summary>
        Status,
        /// <summary>Credentials missing, wrong or expired (401).</summary>
        Authentication,
        /// <summary>Authenticated but not allowed (403).</summary>
        Permission,
        /// <summary>The thing asked for does not exist (404, or IRIS's 400 "not found").</summary>
        NotFound,
        /// <summary>The request was rejected as malformed (400, 422).</summary>
        InvalidRequest,
        /// <summary>Throttled (429) and still throttled after the retries.</summary>
        Throttled,
        /// <summary>An HTML page came back where JSON was expected: a proxy, tunnel, or login page is in the way.</summary>
        HtmlPage,
        /// <summary>The body was cut short or was not the JSON the API promises.</summary>
        InvalidResponse,
        /// <summary>No connection: refused, reset, DNS.</summary>
        Connection,
        /// <summary>The server certificate was not trusted.</summary>
        Tls,
        /// <summary>No answer within the timeout.</summary>
        Timeout,
        /// <summary>The request conflicts with the current state (409).</summary>
        Conflict,
        /// <summary>A response the module did not expect from this API (wrong product, missing field).</summary>
        Protocol,
    }

    /// <summary>
    /// A failed API call, carrying the service, the status, the vendor's own error type and reason, the (redacted) URL
    /// and what to do next. Its Message is already redacted and safe to show.
    /// </summary>
    public sealed class SocApiException : Exception
    {
        public SocApiException(ApiFailureKind kind, string service, string message, Exception? inner = null)
            : base(message, inner)
        {
            Kind = kind;
            Service = service;
        }

        public ApiFailureKind Kind { get; }
        /// <summary>"Elasticsearch", "DFIR-IRIS", ...</summary>
        public string Service { get; }
        public int? StatusCode { get; set; }
        public string? Method { get; set; }
        /// <summary>The request URL with secrets removed.</summary>
        public string? Url { get; set; }
        /// <summary>The vendor's error type (Elastic error.type, IRIS message).</summary>
        public string? VendorType { get; set; }
        /// <summary>The vendor's reason (Elastic error.reason, IRIS field errors).</summary>
        public string? VendorReason { get; set; }
        /// <summary>What the user can do about it.</summary>
        public string? RecommendedAction { get; set; }
        /// <summary>The (redacted, shortened) response body, for ErrorDetails.</summary>
        public string? ResponseBody { get; set; }
        /// <summary>Seconds the server asked us to wait, when it said.</summary>
        public double? RetryAfterSeconds { get; set; }
        /// <summary>How many times the request was retried before giving up.</summary>
        public int Retries { get; set; }
        /// <summary>The page of a paged read this failure stopped (from 1), set by <see cref="Pager{TPage, TCursor}"/>; null outside paging.</summary>
        public int? Page { get; set; }

        /// <summary>This failure with another kind and message; everything else kept (a vendor rewording its own failure).</summary>
        internal SocApiException With(ApiFailureKind kind, string message) => Copy(kind, message, InnerException, text => text);

        /// <summary>
        /// The same failure told in the caller's terms: same kind (so the same ErrorId), status and vendor details, a
        /// message that says what it meant there; this one stays the inner exception.
        /// </summary>
        public SocApiException WithMessage(string message) => Copy(Kind, message, this, text => text);

        /// <summary>
        /// This failure with every text it carries passed through <paramref name="redactor"/>: what a server echoed (a WAF
        /// page quoting the Authorization header, a vendor quoting the key it refused) can sit in any of them.
        /// </summary>
        internal SocApiException Redacted(SecretRedactor redactor) => Copy(Kind, Message, InnerException, redactor.Redact);

        private SocApiException Copy(ApiFailureKind kind, string message, Exception? inner, Func<string, string> text) =>
            new SocApiException(kind, text(Service), text(message), inner)
            {
                StatusCode = StatusCode,
                Method = Method is null ? null : text(Method),
                Url = Url is null ? null : text(Url),
                VendorType = VendorType is null ? null : text(VendorType),
                VendorReason = VendorReason is null ? null : text(VendorReason),
                RecommendedAction = RecommendedAction is null ? null : text(RecommendedAction),
                ResponseBody = ResponseBody is null ? null : text(ResponseBody),
                RetryAfterSeconds = RetryAfterSeconds,
                Retries = Retries,
                Page = Page,
            };
    }
}
