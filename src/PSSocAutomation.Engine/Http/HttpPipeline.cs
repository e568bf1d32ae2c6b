using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// The one HTTP pipeline every client uses: one HttpClient per connection, TLS trust for this connection only,
    /// pacing to a vendor's quota, per-attempt authentication, retries with back-off through Polly, a timeout per
    /// attempt and a budget per request, all on one clock (<see cref="HttpPipelineOptions.TimeProvider"/>), one Verbose
    /// line per request, and secrets redacted from everything it reports.
    /// </summary>
    public sealed class HttpPipeline : IDisposable
    {
        public static readonly string UserAgent = "PSSocAutomation/" + typeof(HttpPipeline).Assembly.GetName().Version!.ToString(3);

        private readonly HttpClient _client;
        private readonly IVendorErrors _vendor;
        private readonly TlsObservation _tls = new TlsObservation();
        private readonly ResiliencePipeline<Attempt> _retry;
        private readonly TimeProvider _time;

        public HttpPipeline(HttpPipelineOptions options, IVendorErrors vendor)
        {
            Options = options;
            _vendor = vendor;
            _time = options.TimeProvider;
            foreach (var secret in options.ExtraSecrets) Redactor.Add(secret);

            _client = new HttpClient(CreateHandler(options, _tls), disposeHandler: true) { BaseAddress = options.BaseUri, Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            _client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            _client.DefaultRequestHeaders.Accept.ParseAdd("application/json");

            _retry = new ResiliencePipelineBuilder<Attempt> { TimeProvider = _time }
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
                        state.MayHaveRepeated |= MayHaveBeenApplied(args.Outcome);
                        var throttled = args.Outcome.Result is Attempt attempt && IsThrottle(attempt);
                        var why = args.Outcome.Exception != null ? Describe(args.Outcome.Exception) : "HTTP " + args.Outcome.Result!.Status + (throttled && args.Outcome.Result.Status != 429 ? " (throttled)" : string.Empty);
                        var msg = $"{_vendor.ServiceName} {state.Method} {state.Url}: {why}; retry {state.Retries} of {options.MaxRetries} in {args.RetryDelay.TotalSeconds:0.##} s.";
                        if (throttled) RequestLog.Warning(msg); else RequestLog.Verbose(msg);
                        return default;
                    },
                })
                .Build();

            // Last: the authenticator may register secrets with the redactor and keep this pipeline for token requests.
            options.Auth.Attach(this);
        }

        public HttpPipelineOptions Options { get; }
        public SecretRedactor Redactor { get; } = new SecretRedactor();
        public Uri BaseUri => Options.BaseUri;
        /// <summary>How messages name the service ("Elasticsearch", "DFIR-IRIS").</summary>
        public string ServiceName => _vendor.ServiceName;

        private static HttpMessageHandler CreateHandler(HttpPipelineOptions options, TlsObservation observation)
        {
            var callback = TlsValidation.CreateCallback(options.Tls, observation);
#if NETSTANDARD2_0
            // .NET Framework's handler has no connect timeout: there the attempt timeout and the budgets bound a dead host.
            var handler = new HttpClientHandler
            {
                // IRIS sets a session cookie that breaks later POSTs (CSRF on <=2.4.7); no API here needs cookies.
                UseCookies = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                MaxConnectionsPerServer = options.MaxConnections,
            };
            if (callback != null) handler.ServerCertificateCustomValidationCallback = (m, c, ch, e) => callback(m, c, ch, e);
            var proxy = EnvironmentProxy.FromEnvironment();
            if (proxy != null) { handler.Proxy = proxy; handler.UseProxy = true; }
            return handler;
#else
            var handler = new SocketsHttpHandler
            {
                // IRIS sets a session cookie that breaks later POSTs (CSRF on <=2.4.7); no API here needs cookies.
                UseCookies = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                MaxConnectionsPerServer = options.MaxConnections,
                // A host that drops the SYN (or stalls the TLS handshake) fails in seconds, apart from the request timeout.
                ConnectTimeout = options.ConnectTimeout,
            };
            if (callback != null) handler.SslOptions.RemoteCertificateValidationCallback = (m, c, ch, e) => callback(m, c, ch, e);
            return handler;
#endif
        }

        /// <summary>Send a request; returns the response for 2xx (and accepted statuses), throws SocApiException otherwise.</summary>
        public async Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken cancellationToken)
        {
            var url = Redactor.Redact(new Uri(Options.BaseUri, request.PathAndQuery).ToString());
            var state = new RequestState(request, url);
            var started = _time.GetTimestamp();
            Outcome<Attempt> outcome;
            var budget = request.TotalTimeout ?? Options.TotalTimeout;
            CancellationTokenSource? total = null;
            try
            {
                // The first permit is waited for before the budget starts: pacing is our own doing, not the server's slowness.
                state.FirstLease = await AcquirePermitAsync(state, cancellationToken).ConfigureAwait(false);
                total = budget is TimeSpan b ? Waits.After(_time, b) : null;
                using var linked = total is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, total.Token);
                state.Budget = total?.Token ?? CancellationToken.None;
                using var report = ReportWaiting(state, started);
                var context = ResilienceContextPool.Shared.Get(linked?.Token ?? cancellationToken);
                context.Properties.Set(Keys.State, state);
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
                catch (OperationCanceledException ex)
                {
                    // A back-off cut short by the caller or the budget.
                    outcome = Outcome.FromException<Attempt>(ex);
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(context);
                }
            }
            finally
            {
                state.FirstLease?.Dispose();
                total?.Dispose();
            }
            var elapsed = _time.GetElapsedTime(started);

            if (outcome.Exception != null)
            {
                var ex = outcome.Exception;
                if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
                var budgetSpent = state.BudgetSpent && (ex is OperationCanceledException || ex is TimeoutException);
                RequestLog.Verbose($"{_vendor.ServiceName} {state.Method} {url} failed in {elapsed.TotalMilliseconds:0} ms (retries: {state.Retries}): {(budgetSpent ? "its budget of " + budget!.Value.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s ran out" : Describe(ex))}");
                if (ex is SocApiException api) throw Fail(api);
                if (ex is CredentialsUnavailableException credentials) throw Fail(CredentialsFailure(credentials, state.Method, url, state.Retries));
                // A TLS port closes on a plain-HTTP request; one handshake tells that apart from a dropped connection. A body
                // that broke off came after a status line: that server speaks HTTP.
                var speaksTls = Options.BaseUri.Scheme == Uri.UriSchemeHttp && !budgetSpent && ApiErrorFactory.IsDropped(ex) && !(ex is IncompleteBodyException) &&
                    await TlsProbe.SpeaksTlsAsync(Options.BaseUri, Options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
                var failure = ApiErrorFactory.FromTransport(_vendor.ServiceName, Options.BaseUri, state.Method, url, ex, _tls, Options.Tls,
                    budgetSpent ? budget!.Value : request.Timeout ?? Options.Timeout, budgetSpent, state.Retries, speaksTls, Redactor);
                failure.RecommendedAction ??= _vendor.Advice(failure.Kind, null, null);
                throw Fail(failure);
            }

            var attempt = outcome.Result!;
            RequestLog.Verbose($"{_vendor.ServiceName} {state.Method} {url}{(request.Description is null ? string.Empty : " (" + request.Description + ")")} -> {attempt.Status} in {elapsed.TotalMilliseconds:0} ms (retries: {state.Retries})");
            var response = new ApiResponse(attempt.Status, attempt.Body, attempt.ContentType, attempt.Headers, url, _vendor.ServiceName, Redactor)
            {
                Json = attempt.Json,
                Elapsed = elapsed,
                Retries = state.Retries,
                MayHaveRepeated = state.MayHaveRepeated,
            };
            if (attempt.Status >= 200 && attempt.Status < 300 || request.AcceptStatus?.Invoke(attempt.Status) == true) return response;
            throw Fail(ApiErrorFactory.FromStatus(_vendor, Redactor, state.Method, url, attempt.Status, attempt.Body, attempt.ContentType, state.Retries, RetryAfterSeconds(attempt)));
        }

        /// <summary>
        /// The request could not be signed: a failure the credential source reported as an API failure (STS, the IAM
        /// Identity Center portal) stands as it is; any other is an authentication failure naming the call it stopped.
        /// </summary>
        private SocApiException CredentialsFailure(CredentialsUnavailableException ex, string method, string url, int retries)
        {
            var cause = ex.InnerException!;
            if (cause is SocApiException api) return api;
            var failure = new SocApiException(ApiFailureKind.Authentication, _vendor.ServiceName,
                $"{method} {url} on {_vendor.ServiceName} was not sent: {cause.Message}", cause) { Method = method, Url = url, Retries = retries };
            failure.RecommendedAction ??= _vendor.Advice(failure.Kind, null, null);
            return failure;
        }

        /// <summary>The authenticator could not give credentials for an attempt; its own exception is the inner one.</summary>
        private sealed class CredentialsUnavailableException : Exception
        {
            public CredentialsUnavailableException(Exception inner) : base(inner.Message, inner)
            {
            }
        }

        /// <summary>The vendor's last word on a failure, redacted again: a vendor's rewording must not bring a secret back.</summary>
        private SocApiException Fail(SocApiException failure) => _vendor.Refine(failure).Redacted(Redactor);

        /// <summary>A Verbose line every <see cref="HttpPipelineOptions.WaitReportInterval"/> while the request is still out, so a long wait is never silent.</summary>
        private IDisposable? ReportWaiting(RequestState state, long started)
        {
            // Captured here: the timer fires on a pool thread, outside the caller's async flow.
            var log = RequestLog.Current;
            if (log is null || Options.WaitReportInterval <= TimeSpan.Zero) return null;
            return new WaitReport(log, _time, Options.WaitReportInterval, () =>
            {
                var waited = _time.GetElapsedTime(started);
                var retry = state.Retries > 0 ? $" (retry {state.Retries} of {Options.MaxRetries})" : string.Empty;
                return $"Waiting for {_vendor.ServiceName} {state.Method} {state.Url}: {waited.TotalSeconds:0} s so far{retry}.";
            });
        }

        /// <summary>One request's wait report: Verbose and progress every interval; ending it takes down the progress it showed.</summary>
        private sealed class WaitReport : IDisposable
        {
            private readonly IRequestLog _log;
            private readonly ITimer _timer;
            private readonly Func<string> _describe;
            private int _shown;

            public WaitReport(IRequestLog log, TimeProvider time, TimeSpan interval, Func<string> describe)
            {
                _log = log;
                _describe = describe;
                _timer = time.CreateTimer(_ => Report(), null, interval, interval);
            }

            private void Report()
            {
                var text = _describe();
                _log.Verbose(text);
                _log.Waiting(text);
                Interlocked.Exchange(ref _shown, 1);
            }

            public void Dispose()
            {
                _timer.Dispose();
                if (Interlocked.Exchange(ref _shown, 0) == 1) _log.Waiting(null);
            }
        }

        /// <summary>A permit of the connection's rate limiter, waited for under the token (never refused); null when not paced.</summary>
        private async ValueTask<RateLimitLease?> AcquirePermitAsync(RequestState state, CancellationToken cancellationToken)
        {
            var limiter = state.Request.RateLimiter ?? Options.RateLimiter;
            if (limiter is null) return null;
            var lease = limiter.AttemptAcquire(1);
            if (lease.IsAcquired) return lease;
            lease.Dispose();
            var pace = limiter is PacedTokenBucket bucket ? bucket.ToString() : "its rate limit";
            RequestLog.Verbose($"{_vendor.ServiceName} {state.Method} {state.Url}: waiting for a permit ({_vendor.ServiceName} is paced at {pace}).");
            var began = _time.GetTimestamp();
            lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                throw new SocApiException(ApiFailureKind.Throttled, _vendor.ServiceName, $"More requests are waiting to call {_vendor.ServiceName} than its rate limit lets wait; {state.Method} {state.Url} was not sent. Send fewer at once.")
                { Method = state.Method, Url = state.Url };
            }
            RequestLog.Verbose($"{_vendor.ServiceName} {state.Method} {state.Url}: waited {_time.GetElapsedTime(began).TotalSeconds:0.#} s for a permit ({pace}).");
            return lease;
        }

        private async Task<Attempt> SendOnceAsync(RequestState state, CancellationToken cancellationToken)
        {
            var request = state.Request;
            var timeout = request.Timeout ?? Options.Timeout;
            using var lease = state.TakeFirstLease() ?? await AcquirePermitAsync(state, cancellationToken).ConfigureAwait(false);
            using var timer = Waits.After(_time, timeout);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            HttpResponseMessage? response = null;
            try
            {
                response = await SendMessageAsync(state, attempt.Token).ConfigureAwait(false);
                if ((int)response.StatusCode == 401 && request.Authenticate && !state.Renewed)
                {
                    // Once per request: a token that expired early or was revoked is renewed, and the request sent again.
                    state.Renewed = true;
                    if (await Options.Auth.OnUnauthorizedAsync(response.RequestMessage!, response, attempt.Token).ConfigureAwait(false))
                    {
                        RequestLog.Verbose($"{_vendor.ServiceName} {state.Method} {state.Url}: 401; renewed the {Options.Auth.Scheme} credentials, sending it once more.");
                        Release(response);
                        response = null;
                        response = await SendMessageAsync(state, attempt.Token).ConfigureAwait(false);
                    }
                }
                return await ReadAsync(state, response, attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (timer.IsCancellationRequested) throw new TimeoutException($"No answer within {timeout.TotalSeconds:0.#} s.", ex);
                // Neither the caller, the budget nor the attempt's timeout: only the handler's ConnectTimeout cancels on its own.
                throw new ConnectTimeoutException(Options.ConnectTimeout, ex);
            }
            finally
            {
                if (response != null) Release(response);
            }
        }

        /// <summary>One send: the message built anew (a message is sent once) and complete, then authenticated, last, so a signer sees what goes out.</summary>
        private async Task<HttpResponseMessage> SendMessageAsync(RequestState state, CancellationToken cancellationToken)
        {
            var request = state.Request;
            var message = new HttpRequestMessage(request.Method, new Uri(Options.BaseUri, request.PathAndQuery));
            try
            {
                foreach (var header in Options.DefaultHeaders) message.Headers.TryAddWithoutValidation(header.Key, header.Value);
                if (request.Headers != null)
                    foreach (var header in request.Headers) message.Headers.TryAddWithoutValidation(header.Key, header.Value);
                if (request.Body != null)
                {
                    message.Content = new ByteArrayContent(request.Body);
                    message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
                }
                if (request.Authenticate)
                {
                    try
                    {
                        await Options.Auth.AuthenticateAsync(message, request.Body ?? Array.Empty<byte>(), cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (!(ex is OperationCanceledException))
                    {
                        // Nothing was sent: the credentials could not be had (an expired sign-in, a credential process
                        // that failed). Told apart here, so it is not retried or reported as the connection's fault.
                        throw new CredentialsUnavailableException(ex);
                    }
                }
                LogDebug(message, request);
                return await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                message.Dispose();
                throw;
            }
        }

        private static void Release(HttpResponseMessage response)
        {
            response.RequestMessage?.Dispose();
            response.Dispose();
        }

        private async Task<Attempt> ReadAsync(RequestState state, HttpResponseMessage response, CancellationToken cancellationToken)
        {
            var request = state.Request;
            var status = (int)response.StatusCode;
            var success = status >= 200 && status < 300;
            var contentType = response.Content.Headers.ContentType?.ToString();
            var announced = response.Content.Headers.ContentLength;
#if NETSTANDARD2_0
            using var stream = new CountingReadStream(await response.Content.ReadAsStreamAsync().ConfigureAwait(false));
#else
            using var stream = new CountingReadStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
#endif
            try
            {
                if (request.StreamJson && success && !ResponseBody.IsHtmlMediaType(contentType))
                {
                    // Parsed straight from the stream into pooled buffers the document returns when disposed: a page of
                    // thousands of hits never becomes one large array on the large object heap.
                    JsonDocument json;
                    try
                    {
                        json = await JsonDocument.ParseAsync(stream, new JsonDocumentOptions { MaxDepth = 256 }, cancellationToken).ConfigureAwait(false);
                    }
                    catch (JsonException ex)
                    {
                        throw new IncompleteBodyException(status, stream.BytesRead, announced, ex);
                    }
                    return new Attempt(status, Array.Empty<byte>(), contentType, response.Headers) { Json = json };
                }
                var body = await ReadAllAsync(stream, announced, cancellationToken).ConfigureAwait(false);
                // A whole HTTP response can still carry JSON that stops early (a proxy that cut it and fixed the length):
                // found here, per attempt, so a safe request is sent again instead of failing later in the caller's parse.
                if (success && ResponseBody.Detect(null, body) == BodyFormat.Json && !ResponseBody.IsHtmlMediaType(contentType) &&
                    !ResponseBody.IsCompleteJson(body, out var invalid))
                    throw new IncompleteBodyException(status, body.Length, announced, invalid!);
                return new Attempt(status, body, contentType, response.Headers);
            }
            catch (IOException ex) when (!(ex is IncompleteBodyException))
            {
                // The connection closed before the body ended.
                throw new IncompleteBodyException(status, stream.BytesRead, announced, ex);
            }
        }

        private static async Task<byte[]> ReadAllAsync(Stream stream, long? announced, CancellationToken cancellationToken)
        {
            // Sized by Content-Length when it is plausible, so the usual body is read into one array of the right size.
            using var buffer = announced is long n && n > 0 && n <= 16 * 1024 * 1024 ? new MemoryStream((int)n) : new MemoryStream();
            await stream.CopyToAsync(buffer, 81920, cancellationToken).ConfigureAwait(false);
            return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
        }

        private void LogDebug(HttpRequestMessage message, ApiRequest request)
        {
            if (RequestLog.Current is null) return;
            var headers = string.Join("; ", message.Headers.Select(h => h.Key + ": " + (LooksSecret(h.Key) ? SecretRedactor.Mask : string.Join(",", h.Value))));
            var body = request.Body is null ? string.Empty : " body " + request.Body.Length + " bytes";
            RequestLog.Debug(Redactor.Redact($"{message.Method} {message.RequestUri} [{headers}]{body}"));
        }

        private static bool LooksSecret(string header) =>
            header.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || header.IndexOf("key", StringComparison.OrdinalIgnoreCase) >= 0 ||
            header.IndexOf("auth", StringComparison.OrdinalIgnoreCase) >= 0 || header.IndexOf("token", StringComparison.OrdinalIgnoreCase) >= 0 ||
            header.Equals("Cookie", StringComparison.OrdinalIgnoreCase);

        /// <summary>A 429, or what the vendor says is its throttle (AWS Query's 400 Throttling): refused before any work was done.</summary>
        private bool IsThrottle(Attempt attempt) =>
            attempt.Status == 429 || attempt.Status >= 400 && _vendor is IThrottleSignal signal && signal.IsThrottle(attempt.Status, attempt.ContentType, attempt.Body);

        private bool ShouldRetry(RequestState state, Outcome<Attempt> outcome)
        {
            // The request's budget is spent: nothing more is tried, whatever the last attempt met.
            if (state.BudgetSpent) return false;
            if (outcome.Exception != null)
            {
                if (outcome.Exception is OperationCanceledException || outcome.Exception is CredentialsUnavailableException) return false;
                // Refused or not connected in time means nothing reached the server, so even a POST is safe to send again.
                if (IsRefused(outcome.Exception) || outcome.Exception is ConnectTimeoutException) return true;
                if (outcome.Exception is System.Security.Authentication.AuthenticationException || outcome.Exception.InnerException is System.Security.Authentication.AuthenticationException) return false;
                // A body that broke off or ends early is retried like a dropped connection: the server may have acted on the request.
                return state.Request.Idempotent && (outcome.Exception is HttpRequestException || outcome.Exception is TimeoutException || outcome.Exception is IOException);
            }
            var status = outcome.Result!.Status;
            // A throttle is a refusal before any work was done; the rest may follow a request that was applied.
            if (IsThrottle(outcome.Result)) return true;
            return state.Request.Idempotent && (status == 408 || status == 502 || status == 503 || status == 504);
        }

        /// <summary>
        /// Whether the server may have acted on an attempt that is being retried: anything but a 429 (refused before any
        /// work) or a connection that never opened. A create sent again after such an attempt can meet its own write.
        /// </summary>
        private bool MayHaveBeenApplied(Outcome<Attempt> outcome) =>
            outcome.Exception != null
                ? !(IsRefused(outcome.Exception) || outcome.Exception is ConnectTimeoutException || outcome.Exception is CredentialsUnavailableException)
                : !IsThrottle(outcome.Result!);

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

        private double? RetryAfterSeconds(Attempt attempt)
        {
            var header = attempt.Headers?.RetryAfter;
            if (header == null) return null;
            if (header.Delta is TimeSpan delta) return delta.TotalSeconds;
            if (header.Date is DateTimeOffset date) return Math.Max(0, (date - _time.GetUtcNow()).TotalSeconds);
            return null;
        }

        private static string Describe(Exception ex)
        {
            var e = ex;
            // Down to the socket's own words, but not past a body that broke off: its message counts the bytes that came.
            while (e.InnerException != null && !(e is SocketException) && !(e is IncompleteBodyException)) e = e.InnerException;
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
            /// <summary>An attempt that was retried may have been applied (see <see cref="MayHaveBeenApplied"/>).</summary>
            public bool MayHaveRepeated { get; set; }
            /// <summary>The request's whole budget; cancelled when it runs out.</summary>
            public CancellationToken Budget { get; set; }
            public bool BudgetSpent => Budget.IsCancellationRequested;
            /// <summary>A 401 was answered by renewing the credentials (done at most once).</summary>
            public bool Renewed { get; set; }
            /// <summary>The first attempt's permit, taken before the budget started.</summary>
            public RateLimitLease? FirstLease { get; set; }

            public RateLimitLease? TakeFirstLease()
            {
                var lease = FirstLease;
                FirstLease = null;
                return lease;
            }
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
