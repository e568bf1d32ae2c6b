using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// OAuth2 client credentials (CrowdStrike Falcon's POST /oauth2/token with client_id and client_secret as a form,
    /// answered with access_token and expires_in): the token is fetched on first use, renewed before it expires, and
    /// renewed once when the server answers 401 (the pipeline then sends the request once more). Requests that need a
    /// token at the same time share one fetch. The client secret and every token are redacted from all output.
    /// Serves one connection: its token belongs to that connection's server.
    /// </summary>
    public sealed class OAuth2ClientCredentials : IRequestAuthenticator
    {
        /// <summary>FalconPy's default lifetime for a token whose answer does not say (Falcon tokens live 30 minutes).</summary>
        private const int DefaultLifetimeSeconds = 1799;

        private readonly object _gate = new object();
        private readonly string _clientSecret;
        private HttpPipeline? _pipeline;
        /// <summary>The token: fetched once for every request that needs it meanwhile, detached from whichever asked first.</summary>
        private SharedFetch<Token>? _token;

        /// <param name="clientId">The API client's id (not secret: it is shown as the connection's principal).</param>
        /// <param name="clientSecret">The API client's secret.</param>
        /// <param name="tokenPath">The token endpoint, relative to the connection's base URI.</param>
        public OAuth2ClientCredentials(string clientId, string clientSecret, string tokenPath = "oauth2/token")
        {
            if (string.IsNullOrEmpty(clientId)) throw new ArgumentException("The OAuth2 client id is empty.", nameof(clientId));
            if (string.IsNullOrEmpty(clientSecret)) throw new ArgumentException("The OAuth2 client secret is empty.", nameof(clientSecret));
            ClientId = clientId;
            _clientSecret = clientSecret;
            TokenPath = tokenPath;
        }

        public string Scheme => "OAuth2";
        public string? Principal => ClientId;
        public string ClientId { get; }
        public string TokenPath { get; }

        /// <summary>More form fields for the token request (Falcon's member_cid; grant_type for a server that wants it).</summary>
        public IDictionary<string, string> Parameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>
        /// Renew this long before the token expires (PSFalcon renews 240 s ahead, FalconPy 120 s), and at most half the
        /// token's lifetime ahead, so a short-lived token is still used.
        /// </summary>
        public TimeSpan RenewBefore { get; set; } = TimeSpan.FromSeconds(240);

        public void Attach(HttpPipeline pipeline)
        {
            lock (_gate)
            {
                if (_pipeline != null && !ReferenceEquals(_pipeline, pipeline))
                    throw new InvalidOperationException("An OAuth2 client-credentials authenticator serves one connection: its token belongs to that server. Make one per connection.");
                if (_pipeline is null)
                {
                    _pipeline = pipeline;
                    _token = new SharedFetch<Token>(_ => RequestTokenAsync(pipeline));
                }
            }
            pipeline.Redactor.Add(_clientSecret);
        }

        public async ValueTask AuthenticateAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            var token = await CurrentAsync(null, cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        }

        public async ValueTask<bool> OnUnauthorizedAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
        {
            // Revoked or expired early: renew, unless another request already replaced the token this one carried.
            await CurrentAsync(request.Headers.Authorization?.Parameter ?? string.Empty, cancellationToken).ConfigureAwait(false);
            return true;
        }

        /// <summary>The token to send: the one held while it is fresh and is not the one just refused; otherwise a renewed one.</summary>
        private async Task<Token> CurrentAsync(string? refused, CancellationToken cancellationToken)
        {
            HttpPipeline pipeline;
            SharedFetch<Token> shared;
            lock (_gate)
            {
                pipeline = _pipeline ?? throw new InvalidOperationException("The OAuth2 authenticator is not attached to a connection's pipeline.");
                shared = _token!;
            }
            var token = await shared.GetAsync(cancellationToken).ConfigureAwait(false);
            if (pipeline.Options.TimeProvider.GetUtcNow() < token.RenewAt && (refused is null || !string.Equals(token.Value, refused, StringComparison.Ordinal)))
                return token;
            // Stale or refused: renew, unless another request already did (then this joins or takes its token).
            shared.Forget(token);
            return await shared.GetAsync(cancellationToken).ConfigureAwait(false);
        }

        private async Task<Token> RequestTokenAsync(HttpPipeline pipeline)
        {
            var form = new StringBuilder("client_id=").Append(Uri.EscapeDataString(ClientId))
                .Append("&client_secret=").Append(Uri.EscapeDataString(_clientSecret));
            foreach (var parameter in Parameters)
                form.Append('&').Append(Uri.EscapeDataString(parameter.Key)).Append('=').Append(Uri.EscapeDataString(parameter.Value));
            var request = new ApiRequest(HttpMethod.Post, TokenPath)
            {
                Body = Encoding.UTF8.GetBytes(form.ToString()),
                ContentType = "application/x-www-form-urlencoded",
                // Asking for a token changes nothing on the server, so it is retried like a read.
                Idempotent = true,
                Authenticate = false,
                Description = "OAuth2 token for client " + ClientId,
                // Shared by every waiting request and so under no caller's token: bounded like the connection's setup.
                TotalTimeout = pipeline.Options.SetupTimeout,
            };
            var response = await pipeline.SendAsync(request, CancellationToken.None).ConfigureAwait(false);
            string? value;
            double? lifetime = null;
            using (var doc = response.ParseJson())
            {
                var root = doc.RootElement;
                value = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                // Redacted before anything else can see it.
                pipeline.Redactor.Add(value);
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("expires_in", out var e))
                {
                    if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var seconds)) lifetime = seconds;
                    else if (e.ValueKind == JsonValueKind.String && double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var text)) lifetime = text;
                }
            }
            if (string.IsNullOrEmpty(value))
                throw new SocApiException(ApiFailureKind.Protocol, pipeline.ServiceName,
                    $"{pipeline.ServiceName} answered the OAuth2 token request ({response.Url}) with HTTP {response.Status} but no access_token.")
                { StatusCode = response.Status, Url = response.Url, Method = "POST" };

            var life = TimeSpan.FromSeconds(lifetime is double l && l > 0 ? l : DefaultLifetimeSeconds);
            var ahead = RenewBefore < TimeSpan.FromTicks(life.Ticks / 2) ? RenewBefore : TimeSpan.FromTicks(life.Ticks / 2);
            var now = pipeline.Options.TimeProvider.GetUtcNow();
            RequestLog.Verbose($"{pipeline.ServiceName}: got an OAuth2 token for client {ClientId}, valid {life.TotalSeconds:0} s; it is renewed {ahead.TotalSeconds:0} s before it expires.");
            return new Token(value!, now + life - ahead);
        }

        public override string ToString() => Scheme + " (" + ClientId + ")";

        private sealed class Token
        {
            public Token(string value, DateTimeOffset renewAt)
            {
                Value = value;
                RenewAt = renewAt;
            }

            public string Value { get; }
            public DateTimeOffset RenewAt { get; }
        }
    }
}
