using System;

namespace PSSocAutomation.Core
{
    /// <summary>What a connection's Tls property says: how the certificate is checked, or that there is no TLS at all.</summary>
    internal static class ConnectionTls
    {
        /// <summary>
        /// An http:// connection has no certificate to check; "system trust store" there would suggest the traffic is
        /// protected when it travels in the clear.
        /// </summary>
        public static string Describe(Uri uri, string verification) =>
            string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase) ? "not used (plain http://)" : verification;
    }
}
