using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using PSSocAutomation.Aws.Events;
using PSSocAutomation.Lab.Sns;
using static PSSocAutomation.Tests.Aws.Events.SnsTestSupport;

namespace PSSocAutomation.Tests.Aws.Events;

/// <summary>
/// The verifier against what the Lab's signer produces (its own CA and CN=sns.amazonaws.com leaf, generated per run),
/// and the SigningCertURL rules, which must refuse before anything is fetched.
/// </summary>
public sealed class SnsSignatureVerifierTests
{
    private readonly LabSnsSigner _signer = Signer;

    private SnsSignatureVerifier Pinned(IEnumerable<string>? topics = null) =>
        new(new PinnedSnsCertificateSource().Add(_signer.SigningCertUrl, _signer.Certificate), topics);

    private static async Task<SecurityHubEventException> Refused(SnsSignatureVerifier verifier, string envelope) =>
        await Assert.ThrowsAsync<SecurityHubEventException>(() => verifier.VerifyAsync(SnsMessage.Parse(envelope)));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task What_the_Lab_signs_verifies_in_both_versions(int version)
    {
        var verifier = Pinned();
        await verifier.VerifyAsync(SnsMessage.Parse(_signer.SignNotification(ImportedEvent(), TopicArn, version)));
        await verifier.VerifyAsync(SnsMessage.Parse(_signer.SignNotification("text with ünïcode and \"quotes\"\n", TopicArn, version, subject: "A subject")));
        await verifier.VerifyAsync(SnsMessage.Parse(_signer.SignSubscriptionConfirmation(TopicArn, "http://127.0.0.1:5000/sns/confirm?t=1", "tok-123", version)));
        await verifier.VerifyAsync(SnsMessage.Parse(_signer.SignUnsubscribeConfirmation(TopicArn, "http://127.0.0.1:5000/sns/confirm?t=2", "tok-456", version)));
    }

