using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// Reads the certificate a -CaCertificateFile names: the first PEM "CERTIFICATE" block, or the whole file as DER.
    /// Anything else is the user's mistake, reported as an <see cref="ArgumentException"/> that names the parameter and
    /// the file (a CryptographicException's "ASN1 corrupted data" names neither).
    /// </summary>
    public static class CaCertificateFile
    {
        private const string Begin = "-----BEGIN CERTIFICATE-----";
        private const string End = "-----END CERTIFICATE-----";

        public static X509Certificate2 Load(string path)
        {
            byte[] bytes;
            try { bytes = File.ReadAllBytes(path); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw Invalid(path, "cannot be read (" + ex.Message + ")");
            }

            // PEM is ASCII; reading it as Latin-1 keeps every byte, so a DER file never throws here.
            var text = System.Text.Encoding.GetEncoding(28591).GetString(bytes);
            var start = text.IndexOf(Begin, StringComparison.Ordinal);
            if (start >= 0)
            {
                var end = text.IndexOf(End, start, StringComparison.Ordinal);
                if (end < 0) throw Invalid(path, $"has a '{Begin}' line but no '{End}' line (is the file cut short?)");
                var base64 = new string(text.Substring(start + Begin.Length, end - start - Begin.Length).Where(c => !char.IsWhiteSpace(c)).ToArray());
                try { bytes = Convert.FromBase64String(base64); }
                catch (FormatException) { throw Invalid(path, "has a PEM certificate block that is not valid base64"); }
                return Parse(path, bytes, "its PEM certificate block is not an X.509 certificate");
            }
            if (text.IndexOf("-----BEGIN ", StringComparison.Ordinal) >= 0)
                throw Invalid(path, $"holds PEM data but no '{Begin}' block (a key or a request is not a CA certificate)");
            return Parse(path, bytes, "is neither a PEM certificate nor a DER-encoded X.509 certificate");
        }

        private static X509Certificate2 Parse(string path, byte[] der, string problem)
        {
            try { return new X509Certificate2(der); }
            catch (CryptographicException) { throw Invalid(path, problem); }
        }

        private static ArgumentException Invalid(string path, string problem) =>
            new ArgumentException($"-CaCertificateFile '{path}' {problem}. Give the CA's certificate (or the server's self-signed one) as a PEM or DER file, or pin the server with -CertificateThumbprint.");
    }
}
