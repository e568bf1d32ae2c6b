using System;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// The rules a SigningCertURL must pass before anything is fetched from it (contract 3.3 step 2): otherwise a forged
    /// message could name a certificate its sender controls (an S3 bucket is also *.amazonaws.com) and sign with it.
    /// </summary>
    public static class SnsCertificateUrl
    {
        // The default pattern of both AWS validators: sns.<region>.amazonaws.com, GovCloud, and China's .com.cn.
        private static readonly Regex SnsHost = new(@"^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$", RegexOptions.CultureInvariant);

        /// <summary>The URL when it passes, else a CertificateUrlRefused naming the rule it broke.</summary>
        public static Uri Validate(string? url, string messageId)
        {
            if (string.IsNullOrEmpty(url))
                throw new SecurityHubEventException(SecurityHubEventErrorKind.SignatureMissing,
                    "The SNS message " + messageId + " has no SigningCertURL, so its signature cannot be checked. SNS always sends one: check what posts to this endpoint.");
            var reason = Refusal(url!, out var uri);
            if (reason != null)
                throw new SecurityHubEventException(SecurityHubEventErrorKind.CertificateUrlRefused,
                    "The SNS message " + messageId + " names its signing certificate at " + SecurityHubEventException.Quote(url)
                    + ", which " + reason + "; nothing was fetched. Amazon SNS certificates live at https://sns.<region>.amazonaws.com/<name>.pem: treat this message as forged.");
            return uri!;
        }

        /// <summary>Null when the URL is acceptable, else why not (in words for the message).</summary>
        public static string? Refusal(string url, out Uri? uri)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out uri)) return "is not an absolute URL";
            if (!string.Equals(uri.Scheme, "https", StringComparison.OrdinalIgnoreCase)) return "is not https";
            if (uri.UserInfo.Length != 0) return "carries user information";
            if (uri.Port != 443) return "names port " + uri.Port + " (only 443 is allowed)";
            // The original host string, not Uri.Host: that would hide a trailing dot or percent-encoding behind normalisation.
            if (!SnsHost.IsMatch(uri.IdnHost) || !SnsHost.IsMatch(HostAsWritten(url))) return "is not on an Amazon SNS host (sns.<region>.amazonaws.com)";
            if (!uri.AbsolutePath.EndsWith(".pem", StringComparison.Ordinal)) return "does not name a .pem file";
            return null;
        }

        /// <summary>Is this host (as written in the URL) an Amazon SNS endpoint, sns.&lt;region&gt;.amazonaws.com?</summary>
        internal static bool IsSnsHost(string url, Uri uri) => SnsHost.IsMatch(uri.IdnHost) && SnsHost.IsMatch(HostAsWritten(url));

        private static string HostAsWritten(string url)
        {
            var start = url.IndexOf("://", StringComparison.Ordinal) + 3;
            var end = url.IndexOfAny(new[] { '/', '?', '#', ':' }, start);
            return end < 0 ? url.Substring(start) : url.Substring(start, end - start);
        }
    }
}