    [Fact]
    public void The_Lab_leaf_is_issued_to_SNS_by_the_Lab_authority()
    {
        using var leaf = _signer.Certificate;
        using var authority = _signer.Authority;
        Assert.Equal("CN=sns.amazonaws.com", leaf.Subject);
        Assert.Equal(authority.Subject, leaf.Issuer);
        Assert.False(leaf.HasPrivateKey);
        Assert.Equal(2048, leaf.GetRSAPublicKey()!.KeySize);
        Assert.Matches("^https://sns\\.us-east-1\\.amazonaws\\.com/SimpleNotificationService-[0-9a-f]{32}\\.pem$", _signer.SigningCertUrl);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf));
    }

    [Fact]
    public async Task The_PEM_the_Lab_serves_pins_as_well()
    {
        var verifier = new SnsSignatureVerifier(PinnedSnsCertificateSource.FromPem(_signer.CertificatePem));
        await verifier.VerifyAsync(SnsMessage.Parse(_signer.SignNotification(ImportedEvent(), TopicArn, 2)));
    }

    [Theory]
    [InlineData("Message")]
    [InlineData("Subject")]
    [InlineData("Timestamp")]
    [InlineData("MessageId")]
    [InlineData("TopicArn")]
    [InlineData("Signature")]
    public async Task A_changed_byte_anywhere_signed_fails(string field)
    {
        foreach (var version in new[] { 1, 2 })
        {
            var envelope = _signer.SignNotification(ImportedEvent(), TopicArn, version, subject: "Findings");
            var value = JsonNode.Parse(envelope)![field]!.GetValue<string>();
            var error = await Refused(Pinned(), With(envelope, field, OneByteChanged(value, value.Length / 2)));
            Assert.Equal(SecurityHubEventErrorKind.SignatureInvalid, error.Kind);
        }
    }

    [Theory]
    [InlineData("SubscribeURL")]
    [InlineData("Token")]
    public async Task A_confirmation_with_a_changed_SubscribeURL_or_Token_fails(string field)
    {
        var envelope = _signer.SignSubscriptionConfirmation(TopicArn, "http://127.0.0.1:5000/sns/confirm", "token-abcdef", 2);
        var changed = field == "SubscribeURL" ? "http://attacker.example/confirm" : "token-abcdeF";
        Assert.Equal(SecurityHubEventErrorKind.SignatureInvalid, (await Refused(Pinned(), With(envelope, field, changed))).Kind);
    }

    [Fact]
    public async Task Switching_the_declared_version_fails()
    {
        var envelope = _signer.SignNotification(ImportedEvent(), TopicArn, 1);
        Assert.Equal(SecurityHubEventErrorKind.SignatureInvalid, (await Refused(Pinned(), With(envelope, "SignatureVersion", "2"))).Kind);
    }

    [Fact]
    public async Task Another_signer_with_the_same_url_and_subject_is_refused()
    {
        using var impostor = new LabSnsSigner();
        var forged = With(impostor.SignNotification(ImportedEvent(), TopicArn), "SigningCertURL", _signer.SigningCertUrl);
        Assert.Equal(SecurityHubEventErrorKind.SignatureInvalid, (await Refused(Pinned(), forged)).Kind);
    }

    [Fact]
    public async Task A_url_nothing_is_pinned_for_is_unavailable()
    {
        var other = new SnsSignatureVerifier(new PinnedSnsCertificateSource().Add("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0.pem", _signer.Certificate));
        var error = await Refused(other, _signer.SignNotification(ImportedEvent(), TopicArn));
        Assert.Equal(SecurityHubEventErrorKind.CertificateUnavailable, error.Kind);
        Assert.Contains(_signer.SigningCertUrl, error.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("3")]
    [InlineData("1.0")]
    [InlineData("SHA256")]
    public async Task An_unknown_SignatureVersion_is_refused_before_any_fetch(string version)
    {
        var source = new CountingCertificateSource(new PinnedSnsCertificateSource(_signer.Certificate));
        var error = await Refused(new SnsSignatureVerifier(source), With(_signer.SignNotification(ImportedEvent(), TopicArn), "SignatureVersion", version));
        Assert.Equal(SecurityHubEventErrorKind.UnsupportedSignatureVersion, error.Kind);
        Assert.Equal(0, source.Calls);
    }

    [Theory]
    [InlineData("Signature")]
    [InlineData("SignatureVersion")]
    [InlineData("SigningCertURL")]
    public async Task A_missing_signature_field_is_refused(string field)
    {
        var error = await Refused(Pinned(), With(_signer.SignNotification(ImportedEvent(), TopicArn), field, null));
        Assert.Equal(SecurityHubEventErrorKind.SignatureMissing, error.Kind);
    }

    [Theory]
    [InlineData("http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", "not https")]
    [InlineData("https://s3.amazonaws.com/evil-bucket/SimpleNotificationService-abc.pem", "Amazon SNS host")]
    [InlineData("https://evil-bucket.s3.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", "Amazon SNS host")]
    [InlineData("https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-abc.pem", "Amazon SNS host")]
    [InlineData("https://sns.us-east-1.amazonaws.com./SimpleNotificationService-abc.pem", "Amazon SNS host")]
    [InlineData("https://sns.us.amazonaws.com/SimpleNotificationService-abc.pem", "Amazon SNS host")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.crt", ".pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/cert?file=x.pem", ".pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem", "port 8443")]
    [InlineData("https://user:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", "user information")]
    [InlineData("sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", "absolute")]
    [InlineData("ftp://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", "not https")]
    public async Task A_certificate_url_off_the_rules_is_refused_without_fetching(string url, string reason)
    {
        var source = new CountingCertificateSource(new PinnedSnsCertificateSource(_signer.Certificate));
        var error = await Refused(new SnsSignatureVerifier(source), With(_signer.SignNotification(ImportedEvent(), TopicArn), "SigningCertURL", url));
        Assert.Equal(SecurityHubEventErrorKind.CertificateUrlRefused, error.Kind);
        Assert.Contains(reason, error.Message);
        Assert.Equal(0, source.Calls);
    }

    [Theory]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-abc.pem")]
    [InlineData("https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem")]
    [InlineData("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem")]
    public void The_sns_hosts_of_every_partition_pass(string url) => Assert.Null(SnsCertificateUrl.Refusal(url, out _));

    [Fact]
    public async Task The_topic_allow_list_takes_listed_topics_and_refuses_others_before_fetching()
    {
        await Pinned(new[] { TopicArn }).VerifyAsync(SnsMessage.Parse(_signer.SignNotification(ImportedEvent(), TopicArn)));
        var source = new CountingCertificateSource(new PinnedSnsCertificateSource(_signer.Certificate));
        var verifier = new SnsSignatureVerifier(source, new[] { TopicArn });
        var error = await Refused(verifier, _signer.SignNotification(ImportedEvent(), TopicArn + "-other"));
        Assert.Equal(SecurityHubEventErrorKind.TopicRefused, error.Kind);
        Assert.Equal(0, source.Calls);
        Assert.Throws<ArgumentException>(() => new SnsSignatureVerifier(source, Array.Empty<string>()));
    }

    [Theory]
    [InlineData("{\"Type\":\"Notification\"}", "MessageId")]
    [InlineData("{\"Type\":\"Bogus\",\"MessageId\":\"m\",\"TopicArn\":\"t\",\"Message\":\"x\",\"Timestamp\":\"t\"}", "Bogus")]
    [InlineData("{\"Type\":\"Notification\",\"MessageId\":\"m\",\"TopicArn\":\"t\",\"Message\":{\"a\":1},\"Timestamp\":\"t\"}", "Message is a JSON object")]
    [InlineData("{\"Type\":\"SubscriptionConfirmation\",\"MessageId\":\"m\",\"TopicArn\":\"t\",\"Message\":\"x\",\"Timestamp\":\"t\"}", "SubscribeURL")]
    public void A_broken_envelope_is_refused_naming_what_is_wrong(string json, string named)
    {
        var error = Assert.Throws<SecurityHubEventException>(() => SnsMessage.Parse(json));
        Assert.Equal(SecurityHubEventErrorKind.InvalidEnvelope, error.Kind);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Both_url_spellings_with_different_values_are_refused()
    {
        var envelope = With(_signer.SignNotification(ImportedEvent(), TopicArn), "SigningCertUrl", "https://sns.us-east-1.amazonaws.com/Other.pem");
        Assert.Equal(SecurityHubEventErrorKind.InvalidEnvelope, Assert.Throws<SecurityHubEventException>(() => SnsMessage.Parse(envelope)).Kind);
    }

    [Fact]
    public void The_string_to_sign_follows_the_contract_order()
    {
        var message = SnsMessage.Parse(_signer.SignSubscriptionConfirmation(TopicArn, "https://x.example/c", "tok", 1, messageId: "mid",
            timestamp: new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero)));
        var expected = "Message\n" + message.Message + "\nMessageId\nmid\nSubscribeURL\nhttps://x.example/c\nTimestamp\n2026-01-02T03:04:05.678Z\n"
            + "Token\ntok\nTopicArn\n" + TopicArn + "\nType\nSubscriptionConfirmation\n";
        Assert.Equal(expected, message.BuildStringToSign());
    }
}
