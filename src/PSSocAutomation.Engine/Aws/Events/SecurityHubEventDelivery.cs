namespace PSSocAutomation.Aws.Events
{
    /// <summary>How the findings reached the reader, which says what vouches for them.</summary>
    public enum SecurityHubEventDelivery
    {
        /// <summary>A bare EventBridge event handed over by a script (from a queue, a file, a Lambda): trusted as its caller trusts it.</summary>
        EventBridge,
        /// <summary>An SNS envelope (HTTPS subscription); see <see cref="SecurityHubEventInfo.SignatureVerified"/>.</summary>
        Sns,
        /// <summary>SNS raw message delivery: the bare event, no envelope, no signature. Only read when unsigned SNS input is allowed.</summary>
        SnsRawDelivery,
        /// <summary>An EventBridge API destination POST (User-Agent Amazon/EventBridge/ApiDestinations): no signature; the connection's credentials authenticate it.</summary>
        ApiDestination,
        /// <summary>A bare event in a webhook body that names no sender: the webhook's secret URL is what authenticates it.</summary>
        Webhook,
        /// <summary>A GetFindings response body ({"Findings":[...]}), as Get-SecurityHubFinding or the AWS CLI writes it.</summary>
        GetFindings,
    }
}
