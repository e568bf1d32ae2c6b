using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSSocAutomation.Aws.Events;
using PSSocAutomation.Lab.Sns;
using static PSSocAutomation.Tests.Aws.Events.SnsTestSupport;

namespace PSSocAutomation.Tests.Aws.Events;

/// <summary>
/// What the reader makes of each delivery: bare events, SNS envelopes (signed by the Lab), Azure Automation WebhookData
/// with its headers, API destinations, raw delivery, arrays and GetFindings bodies; and the refusals, one item each.
/// </summary>
public sealed class SecurityHubEventReaderTests
{
    private readonly LabSnsSigner _signer = Signer;

    private SecurityHubEventReader Reader(bool allowUnsigned = false, IEnumerable<string>? topics = null, bool skip = false) =>
        new(new SecurityHubEventReaderOptions
        {
            Verifier = new SnsSignatureVerifier(new PinnedSnsCertificateSource().Add(_signer.SigningCertUrl, _signer.Certificate), topics),
            AllowUnsignedSnsDelivery = allowUnsigned,
            SkipSignatureVerification = skip,
        });

    private static SecurityHubEventItem Only(IReadOnlyList<SecurityHubEventItem> items) => Assert.Single(items);

    private static SecurityHubEventErrorKind RefusedAs(IReadOnlyList<SecurityHubEventItem> items)
    {
        var item = Assert.Single(items);
        Assert.Equal(SecurityHubEventItemKind.Error, item.Kind);
        return item.Error!.Kind;
    }

    private static Hashtable SnsHeaders(string envelope)
    {
        // Mixed case as senders and proxies write them; the reader must not care.
        var headers = new Hashtable();
        foreach (var (name, value) in LabSnsSigner.HeadersFor(envelope))
            headers[name.StartsWith("x-amz-", StringComparison.Ordinal) ? "X-Amz-" + name.Substring(6) : name] = value;
        return headers;
    }

