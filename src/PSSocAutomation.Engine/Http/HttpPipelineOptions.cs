using System;
using System.Collections.Generic;

namespace PSSocAutomation.Http
{
    /// <summary>Everything one connection's HTTP pipeline needs to know.</summary>
    public sealed class HttpPipelineOptions
    {
        public HttpPipelineOptions(Uri baseUri) => BaseUri = baseUri;

        public Uri BaseUri { get; }
        public HttpAuth Auth { get; set; } = HttpAuth.None;
        public TlsOptions Tls { get; set; } = new TlsOptions();
        /// <summary>Per attempt. A search over a big index can take a while; 100 s matches HttpClient's default.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);
        public int MaxRetries { get; set; } = 4;
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);
        /// <summary>The longest one wait may be, including a server's Retry-After.</summary>
        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>Headers every request carries (kbn-xsrf for Kibana, Accept ...).</summary>
        public IDictionary<string, string> DefaultHeaders { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Open connections to one server; bounded concurrency (ThrottleLimit) needs more than one.</summary>
        public int MaxConnections { get; set; } = 16;
        /// <summary>Other secrets to keep out of every message (passwords used to derive the auth header).</summary>
        public IList<string> ExtraSecrets { get; } = new List<string>();
    }
}
