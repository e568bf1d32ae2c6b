using System;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// An SNS HTTP/JSON envelope (what SNS POSTs to an HTTPS subscription), with the decoded field values the signature
    /// covers. Lambda-style spellings (SigningCertUrl, SubscribeUrl, UnsubscribeUrl) are read as the HTTP ones, as both
    /// AWS validators do, so an envelope a Lambda passes on verifies the same.
    /// </summary>
    public sealed class SnsMessage
    {
        private SnsMessage(SnsMessageType type, string messageId, string topicArn, string message, string timestamp)
        {
            Type = type;
            MessageId = messageId;
            TopicArn = topicArn;
            Message = message;
            Timestamp = timestamp;
        }

        public SnsMessageType Type { get; }
        public string MessageId { get; }
        public string TopicArn { get; }
        /// <summary>Only when published with one; EventBridge targets publish none.</summary>
        public string? Subject { get; private set; }
        /// <summary>Always a string: for an EventBridge target, the event JSON serialized once more.</summary>
        public string Message { get; }
        /// <summary>As sent (the signature covers the text, not a parsed time).</summary>
        public string Timestamp { get; }
        public DateTimeOffset? TimestampValue =>
            DateTimeOffset.TryParse(Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
        public string? SignatureVersion { get; private set; }
        public string? Signature { get; private set; }
        public string? SigningCertUrl { get; private set; }
        public string? SubscribeUrl { get; private set; }
        /// <summary>Not covered by the signature (neither are SigningCertURL and SignatureVersion): do not follow it on trust.</summary>
        public string? UnsubscribeUrl { get; private set; }
        public string? Token { get; private set; }

        /// <summary>
        /// True when the object has the keys every SNS envelope has (Type with one of the three values, MessageId,
        /// TopicArn): what tells it from an EventBridge event, whose keys are lower-case.
        /// </summary>
        public static bool LooksLikeEnvelope(JsonElement element) =>
            element.ValueKind == JsonValueKind.Object
            && element.TryGetProperty("Type", out var type) && type.ValueKind == JsonValueKind.String
            && element.TryGetProperty("MessageId", out _) && element.TryGetProperty("TopicArn", out _);

        public static SnsMessage Parse(string json)
        {
            if (json is null) throw new ArgumentNullException(nameof(json));
            try
            {
                using var document = JsonDocument.Parse(json);
                return Parse(document.RootElement);
            }
            catch (JsonException e)
            {
                throw new SecurityHubEventException(SecurityHubEventErrorKind.MalformedJson,
                    "The SNS envelope is not valid JSON (" + e.Message + "). Pass the HTTP request body exactly as received.", e);
            }
        }

        public static SnsMessage Parse(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
                throw Invalid("is a JSON " + element.ValueKind.ToString().ToLowerInvariant() + ", not an object");
            var typeText = Text(element, "Type") ?? throw Invalid("has no Type");
            SnsMessageType type;
            switch (typeText)
            {
                case "Notification": type = SnsMessageType.Notification; break;
                case "SubscriptionConfirmation": type = SnsMessageType.SubscriptionConfirmation; break;
                case "UnsubscribeConfirmation": type = SnsMessageType.UnsubscribeConfirmation; break;
                default:
                    throw Invalid("has Type " + SecurityHubEventException.Quote(typeText, 40)
                        + "; SNS sends Notification, SubscriptionConfirmation or UnsubscribeConfirmation");
            }
            var messageId = Text(element, "MessageId") ?? throw Invalid("has no MessageId");
            var topicArn = Text(element, "TopicArn") ?? throw Invalid("(" + messageId + ") has no TopicArn");
            var message = Text(element, "Message") ?? throw Invalid("(" + messageId + ") has no Message");
            var timestamp = Text(element, "Timestamp") ?? throw Invalid("(" + messageId + ") has no Timestamp");
            var sns = new SnsMessage(type, messageId, topicArn, message, timestamp)
            {
                Subject = Text(element, "Subject"),
                SignatureVersion = Text(element, "SignatureVersion"),
                Signature = Text(element, "Signature"),
                SigningCertUrl = Either(element, "SigningCertURL", "SigningCertUrl"),
                SubscribeUrl = Either(element, "SubscribeURL", "SubscribeUrl"),
                UnsubscribeUrl = Either(element, "UnsubscribeURL", "UnsubscribeUrl"),
                Token = Text(element, "Token"),
            };
            if (type != SnsMessageType.Notification && (sns.SubscribeUrl is null || sns.Token is null))
                throw Invalid("(" + messageId + ", " + typeText + ") has no SubscribeURL or Token");
            return sns;
        }

        /// <summary>
        /// The exact text SNS signed (contract 3.3): "Name\nValue\n" for each key in byte order, from the decoded values;
        /// Subject only when present, and only in notifications. UTF-8 when hashed.
        /// </summary>
        public string BuildStringToSign()
        {
            var text = new StringBuilder(Message.Length + 512);
            void Add(string name, string? value)
            {
                if (value is null) return;
                text.Append(name).Append('\n').Append(value).Append('\n');
            }
            Add("Message", Message);
            Add("MessageId", MessageId);
            if (Type == SnsMessageType.Notification)
            {
                Add("Subject", Subject);
            }
            else
            {
                Add("SubscribeURL", SubscribeUrl);
            }
            Add("Timestamp", Timestamp);
            if (Type != SnsMessageType.Notification) Add("Token", Token);
            Add("TopicArn", TopicArn);
            Add("Type", Type.ToString());
            return text.ToString();
        }

        /// <summary>A string field; JSON null counts as absent (Lambda writes "Subject": null), any other type is refused.</summary>
        private static string? Text(JsonElement element, string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind != JsonValueKind.String)
                throw Invalid("field " + name + " is a JSON " + value.ValueKind.ToString().ToLowerInvariant() + "; SNS sends every field as a string");
            return value.GetString();
        }

        private static string? Either(JsonElement element, string http, string lambda)
        {
            var a = Text(element, http);
            var b = Text(element, lambda);
            // Both spellings with different values would let one be verified and the other used.
            if (a != null && b != null && !string.Equals(a, b, StringComparison.Ordinal))
                throw Invalid("has both " + http + " and " + lambda + " with different values");
            return a ?? b;
        }

        private static SecurityHubEventException Invalid(string what) =>
            new(SecurityHubEventErrorKind.InvalidEnvelope,
                "The SNS envelope " + what + ". Pass the HTTP request body exactly as SNS posted it.");
    }
}
