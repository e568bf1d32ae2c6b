using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// Checks that an SNS envelope was signed by Amazon SNS (contract 3.3), in the order that fetches nothing for a
    /// message that can be refused without it: version, certificate URL rules, topic, signature encoding, then the
    /// certificate and the RSA check.
    /// </summary>
    public sealed class SnsSignatureVerifier
    {
        private readonly ISnsCertificateSource _certificates;
        private readonly HashSet<string>? _allowedTopics;

        /// <param name="certificates">Where certificates come from: <see cref="HttpsSnsCertificateSource"/> or <see cref="PinnedSnsCertificateSource"/>.</param>
        /// <param name="allowedTopicArns">When given, a message from any other topic is refused (TopicRefused), as the SNS docs ask.</param>
        public SnsSignatureVerifier(ISnsCertificateSource certificates, IEnumerable<string>? allowedTopicArns = null)
        {
            _certificates = certificates ?? throw new ArgumentNullException(nameof(certificates));
            if (allowedTopicArns != null)
            {
                _allowedTopics = new HashSet<string>(allowedTopicArns.Where(t => !string.IsNullOrEmpty(t)), StringComparer.Ordinal);
                if (_allowedTopics.Count == 0)
                    throw new ArgumentException("The allowed topic list is empty, which would refuse every message; give null to allow any topic.", nameof(allowedTopicArns));
            }
        }

        public IReadOnlyCollection<string>? AllowedTopicArns => _allowedTopics;

        /// <summary>Returns when the message is genuine; throws <see cref="SecurityHubEventException"/> saying why not.</summary>
        public async Task VerifyAsync(SnsMessage message, CancellationToken cancellationToken = default)
        {
            if (message is null) throw new ArgumentNullException(nameof(message));
            var hash = Algorithm(message);
            var url = SnsCertificateUrl.Validate(message.SigningCertUrl, message.MessageId);
            CheckTopic(message);
            var signature = Decode(message);
            var certificate = await _certificates.GetCertificateAsync(url, cancellationToken).ConfigureAwait(false);
            using var key = certificate.GetRSAPublicKey();
            if (key is null)
                throw new SecurityHubEventException(SecurityHubEventErrorKind.CertificateRefused,
                    "The SNS signing certificate " + SecurityHubEventException.Quote(url.OriginalString) + " has no RSA key; SNS signs with RSA. Treat the message as forged.");
            var signed = Encoding.UTF8.GetBytes(message.BuildStringToSign());
            if (!key.VerifyData(signed, signature, hash, RSASignaturePadding.Pkcs1))
                throw new SecurityHubEventException(SecurityHubEventErrorKind.SignatureInvalid,
                    "The SNS message " + message.MessageId + " from " + message.TopicArn + " does not match its signature (SignatureVersion "
                    + message.SignatureVersion + "): it was changed on the way or not sent by Amazon SNS. Do not act on it; find out what posts to this endpoint.");
        }

        /// <summary>The allow-list alone, for a caller that skipped verification but still wants the topic enforced.</summary>
        public void CheckTopic(SnsMessage message)
        {
            if (message is null) throw new ArgumentNullException(nameof(message));
            if (_allowedTopics != null && !_allowedTopics.Contains(message.TopicArn))
                throw new SecurityHubEventException(SecurityHubEventErrorKind.TopicRefused,
                    "The SNS message " + message.MessageId + " comes from topic " + SecurityHubEventException.Quote(message.TopicArn, 256)
                    + ", which is not in the allowed list. Add the topic's ARN to the allowed topics if this endpoint should take it.");
        }

        private static HashAlgorithmName Algorithm(SnsMessage message)
        {
            if (string.IsNullOrEmpty(message.SignatureVersion) || string.IsNullOrEmpty(message.Signature))
                throw new SecurityHubEventException(SecurityHubEventErrorKind.SignatureMissing,
                    "The SNS message " + message.MessageId + " carries no " + (string.IsNullOrEmpty(message.Signature) ? "Signature" : "SignatureVersion")
                    + ", so it cannot be checked. SNS signs every envelope: check what posts to this endpoint.");
            switch (message.SignatureVersion)
            {
                case "1": return HashAlgorithmName.SHA1;
                case "2": return HashAlgorithmName.SHA256;
                default:
                    throw new SecurityHubEventException(SecurityHubEventErrorKind.UnsupportedSignatureVersion,
                        "The SNS message " + message.MessageId + " has SignatureVersion " + SecurityHubEventException.Quote(message.SignatureVersion, 20)
                        + "; only 1 (RSA-SHA1) and 2 (RSA-SHA256) exist. Treat the message as forged.");
            }
        }

        private static byte[] Decode(SnsMessage message)
        {
            try
            {
                return Convert.FromBase64String(message.Signature!);
            }
            catch (FormatException)
            {
                throw new SecurityHubEventException(SecurityHubEventErrorKind.SignatureInvalid,
                    "The SNS message " + message.MessageId + " has a Signature that is not base64, so it was not signed by Amazon SNS. Do not act on it.");
            }
        }
    }
}
