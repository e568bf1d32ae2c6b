namespace PSSocAutomation.Aws.Events
{
    public enum SecurityHubEventItemKind
    {
        /// <summary>One event (or GetFindings body) and the ASFF findings in it.</summary>
        Findings,
        /// <summary>SNS asks to confirm a subscription: GET the SubscribeURL (only when the signature was verified).</summary>
        SubscriptionConfirmation,
        /// <summary>SNS says the endpoint was unsubscribed; nothing to do but note it.</summary>
        UnsubscribeConfirmation,
        /// <summary>This input (or this element of an array) was refused; <see cref="SecurityHubEventItem.Error"/> says why.</summary>
        Error,
    }
}
