using System;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// How one connection decides to trust a server. Applied to that connection's handler only, never process-wide.
    /// Default: the operating system's trust store.
    /// </summary>
    public sealed class TlsOptions
    {
        public bool SkipCertificateCheck { get; set; }
        /// <summary>A PEM or DER file holding the CA (or the self-signed server certificate itself) to trust.</summary>
        public string? CaCertificateFile { get; set; }
        /// <summary>SHA-256 (or SHA-1) thumbprints, hex; the server's certificate must be one of them.</summary>
        public string[] PinnedThumbprints { get; set; } = Array.Empty<string>();

        public string Describe()
        {
            if (SkipCertificateCheck) return "not verified (-SkipCertificateCheck)";
            if (PinnedThumbprints.Length > 0) return "pinned thumbprint";
            if (!string.IsNullOrEmpty(CaCertificateFile)) return "CA file " + CaCertificateFile;
            return "system trust store";
        }
    }

    /// <summary>What the last TLS handshake of a connection saw, so a failure can name the certificate and its thumbprint.</summary>
    internal sealed class TlsObservation
    {
        public string? Subject;
        public string? Sha256;
        public SslPolicyErrors Errors;
        public string? ChainStatus;
    }

    internal static class TlsValidation
    {
        public static Func<object, X509Certificate?, X509Chain?, SslPolicyErrors, bool>? CreateCallback(TlsOptions options, TlsObservation observation)
        {
            X509Certificate2? ca = null;
            if (!string.IsNullOrEmpty(options.CaCertificateFile)) ca = LoadCertificate(options.CaCertificateFile!);
            var pins = options.PinnedThumbprints.Select(Normalize).Where(p => p.Length > 0).ToArray();

            return (_, certificate, chain, errors) =>
            {
                observation.Errors = errors;
                if (certificate is null) return options.SkipCertificateCheck;
                using var cert = new X509Certificate2(certificate);
                observation.Subject = cert.Subject;
                observation.Sha256 = Sha256Hex(cert);
                observation.ChainStatus = chain is null ? null : string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()));
                if (options.SkipCertificateCheck) return true;
                if (pins.Length > 0)
                {
                    return pins.Contains(observation.Sha256) || pins.Contains(Normalize(cert.Thumbprint));
                }
                if (ca != null)
                {
                    if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
                    if (Normalize(cert.Thumbprint) == Normalize(ca.Thumbprint)) return true;
                    using var custom = new X509Chain();
                    custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    custom.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
                    custom.ChainPolicy.ExtraStore.Add(ca);
                    if (!custom.Build(cert)) return false;
                    var root = custom.ChainElements[custom.ChainElements.Count - 1].Certificate;
                    return Normalize(root.Thumbprint) == Normalize(ca.Thumbprint);
                }
                return errors == SslPolicyErrors.None;
            };
        }

        internal static X509Certificate2 LoadCertificate(string path) => CaCertificateFile.Load(path);

        public static string Sha256Hex(X509Certificate2 certificate)
        {
            using var sha = SHA256.Create();
            return BitConverter.ToString(sha.ComputeHash(certificate.RawData)).Replace("-", string.Empty);
        }

        private static string Normalize(string thumbprint) =>
            new string(thumbprint.Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();
    }
}
