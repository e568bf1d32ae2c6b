using System;
using System.Collections.Generic;
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

        /// <summary>
        /// Refuses a value that is not a SHA-1 (40 hex digits) or SHA-256 (64) thumbprint as certificate viewers write
        /// them (any case, with or without ':', '-' or spaces between the bytes), with an ArgumentException that names
        /// -CertificateThumbprint: a pin that cannot match anything must never be dropped in favour of the system store.
        /// </summary>
        public static void CheckThumbprint(string value)
        {
            var digits = 0;
            var valid = true;
            foreach (var c in value)
            {
                if (Uri.IsHexDigit(c)) digits++;
                else if (c != ':' && c != '-' && c != ' ') valid = false;
            }
            if (!valid || (digits != 40 && digits != 64))
                throw new ArgumentException($"-CertificateThumbprint '{value}' is not a certificate thumbprint: give the SHA-256 (64 hex digits) or SHA-1 (40 hex digits) thumbprint of the server's certificate, as a certificate viewer or 'openssl x509 -fingerprint -sha256' shows it.");
        }

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
        /// <summary>
        /// Why the last certificate was refused, in words; null when it was accepted or none was checked. A handshake
        /// that fails with none refused never got as far as a certificate: the server does not speak TLS there.
        /// </summary>
        public string? Refusal;
    }

    internal static class TlsValidation
    {
        public static Func<object, X509Certificate?, X509Chain?, SslPolicyErrors, bool>? CreateCallback(TlsOptions options, TlsObservation observation)
        {
            X509Certificate2? ca = null;
            if (!string.IsNullOrEmpty(options.CaCertificateFile)) ca = LoadCertificate(options.CaCertificateFile!);
            foreach (var pin in options.PinnedThumbprints) TlsOptions.CheckThumbprint(pin);
            var pins = options.PinnedThumbprints.Select(Normalize).ToArray();

            return (_, certificate, chain, errors) =>
            {
                observation.Errors = errors;
                observation.Refusal = null;
                if (certificate is null) return options.SkipCertificateCheck || Refuse(observation, "the server sent no certificate");
                using var cert = new X509Certificate2(certificate);
                observation.Subject = cert.Subject;
                observation.Sha256 = Sha256Hex(cert);
                observation.ChainStatus = chain is null ? null : string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()));
                if (options.SkipCertificateCheck) return true;
                if (pins.Length > 0)
                {
                    return pins.Contains(observation.Sha256) || pins.Contains(Normalize(cert.Thumbprint)) ||
                        Refuse(observation, "it is not the certificate -CertificateThumbprint pins (its thumbprint differs)");
                }
                if (ca != null)
                {
                    if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return Refuse(observation, NameMismatch);
                    if (Normalize(cert.Thumbprint) == Normalize(ca.Thumbprint)) return true;
                    using var custom = new X509Chain();
                    custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    custom.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
                    custom.ChainPolicy.ExtraStore.Add(ca);
                    if (!custom.Build(cert)) return Refuse(observation, Why(SslPolicyErrors.RemoteCertificateChainErrors, cert, custom.ChainStatus.Select(c => c.Status)));
                    var root = custom.ChainElements[custom.ChainElements.Count - 1].Certificate;
                    return Normalize(root.Thumbprint) == Normalize(ca.Thumbprint) || Refuse(observation, "it is not issued by the CA in -CaCertificateFile");
                }
                return errors == SslPolicyErrors.None ||
                    Refuse(observation, Why(errors, cert, chain?.ChainStatus.Select(c => c.Status) ?? Enumerable.Empty<X509ChainStatusFlags>()));
            };
        }

        private const string NameMismatch = "it is issued for other names than the host in the URL";

        private static bool Refuse(TlsObservation observation, string why)
        {
            observation.Refusal = why;
            return false;
        }

        /// <summary>A refused certificate in words: when it expired, rather than NotTimeValid; who it is not trusted by, rather than UntrustedRoot.</summary>
        internal static string Why(SslPolicyErrors errors, X509Certificate2 cert, IEnumerable<X509ChainStatusFlags> chainStatus)
        {
            var reasons = new List<string>();
            var now = DateTime.UtcNow;
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) reasons.Add(NameMismatch);
            if (cert.NotAfter.ToUniversalTime() < now) reasons.Add("it expired on " + Utc(cert.NotAfter));
            else if (cert.NotBefore.ToUniversalTime() > now) reasons.Add("it is not valid before " + Utc(cert.NotBefore));
            var other = new List<string>();
            foreach (var status in chainStatus.Distinct())
            {
                switch (status)
                {
                    case X509ChainStatusFlags.NoError:
                    case X509ChainStatusFlags.NotTimeValid: // said above, with the date
                        break;
                    case X509ChainStatusFlags.UntrustedRoot:
                        reasons.Add("it is self-signed or issued by a CA this system does not trust");
                        break;
                    case X509ChainStatusFlags.PartialChain:
                        reasons.Add("its issuer is unknown here (the server may not send its intermediate certificate)");
                        break;
                    case X509ChainStatusFlags.Revoked:
                        reasons.Add("it has been revoked");
                        break;
                    default:
                        other.Add(status.ToString());
                        break;
                }
            }
            if (other.Count > 0) reasons.Add("its chain does not verify (" + string.Join(", ", other) + ")");
            if (reasons.Count == 0) reasons.Add("it does not verify (" + errors + ")");
            return string.Join("; ", reasons);
        }

        private static string Utc(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC";

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
