using System;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// Fetches the certificate a SigningCertURL names over HTTPS with the HttpClient it is given (whose handler verifies
    /// the TLS chain as usual: never give it one that skips certificate checks), caches it by URL, and checks what the
    /// SNS docs ask: issued to Amazon SNS, within its validity period, chaining to a trusted root. Each check can be
    /// turned off for a caller that knows why (an offline clock, a private root).
    /// </summary>
    public sealed class HttpsSnsCertificateSource : ISnsCertificateSource
    {
        // A PEM certificate is a few kilobytes; a larger answer is not one, and reading it all would let a server fill memory.
        private const int MaxPemBytes = 64 * 1024;

        // CN=sns.amazonaws.com is what SNS serves today; a regional name is accepted as well in case AWS moves to one.
        private static readonly Regex SnsSubject = new(@"^sns(\.[a-z0-9\-]+)?\.amazonaws\.com(\.cn)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private readonly HttpClient _client;
        private readonly SnsCertificateCache _cache;
        private readonly TimeProvider _clock;

        public HttpsSnsCertificateSource(HttpClient client, SnsCertificateCache? cache = null, TimeProvider? clock = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _cache = cache ?? SnsCertificateCache.Process;
            _clock = clock ?? TimeProvider.System;
        }

        /// <summary>Refuse a certificate whose subject is not Amazon SNS (CN or DNS name sns.amazonaws.com or sns.*.amazonaws.com).</summary>
        public bool CheckSubject { get; set; } = true;

        /// <summary>Refuse a certificate outside its NotBefore..NotAfter (checked at every use, since cached ones age).</summary>
        public bool CheckValidityPeriod { get; set; } = true;

        /// <summary>Refuse a certificate that does not chain to a root the machine trusts (X509Chain).</summary>
        public bool CheckChain { get; set; } = true;

        /// <summary>
        /// Revocation lookup while building the chain. Off by default: the certificate has just come over a verified TLS
        /// connection from the SNS host itself, and an online lookup would add a CRL fetch that sandboxes often block.
        /// </summary>
        public X509RevocationMode RevocationMode { get; set; } = X509RevocationMode.NoCheck;

        /// <summary>How many times the HTTP client was asked (what tests count to prove a refused URL was never fetched).</summary>
        public int FetchCount => _fetches;

        private int _fetches;

        public async Task<X509Certificate2> GetCertificateAsync(Uri certificateUrl, CancellationToken cancellationToken)
        {
            if (certificateUrl is null) throw new ArgumentNullException(nameof(certificateUrl));
            // Checked again here, not only by the verifier: this class may be called by other code.
            var url = SnsCertificateUrl.Validate(certificateUrl.OriginalString, "(certificate lookup)").OriginalString;
            if (!_cache.TryGet(url, out var certificate))
            {
                certificate = await FetchAsync(certificateUrl, cancellationToken).ConfigureAwait(false);
                Check(certificate, url);
                _cache.Set(url, certificate);
                return certificate;
            }
            try
            {
                Check(certificate, url);
            }
            catch (SecurityHubEventException)
            {
                _cache.Remove(url);
                throw;
            }
            return certificate;
        }

        private async Task<X509Certificate2> FetchAsync(Uri url, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _fetches);
            var shown = SecurityHubEventException.Quote(url.OriginalString);
            try
            {
                using var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    throw Unavailable("Fetching the SNS signing certificate " + shown + " answered HTTP " + (int)response.StatusCode
                        + ". If the topic's certificate was rotated, the message may be stale or forged; otherwise retry later.", null);
                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                var buffer = new MemoryStream();
                var chunk = new byte[8192];
                int read;
                while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxPemBytes)
                        throw Unavailable("The SNS signing certificate " + shown + " is larger than " + MaxPemBytes / 1024 + " KB, which no PEM certificate is.", null);
                    buffer.Write(chunk, 0, read);
                }
                return SnsCertificatePem.Parse(Encoding.ASCII.GetString(buffer.ToArray()), shown);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException || e is IOException)
            {
                // OperationCanceledException without our token cancelled is HttpClient's timeout.
                throw Unavailable("Could not fetch the SNS signing certificate " + shown + " (" + e.Message
                    + "). Check this host can reach sns.<region>.amazonaws.com over HTTPS, or pin the certificate for offline verification.", e);
            }
        }

        private void Check(X509Certificate2 certificate, string url)
        {
            var shown = SecurityHubEventException.Quote(url);
            if (CheckSubject && !IssuedToSns(certificate))
                throw Refused("The certificate at " + shown + " is issued to " + SecurityHubEventException.Quote(certificate.Subject)
                    + ", not to Amazon SNS (sns.amazonaws.com). Treat the message as forged.");
            var now = _clock.GetUtcNow().UtcDateTime;
            if (CheckValidityPeriod && (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime()))
                throw Refused("The SNS signing certificate at " + shown + " is valid " + certificate.NotBefore.ToUniversalTime().ToString("u")
                    + " to " + certificate.NotAfter.ToUniversalTime().ToString("u") + ", not now. A message signed with it is stale or forged; check the clock of this host.");
            if (CheckChain)
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.RevocationMode = RevocationMode;
                chain.ChainPolicy.VerificationTime = now;
                if (!CheckValidityPeriod) chain.ChainPolicy.VerificationFlags |= X509VerificationFlags.IgnoreNotTimeValid;
                if (!chain.Build(certificate))
                {
                    var status = chain.ChainStatus.Length == 0 ? "untrusted" : chain.ChainStatus[0].Status.ToString();
                    throw Refused("The SNS signing certificate at " + shown + " does not chain to a trusted root (" + status
                        + "). Treat the message as forged, or update this host's root certificates.");
                }
            }
        }

        private static bool IssuedToSns(X509Certificate2 certificate)
        {
            var common = certificate.GetNameInfo(X509NameType.SimpleName, false);
            var dns = certificate.GetNameInfo(X509NameType.DnsName, false);
            return (common != null && SnsSubject.IsMatch(common)) || (dns != null && SnsSubject.IsMatch(dns));
        }

        private static SecurityHubEventException Unavailable(string message, Exception? inner) =>
            new(SecurityHubEventErrorKind.CertificateUnavailable, message, inner);

        private static SecurityHubEventException Refused(string message) => new(SecurityHubEventErrorKind.CertificateRefused, message);
    }
}
