using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// The one HTTP pipeline every client uses: one HttpClient per connection, auth, TLS trust for this connection only,
    /// retries with back-off through Polly, a timeout per attempt, one Verbose line per request, and secrets redacted
    /// from everything it reports.
    /// </summary>
    public sealed class HttpPipeline : IDisposable
    {
        public static readonly string UserAgent = "PSSocAutomation/" + typeof(HttpPipeline).Assembly.GetName().Version!.ToString(3);

        private readonly HttpClient _client;
        private readonly IVendorErrors _vendor;
        private readonly TlsObservation _tls = new TlsObservation();
        private readonly ResiliencePipeline<Attempt> _retry;

        public HttpPipeline(HttpPipelineOptions options, IVendorErrors vendor)
        {
            Options = options;
            _vendor = vendor;
            foreach (var secret in options.Auth.SecretValues()) Redactor.Add(secret);
            foreach (var secret in options.ExtraSecrets) Redactor.Add(secret);

            var handler = new HttpClientHandler
            {
                // IRIS sets a session cookie that breaks later POSTs (CSRF on <=2.4.7); no API here needs cookies.
                UseCookies = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                MaxConnectionsPerServer = options.MaxConnections,
            };
            var callback = TlsValidation.CreateCallback(options.Tls, _tls);
            if (callback != null) handler.ServerCertificateCustomValidationCallback = (m, c, ch, e) => callback(m, c, ch, e);
#if NETSTANDARD2_0
            var proxy = EnvironmentProxy.FromEnvironment();
            if (proxy != null) { handler.Proxy = proxy; handler.UseProxy = true; }
#endif
            _client = new HttpClient(handler, disposeHandler: true) { BaseAddress = options.BaseUri, Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            _client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            _client.DefaultRequestHeaders.Accept.ParseAdd("application/json");

            _retry = new ResiliencePipelineBuilder<Attempt>()
                .AddRetry(new RetryStrategyOptions<Attempt>
                {
                    MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryBaseDelay,
                    MaxDelay = options.MaxRetryDelay,
                    ShouldHandle = args => new ValueTask<bool>(options.MaxRetries > 0 && ShouldRetry(args.Context.Properties.GetValue(Keys.State, null!), args.Outcome)),
                    DelayGenerator = args => new ValueTask<TimeSpan?>(RetryAfter(args.Outcome.Result)),
                    OnRetry = args =>
                    {
                        var state = args.Context.Properties.GetValue(Keys.State, null!);
                        state.Retries = args.AttemptNumber + 1;
                        var why = args.Outcome.Exception != null ? Describe(args.Outcome.Exception) : "HTTP " + args.Outcome.Result!.Status;
                        var msg = $"{_vendor.ServiceName} {state.Method} {state.Url}: {why}; retry {state.Retries} of {options.MaxRetries} in {args.RetryDelay.TotalSeconds:0.##} s.";
                        if (args.Outcome.Result?.Status == 429) RequestLog.Warning(msg); else RequestLog.Verbose(msg);
                        return default;
                    },
                })
                .Build();
        }

        public HttpPipelineOptions Options { get; }
        public SecretRedactor Redactor { get; } = new SecretRedactor();
        public Uri BaseUri => Options.BaseUri;
        /// <summary>How messages name the service ("Elasticsearch", "DFIR-IRIS").</summary>
        public string ServiceName => _vendor.ServiceName;

        /// <summary>Send a request; returns the response for 2xx (and accepted statuses), throws SocApiException otherwise.</summary>
        public async Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken cancellationToken)
        {
            var url = Redactor.Redact(new Uri(Options.BaseUri, request.PathAndQuery).ToString());
            var state = new RequestState(request, url);
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(Keys.State, state);
            var clock = Stopwatch.StartNew();
            Outcome<Attempt> outcome;
            try
            {
                outcome = await _retry.ExecuteOutcomeAsync(
                    async (ctx, s) =>
                    {
                        try { return Outcome.FromResult(await SendOnceAsync(s, ctx.CancellationToken).ConfigureAwait(false)); }
                        catch (Exception ex) { return Outcome.FromException<Attempt>(ex); }
                    },
                    context, state).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
            clock.Stop();

            if (outcome.Exception != null)
            {
                var ex = outcome.Exception;
                if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
                RequestLog.Verbose($"{_vendor.ServiceName} {state.Method} {url} failed in {clock.ElapsedMilliseconds} ms (retries: {state.Retries}): {Describe(ex)}");
                if (ex is SocApiException api) throw _vendor.Refine(api);
                var failure = ApiErrorFactory.FromTransport(_vendor.ServiceName, Redactor.Redact(Options.BaseUri.ToString()), state.Method, url, ex, _tls, Options.Tls, request.Timeout ?? Options.Timeout, state.Retries);
                throw _vendor.Refine(new SocApiException(failure.Kind, failure.Service, Redactor.Redact(failure.Message), ex)
                { Method = failure.Method, Url = failure.Url, Retries = failure.Retries, RecommendedAction = failure.RecommendedAction ?? _vendor.Advice(failure.Kind, null, null) });
            }

            var attempt = outcome.Result!;
            RequestLog.Verbose($"{_vendor.ServiceName} {state.Method} {url}{(request.Description is null ? string.Empty : " (" + request.Description + ")")} -> {attempt.Status} in {clock.ElapsedMilliseconds} ms (retries: {state.Retries})");
            var response = new ApiResponse(attempt.Status, attempt.Body, attempt.ContentType, attempt.Headers, url, _vendor.ServiceName)
            {
                Json = attempt.Json,
                Elapsed = clock.Elapsed,
                Retries = state.Retries,
            };
            if (attempt.Status >= 200 && attempt.Status < 300 || request.AcceptStatus?.Invoke(attempt.Status) == true) return response;
            throw _vendor.Refine(ApiErrorFactory.FromStatus(_vendor, Redactor, state.Method, url, attempt.Status, attempt.Body, attempt.ContentType, state.Retries, RetryAfterSeconds(attempt)));
        }

        private async Task<Attempt> SendOnceAsync(RequestState state, CancellationToken cancellationToken)
        {
            var request = state.Request;
            using var message = new HttpRequestMessage(request.Method, request.PathAndQuery);
            if (Options.Auth.HeaderName.Length > 0) message.Headers.TryAddWithoutValidation(Options.Auth.HeaderName, Options.Auth.HeaderValue);
            foreach (var header in Options.DefaultHeaders) message.Headers.TryAddWithoutValidation(header.Key, header.Value);
            if (request.Headers != null)
                foreach (var header in request.Headers) message.Headers.TryAddWithoutValidation(header.Key, header.Value);
            if (request.Body != null)
            {
                message.Content = new ByteArrayContent(request.Body);
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
            }
            LogDebug(message, request);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(request.Timeout ?? Options.Timeout);
            try
            {
                using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                var contentType = response.Content.Headers.ContentType?.ToString();
                if (request.StreamJson && status >= 200 && status < 300 && (contentType is null || contentType.IndexOf("html", StringComparison.OrdinalIgnoreCase) < 0))
                {
                    // Parsed straight from the stream into pooled buffers the document returns when disposed: a page of
                    // thousands of hits never becomes one large array on the large object heap.
#if NETSTANDARD2_0
                    using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
#else
                    using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
#endif
                    JsonDocument json;
                    try
                    {
                        json = await JsonDocument.ParseAsync(stream, new JsonDocumentOptions { MaxDepth = 256 }, timeout.Token).ConfigureAwait(false);
                    }
                    catch (JsonException ex)
                    {
                        throw ApiErrorFactory.BadJson(_vendor.ServiceName, status, Redactor.Redact(new Uri(Options.BaseUri, request.PathAndQuery).ToString()), Array.Empty<byte>(), ex);
                    }
                    return new Attempt(status, Array.Empty<byte>(), contentType, response.Headers) { Json = json };
                }
#if NETSTANDARD2_0
                var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
#else
                var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
#endif
                return new Attempt(status, body, contentType, response.Headers);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No answer within {(request.Timeout ?? Options.Timeout).TotalSeconds:0.#} s.", ex);
            }
        }

        private void LogDebug(HttpRequestMessage message, ApiRequest request)
        {
            if (RequestLog.Current is null) return;
            var headers = string.Join("; ", message.Headers.Select(h => h.Key + ": " + (LooksSecret(h.Key) ? SecretRedactor.Mask : string.Join(",", h.Value))));
            var body = request.Body is null ? string.Empty : " body " + request.Body.Length + " bytes";
            RequestLog.Debug(Redactor.Redact($"{message.Method} {new Uri(Options.BaseUri, request.PathAndQuery)} [{headers}]{body}"));
        }

        private static bool LooksSecret(string header) =>
            header.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || header.IndexOf("key", StringComparison.OrdinalIgnoreCase) >= 0 ||
            header.IndexOf("auth", StringComparison.OrdinalIgnoreCase) >= 0 || header.IndexOf("token", StringComparison.OrdinalIgnoreCase) >= 0 ||
            header.Equals("Cookie", StringComparison.OrdinalIgnoreCase);

        private static bool ShouldRetry(RequestState state, Outcome<Attempt> outcome)
        {
            if (outcome.Exception != null)
            {
                if (outcome.Exception is OperationCanceledException) return false;
                // Refused means nothing reached the server, so even a POST is safe to send again.
                if (IsRefused(outcome.Exception)) return true;
                if (outcome.Exception is System.Security.Authentication.AuthenticationException || outcome.Exception.InnerException is System.Security.Authentication.AuthenticationException) return false;
                return state.Request.Idempotent && (outcome.Exception is HttpRequestException || outcome.Exception is TimeoutException || outcome.Exception is System.IO.IOException);
            }
            var status = outcome.Result!.Status;
            // 429 is a refusal before any work was done; the rest may follow a request that was applied.
            if (status == 429) return true;
            return state.Request.Idempotent && (status == 408 || status == 502 || status == 503 || status == 504);
        }

        private static bool IsRefused(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
                if (e is SocketException s && s.SocketErrorCode == SocketError.ConnectionRefused) return true;
            return false;
        }

        private TimeSpan? RetryAfter(Attempt? attempt)
        {
            var seconds = attempt is null ? null : RetryAfterSeconds(attempt);
            if (seconds is null) return null;
            var wait = TimeSpan.FromSeconds(Math.Max(0, seconds.Value));
            if (wait > Options.MaxRetryDelay)
            {
                RequestLog.Warning($"{_vendor.ServiceName} asked to wait {wait.TotalSeconds:0} s (Retry-After); waiting the maximum of {Options.MaxRetryDelay.TotalSeconds:0} s instead.");
                wait = Options.MaxRetryDelay;
            }
            return wait;
        }

        private static double? RetryAfterSeconds(Attempt attempt)
        {
            var header = attempt.Headers?.RetryAfter;
            if (header == null) return null;
            if (header.Delta is TimeSpan delta) return delta.TotalSeconds;
            if (header.Date is DateTimeOffset date) return Math.Max(0, (date - DateTimeOffset.UtcNow).TotalSeconds);
            return null;
        }

        private static string Describe(Exception ex)
        {
            var e = ex;
            while (e.InnerException != null && !(e is SocketException)) e = e.InnerException;
            return ex is TimeoutException ? ex.Message : e.GetType().Name + ": " + e.Message;
        }

        public void Dispose() => _client.Dispose();

        /// <summary>
        /// Polly's key is a struct: as a static field of this public type it would make PowerShell load Polly while it
        /// scans the module's types, before the module can point it at Dependencies/. Nested and private, it loads on first use.
        /// </summary>
        private static class Keys
        {
            public static readonly ResiliencePropertyKey<RequestState> State = new ResiliencePropertyKey<RequestState>("pssoc.request");
        }

        private sealed class RequestState
        {
            public RequestState(ApiRequest request, string url)
            {
                Request = request;
                Url = url;
                Method = request.Method.Method;
            }

            public ApiRequest Request { get; }
            public string Url { get; }
            public string Method { get; }
            public int Retries { get; set; }
        }

        private sealed class Attempt
        {
            public Attempt(int status, byte[] body, string? contentType, HttpResponseHeaders headers)
            {
                Status = status;
                Body = body;
                ContentType = contentType;
                Headers = headers;
            }

            public int Status { get; }
            public byte[] Body { get; }
            public string? ContentType { get; }
            public HttpResponseHeaders Headers { get; }
            public JsonDocument? Json { get; set; }
        }
    }
}
