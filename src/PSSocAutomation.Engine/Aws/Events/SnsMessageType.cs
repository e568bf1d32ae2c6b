namespace PSSocAutomation.Aws.Events
{
    /// <summary>The envelope's Type (and the x-amz-sns-message-type header).</summary>
    public enum SnsMessageType
    {
        Notification,
        SubscriptionConfirmation,
        UnsubscribeConfirmation,
    }
}
