using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// A certificate from PEM text. Written out because netstandard2.0 (Windows PowerShell 5.1) has no PEM import; the
    /// DER bytes inside load on every framework.
    /// </summary>
    public static class SnsCertificatePem
    {
        private const string Begin = "-----BEGIN CERTIFICATE-----";
        private const string End = "-----END CERTIFICATE-----";

        /// <summary>The first certificate in the text (SNS serves the leaf alone); an error naming the source otherwise.</summary>
        public static X509Certificate2 Parse(string pem, string source)
        {
            if (pem is null) throw new ArgumentNullException(nameof(pem));
            var start = pem.IndexOf(Begin, StringComparison.Ordinal);
            var end = start < 0 ? -1 : pem.IndexOf(End, start + Begin.Length, StringComparison.Ordinal);
            if (start < 0 || end < 0)
                throw Unavailable(source, "is not a PEM certificate (no BEGIN/END CERTIFICATE lines)", null);
            var base64 = pem.Substring(start + Begin.Length, end - start - Begin.Length);
            try
            {
                // Convert.FromBase64String skips the line breaks and spaces PEM wraps its base64 in.
                return new X509Certificate2(Convert.FromBase64String(base64));
            }
            catch (Exception e) when (e is FormatException || e is CryptographicException)
            {
                throw Unavailable(source, "holds a certificate that does not decode (" + e.Message + ")", e);
            }
        }

        private static SecurityHubEventException Unavailable(string source, string what, Exception? inner) =>
            new(SecurityHubEventErrorKind.CertificateUnavailable, "The SNS signing certificate from " + source + " " + what + ".", inner);
    }
}
