using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using PSSocAutomation.Aws;
using PSSocAutomation.Http;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.UnitTests.Aws;

/// <summary>
/// The signer against AWS's own SigV4 test suite (../shared/fixtures/aws/sigv4): canonical request, string to sign and
/// Authorization byte for byte, for every case, and the per-attempt authenticator the clients use on real
/// HttpRequestMessages for the cases whose headers are the ones it signs.
/// </summary>
public sealed class AwsSigV4Tests
{
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private const string SuiteKey = "AKIDEXAMPLE";
    private const string SuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private static string SuiteDirectory => Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "sigv4");

    [SharedFixtureFact]
    public void Every_case_of_the_suite_gives_its_canonical_request_string_to_sign_and_authorization()
    {
        var cases = Directory.GetDirectories(SuiteDirectory).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(20, cases.Count);
        var failures = new List<string>();
        foreach (var name in cases)
        {
            var suite = SuiteCase.Read(SuiteDirectory, name!);
            var signature = AwsSigV4.Sign(suite.Input());
            if (signature.CanonicalRequest != suite.CanonicalRequest) failures.Add(name + ": canonical request\n" + signature.CanonicalRequest + "\n--- expected ---\n" + suite.CanonicalRequest);
            else if (signature.StringToSign != suite.StringToSign) failures.Add(name + ": string to sign");
            else if (signature.Authorization != suite.Authorization) failures.Add(name + ": authorization " + signature.Authorization);
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [SharedFixtureTheory]
    [InlineData("get-vanilla")]
    [InlineData("get-vanilla-query-order-key-case")]
    [InlineData("get-vanilla-utf8-query")]
    [InlineData("get-vanilla-with-session-token")]
    [InlineData("post-vanilla-query")]
    [InlineData("post-x-www-form-urlencoded")]
    [InlineData("post-x-www-form-urlencoded-parameters")]
    [InlineData("post-sts-header-before")]
    public async Task The_authenticator_signs_a_real_request_as_the_suite_does(string name)
    {
        var suite = SuiteCase.Read(SuiteDirectory, name);
        var time = new FakeTimeProvider(SuiteTime);
        var keys = new AwsCredentialSet(SuiteKey, SuiteSecret, suite.SessionToken);
        var auth = new AwsSigV4Authenticator(new FixedAwsCredentials(keys), "us-east-1", "service", time);
        using var request = new HttpRequestMessage(new HttpMethod(suite.Method), "https://example.amazonaws.com" + suite.Target);
        // What the pipeline adds that must stay out of the signature, as a proxy may change it.
        request.Headers.TryAddWithoutValidation("User-Agent", HttpPipeline.UserAgent);
        var body = Encoding.UTF8.GetBytes(suite.Body);
        if (suite.ContentType != null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(suite.ContentType);
        }

        await auth.AuthenticateAsync(request, body, CancellationToken.None);

        Assert.Equal(suite.Authorization, string.Join(",", request.Headers.GetValues("Authorization")));
        Assert.Equal("20150830T123600Z", Assert.Single(request.Headers.GetValues("X-Amz-Date")));
        Assert.Equal(suite.SessionToken is not null, request.Headers.Contains("X-Amz-Security-Token"));
        Assert.Equal(SuiteKey, auth.Principal);
    }

    [Fact]
    public async Task Each_attempt_is_signed_afresh_with_its_own_date_and_no_header_left_from_the_last()
    {
        var time = new FakeTimeProvider(SuiteTime);
        var auth = new AwsSigV4Authenticator(new FixedAwsCredentials(new AwsCredentialSet(SuiteKey, SuiteSecret)), "us-east-1", "service", time);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");
        await auth.AuthenticateAsync(request, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        var first = request.Headers.GetValues("Authorization").Single();
        time.Advance(TimeSpan.FromSeconds(2));
        await auth.AuthenticateAsync(request, ReadOnlyMemory<byte>.Empty, CancellationToken.None);

        Assert.NotEqual(first, Assert.Single(request.Headers.GetValues("Authorization")));
        Assert.Equal("20150830T123602Z", Assert.Single(request.Headers.GetValues("X-Amz-Date")));
    }

    [Fact]
    public void A_signature_in_a_message_is_masked_with_the_header_it_came_in()
    {
        var text = "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
        var redacted = new SecretRedactor().Redact(text);
        Assert.DoesNotContain("5fa00fa3", redacted);
        Assert.Contains("Signature=" + SecretRedactor.Mask, redacted);
    }

    /// <summary>One directory of the suite: the request, what it must sign as, and the token its .creq implies.</summary>
    private sealed record SuiteCase(string Method, string Target, List<KeyValuePair<string, string>> Headers, string Body,
        string CanonicalRequest, string StringToSign, string Authorization, string? SessionToken)
    {
        public string? ContentType => Headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;

        public static SuiteCase Read(string directory, string name)
        {
            string File(string ext) => System.IO.File.ReadAllText(Path.Combine(directory, name, name + ext));
            var raw = File(".req");
            var split = raw.IndexOf("\n\n", StringComparison.Ordinal);
            var head = split < 0 ? raw : raw[..split];
            var body = split < 0 ? string.Empty : raw[(split + 2)..];
            var lines = head.Split('\n');
            var requestLine = lines[0];
            var method = requestLine[..requestLine.IndexOf(' ')];
            var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(' ')];
            var headers = lines.Skip(1).Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':')], l[(l.IndexOf(':') + 1)..])).ToList();
            var creq = File(".creq");
            // The token is the signer's to add (and sign) when the credentials carry one, as the suite's README says.
            var token = creq.Split('\n').FirstOrDefault(l => l.StartsWith("x-amz-security-token:", StringComparison.Ordinal))?["x-amz-security-token:".Length..];
            headers.RemoveAll(h => h.Key.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase));
            return new SuiteCase(method, target, headers, body, creq, File(".sts"), File(".authz"), token);
        }

        public AwsSigningInput Input()
        {
            var q = Target.IndexOf('?');
            var query = q >= 0 ? Target[(q + 1)..] : null;
            var path = q >= 0 ? Target[..q] : Target;
            var headers = new List<KeyValuePair<string, string>>(Headers);
            if (SessionToken != null) headers.Add(new("X-Amz-Security-Token", SessionToken));
            return new AwsSigningInput(Method, path, query, headers, AwsSigV4.HashHex(Encoding.UTF8.GetBytes(Body)),
                new AwsCredentialSet(SuiteKey, SuiteSecret, SessionToken), "us-east-1", "service", SuiteTime);
        }
    }
}
