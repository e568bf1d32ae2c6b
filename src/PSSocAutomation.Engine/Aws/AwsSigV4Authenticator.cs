using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// Signs every attempt with SigV4 (<see cref="AwsSigV4"/>): a fresh X-Amz-Date and body hash each time, so a retry
    /// after a back-off is never refused as a stale signature, and the keys asked of their source each time, so
    /// temporary credentials renew themselves.
    /// </summary>
    public sealed class AwsSigV4Authenticator : IRequestAuthenticator
    {
        private readonly IAwsCredentialSource _credentials;
        private readonly TimeProvider _time;
        private SecretRedactor? _redactor;
        private string? _registeredSecret, _registeredToken;

        /// <param name="credentials">Asked for the keys on every attempt.</param>
        /// <param name="region">The region the request is for (us-east-1 for IAM, whatever the caller's region).</param>
        /// <param name="service">The signing name: securityhub, sts, ec2, iam ...</param>
        /// <param name="time">The clock of X-Amz-Date; tests give a fake one.</param>
        public AwsSigV4Authenticator(IAwsCredentialSource credentials, string region, string service, TimeProvider? time = null)
        {
            _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
            Region = region;
            Service = service;
            _time = time ?? TimeProvider.System;
        }

        public string Region { get; }
        public string Service { get; }
        public string Scheme => "SigV4";
        public string? Principal { get; private set; }

        public void Attach(HttpPipeline pipeline) => _redactor = pipeline.Redactor;

        public async ValueTask AuthenticateAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            var keys = await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
            Register(keys);
            var uri = request.RequestUri!;
            var host = request.Headers.Host ?? (uri.IsDefaultPort ? uri.IdnHost : uri.IdnHost + ":" + uri.Port);
            var time = _time.GetUtcNow();

            request.Headers.Remove("X-Amz-Date");
            request.Headers.Remove("X-Amz-Security-Token");
            request.Headers.Remove("Authorization");
            var signed = new List<KeyValuePair<string, string>> { new KeyValuePair<string, string>("host", host) };
            // Only what no proxy or handler rewrites is signed: the host, the content type and AWS's own headers.
            var contentType = request.Content?.Headers.ContentType?.ToString();
            if (contentType != null) signed.Add(new KeyValuePair<string, string>("content-type", contentType));
            foreach (var header in request.Headers.Where(h => h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)))
                signed.Add(new KeyValuePair<string, string>(header.Key, string.Join(",", header.Value)));
            var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            signed.Add(new KeyValuePair<string, string>("x-amz-date", amzDate));
            if (keys.SessionToken != null) signed.Add(new KeyValuePair<string, string>("x-amz-security-token", keys.SessionToken));

            var signature = AwsSigV4.Sign(new AwsSigningInput(request.Method.Method, uri.AbsolutePath, uri.Query, signed,
                body.Length == 0 ? AwsSigV4.EmptyPayloadHash : AwsSigV4.HashHex(body.Span), keys, Region, Service, time));
            request.Headers.TryAddWithoutValidation("X-Amz-Date", signature.AmzDate);
            if (keys.SessionToken != null) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", keys.SessionToken);
            request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
            Principal = keys.AccessKeyId;
        }

        /// <summary>AWS answers a bad or expired signature with 403, not 401; there is nothing to renew on a 401.</summary>
        public ValueTask<bool> OnUnauthorizedAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken) =>
            new ValueTask<bool>(false);

        /// <summary>Each new secret (a renewed temporary set) is masked before the request that carries it can fail.</summary>
        private void Register(AwsCredentialSet keys)
        {
            if (_redactor is null) return;
            if (!ReferenceEquals(_registeredSecret, keys.SecretAccessKey))
            {
                _redactor.Add(keys.SecretAccessKey);
                _registeredSecret = keys.SecretAccessKey;
            }
            if (keys.SessionToken != null && !ReferenceEquals(_registeredToken, keys.SessionToken))
            {
                _redactor.Add(keys.SessionToken);
                _registeredToken = keys.SessionToken;
            }
        }

        public override string ToString() => "SigV4 (" + _credentials.Description + ", " + Service + " in " + Region + ")";
    }
}
