using System;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// An input that could not be read as Security Hub findings, or an SNS message that failed verification. The message
    /// names the thing (SNS MessageId, topic, detail-type...) and what to do; it never carries a signature or a body.
    /// </summary>
    public sealed class SecurityHubEventException : Exception
    {
        public SecurityHubEventException(SecurityHubEventErrorKind kind, string message, Exception? inner = null)
            : base(message, inner)
        {
            Kind = kind;
        }

        public SecurityHubEventErrorKind Kind { get; }

        /// <summary>A stable id for the cmdlet's ErrorRecord, e.g. "SecurityHubEvent.SignatureInvalid".</summary>
        public string ErrorId => "SecurityHubEvent." + Kind;

        /// <summary>
        /// True for the kinds that say the input may be forged or unauthenticated (as opposed to merely not being a
        /// findings event), which a cmdlet reports as a security error rather than invalid data.
        /// </summary>
        public bool IsAuthenticityFailure => Kind switch
        {
            SecurityHubEventErrorKind.SignatureMissing or SecurityHubEventErrorKind.UnsupportedSignatureVersion
                or SecurityHubEventErrorKind.SignatureInvalid or SecurityHubEventErrorKind.CertificateUrlRefused
                or SecurityHubEventErrorKind.CertificateRefused or SecurityHubEventErrorKind.RawDeliveryRefused
                or SecurityHubEventErrorKind.TopicRefused => true,
            _ => false,
        };

        /// <summary>Text from the input shortened for a message: a hostile sender must not be able to flood the error log.</summary>
        internal static string Quote(string? text, int max = 120)
        {
            if (text is null) return "(none)";
            var shown = text.Length <= max ? text : text.Substring(0, max) + "...";
            return "'" + shown.Replace("\r", "\\r").Replace("\n", "\\n") + "'";
        }
    }
}
