using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// Turns statuses, bodies and transport exceptions into SocApiExceptions with messages a user can act on. The one
    /// place failures are built: a body has its secrets masked before anything reads or cuts it (a cut through a
    /// credential leaves a part no redactor recognises), and every failure leaves here with all its texts redacted.
    /// </summary>
    internal static class ApiErrorFactory
    {
        private const int MaxBodyInMessage = 2000;
        private static readonly Regex Title = new Regex(@"<title>\s*(.*?)\s*</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.Compiled);
        private static readonly Regex Heading = new Regex(@"<h1[^>]*>\s*(.*?)\s*</h1>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.Compiled);

        /// <summary>A body as text with every secret masked: the first thing done to it.</summary>
        public static string SafeText(SecretRedactor redactor, byte[] body) => redactor.Redact(ResponseBody.Text(body));

        public static SocApiException HtmlPage(string service, int status, string url, byte[] body, SecretRedactor redactor)
        {
            var text = SafeText(redactor, body);
            var title = Title.Match(text) is { Success: true } t ? t.Groups[1].Value : Heading.Match(text) is { Success: true } h ? h.Groups[1].Value : "untitled";
            title = Shorten(Regex.Replace(title, "<[^>]+>", string.Empty).Trim());
            const string advice = "Check the URL (scheme, port, path prefix), the proxy or tunnel in front of the service, and that the service behind it is up.";
            return new SocApiException(ApiFailureKind.HtmlPage, service,
                $"{service} at {url} answered HTTP {status} with an HTML page (\"{title}\") instead of JSON: a proxy, tunnel, load balancer or login page is answering in its place. {advice}")
            {
                StatusCode = status,
                Url = url,
                VendorType = "html",
                VendorReason = title,
                RecommendedAction = advice,
            }.Redacted(redactor);
        }

        public static SocApiException BadJson(string service, int status, string url, byte[] body, Exception inner, SecretRedactor redactor)
        {
            const string advice = "Retry the command; if it persists, check for a proxy that rewrites or truncates responses.";
            return new SocApiException(ApiFailureKind.InvalidResponse, service,
                $"{service} answered {url} with HTTP {status} and a body that is not valid JSON ({body.Length} bytes; it may have been cut short): {inner.Message} {advice}", inner)
            {
                StatusCode = status,
                Url = url,
                RecommendedAction = advice,
            }.Redacted(redactor);
        }

        public static SocApiException FromStatus(IVendorErrors vendor, SecretRedactor redactor, string method, string url, int status, byte[] body, string? contentType, int retries, double? retryAfter)
        {
            var service = vendor.ServiceName;
            if (ResponseBody.IsHtml(contentType, body))
            {
                var html = HtmlPage(service, status, url, body, redactor);
                html.Method = method;
                html.Retries = retries;
                return html;
            }

            // The vendor reads the body with its secrets already masked, so no type, reason or cut of them holds one.
            var text = SafeText(redactor, body);
            var safe = Encoding.UTF8.GetBytes(text);
            string? type = null, reason = null;
            if (safe.Length > 0)
            {
                try
                {
                    (type, reason) = vendor.Describe(status, contentType, safe);
                }
                catch (Exception)
                {
                    // A body the vendor's reader chokes on must not hide the failure it came with; it is quoted below.
                    type = reason = null;
                }
                // A body the vendor did not recognise is quoted, unless it is JSON (an envelope with nothing to say).
                if (type is null && reason is null && ResponseBody.Detect(contentType, safe) != BodyFormat.Json)
                {
                    var trimmed = text.Trim();
                    if (trimmed.Length > 0) reason = Shorten(trimmed);
                }
            }

            var kind = KindOf(status);
            var advice = vendor.Advice(kind, status, type) ?? DefaultAdvice(kind);
            var what = type is null ? reason : reason is null ? type : type + ": " + reason;
            var retried = retries > 0 ? $" after {retries} retr{(retries == 1 ? "y" : "ies")}" : string.Empty;
            var message = $"{service} rejected {method} {url} with HTTP {status}{retried}" + (string.IsNullOrEmpty(what) ? "." : $" ({what}).") + (advice is null ? string.Empty : " " + advice);
            return new SocApiException(kind, service, message)
            {
                StatusCode = status,
                Method = method,
                Url = url,
                VendorType = type,
                VendorReason = reason,
                RecommendedAction = advice,
                ResponseBody = Shorten(text),
                Retries = retries,
                RetryAfterSeconds = retryAfter,
            }.Redacted(redactor);
        }

        public static ApiFailureKind KindOf(int status)
        {
            switch (status)
            {
                case 400:
                case 405:
                case 413:
                case 415:
                case 422: return ApiFailureKind.InvalidRequest;
                case 401: return ApiFailureKind.Authentication;
                case 403: return ApiFailureKind.Permission;
                case 404:
                case 410: return ApiFailureKind.NotFound;
                case 408: return ApiFailureKind.Timeout;
                case 409: return ApiFailureKind.Conflict;
                case 429: return ApiFailureKind.Throttled;
                default: return ApiFailureKind.Status;
            }
        }

        private static string? DefaultAdvice(ApiFailureKind kind)
        {
            switch (kind)
            {
                case ApiFailureKind.Authentication: return "Check the credentials given to Connect-*: they are missing, wrong or expired.";
                case ApiFailureKind.Permission: return "The credentials work but lack the privilege for this action; ask for the role that grants it.";
                case ApiFailureKind.Throttled: return "The service is throttling requests; wait and run again, or lower the request rate.";
                case ApiFailureKind.Status: return "The service failed; retry later, and check its health if it persists.";
                default: return null;
            }
        }

        /// <summary>
        /// A failure without an answer (TLS refused, timeout, no connection). <paramref name="timeout"/> is the wait that
        /// ran out: the attempt's timeout, or, when <paramref name="budgetSpent"/>, the request's whole budget
        /// (<see cref="HttpPipelineOptions.TotalTimeout"/>, <see cref="HttpPipelineOptions.SetupTimeout"/>).
        /// <paramref name="speaksTls"/>: a dropped plain-HTTP request was followed by a TLS handshake that succeeded.
        /// </summary>
        public static SocApiException FromTransport(string service, Uri baseUri, string method, string url, Exception ex, TlsObservation tls, TlsOptions tlsOptions, TimeSpan timeout, bool budgetSpent, int retries, bool speaksTls, SecretRedactor redactor) =>
            Transport(service, baseUri, method, url, ex, tls, tlsOptions, timeout, budgetSpent, retries, speaksTls).Redacted(redactor);

        /// <summary>The connection was reset or closed before a complete response: what a TLS port does to a plain-HTTP request.</summary>
        public static bool IsDropped(Exception ex) =>
            FindInner<AuthenticationException>(ex) is null && (FindInner<IOException>(ex) != null || FindInner<SocketException>(ex)?.SocketErrorCode == SocketError.ConnectionReset);

        private static SocApiException Transport(string service, Uri baseUri, string method, string url, Exception ex, TlsObservation tls, TlsOptions tlsOptions, TimeSpan timeout, bool budgetSpent, int retries, bool speaksTls)
        {
            var retried = retries > 0 ? $" (after {retries} retr{(retries == 1 ? "y" : "ies")})" : string.Empty;
            // Both .NET and .NET Framework report a refused certificate (by the system or by our pin) as an AuthenticationException.
            if (FindInner<AuthenticationException>(ex) != null)
            {
                if (tls.Refusal is null)
                {
                    // No certificate was refused: the handshake failed before one arrived, as it does against plain HTTP.
                    var plain = new UriBuilder(baseUri) { Scheme = Uri.UriSchemeHttp, Port = baseUri.Port }.Uri;
                    var tryPlain = $"If it serves plain HTTP, use {plain} instead.";
                    return new SocApiException(ApiFailureKind.Connection, service,
                        $"{service} at {baseUri} does not speak TLS on port {baseUri.Port}: the TLS handshake of {method} {url} failed before any certificate was sent{retried} ({Innermost(ex).Message}). {tryPlain}", ex)
                    { Method = method, Url = url, Retries = retries, RecommendedAction = tryPlain };
                }
                var thumb = tls.Sha256 is null ? string.Empty : $" Its SHA-256 thumbprint is {tls.Sha256}.";
                const string trust = "If this is the server you expect, pin it with -CertificateThumbprint, trust its CA with -CaCertificateFile, or (tests only) use -SkipCertificateCheck.";
                return new SocApiException(ApiFailureKind.Tls, service,
                    $"The TLS certificate of {service} at {baseUri} is not trusted ({tlsOptions.Describe()}): {tls.Refusal}; subject {tls.Subject ?? "unknown"}.{thumb} {trust}", ex)
                { Method = method, Url = url, Retries = retries, RecommendedAction = trust };
            }
            if (speaksTls)
            {
                var secure = new UriBuilder(baseUri) { Scheme = Uri.UriSchemeHttps, Port = baseUri.Port }.Uri;
                var useTls = $"Use {secure} instead.";
                return new SocApiException(ApiFailureKind.Connection, service,
                    $"{service} at {baseUri} speaks TLS on port {baseUri.Port}: it closed the connection on the plain-HTTP request {method} {url}{retried}. {useTls}", ex)
                { Method = method, Url = url, Retries = retries, RecommendedAction = useTls };
            }
            if (FindInner<IncompleteBodyException>(ex) is IncompleteBodyException cut)
            {
                // The bytes that came are named: "0 bytes" when 58,906 arrived sends the reader after the wrong cause.
                if (cut.JsonCutShort)
                {
                    return new SocApiException(ApiFailureKind.InvalidResponse, service, $"{service} answered {method} {url} with {cut.Message}{retried}: {cut.InnerException!.Message}", ex)
                    { StatusCode = cut.Status, Method = method, Url = url, Retries = retries, RecommendedAction = "Retry the command; if it persists, check for a proxy that rewrites or truncates responses." };
                }
                return new SocApiException(ApiFailureKind.Connection, service,
                    $"Could not complete {method} {url} on {service}{retried}: it answered {cut.Message}, before a complete response arrived. Retry; if it persists, check proxies and the server's logs.", ex)
                { StatusCode = cut.Status, Method = method, Url = url, Retries = retries };
            }
            if (budgetSpent)
            {
                return new SocApiException(ApiFailureKind.Timeout, service,
                    $"{service} at {baseUri} did not answer {method} {url} within {timeout.TotalSeconds:0.#} s{retried}. A server that takes the connection and never answers is usually another service on that port, or a proxy holding the request: check the URL and port, and the proxy settings (HTTPS_PROXY, NO_PROXY); if the server is only slow, raise -TimeoutSec.", ex)
                { Method = method, Url = url, Retries = retries };
            }
            if (FindInner<ConnectTimeoutException>(ex) is ConnectTimeoutException connect)
            {
                return new SocApiException(ApiFailureKind.Timeout, service,
                    $"Could not connect to {service} at {baseUri} within {connect.Timeout.TotalSeconds:0.#} s{retried}: nothing answered the connection. Check the host and port, and any firewall or proxy in between.", ex)
                { Method = method, Url = url, Retries = retries };
            }
            if (ex is TimeoutException || ex is OperationCanceledException)
            {
                return new SocApiException(ApiFailureKind.Timeout, service,
                    $"{service} did not answer {method} {url} within {timeout.TotalSeconds:0.#} s{retried}. The server may be overloaded or unreachable; raise -TimeoutSec or check the network path.", ex)
                { Method = method, Url = url, Retries = retries };
            }
            var socket = FindInner<SocketException>(ex);
            string detail;
            if (socket?.SocketErrorCode == SocketError.ConnectionRefused) detail = "the connection was refused: nothing is listening there. Is the server running, and are the host and port right?";
            else if (socket?.SocketErrorCode == SocketError.HostNotFound || socket?.SocketErrorCode == SocketError.NoData) detail = "the host name does not resolve. Check the URL.";
            else if (IsDropped(ex)) detail = "the connection was dropped before a complete response arrived (reset or truncated body). Retry; if it persists, check proxies and the server's logs.";
            else detail = Innermost(ex).Message;
            return new SocApiException(ApiFailureKind.Connection, service, $"Could not complete {method} {url} on {service}{retried}: {detail}", ex)
            { Method = method, Url = url, Retries = retries };
        }

        private static T? FindInner<T>(Exception? ex) where T : Exception
        {
            for (var e = ex; e != null; e = e.InnerException) if (e is T t) return t;
            return null;
        }

        private static Exception Innermost(Exception ex)
        {
            var e = ex;
            while (e.InnerException != null) e = e.InnerException;
            return e;
        }

        public static string Shorten(string text) => text.Length <= MaxBodyInMessage ? text : text.Substring(0, MaxBodyInMessage) + "…";
    }
}
