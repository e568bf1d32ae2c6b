using System.Text.Json;
using System.Text.Json.Nodes;
using PSSocAutomation.Aws.Events;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Aws.Events.SnsTestSupport;

namespace PSSocAutomation.Tests.Aws.Events;

/// <summary>
/// The real AWS bodies in ../shared/fixtures/aws/{eventbridge,sns}: four genuinely signed SNS notifications (from AWS's
/// PHP validator tests) and their expired certificate, the docs' examples with placeholder signatures, and two
/// EventBridge Security Hub events. Without the folder these report themselves skipped.
/// </summary>
public sealed class SnsFixtureConformanceTests
{
    private const string FixtureCertUrl = "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem";

    private static SnsSignatureVerifier FixtureVerifier(IEnumerable<string>? topics = null) =>
        new(new PinnedSnsCertificateSource().Add(FixtureCertUrl, FixtureCertificate()), topics);

    [SharedFixtureFact]
    public void Every_fixture_parses()
    {
        foreach (var name in new[] { "sns/notification.securityhub-findings-imported.json", "sns/subscription-confirmation.docs-example.json" })
            Assert.NotNull(SnsMessage.Parse(Fixture(name)));
        foreach (var node in SignedFixtures())
            Assert.Equal(SnsMessageType.Notification, SnsMessage.Parse(node!.ToJsonString()).Type);
        foreach (var name in Directory.GetFiles(Path.Combine(AwsFixtures!, "eventbridge"), "*.json"))
            using (JsonDocument.Parse(File.ReadAllText(name))) { }
        var certificate = FixtureCertificate();
        Assert.Equal("CN=sns.amazonaws.com", certificate.Subject);
    }

    [SharedFixtureFact]
    public async Task The_four_signed_notifications_verify_against_the_expired_pinned_certificate()
    {
        var verifier = FixtureVerifier();
        var versions = new List<string>();
        foreach (var node in SignedFixtures())
        {
            var message = SnsMessage.Parse(node!.ToJsonString());
            await verifier.VerifyAsync(message);
            versions.Add(message.SignatureVersion + (message.Subject is null ? "" : "+Subject"));
        }
        Assert.Equal(new[] { "1", "2", "1+Subject", "2+Subject" }, versions);
    }

    [SharedFixtureFact]
    public async Task One_changed_byte_in_Message_Subject_Timestamp_or_Signature_fails_each_notification()
    {
        var verifier = FixtureVerifier();
        var checkedCount = 0;
        foreach (var node in SignedFixtures())
        {
            var original = node!.ToJsonString();
            foreach (var field in new[] { "Message", "Subject", "Timestamp", "Signature", "MessageId", "TopicArn" })
            {
                var value = node[field]?.GetValue<string>();
                if (value is null) continue;
                // Middle of the text: for a signature that changes the RSA value itself, not base64 padding.
                var tampered = With(original, field, OneByteChanged(value, value.Length / 2));
                var error = await Assert.ThrowsAsync<SecurityHubEventException>(() => verifier.VerifyAsync(SnsMessage.Parse(tampered)));
                Assert.Equal(SecurityHubEventErrorKind.SignatureInvalid, error.Kind);
                if (field == "Signature") Assert.DoesNotContain(value, error.Message);
                checkedCount++;
            }
        }
        Assert.Equal(4 * 5 + 2, checkedCount); // Subject only in two of the four
    }

    [SharedFixtureFact]
    public async Task Adding_a_Subject_to_a_notification_signed_without_one_fails()
    {
        var original = SignedFixtures()[0]!.ToJsonString();
        var error = await Assert.ThrowsAsync<SecurityHubEventException>(() => FixtureVerifier().VerifyAsync(SnsMessage.Parse(With(original, "Subject", "Hello world"))));
        Assert.Equal(SecurityHubEventErrorKind.SignatureInvalid, error.Kind);
    }

    [SharedFixtureFact]
    public async Task Lambda_spelling_of_the_certificate_url_verifies_the_same()
    {
        var node = SignedFixtures()[1]!.AsObject();
        var url = node["SigningCertURL"]!.GetValue<string>();
        node.Remove("SigningCertURL");
        node["SigningCertUrl"] = url;
        node["UnsubscribeUrl"] = node["UnsubscribeURL"]!.GetValue<string>();
        node.Remove("UnsubscribeURL");
        node["Subject"] = null; // Lambda writes a null Subject, which is absent, not empty
        var message = SnsMessage.Parse(node.ToJsonString());
        Assert.Equal(url, message.SigningCertUrl);
        Assert.NotNull(message.UnsubscribeUrl);
        await FixtureVerifier().VerifyAsync(message);
    }