    [Fact]
    public async Task A_bare_event_from_a_script_is_read_as_eventbridge_and_unsigned()
    {
        var item = Only(await new SecurityHubEventReader().ReadAsync(ImportedEvent(findings: 1)));
        Assert.Equal(SecurityHubEventItemKind.Findings, item.Kind);
        Assert.Equal(SecurityHubEventDelivery.EventBridge, item.Info.Delivery);
        Assert.False(item.Info.SignatureVerified);
        Assert.Equal("evt-1", item.Info.EventId);
        Assert.Equal("111122223333", item.Info.Account);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), item.Info.Time);
        Assert.Equal("Finding 0 with a line\nbreak and \"quotes\"", item.Findings[0].GetProperty("Title").GetString());
        Assert.Null(item.Index);
    }

    [Fact]
    public async Task Findings_outlive_the_document_they_came_from()
    {
        IReadOnlyList<SecurityHubEventItem> items;
        using (var document = JsonDocument.Parse(ImportedEvent(findings: 2)))
            items = await new SecurityHubEventReader().ReadAsync(document.RootElement);
        Assert.Equal(2, Only(items).Findings.Count);
        Assert.Equal("HIGH", items[0].Findings[1].GetProperty("Severity").GetProperty("Label").GetString());
    }

    [Fact]
    public async Task A_custom_action_event_keeps_its_action_and_all_its_findings()
    {
        var item = Only(await new SecurityHubEventReader().ReadAsync(ImportedEvent("Security Hub Findings - Custom Action", findings: 3)));
        Assert.Equal(3, item.Findings.Count);
        Assert.Equal("SendToSoc", item.Info.ActionName);
        Assert.Equal("Send the finding to the SOC runbook", item.Info.ActionDescription);
    }

    [Theory]
    [InlineData("Security Hub Insight Results", "aws.securityhub", SecurityHubEventErrorKind.UnknownDetailType, "insight")]
    [InlineData("Findings Imported V2", "aws.securityhub", SecurityHubEventErrorKind.UnknownDetailType, "OCSF")]
    [InlineData("GuardDuty Finding", "aws.guardduty", SecurityHubEventErrorKind.NotSecurityHub, "aws.guardduty")]
    [InlineData("Security Hub Findings - Imported", "my.app", SecurityHubEventErrorKind.NotSecurityHub, "my.app")]
    public async Task Other_events_are_refused_naming_what_came(string detailType, string source, SecurityHubEventErrorKind kind, string named)
    {
        var item = Only(await new SecurityHubEventReader().ReadAsync(ImportedEvent(detailType, source)));
        Assert.Equal(kind, item.Error!.Kind);
        Assert.Contains(named, item.Error.Message);
        Assert.Contains(detailType, item.Error.Message);
        Assert.Equal("evt-1", item.Info.EventId);
    }

    [Theory]
    [InlineData("{\"source\":\"aws.securityhub\",\"detail-type\":\"Security Hub Findings - Imported\",\"detail\":{\"findings\":[]}}", SecurityHubEventErrorKind.NoFindings)]
    [InlineData("{\"source\":\"aws.securityhub\",\"detail-type\":\"Security Hub Findings - Imported\",\"detail\":{}}", SecurityHubEventErrorKind.NoFindings)]
    [InlineData("{\"source\":\"aws.securityhub\",\"detail-type\":\"Security Hub Findings - Imported\",\"detail\":{\"findings\":[\"x\"]}}", SecurityHubEventErrorKind.NoFindings)]
    [InlineData("{\"hello\":\"world\"}", SecurityHubEventErrorKind.NotAnEvent)]
    [InlineData("42", SecurityHubEventErrorKind.NotAnEvent)]
    [InlineData("{\"source\":", SecurityHubEventErrorKind.MalformedJson)]
    public async Task Bodies_without_findings_are_refused(string json, SecurityHubEventErrorKind kind) =>
        Assert.Equal(kind, RefusedAs(await new SecurityHubEventReader().ReadAsync(json)));

    [Fact]
    public async Task An_array_gives_one_item_per_element_and_a_bad_element_does_not_hide_the_others()
    {
        var json = "[" + ImportedEvent(id: "a") + ",{\"hello\":1}," + ImportedEvent(id: "c") + "]";
        var items = await new SecurityHubEventReader().ReadAsync(json);
        Assert.Equal(new[] { "a", null, "c" }, items.Select(i => i.Info.EventId));
        Assert.Equal(new int?[] { 0, 1, 2 }, items.Select(i => i.Index));
        Assert.Equal(SecurityHubEventItemKind.Error, items[1].Kind);
    }

    [Fact]
    public async Task A_GetFindings_body_gives_its_findings()
    {
        var body = new JsonObject { ["Findings"] = JsonNode.Parse(ImportedEvent(findings: 2))!["detail"]!["findings"]!.DeepClone(), ["NextToken"] = "n" }.ToJsonString();
        var item = Only(await new SecurityHubEventReader().ReadAsync(body));
        Assert.Equal(SecurityHubEventDelivery.GetFindings, item.Info.Delivery);
        Assert.Equal(2, item.Findings.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_signed_SNS_notification_is_verified_then_decoded_twice(int version)
    {
        var envelope = _signer.SignNotification(ImportedEvent(findings: 2), TopicArn, version, messageId: "sns-1");
        var item = Only(await Reader().ReadAsync(envelope));
        Assert.Equal(SecurityHubEventItemKind.Findings, item.Kind);
        Assert.True(item.Info.SignatureVerified);
        Assert.Equal(SecurityHubEventDelivery.Sns, item.Info.Delivery);
        Assert.Equal("sns-1", item.Info.SnsMessageId);
        Assert.Equal(TopicArn, item.Info.SnsTopicArn);
        Assert.Equal(version.ToString(), item.Info.SnsSignatureVersion);
        Assert.Equal("evt-1", item.Info.EventId);
        Assert.Equal(2, item.Findings.Count);
    }

    [Fact]
    public async Task SNS_without_a_verifier_is_refused_unless_verification_is_skipped_explicitly()
    {
        var envelope = _signer.SignNotification(ImportedEvent(), TopicArn);
        Assert.Equal(SecurityHubEventErrorKind.CertificateUnavailable, RefusedAs(await new SecurityHubEventReader().ReadAsync(envelope)));
        var forged = With(envelope, "Message", ImportedEvent(id: "forged"));
        var skipped = Only(await new SecurityHubEventReader(new SecurityHubEventReaderOptions { SkipSignatureVerification = true }).ReadAsync(forged));
        Assert.Equal("forged", skipped.Info.EventId);
        Assert.False(skipped.Info.SignatureVerified);
        Assert.Equal(SecurityHubEventErrorKind.SignatureInvalid, RefusedAs(await Reader().ReadAsync(forged)));
    }

    [Fact]
    public async Task Skipping_verification_still_applies_the_topic_allow_list()
    {
        var envelope = _signer.SignNotification(ImportedEvent(), TopicArn + "-other");
        Assert.Equal(SecurityHubEventErrorKind.TopicRefused, RefusedAs(await Reader(topics: new[] { TopicArn }, skip: true).ReadAsync(envelope)));
    }

    [Fact]
    public async Task A_subscription_confirmation_is_verified_and_gives_its_SubscribeURL()
    {
        var envelope = _signer.SignSubscriptionConfirmation(TopicArn, "http://127.0.0.1:5000/sns/confirm?token=tok-1", "tok-1", 2);
        var item = Only(await Reader().ReadWebhookAsync(envelope, SnsHeaders(envelope), "soc-webhook"));
        Assert.Equal(SecurityHubEventItemKind.SubscriptionConfirmation, item.Kind);
        Assert.True(item.Info.SignatureVerified);
        Assert.Equal("http://127.0.0.1:5000/sns/confirm?token=tok-1", item.SubscribeUrl);
        Assert.Equal("tok-1", item.Token);
        Assert.Equal(TopicArn, item.TopicArn);
        Assert.Equal("soc-webhook", item.Info.WebhookName);

        var forged = With(envelope, "SubscribeURL", "http://attacker.example/");
        Assert.Equal(SecurityHubEventErrorKind.SignatureInvalid, RefusedAs(await Reader().ReadWebhookAsync(forged, SnsHeaders(envelope))));
    }

    [Fact]
    public async Task An_unsubscribe_confirmation_says_so()
    {
        var envelope = _signer.SignUnsubscribeConfirmation(TopicArn, "http://127.0.0.1:5000/sns/resubscribe", "tok-9");
        var item = Only(await Reader().ReadAsync(envelope));
        Assert.Equal(SecurityHubEventItemKind.UnsubscribeConfirmation, item.Kind);
        Assert.Empty(item.Findings);
    }

    [Fact]
    public async Task WebhookData_with_an_SNS_envelope_body_and_SNS_headers_reads_the_findings()
    {
        var envelope = _signer.SignNotification(ImportedEvent(), TopicArn);
        var item = Only(await Reader().ReadWebhookAsync(envelope, SnsHeaders(envelope), "soc-webhook"));
        Assert.Equal(SecurityHubEventItemKind.Findings, item.Kind);
        Assert.True(item.Info.SignatureVerified);
        Assert.Equal("soc-webhook", item.Info.WebhookName);
    }

    [Fact]
    public async Task WebhookData_serialised_to_JSON_reads_like_its_parts()
    {
        var envelope = _signer.SignNotification(ImportedEvent(), TopicArn);
        var headers = new JsonObject();
        foreach (var (name, value) in LabSnsSigner.HeadersFor(envelope)) headers[name.ToUpperInvariant()] = value;
        var webhookData = new JsonObject { ["WebhookName"] = "soc", ["RequestBody"] = envelope, ["RequestHeader"] = headers }.ToJsonString();
        var item = Only(await Reader().ReadAsync(webhookData));
        Assert.True(item.Info.SignatureVerified);
        Assert.Equal("soc", item.Info.WebhookName);

        headers["X-AMZ-SNS-RAWDELIVERY"] = "true";
        var raw = new JsonObject { ["WebhookName"] = "soc", ["RequestBody"] = ImportedEvent(), ["RequestHeader"] = headers.DeepClone() }.ToJsonString();
        Assert.Equal(SecurityHubEventErrorKind.RawDeliveryRefused, RefusedAs(await Reader().ReadAsync(raw)));
    }

    [Fact]
    public async Task A_header_type_that_disagrees_with_the_envelope_is_refused()
    {
        var envelope = _signer.SignNotification(ImportedEvent(), TopicArn);
        var headers = SnsHeaders(envelope);
        headers["X-Amz-Sns-Message-Type"] = "SubscriptionConfirmation";
        Assert.Equal(SecurityHubEventErrorKind.InvalidEnvelope, RefusedAs(await Reader().ReadWebhookAsync(envelope, headers)));
    }

    [Fact]
    public async Task Raw_delivery_is_refused_unless_unsigned_SNS_input_is_allowed()
    {
        var headers = new Hashtable
        {
            ["x-amz-sns-rawdelivery"] = "True",
            ["x-amz-sns-message-id"] = "raw-1",
            ["x-amz-sns-topic-arn"] = TopicArn,
            ["User-Agent"] = "Amazon Simple Notification Service Agent",
        };
        var refused = Only(await Reader().ReadWebhookAsync(ImportedEvent(), headers));
        Assert.Equal(SecurityHubEventErrorKind.RawDeliveryRefused, refused.Error!.Kind);
        Assert.Contains("RawMessageDelivery", refused.Error.Message);
        Assert.True(refused.Error.IsAuthenticityFailure);

        var allowed = Only(await Reader(allowUnsigned: true).ReadWebhookAsync(ImportedEvent(), headers));
        Assert.Equal(SecurityHubEventDelivery.SnsRawDelivery, allowed.Info.Delivery);
        Assert.False(allowed.Info.SignatureVerified);
        Assert.Equal("raw-1", allowed.Info.SnsMessageId);
        Assert.Equal(TopicArn, allowed.Info.SnsTopicArn);

        Assert.Equal(SecurityHubEventErrorKind.TopicRefused,
            RefusedAs(await Reader(allowUnsigned: true, topics: new[] { "arn:aws:sns:us-east-1:111122223333:other" }).ReadWebhookAsync(ImportedEvent(), headers)));
    }

    [Fact]
    public async Task A_bare_event_whose_headers_claim_SNS_is_refused_even_without_the_raw_header()
    {
        var headers = new Dictionary<string, string> { ["User-Agent"] = "Amazon Simple Notification Service Agent" };
        Assert.Equal(SecurityHubEventErrorKind.RawDeliveryRefused, RefusedAs(await Reader().ReadWebhookAsync(ImportedEvent(), headers)));
        var typed = new Hashtable { ["X-AMZ-SNS-MESSAGE-TYPE"] = new[] { "Notification" } };
        Assert.Equal(SecurityHubEventErrorKind.RawDeliveryRefused, RefusedAs(await Reader().ReadWebhookAsync(ImportedEvent(), typed)));
    }

    [Fact]
    public async Task An_API_destination_post_is_read_as_an_unsigned_event()
    {
        var headers = new Hashtable
        {
            ["user-agent"] = "Amazon/EventBridge/ApiDestinations",
            ["Content-Type"] = "application/json; charset=utf-8",
            ["Range"] = "bytes=0-1048575",
        };
        var item = Only(await Reader().ReadWebhookAsync(ImportedEvent(), headers, "api-destination"));
        Assert.Equal(SecurityHubEventItemKind.Findings, item.Kind);
        Assert.Equal(SecurityHubEventDelivery.ApiDestination, item.Info.Delivery);
        Assert.False(item.Info.SignatureVerified);
    }

    [Fact]
    public async Task A_webhook_body_from_an_unnamed_sender_is_read_as_a_webhook_event()
    {
        var item = Only(await Reader().ReadWebhookAsync(ImportedEvent(), (IDictionary?)null));
        Assert.Equal(SecurityHubEventDelivery.Webhook, item.Info.Delivery);
        Assert.Equal(SecurityHubEventErrorKind.NotAnEvent, RefusedAs(await Reader().ReadWebhookAsync("  ", new Hashtable())));
        Assert.Equal(SecurityHubEventErrorKind.MalformedJson, RefusedAs(await Reader().ReadWebhookAsync("<html>", new Hashtable())));
    }

    [Fact]
    public async Task A_Lambda_SNS_event_verifies_each_record()
    {
        var good = JsonNode.Parse(_signer.SignNotification(ImportedEvent(id: "l1"), TopicArn))!.AsObject();
        good["SigningCertUrl"] = good["SigningCertURL"]!.GetValue<string>();
        good.Remove("SigningCertURL");
        var bad = JsonNode.Parse(With(_signer.SignNotification(ImportedEvent(id: "l2"), TopicArn), "Message", ImportedEvent(id: "x")))!;
        var lambda = new JsonObject
        {
            ["Records"] = new JsonArray(
                new JsonObject { ["EventSource"] = "aws:sns", ["Sns"] = good },
                new JsonObject { ["EventSource"] = "aws:sns", ["Sns"] = bad }),
        }.ToJsonString();
        var items = await Reader().ReadAsync(lambda);
        Assert.Equal(2, items.Count);
        Assert.Equal("l1", items[0].Info.EventId);
        Assert.Equal(SecurityHubEventErrorKind.SignatureInvalid, items[1].Error!.Kind);
        Assert.Equal(1, items[1].Index);
    }
}
