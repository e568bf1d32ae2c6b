namespace PSSocAutomation.Aws.Events
{
    /// <summary>How strict the reader is. The defaults verify every SNS envelope and refuse unsigned SNS input.</summary>
    public sealed class SecurityHubEventReaderOptions
    {
        /// <summary>Checks SNS signatures (and the topic allow-list). Needed to read SNS envelopes unless verification is skipped.</summary>
        public SnsSignatureVerifier? Verifier { get; set; }

        /// <summary>
        /// Read SNS envelopes without checking their signature (SignatureVerified stays false). The verifier's topic
        /// allow-list, when there is one, still applies. Only for input that was authenticated some other way.
        /// </summary>
        public bool SkipSignatureVerification { get; set; }

        /// <summary>
        /// Accept SNS input that carries no signature at all: raw message delivery (x-amz-sns-rawdelivery: true), or a
        /// webhook body that is a bare event while the headers say SNS sent it. Refused by default because anyone who
        /// knows the endpoint could post it.
        /// </summary>
        public bool AllowUnsignedSnsDelivery { get; set; }
    }
}
