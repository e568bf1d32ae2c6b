using System;
using System.Collections.Generic;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>What the envelope(s) around the findings said: the EventBridge event's fields and, for SNS, the message's.</summary>
    public sealed class SecurityHubEventInfo
    {
        public SecurityHubEventDelivery Delivery { get; internal set; }

        /// <summary>EventBridge `id` (one per event; SNS's MessageId is another id).</summary>
        public string? EventId { get; internal set; }
        /// <summary>EventBridge `detail-type`, e.g. "Security Hub Findings - Imported".</summary>
        public string? DetailType { get; internal set; }
        public string? Source { get; internal set; }
        public DateTimeOffset? Time { get; internal set; }
        public string? Account { get; internal set; }
        public string? Region { get; internal set; }
        public IReadOnlyList<string> Resources { get; internal set; } = Array.Empty<string>();

        /// <summary>For "Security Hub Findings - Custom Action": the action's name and description.</summary>
        public string? ActionName { get; internal set; }
        public string? ActionDescription { get; internal set; }

        public string? SnsMessageId { get; internal set; }
        public string? SnsTopicArn { get; internal set; }
        public string? SnsSubject { get; internal set; }
        public DateTimeOffset? SnsTimestamp { get; internal set; }
        public string? SnsSignatureVersion { get; internal set; }

        /// <summary>
        /// True only when an SNS signature was checked and matched. False for SNS read with verification skipped, raw
        /// delivery, API destinations and bare events: nothing signed those.
        /// </summary>
        public bool SignatureVerified { get; internal set; }

        /// <summary>The Azure Automation webhook's name, when read from WebhookData.</summary>
        public string? WebhookName { get; internal set; }

        internal SecurityHubEventInfo Copy() => (SecurityHubEventInfo)MemberwiseClone();
    }
}
