using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// Puts credentials on a request, once per attempt: the pipeline calls it on every attempt (retries included), after
    /// the request is complete and any wait for a rate-limit permit is over, right before the send. So a signer sees the
    /// final method, absolute URI, headers and body, and stamps a fresh date (AWS SigV4 hashes the body and signs the
    /// time of each attempt); a token holder fetches or renews its token here. The simplest cases (Basic, ApiKey,
    /// Bearer, a key in a header) are <see cref="HttpAuth"/>; OAuth2 client credentials are
    /// <see cref="OAuth2ClientCredentials"/>.
    /// </summary>
    public interface IRequestAuthenticator
    {
        /// <summary>"None", "Basic", "ApiKey", "Bearer", "OAuth2", "SigV4" ...: shown on the connection, never secret.</summary>
        string Scheme { get; }

        /// <summary>Who the credentials name, when that is not itself secret (a user name, a key or client id).</summary>
        string? Principal { get; }

        /// <summary>
        /// Called by the pipeline that uses this authenticator, once, before its first request: register every secret
        /// with <see cref="HttpPipeline.Redactor"/> (and each one learned later, such as a fetched token, before it is
        /// used), and keep the pipeline to send the requests that obtain credentials (with
        /// <see cref="ApiRequest.Authenticate"/> false).
        /// </summary>
        void Attach(HttpPipeline pipeline);

        /// <summary>Set this attempt's credentials on <paramref name="request"/>, whose <paramref name="body"/> is final.</summary>
        ValueTask AuthenticateAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);

        /// <summary>
        /// The server answered 401 to <paramref name="request"/>. True when the authenticator now holds other credentials
        /// (a renewed token), so the pipeline sends the request once more, re-authenticated; false to report the 401.
        /// The pipeline asks at most once per request.
        /// </summary>
        ValueTask<bool> OnUnauthorizedAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken);
    }
}
