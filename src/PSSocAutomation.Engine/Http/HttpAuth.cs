using System;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// The simplest authenticators: one fixed header on every attempt (Basic, ApiKey, Bearer, a vendor's key header).
    /// Holds the secret as the header value only; ToString never shows it. Stateless, so one instance may serve several
    /// connections.
    /// </summary>
    public sealed class HttpAuth : IRequestAuthenticator
    {
        private readonly string[] _otherForms;

        private HttpAuth(string scheme, string headerName, string headerValue, string? principal, params string[] otherForms)
        {
            _otherForms = otherForms;
            Scheme = scheme;
            HeaderName = headerName;
            HeaderValue = headerValue;
            Principal = principal;
        }

        /// <summary>Basic, ApiKey, Bearer, or None.</summary>
        public string Scheme { get; }
        internal string HeaderName { get; }
        internal string HeaderValue { get; }
        /// <summary>Who the credentials name, when that is not itself secret (a user name, an API key id).</summary>
        public string? Principal { get; }

        public static HttpAuth None { get; } = new HttpAuth("None", string.Empty, string.Empty, null);

        public static HttpAuth Basic(string user, string password) =>
            new HttpAuth("Basic", "Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)), user);

        public static HttpAuth Bearer(string token) => new HttpAuth("Bearer", "Authorization", "Bearer " + token, null);

        /// <summary>Elastic API key: accepts the "encoded" form or "id:api_key".</summary>
        public static HttpAuth ElasticApiKey(string key)
        {
            string encoded, decoded;
            var colon = key.IndexOf(':');
            if (colon > 0)
            {
                decoded = key;
                encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(key));
            }
            else
            {
                encoded = key;
                try
                {
                    decoded = Encoding.UTF8.GetString(Convert.FromBase64String(key));
                }
                catch (FormatException)
                {
                    throw new ArgumentException("The API key is neither Elasticsearch's base64 'encoded' form nor 'id:api_key'. Copy the 'encoded' value Elasticsearch returned when the key was created.");
                }
            }
            var c = decoded.IndexOf(':');
            var id = c > 0 ? decoded.Substring(0, c) : null;
            // A server may quote the key decoded ("id:api_key"), or its secret half alone; the id is not secret.
            var otherForms = c > 0 ? new[] { decoded, decoded.Substring(c + 1) } : new[] { decoded };
            return new HttpAuth("ApiKey", "Authorization", "ApiKey " + encoded, id, otherForms);
        }

        /// <summary>A header carrying the key as is (VirusTotal's x-apikey, IRIS's Authorization: Bearer).</summary>
        public static HttpAuth Header(string scheme, string headerName, string value) => new HttpAuth(scheme, headerName, value, null);

        /// <summary>The strings to redact everywhere: the header value and the secret inside it.</summary>
        internal string[] SecretValues()
        {
            if (HeaderValue.Length == 0) return Array.Empty<string>();
            var space = HeaderValue.IndexOf(' ');
            return (space > 0 ? new[] { HeaderValue, HeaderValue.Substring(space + 1) } : new[] { HeaderValue }).Concat(_otherForms).ToArray();
        }

        public void Attach(HttpPipeline pipeline)
        {
            foreach (var secret in SecretValues()) pipeline.Redactor.Add(secret);
        }

        public ValueTask AuthenticateAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            if (HeaderName.Length > 0) request.Headers.TryAddWithoutValidation(HeaderName, HeaderValue);
            return default;
        }

        /// <summary>A fixed credential cannot renew itself: the 401 is the answer.</summary>
        public ValueTask<bool> OnUnauthorizedAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken) =>
            new ValueTask<bool>(false);

        public override string ToString() => Principal is null ? Scheme : Scheme + " (" + Principal + ")";
    }
}
