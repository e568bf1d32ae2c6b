using System.Net;
using PSSocAutomation.Aws;
using PSSocAutomation.Aws.Sts;
using PSSocAutomation.Http;
using PSSocAutomation.Tests.Http;

namespace PSSocAutomation.UnitTests.Aws;

/// <summary>
/// STS's credential-minting calls over real HTTP to a loopback server: what they send, what they read back, and that
/// the web identity token (a bearer JWT) and the minted keys never reach a message even when STS quotes them.
/// </summary>
public sealed class StsClientTests
{
    private const string Token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLW9mLXRoZS1qd3Q";
    private const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    private static StsClient Client(LoopbackServer server, out HttpPipeline pipeline)
    {
        pipeline = new HttpPipeline(new HttpPipelineOptions(server.Uri) { MaxRetries = 0 }, new AwsErrors("AWS STS"));
        return new StsClient(pipeline);
    }

    [Fact]
    public async Task A_refused_web_identity_token_is_masked_in_the_error_even_when_STS_quotes_it()
    {
        await using var server = await LoopbackServer.StartAsync((_, context) => LoopbackServer.Answer(context, 400,
            $"<ErrorResponse xmlns=\"{Namespace}\"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Token {Token} is not valid</Message></Error><RequestId>1</RequestId></ErrorResponse>",
            "text/xml"));
        var sts = Client(server, out var pipeline);
        using (pipeline)
        {
            var error = await Assert.ThrowsAsync<SocApiException>(() => sts.AssumeRoleWithWebIdentityAsync("arn:aws:iam::111122223333:role/ci", "ci", Token, "web identity", CancellationToken.None));

            Assert.Contains("InvalidIdentityToken", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, error.ToString(), StringComparison.Ordinal);
            var sent = Assert.Single(server.Requests).Body;
            Assert.Contains("Action=AssumeRoleWithWebIdentity", sent, StringComparison.Ordinal);
            Assert.Contains("WebIdentityToken=" + Uri.EscapeDataString(Token), sent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_minted_keys_are_read_and_registered_as_secrets_of_the_pipeline()
    {
        const string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
        const string session = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN0123456789";
        await using var server = await LoopbackServer.StartAsync((_, context) => LoopbackServer.Answer(context, 200,
            $"<AssumeRoleWithWebIdentityResponse xmlns=\"{Namespace}\"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{session}</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
            "text/xml"));
        var sts = Client(server, out var pipeline);
        using (pipeline)
        {
            var keys = await sts.AssumeRoleWithWebIdentityAsync("arn:aws:iam::111122223333:role/ci", "ci", Token, "web identity", CancellationToken.None);

            Assert.Equal(("ASIAEXAMPLE", session), (keys.AccessKeyId, keys.SessionToken));
            Assert.Equal("a *** b *** c ***", pipeline.Redactor.Redact($"a {secret} b {session} c {Token}"));
        }
    }
}
