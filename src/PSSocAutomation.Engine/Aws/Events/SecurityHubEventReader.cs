using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// The reading half of ConvertFrom-SecurityHubEvent: decides what an input is (EventBridge event, SNS envelope,
    /// Azure Automation WebhookData, GetFindings body, or an array of those) and gives the findings inside.
    /// <para>
    /// Never throws for what the input says: each input, and each element of an input array, becomes one item, and a
    /// refused one is an item of kind Error carrying a <see cref="SecurityHubEventException"/>, so a cmdlet writes one
    /// non-terminating error per bad event and goes on with the rest.
    /// </para>
    /// <para>
    /// Unsigned input: a bare event handed over by a script is read (the script got it from somewhere it trusts); so is
    /// a webhook body from an API destination or from a sender that does not claim to be SNS (the webhook's secret URL
    /// or the API destination's connection credentials authenticate it: <see cref="SecurityHubEventInfo.SignatureVerified"/>
    /// says false). Whatever claims to come from SNS must carry a valid SNS signature, unless the options say otherwise
    /// explicitly.
    /// </para>
    /// </summary>
    public sealed class SecurityHubEventReader
    {
        private readonly SecurityHubEventReaderOptions _options;

        public SecurityHubEventReader(SecurityHubEventReaderOptions? options = null)
        {
            _options = options ?? new SecurityHubEventReaderOptions();
        }

        /// <summary>JSON text: an event, an SNS envelope, WebhookData serialised, a GetFindings body, or an array of these.</summary>
        public async Task<IReadOnlyList<SecurityHubEventItem>> ReadAsync(string json, CancellationToken cancellationToken = default)
        {
            if (json is null) throw new ArgumentNullException(nameof(json));
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json);
            }
            catch (JsonException e)
            {
                return new[] { Refused(new SecurityHubEventInfo(), Malformed("The input", e)) };
            }
            using (document) return await ReadAsync(document.RootElement, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A parsed input; the findings given back are copies, so the caller may dispose its document.</summary>
        public Task<IReadOnlyList<SecurityHubEventItem>> ReadAsync(JsonElement input, CancellationToken cancellationToken = default) =>
            ReadValueAsync(input, null, cancellationToken);

        /// <summary>
        /// Azure Automation's $WebhookData: RequestBody (the raw body) and RequestHeader (a hashtable of headers; names
        /// in any case, values a string or strings). A Dictionary&lt;string, string&gt; is an IDictionary too.
        /// </summary>
        public Task<IReadOnlyList<SecurityHubEventItem>> ReadWebhookAsync(string? requestBody, IDictionary? requestHeaders, string? webhookName = null,
            CancellationToken cancellationToken = default) =>
            ReadWebhookCoreAsync(requestBody, WebhookHeaders.From(requestHeaders), webhookName, cancellationToken);

        private async Task<IReadOnlyList<SecurityHubEventItem>> ReadWebhookCoreAsync(string? body, WebhookHeaders headers, string? webhookName,
            CancellationToken cancellationToken)
        {
            var info = new SecurityHubEventInfo { WebhookName = webhookName, Delivery = SecurityHubEventDelivery.Webhook };
            // Raw delivery is refused before the body is even parsed: nothing in it could vouch for it.
            if (headers.IsRawDelivery && !_options.AllowUnsignedSnsDelivery)
                return new[] { Refused(info, RawRefused(headers, "says x-amz-sns-rawdelivery: true")) };
            if (string.IsNullOrWhiteSpace(body))
                return new[] { Refused(info, new SecurityHubEventException(SecurityHubEventErrorKind.NotAnEvent,
                    "The webhook " + SecurityHubEventException.Quote(webhookName, 80) + " was called with an empty body. Its sender must POST the event (or SNS envelope) as the body.")) };
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body!);
            }
            catch (JsonException e)
            {
                return new[] { Refused(info, Malformed("The webhook body", e)) };
            }
            using (document)
                return await ReadValueAsync(document.RootElement, new Webhook(headers, webhookName), cancellationToken).ConfigureAwait(false);
        }

        private async Task<IReadOnlyList<SecurityHubEventItem>> ReadValueAsync(JsonElement value, Webhook? webhook, CancellationToken cancellationToken)
        {
            if (value.ValueKind != JsonValueKind.Array) return await ReadOneAsync(value, webhook, cancellationToken).ConfigureAwait(false);
            var items = new List<SecurityHubEventItem>();
            var index = 0;
            foreach (var element in value.EnumerateArray())
            {
                foreach (var item in await ReadOneAsync(element, webhook, cancellationToken).ConfigureAwait(false))
                {
                    item.Index ??= index;
                    items.Add(item);
                }
                index++;
            }
            return items;
        }

        private async Task<IReadOnlyList<SecurityHubEventItem>> ReadOneAsync(JsonElement element, Webhook? webhook, CancellationToken cancellationToken)
        {
            var info = new SecurityHubEventInfo { WebhookName = webhook?.Name };
            try
            {
                if (element.ValueKind != JsonValueKind.Object)
                    throw new SecurityHubEventException(SecurityHubEventErrorKind.NotAnEvent,
                        "The input is a JSON " + element.ValueKind.ToString().ToLowerInvariant() + ", not an event object. Pass the EventBridge event, SNS envelope or WebhookData itself.");
                // WebhookData serialised to JSON (as the Azure portal's test pane and some runbooks pass it).
                if (webhook is null && element.TryGetProperty("RequestBody", out var body)
                    && (element.TryGetProperty("RequestHeader", out _) || element.TryGetProperty("WebhookName", out _)))
                {
                    element.TryGetProperty("RequestHeader", out var headers);
                    var name = element.TryGetProperty("WebhookName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                    var text = body.ValueKind == JsonValueKind.String ? body.GetString() : body.GetRawText();
                    return await ReadWebhookCoreAsync(text, WebhookHeaders.From(headers), name, cancellationToken).ConfigureAwait(false);
                }
                if (SnsMessage.LooksLikeEnvelope(element))
                    return new[] { await ReadSnsAsync(element, info, webhook, cancellationToken).ConfigureAwait(false) };
                if (IsLambdaSnsEvent(element, out var records))
                    return await ReadLambdaRecordsAsync(records, webhook, cancellationToken).ConfigureAwait(false);
                if (SecurityHubFindingsEvent.LooksLikeGetFindings(element))
                {
                    Unsigned(info, webhook);
                    // Named as a GetFindings body unless a sender that says more (API destination, raw SNS) posted it.
                    if (info.Delivery == SecurityHubEventDelivery.EventBridge || info.Delivery == SecurityHubEventDelivery.Webhook)
                        info.Delivery = SecurityHubEventDelivery.GetFindings;
                    return new[] { SecurityHubFindingsEvent.ReadGetFindings(element, info) };
                }
                if (SecurityHubFindingsEvent.LooksLikeEvent(element))
                {
                    Unsigned(info, webhook);
                    return new[] { SecurityHubFindingsEvent.ReadEvent(element, info) };
                }
                var keys = string.Join(", ", element.EnumerateObject().Take(6).Select(p => p.Name));
                throw new SecurityHubEventException(SecurityHubEventErrorKind.NotAnEvent,
                    "The input is not an EventBridge event, an SNS envelope, WebhookData or a GetFindings body (its keys: "
                    + SecurityHubEventException.Quote(keys) + "). Pass the event as EventBridge or SNS delivers it.");
            }
            catch (SecurityHubEventException e)
            {
                return new[] { Refused(info, e) };
            }
        }

        /// <summary>Decides how an unsigned body is taken, from what the webhook headers say sent it; refuses unsigned SNS.</summary>
        private void Unsigned(SecurityHubEventInfo info, Webhook? webhook)
        {
            if (webhook is null)
            {
                info.Delivery = SecurityHubEventDelivery.EventBridge;
                return;
            }
            var headers = webhook.Headers;
            if (headers.IsRawDelivery || headers.ClaimsSns)
            {
                if (!_options.AllowUnsignedSnsDelivery) throw RawRefused(headers, "say SNS sent it, but the body is a bare event with no signed envelope");
                info.Delivery = SecurityHubEventDelivery.SnsRawDelivery;
                info.SnsMessageId = headers["x-amz-sns-message-id"];
                info.SnsTopicArn = headers["x-amz-sns-topic-arn"];
                if (info.SnsTopicArn != null && _options.Verifier?.AllowedTopicArns is { } allowed && !allowed.Contains(info.SnsTopicArn))
                    throw new SecurityHubEventException(SecurityHubEventErrorKind.TopicRefused,
                        "The raw SNS delivery comes from topic " + SecurityHubEventException.Quote(info.SnsTopicArn, 256)
                        + ", which is not in the allowed list. Add the topic's ARN to the allowed topics if this endpoint should take it.");
                return;
            }
            info.Delivery = headers.IsApiDestination ? SecurityHubEventDelivery.ApiDestination : SecurityHubEventDelivery.Webhook;
        }

        private async Task<SecurityHubEventItem> ReadSnsAsync(JsonElement element, SecurityHubEventInfo info, Webhook? webhook, CancellationToken cancellationToken)
        {
            info.Delivery = SecurityHubEventDelivery.Sns;
            var sns = SnsMessage.Parse(element);
            info.SnsMessageId = sns.MessageId;
            info.SnsTopicArn = sns.TopicArn;
            // Only a notification's signature covers Subject; a confirmation's would be whatever the sender added.
            info.SnsSubject = sns.Type == SnsMessageType.Notification ? sns.Subject : null;
            info.SnsTimestamp = sns.TimestampValue;
            info.SnsSignatureVersion = sns.SignatureVersion;
            var headerType = webhook?.Headers["x-amz-sns-message-type"];
            if (headerType != null && !string.Equals(headerType.Trim(), sns.Type.ToString(), StringComparison.Ordinal))
                throw new SecurityHubEventException(SecurityHubEventErrorKind.InvalidEnvelope,
                    "The SNS message " + sns.MessageId + " says Type " + sns.Type + " but its x-amz-sns-message-type header says "
                    + SecurityHubEventException.Quote(headerType, 40) + ". SNS sends both alike: check what posts to this endpoint.");

            if (_options.SkipSignatureVerification)
            {
                _options.Verifier?.CheckTopic(sns);
            }
            else
            {
                if (_options.Verifier is null)
                    throw new SecurityHubEventException(SecurityHubEventErrorKind.CertificateUnavailable,
                        "The SNS message " + sns.MessageId + " cannot be verified: no signature verifier (certificate source) was configured. Give one, or skip verification explicitly for input authenticated another way.");
                await _options.Verifier.VerifyAsync(sns, cancellationToken).ConfigureAwait(false);
                info.SignatureVerified = true;
            }

            switch (sns.Type)
            {
                case SnsMessageType.SubscriptionConfirmation:
                    return new SecurityHubEventItem(SecurityHubEventItemKind.SubscriptionConfirmation, info)
                        { SubscribeUrl = sns.SubscribeUrl, Token = sns.Token, TopicArn = sns.TopicArn, Message = sns.Message };
                case SnsMessageType.UnsubscribeConfirmation:
                    return new SecurityHubEventItem(SecurityHubEventItemKind.UnsubscribeConfirmation, info)
                        { SubscribeUrl = sns.SubscribeUrl, Token = sns.Token, TopicArn = sns.TopicArn, Message = sns.Message };
            }
            // EventBridge -> SNS: Message is the event serialised once more, so it is decoded a second time.
            JsonDocument inner;
            try
            {
                inner = JsonDocument.Parse(sns.Message);
            }
            catch (JsonException)
            {
                throw new SecurityHubEventException(SecurityHubEventErrorKind.NotAnEvent,
                    "The SNS message " + sns.MessageId + " from " + sns.TopicArn + " carries text, not an EventBridge event (its Message starts "
                    + SecurityHubEventException.Quote(sns.Message, 40) + "). Subscribe this endpoint to a topic that an EventBridge rule for Security Hub findings targets.");
            }
            using (inner)
            {
                if (inner.RootElement.ValueKind != JsonValueKind.Object || !SecurityHubFindingsEvent.LooksLikeEvent(inner.RootElement))
                    throw new SecurityHubEventException(SecurityHubEventErrorKind.NotAnEvent,
                        "The SNS message " + sns.MessageId + " from " + sns.TopicArn + " carries JSON that is not an EventBridge event. Publish the whole event (no input transformer) to the topic.");
                return SecurityHubFindingsEvent.ReadEvent(inner.RootElement, info);
            }
        }

        /// <summary>A Lambda SNS event ({"Records":[{"EventSource":"aws:sns","Sns":{...}}]}), whose envelopes verify like HTTP ones.</summary>
        private static bool IsLambdaSnsEvent(JsonElement element, out JsonElement records)
        {
            records = default;
            if (!element.TryGetProperty("Records", out var found) || found.ValueKind != JsonValueKind.Array) return false;
            records = found;
            return found.EnumerateArray().Any(r => r.ValueKind == JsonValueKind.Object && r.TryGetProperty("Sns", out _));
        }

        private async Task<IReadOnlyList<SecurityHubEventItem>> ReadLambdaRecordsAsync(JsonElement records, Webhook? webhook, CancellationToken cancellationToken)
        {
            var items = new List<SecurityHubEventItem>();
            var index = 0;
            foreach (var record in records.EnumerateArray())
            {
                var info = new SecurityHubEventInfo { WebhookName = webhook?.Name };
                try
                {
                    if (record.ValueKind != JsonValueKind.Object || !record.TryGetProperty("Sns", out var sns))
                        throw new SecurityHubEventException(SecurityHubEventErrorKind.NotAnEvent, "Lambda record " + index + " has no Sns envelope.");
                    items.Add(await ReadSnsAsync(sns, info, null, cancellationToken).ConfigureAwait(false));
                }
                catch (SecurityHubEventException e)
                {
                    items.Add(Refused(info, e));
                }
                items[items.Count - 1].Index = index++;
            }
            return items;
        }

        private static SecurityHubEventException RawRefused(WebhookHeaders headers, string what) =>
            new(SecurityHubEventErrorKind.RawDeliveryRefused,
                "The request headers " + what + " (topic " + SecurityHubEventException.Quote(headers["x-amz-sns-topic-arn"], 256)
                + "): SNS raw message delivery carries no signature, so anyone who knows this endpoint could have sent it. Turn off RawMessageDelivery on the subscription, or allow unsigned SNS input explicitly.");

        private static SecurityHubEventException Malformed(string what, JsonException e) =>
            new(SecurityHubEventErrorKind.MalformedJson,
                what + " is not valid JSON (line " + ((e.LineNumber ?? 0) + 1) + ", byte " + ((e.BytePositionInLine ?? 0) + 1)
                + "). Pass the body exactly as it was received, without re-encoding it.", e);

        private static SecurityHubEventItem Refused(SecurityHubEventInfo info, SecurityHubEventException error) =>
            new(SecurityHubEventItemKind.Error, info) { Error = error };

        private sealed class Webhook
        {
            public Webhook(WebhookHeaders headers, string? name)
            {
                Headers = headers;
                Name = name;
            }

            public WebhookHeaders Headers { get; }
            public string? Name { get; }
        }
    }
}
