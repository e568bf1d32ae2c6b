using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;
using System.Xml.Linq;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// Confirms an SNS subscription the way SNS asks an HTTPS endpoint to: an unsigned GET of the SubscribeURL, which
    /// answers ConfirmSubscriptionResponse XML carrying the subscription's ARN. Only for a confirmation whose signature
    /// verified: the URL is the sender's, and only SNS's signature vouches for it. Messages never quote the URL (its
    /// query carries the token), only its host.
    /// </summary>
    public static class SnsSubscriptionConfirmer
    {
        // ConfirmSubscriptionResponse is a few hundred bytes; more is not one.
        private const int MaxResponseBytes = 64 * 1024;

        /// <summary>
        /// Null when the SubscribeURL may be visited, else why not. With <paramref name="requireSnsHost"/> (certificates
        /// fetched from SNS itself, so the message claims to be from the real SNS) it must be https://sns.&lt;region&gt;.amazonaws.com
        /// on port 443, as every SubscribeURL SNS sends is; without it (certificates the caller pinned: a private SNS-like
        /// sender, the Lab) any http(s) URL the signature covers.
        /// </summary>
        public static string? SubscribeUrlRefusal(string? subscribeUrl, bool requireSnsHost)
        {
            if (string.IsNullOrEmpty(subscribeUrl) || !Uri.TryCreate(subscribeUrl, UriKind.Absolute, out var url)) return "is missing or not an absolute URL";
            if (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) return "is not an http(s) URL";
            if (url.UserInfo.Length != 0) return "carries user information";
            if (!requireSnsHost) return null;
            if (url.Scheme != Uri.UriSchemeHttps) return "is not https";
            if (url.Port != 443) return "names port " + url.Port + " (only 443 is allowed)";
            if (!SnsCertificateUrl.IsSnsHost(subscribeUrl!, url)) return "is not on an Amazon SNS host (sns.<region>.amazonaws.com)";
            return null;
        }

        public static async Task ConfirmAsync(HttpClient client, SnsSubscriptionConfirmation confirmation, CancellationToken cancellationToken = default)
        {
            if (client is null) throw new ArgumentNullException(nameof(client));
            if (confirmation is null) throw new ArgumentNullException(nameof(confirmation));
            if (!confirmation.SignatureVerified)
                throw new InvalidOperationException("The SubscriptionConfirmation " + confirmation.MessageId + " was not verified, so its SubscribeURL is not visited.");
            if (!Uri.TryCreate(confirmation.SubscribeUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
                throw new SnsConfirmationException("The SubscriptionConfirmation " + confirmation.MessageId + " from " + confirmation.TopicArn
                    + " has no http(s) SubscribeURL to visit. Confirm the subscription in the SNS console instead.");
            var where = url.Scheme + "://" + url.Authority;
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new SnsConfirmationException("Visiting the SubscribeURL at " + where + " for topic " + confirmation.TopicArn + " failed: "
                    + e.Message + " Check that this machine can reach SNS, then send the confirmation again (or confirm in the SNS console).", e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SnsConfirmationException("Visiting the SubscribeURL at " + where + " for topic " + confirmation.TopicArn
                    + " timed out. Check that this machine can reach SNS, then try again.", e);
            }
            using (response)
            {
                var text = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    throw new SnsConfirmationException("SNS at " + where + " refused to confirm the subscription to " + confirmation.TopicArn
                        + " (HTTP " + (int)response.StatusCode + (ErrorCode(text) is string code ? ", " + code : string.Empty)
                        + "). The token may have expired (SNS keeps it three days): request a new confirmation from the topic.");
                confirmation.MarkConfirmed(SubscriptionArnOf(text));
            }
        }

        private static async Task<string> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes) break;
                buffer.Write(chunk, 0, read);
            }
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static XDocument? Parse(string text)
        {
            try
            {
                // XDocument.Parse refuses DTDs by default, so no entity in the answer can be expanded.
                return XDocument.Parse(text);
            }
            catch (XmlException)
            {
                return null;
            }
        }

        private static string? SubscriptionArnOf(string text) =>
            Parse(text)?.Descendants().FirstOrDefault(e => e.Name.LocalName == "SubscriptionArn")?.Value.Trim();

        private static string? ErrorCode(string text) =>
            Parse(text)?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value.Trim();
    }

    /// <summary>The SubscribeURL could not be visited, or SNS did not confirm; the message says what to do.</summary>
    public sealed class SnsConfirmationException : Exception
    {
        public SnsConfirmationException(string message, Exception? inner = null) : base(message, inner)
        {
        }
    }
}