    [SharedFixtureFact]
    public async Task The_docs_notification_with_its_placeholder_signature_is_refused_but_reads_when_verification_is_skipped()
    {
        var body = Fixture("sns/notification.securityhub-findings-imported.json");
        var pinned = new SnsSignatureVerifier(new PinnedSnsCertificateSource(FixtureCertificate()));
        var strict = await new SecurityHubEventReader(new SecurityHubEventReaderOptions { Verifier = pinned }).ReadAsync(body);
        Assert.Equal(SecurityHubEventErrorKind.SignatureInvalid, Assert.Single(strict).Error!.Kind);

        var skipped = Assert.Single(await new SecurityHubEventReader(new SecurityHubEventReaderOptions { SkipSignatureVerification = true }).ReadAsync(body));
        Assert.Equal(SecurityHubEventItemKind.Findings, skipped.Kind);
        Assert.False(skipped.Info.SignatureVerified);
        Assert.Equal(SecurityHubEventDelivery.Sns, skipped.Info.Delivery);
        Assert.Equal("22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", skipped.Info.SnsMessageId);
        Assert.Equal("arn:aws:sns:us-west-2:123456789012:MyTopic", skipped.Info.SnsTopicArn);
        Assert.Equal("CWE-event-id", skipped.Info.EventId);
        Assert.Equal("Security Hub Findings - Imported", skipped.Info.DetailType);
        Assert.Equal("193043430472", skipped.Info.Account);
        var finding = Assert.Single(skipped.Findings);
        Assert.Equal("arn:aws:guardduty:us-east-1:193043430472:detector/d4b040365221be2b54a6264dc9a4bc64/finding/46ba0ac2845071e23ccdeb2ae03bfdea",
            finding.GetProperty("Id").GetString());
    }

    [SharedFixtureFact]
    public async Task The_double_decoded_Message_is_the_eventbridge_fixture_finding_for_finding()
    {
        var viaSns = Assert.Single(await new SecurityHubEventReader(new SecurityHubEventReaderOptions { SkipSignatureVerification = true })
            .ReadAsync(Fixture("sns/notification.securityhub-findings-imported.json")));
        var direct = Assert.Single(await new SecurityHubEventReader().ReadAsync(Fixture("eventbridge/securityhub-findings-imported.guardduty.json")));
        Assert.Equal(SecurityHubEventDelivery.EventBridge, direct.Info.Delivery);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(direct.Findings[0].GetRawText()), JsonNode.Parse(viaSns.Findings[0].GetRawText())));
    }

    [SharedFixtureFact]
    public async Task The_docs_subscription_confirmation_gives_its_SubscribeURL_when_verification_is_skipped()
    {
        var body = Fixture("sns/subscription-confirmation.docs-example.json");
        var item = Assert.Single(await new SecurityHubEventReader(new SecurityHubEventReaderOptions { SkipSignatureVerification = true }).ReadAsync(body));
        Assert.Equal(SecurityHubEventItemKind.SubscriptionConfirmation, item.Kind);
        Assert.Equal("https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37...", item.SubscribeUrl);
        Assert.Equal("2336412f37...", item.Token);
        Assert.Equal("arn:aws:sns:us-west-2:123456789012:MyTopic", item.TopicArn);
        Assert.Contains("\nTo confirm", item.Message);
        Assert.Empty(item.Findings);

        var pinned = new SnsSignatureVerifier(new PinnedSnsCertificateSource(FixtureCertificate()));
        var strict = Assert.Single(await new SecurityHubEventReader(new SecurityHubEventReaderOptions { Verifier = pinned }).ReadAsync(body));
        Assert.Equal(SecurityHubEventErrorKind.SignatureInvalid, strict.Error!.Kind);
        Assert.Null(strict.SubscribeUrl);
    }

    [SharedFixtureFact]
    public async Task A_signed_notification_with_plain_text_is_verified_then_refused_as_not_an_event()
    {
        var reader = new SecurityHubEventReader(new SecurityHubEventReaderOptions { Verifier = FixtureVerifier() });
        var item = Assert.Single(await reader.ReadAsync(SignedFixtures()[0]!.ToJsonString()));
        Assert.Equal(SecurityHubEventErrorKind.NotAnEvent, item.Error!.Kind);
        Assert.True(item.Info.SignatureVerified);
        Assert.Contains("'Hello world'", item.Error.Message);
    }

    [SharedFixtureFact]
    public async Task The_topic_allow_list_refuses_a_genuine_message_from_another_topic_before_any_fetch()
    {
        var source = new CountingCertificateSource(new PinnedSnsCertificateSource(FixtureCertificate()));
        var verifier = new SnsSignatureVerifier(source, new[] { "arn:aws:sns:us-east-2:295079676684:some-other-topic" });
        var error = await Assert.ThrowsAsync<SecurityHubEventException>(() => verifier.VerifyAsync(SnsMessage.Parse(SignedFixtures()[0]!.ToJsonString())));
        Assert.Equal(SecurityHubEventErrorKind.TopicRefused, error.Kind);
        Assert.Equal(0, source.Calls);

        var allowed = SignedFixtures().Select(n => n!["TopicArn"]!.GetValue<string>()).ToArray();
        foreach (var node in SignedFixtures()) await FixtureVerifier(allowed).VerifyAsync(SnsMessage.Parse(node!.ToJsonString()));
    }

    [SharedFixtureFact]
    public async Task The_afsbp_control_finding_event_reads_with_its_control_fields()
    {
        var item = Assert.Single(await new SecurityHubEventReader().ReadAsync(Fixture("eventbridge/securityhub-findings-imported.afsbp-ec2.7.json")));
        Assert.Equal(SecurityHubEventItemKind.Findings, item.Kind);
        Assert.Equal("1622bd23-7237-fdec-8fb0-a019cccfd3cb", item.Info.EventId);
        Assert.Equal(new DateTimeOffset(2020, 5, 27, 3, 37, 40, TimeSpan.Zero), item.Info.Time);
        Assert.Equal("us-east-1", item.Info.Region);
        Assert.Single(item.Info.Resources);
        var finding = Assert.Single(item.Findings);
        Assert.Equal("EC2.7", finding.GetProperty("ProductFields").GetProperty("ControlId").GetString());
        Assert.Equal("INFORMATIONAL", finding.GetProperty("Severity").GetProperty("Label").GetString());
    }
}
