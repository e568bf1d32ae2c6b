using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// Certificates the caller gives, for verifying offline (a runbook sandbox without outbound HTTPS), for tests, and for
    /// the Lab's signer. Two ways to pin:
    /// <list type="bullet">
    /// <item>by URL (<see cref="Add"/>): a message naming another SigningCertURL is refused as CertificateUnavailable, the
    /// way a fetch of an unknown certificate would fail;</item>
    /// <item>for any URL (the single-certificate constructor): every message that passed the URL rules is checked
    /// against that one certificate, so a message signed with any other key still fails as SignatureInvalid.</item>
    /// </list>
    /// A pinned certificate is trusted as given: neither its validity period, nor its subject, nor its chain is checked,
    /// since pinning is the caller saying "this key is SNS's" (and the AWS test vectors' certificate expired in 2022).
    /// </summary>
    public sealed class PinnedSnsCertificateSource : ISnsCertificateSource
    {
        private readonly Dictionary<string, X509Certificate2> _byUrl = new(StringComparer.Ordinal);
        private readonly X509Certificate2? _forAnyUrl;

        /// <summary>An empty source: pin certificates with <see cref="Add"/>.</summary>
        public PinnedSnsCertificateSource()
        {
        }

        /// <summary>One certificate used for every SigningCertURL.</summary>
        public PinnedSnsCertificateSource(X509Certificate2 certificate)
        {
            _forAnyUrl = certificate ?? throw new ArgumentNullException(nameof(certificate));
        }

        /// <summary>From PEM text (what the SigningCertURL serves), for every SigningCertURL.</summary>
        public static PinnedSnsCertificateSource FromPem(string pem) => new(SnsCertificatePem.Parse(pem, "the pinned PEM text"));

        /// <summary>From a .pem file saved from a SigningCertURL, for every SigningCertURL.</summary>
        public static PinnedSnsCertificateSource FromPemFile(string path) => new(SnsCertificatePem.Parse(File.ReadAllText(path), path));

        /// <summary>Pins a certificate to one SigningCertURL (compared as written, so give it exactly as SNS sends it).</summary>
        public PinnedSnsCertificateSource Add(string certificateUrl, X509Certificate2 certificate)
        {
            if (certificateUrl is null) throw new ArgumentNullException(nameof(certificateUrl));
            lock (_byUrl) _byUrl[certificateUrl] = certificate ?? throw new ArgumentNullException(nameof(certificate));
            return this;
        }

        public Task<X509Certificate2> GetCertificateAsync(Uri certificateUrl, CancellationToken cancellationToken)
        {
            if (certificateUrl is null) throw new ArgumentNullException(nameof(certificateUrl));
            cancellationToken.ThrowIfCancellationRequested();
            X509Certificate2? found;
            lock (_byUrl) _byUrl.TryGetValue(certificateUrl.OriginalString, out found);
            found ??= _forAnyUrl;
            if (found is null)
                throw new SecurityHubEventException(SecurityHubEventErrorKind.CertificateUnavailable,
                    "No certificate is pinned for the SNS signing certificate " + SecurityHubEventException.Quote(certificateUrl.OriginalString)
                    + ". Save that .pem and pin it, or verify with certificates fetched over HTTPS.");
            return Task.FromResult(found);
        }
    }
}
