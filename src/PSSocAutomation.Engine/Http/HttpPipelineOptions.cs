using System;
using System.Collections.Generic;
using System.Threading.RateLimiting;

namespace PSSocAutomation.Http
{
    /// <summary>Everything one connection's HTTP pipeline needs to know.</summary>
    public sealed class HttpPipelineOptions
    {
        public HttpPipelineOptions(Uri baseUri) => BaseUri = baseUri;

        public Uri BaseUri { get; }
        /// <summary>Runs on every attempt, right before the send (<see cref="HttpAuth"/>, <see cref="OAuth2ClientCredentials"/>, a signer).</summary>
        public IRequestAuthenticator Auth { get; set; } = HttpAuth.None;
        public TlsOptions Tls { get; set; } = new TlsOptions();
        /// <summary>Per attempt. A search over a big index can take a while; 100 s matches HttpClient's default.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);
        /// <summary>
        /// For the connection itself (TCP and TLS), apart from <see cref="Timeout"/>: a host that drops packets fails in
        /// seconds, not after a search's timeout. Applied on .NET (PowerShell 7); .NET Framework (Windows PowerShell) has
        /// no such setting, so there a dead host is bounded by <see cref="Timeout"/> and the total budgets only.
        /// </summary>
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
        /// <summary>
        /// The budget of one request, all attempts and waits between them included (not the wait for a first rate-limit
        /// permit). Null: as long as the attempts and retries take.
        /// </summary>
        public TimeSpan? TotalTimeout { get; set; }
        /// <summary>
        /// The whole budget of the short calls that set a connection up (the server check of Connect-*, an OAuth2 token),
        /// retries included, so a server that accepts the connection and never answers fails within it.
        /// </summary>
        public TimeSpan SetupTimeout { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>How often a request that is still waiting says so in Verbose.</summary>
        public TimeSpan WaitReportInterval { get; set; } = TimeSpan.FromSeconds(10);
        public int MaxRetries { get; set; } = 4;
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);
        /// <summary>The longest one wait may be, including a server's Retry-After.</summary>
        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>
        /// Paces requests to a vendor's quota (<see cref="PacedTokenBucket"/>): each attempt waits for a permit (under the
        /// caller's token) instead of being refused. Not disposed by the pipeline; null: not paced.
        /// </summary>
        public RateLimiter? RateLimiter { get; set; }
        /// <summary>The clock of every timeout, back-off and pacing wait; tests give a fake one.</summary>
        public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
        /// <summary>Headers every request carries (kbn-xsrf for Kibana, Accept ...).</summary>
        public IDictionary<string, string> DefaultHeaders { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Open connections to one server; bounded concurrency (ThrottleLimit) needs more than one.</summary>
        public int MaxConnections { get; set; } = 16;
        /// <summary>Other secrets to keep out of every message (passwords used to derive the auth header).</summary>
        public IList<string> ExtraSecrets { get; } = new List<string>();

        /// <summary>
        /// These settings (trust, timeouts, retries, clock) for another endpoint of the same connection: AWS has one per
        /// service, each signed for its own name. The rate limiter is not copied, since quotas are per endpoint.
        /// </summary>
        public HttpPipelineOptions For(Uri baseUri, IRequestAuthenticator auth)
        {
            var copy = new HttpPipelineOptions(baseUri)
            {
                Auth = auth,
                Tls = Tls,
                Timeout = Timeout,
                ConnectTimeout = ConnectTimeout,
                TotalTimeout = TotalTimeout,
                SetupTimeout = SetupTimeout,
                WaitReportInterval = WaitReportInterval,
                MaxRetries = MaxRetries,
                RetryBaseDelay = RetryBaseDelay,
                MaxRetryDelay = MaxRetryDelay,
                TimeProvider = TimeProvider,
                MaxConnections = MaxConnections,
            };
            foreach (var header in DefaultHeaders) copy.DefaultHeaders[header.Key] = header.Value;
            foreach (var secret in ExtraSecrets) copy.ExtraSecrets.Add(secret);
            return copy;
        }
    }
}
