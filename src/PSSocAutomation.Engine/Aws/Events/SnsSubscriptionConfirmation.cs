using System;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// An SNS SubscriptionConfirmation (or UnsubscribeConfirmation) read by ConvertFrom-SecurityHubEvent, and what
    /// became of it: Confirmed once its SubscribeURL was visited and SNS answered with the subscription's ARN.
    /// ToString never shows the Token (nor the SubscribeURL, which carries it).
    /// </summary>
    public sealed class SnsSubscriptionConfirmation
    {
        public SnsSubscriptionConfirmation(string type, string? topicArn, string? subscribeUrl, string? token, string? messageId, bool signatureVerified)
        {
            Type = type;
            TopicArn = topicArn;
            SubscribeUrl = subscribeUrl;
            Token = token;
            MessageId = messageId;
            SignatureVerified = signatureVerified;
        }

        /// <summary>SubscriptionConfirmation or UnsubscribeConfirmation.</summary>
        public string Type { get; }
        public string? TopicArn { get; }
        /// <summary>The URL to GET to confirm (it carries the Token).</summary>
        public string? SubscribeUrl { get; }
        /// <summary>The token for SNS's ConfirmSubscription action.</summary>
        public string? Token { get; }
        public string? MessageId { get; }
        /// <summary>True only when the message's SNS signature was checked and matched.</summary>
        public bool SignatureVerified { get; }
        /// <summary>True once the SubscribeURL was visited and SNS confirmed the subscription.</summary>
        public bool Confirmed { get; internal set; }
        /// <summary>The ARN SNS gave the confirmed subscription (ConfirmSubscriptionResult/SubscriptionArn).</summary>
        public string? SubscriptionArn { get; internal set; }

        /// <summary>The token's first characters, enough to tell two confirmations apart in a log.</summary>
        public string? TokenPreview => Token is null ? null : Token.Length <= 8 ? "***" : Token.Substring(0, 8) + "...";

        internal void MarkConfirmed(string? subscriptionArn)
        {
            Confirmed = true;
            SubscriptionArn = subscriptionArn;
        }

        public override string ToString() =>
            Type + " for " + (TopicArn ?? "(no topic)") + (Confirmed ? " confirmed as " + SubscriptionArn : " (not confirmed)");
    }
}
