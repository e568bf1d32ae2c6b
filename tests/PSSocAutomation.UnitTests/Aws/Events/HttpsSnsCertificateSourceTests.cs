using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using PSSocAutomation.Aws.Events;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Aws.Events.SnsTestSupport;

namespace PSSocAutomation.Tests.Aws.Events;

/// <summary>
/// The HTTPS certificate source against a handler standing in for the SNS host: what it fetches, what it caches, and
/// the subject, validity and chain checks it makes of what came back.
/// </summary>
public sealed class HttpsSnsCertificateSourceTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private sealed class ServingHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (Requests) Requests.Add(request.RequestUri!);
            return Task.FromResult(answer(request));
        }
    }

    private static HttpResponseMessage Pem(string pem) => new(HttpStatusCode.OK) { Content = new StringContent(pem) };

    private (HttpsSnsCertificateSource Source, ServingHandler Handler) Serving(Func<HttpRequestMessage, HttpResponseMessage> answer, int cacheSize = 8)
    {
        var handler = new ServingHandler(answer);
        return (new HttpsSnsCertificateSource(new HttpClient(handler), new SnsCertificateCache(cacheSize), _clock), handler);
    }

    private static X509Certificate2 SelfSigned(string subject, DateTimeOffset from, DateTimeOffset to)
    {
        using var key = RSA.Create(2048);
        return new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(from, to);
    }

    [Fact]
    public async Task The_certificate_is_fetched_once_and_verifies_what_the_Lab_signed()
    {
        var (source, handler) = Serving(_ => Pem(Signer.CertificatePem));
        source.CheckChain = false; // the Lab's authority is in no trust store
        var verifier = new SnsSignatureVerifier(source);
        await verifier.VerifyAsync(SnsMessage.Parse(Signer.SignNotification(ImportedEvent(), TopicArn, 1)));
        await verifier.VerifyAsync(SnsMessage.Parse(Signer.SignNotification(ImportedEvent(), TopicArn, 2)));
        Assert.Equal(new[] { new Uri(Signer.SigningCertUrl) }, handler.Requests);
        Assert.Equal(1, source.FetchCount);
    }

    [Theory]
    [InlineData("http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem")]
    [InlineData("https://my-bucket.s3.amazonaws.com/SimpleNotificationService-abc.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.txt")]
    public async Task A_url_off_the_rules_is_never_requested(string url)
    {
        var (source, handler) = Serving(_ => Pem(Signer.CertificatePem));
        var envelope = With(Signer.SignNotification(ImportedEvent(), TopicArn), "SigningCertURL", url);
        var viaVerifier = await Assert.ThrowsAsync<SecurityHubEventException>(() => new SnsSignatureVerifier(source).VerifyAsync(SnsMessage.Parse(envelope)));
        var direct = await Assert.ThrowsAsync<SecurityHubEventException>(() => source.GetCertificateAsync(new Uri(url), CancellationToken.None));
        Assert.Equal(SecurityHubEventErrorKind.CertificateUrlRefused, viaVerifier.Kind);
        Assert.Equal(SecurityHubEventErrorKind.CertificateUrlRefused, direct.Kind);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_certificate_not_issued_to_SNS_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        using var other = SelfSigned("CN=attacker.example", now.AddDays(-1), now.AddDays(1));
        var (source, _) = Serving(_ => Pem(other.ExportCertificatePem()));
        source.CheckChain = false;
        var error = await Assert.ThrowsAsync<SecurityHubEventException>(() => source.GetCertificateAsync(new Uri(Signer.SigningCertUrl), CancellationToken.None));
        Assert.Equal(SecurityHubEventErrorKind.CertificateRefused, error.Kind);
        Assert.Contains("attacker.example", error.Message);
    }

    [Fact]
    public async Task A_certificate_outside_its_validity_is_refused_and_a_cached_one_is_dropped_when_it_expires()
    {
        var (source, handler) = Serving(_ => Pem(Signer.CertificatePem));
        source.CheckChain = false;
        var url = new Uri(Signer.SigningCertUrl);
        await source.GetCertificateAsync(url, CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(400));
        var error = await Assert.ThrowsAsync<SecurityHubEventException>(() => source.GetCertificateAsync(url, CancellationToken.None));
        Assert.Equal(SecurityHubEventErrorKind.CertificateRefused, error.Kind);
        Assert.Contains("not now", error.Message);
        await Assert.ThrowsAsync<SecurityHubEventException>(() => source.GetCertificateAsync(url, CancellationToken.None));
        Assert.Equal(2, handler.Requests.Count); // dropped from the cache, so asked again

        source.CheckValidityPeriod = false;
        await source.GetCertificateAsync(url, CancellationToken.None);
    }

    [Fact]
    public async Task A_certificate_whose_chain_is_not_trusted_is_refused()
    {
        var (source, _) = Serving(_ => Pem(Signer.CertificatePem));
        var error = await Assert.ThrowsAsync<SecurityHubEventException>(() => source.GetCertificateAsync(new Uri(Signer.SigningCertUrl), CancellationToken.None));
        Assert.Equal(SecurityHubEventErrorKind.CertificateRefused, error.Kind);
        Assert.Contains("chain", error.Message);
    }

    [SharedFixtureFact]
    public async Task The_AWS_vectors_verify_through_the_HTTPS_source_at_a_time_their_certificate_was_valid()
    {
        var handler = new ServingHandler(_ => Pem(Fixture("sns/signing-cert.sns.us-east-2.2021.pem")));
        var source = new HttpsSnsCertificateSource(new HttpClient(handler), new SnsCertificateCache(), new FakeTimeProvider(new DateTimeOffset(2022, 7, 29, 0, 0, 0, TimeSpan.Zero)));
        source.CheckChain = false; // its issuer's chain is not shipped with the fixtures
        var verifier = new SnsSignatureVerifier(source);
        foreach (var node in SignedFixtures()) await verifier.VerifyAsync(SnsMessage.Parse(node!.ToJsonString()));
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("not-pem")]
    [InlineData("bad-base64")]
    [InlineData("too-large")]
    [InlineData("network")]
    public async Task An_unusable_answer_is_unavailable_and_not_cached(string fault)
    {
        var (source, handler) = Serving(_ => fault switch
        {
            "status" => new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("<Error/>") },
            "not-pem" => Pem("<html>captive portal</html>"),
            "bad-base64" => Pem("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"),
            "too-large" => Pem(new string('A', 70 * 1024)),
            _ => throw new HttpRequestException("Connection refused"),
        });
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var error = await Assert.ThrowsAsync<SecurityHubEventException>(() => source.GetCertificateAsync(new Uri(Signer.SigningCertUrl), CancellationToken.None));
            Assert.Equal(SecurityHubEventErrorKind.CertificateUnavailable, error.Kind);
            Assert.Contains(Signer.SigningCertUrl, error.Message);
        }
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Cancellation_is_not_reported_as_an_unavailable_certificate()
    {
        var (source, _) = Serving(_ => Pem(Signer.CertificatePem));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.GetCertificateAsync(new Uri(Signer.SigningCertUrl), cancelled.Token));
    }

    [Fact]
    public async Task The_cache_keeps_at_most_its_capacity_and_lets_the_oldest_go_first()
    {
        var (source, handler) = Serving(_ => Pem(Signer.CertificatePem), cacheSize: 2);
        source.CheckChain = false;
        Uri Url(int i) => new("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-" + i + ".pem");
        foreach (var i in new[] { 1, 2, 3, 3, 2, 1 }) await source.GetCertificateAsync(Url(i), CancellationToken.None);
        // 1, 2, 3 fetched; 3 and 2 from the cache; 1 was let go when 3 came, so fetched again.
        Assert.Equal(new[] { 1, 2, 3, 1 }.Select(Url), handler.Requests);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SnsCertificateCache(0));
    }
}
