using System;
using System.Collections.Generic;
using System.Text.Json;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>One thing read from the input: an event's findings, an SNS confirmation, or a refusal.</summary>
    public sealed class SecurityHubEventItem
    {
        internal SecurityHubEventItem(SecurityHubEventItemKind kind, SecurityHubEventInfo info)
        {
            Kind = kind;
            Info = info;
        }

        public SecurityHubEventItemKind Kind { get; }
        public SecurityHubEventInfo Info { get; }

        /// <summary>Position in the input array, or null when the input was a single object.</summary>
        public int? Index { get; internal set; }

        /// <summary>The ASFF findings (detail.findings or Findings), each a self-contained element that outlives the input.</summary>
        public IReadOnlyList<JsonElement> Findings { get; internal set; } = Array.Empty<JsonElement>();

        /// <summary>For confirmations: the URL to GET to confirm, the token for ConfirmSubscription, SNS's text.</summary>
        public string? SubscribeUrl { get; internal set; }
        public string? Token { get; internal set; }
        public string? TopicArn { get; internal set; }
        public string? Message { get; internal set; }

        /// <summary>For <see cref="SecurityHubEventItemKind.Error"/>: why this input was refused.</summary>
        public SecurityHubEventException? Error { get; internal set; }
    }
}
