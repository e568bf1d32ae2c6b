using System;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// Where the verifier gets the certificate a SigningCertURL names. The verifier has already checked the URL when it
    /// calls; a source throws <see cref="SecurityHubEventException"/> (CertificateUnavailable or CertificateRefused) when
    /// it has no certificate it trusts for it.
    /// </summary>
    public interface ISnsCertificateSource
    {
        Task<X509Certificate2> GetCertificateAsync(Uri certificateUrl, CancellationToken cancellationToken);
    }
}
