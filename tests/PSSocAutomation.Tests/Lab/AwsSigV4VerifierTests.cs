using System.Text;
using PSSocAutomation.Lab.Aws;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

/// <summary>
/// The Lab's SigV4 verifier against AWS's own test suite (../shared/fixtures/aws/sigv4, 20 cases): from each raw
/// request it must rebuild the suite's canonical request byte for byte, its string to sign and its signature, and then
/// accept the request signed with the suite's Authorization.
/// </summary>
public sealed class AwsSigV4VerifierTests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    /// <summary>A suite .req: request line, "Name:value" headers, a blank line, the body. LF line endings, no trailing newline.</summary>
    private static (string Method, string Path, string Query, List<KeyValuePair<string, string>> Headers, byte[] Body) ParseRequest(string text)
    {
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var body = split < 0 ? string.Empty : text[(split + 2)..];
        var lines = head.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..]));
        }
        return (method, question < 0 ? target : target[..question], question < 0 ? string.Empty : target[(question + 1)..], headers, Encoding.UTF8.GetBytes(body));
    }

    [SharedFixtureFact]
    public void Rebuilds_and_accepts_every_case_of_the_aws_sigv4_test_suite()
    {
        var root = Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "sigv4");
        var cases = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(20, cases.Count);
        foreach (var name in cases)
        {
            string Read(string extension) => File.ReadAllText(Path.Combine(root, name, name + "." + extension), Encoding.UTF8);
            var (method, path, query, headers, body) = ParseRequest(Read("req"));
            var creq = Read("creq");
            var authz = Read("authz");

            // The suite's signer adds the session token when its .creq signs one the .req lacks (get-vanilla-with-session-token).
            var tokenLine = creq.Split('\n').FirstOrDefault(l => l.StartsWith("x-amz-security-token:", StringComparison.Ordinal));
            var token = tokenLine?["x-amz-security-token:".Length..];
            if (token is not null && !headers.Any(h => h.Key.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase)))
                headers.Add(new("X-Amz-Security-Token", token));

            var request = new AwsSignedRequest(method, path, query, headers, AwsSignedRequest.HashHex(body));
            var auth = AwsSigV4Verifier.Parse(authz);
            Assert.True(auth is not null, name + ": the suite's Authorization parses");
            var canonical = AwsSigV4Canonical.CanonicalRequest(request, auth!.SignedHeaders);
            Assert.True(creq == canonical, $"{name}: canonical request\nexpected:\n{creq}\nactual:\n{canonical}");
            var stringToSign = AwsSigV4Canonical.StringToSign("20150830T123600Z", auth.Scope, canonical);
            Assert.True(Read("sts") == stringToSign, $"{name}: string to sign");
            var signature = AwsSigV4Canonical.Signature(Secret, auth.Date, auth.Region, auth.Service, stringToSign);
            Assert.True(authz.EndsWith("Signature=" + signature, StringComparison.Ordinal), $"{name}: signature");

            // And end to end: the request with the suite's Authorization is accepted as signed by the suite's key.
            var signed = new AwsSignedRequest(method, path, query, [.. headers, new("Authorization", authz)], request.PayloadHash);
            var credentials = new AwsCredentialSet(AccessKey, Secret, token, "arn:aws:iam::123456789012:user/suite", "AIDASUITE", "123456789012");
            var verifier = new AwsSigV4Verifier(k => k == AccessKey ? credentials : null, _ => "us-east-1", () => SuiteTime);
            var (caller, failure) = verifier.Verify(signed);
            Assert.True(failure is null, $"{name}: refused with {failure?.Error}: {failure?.Message}");
            Assert.Equal(("service", "us-east-1", AccessKey), (caller!.Service, caller.Region, caller.Credentials.AccessKeyId));
        }
    }

    [Fact]
    public void A_one_character_change_anywhere_signed_is_a_signature_mismatch()
    {
        var credentials = new AwsCredentialSet(AccessKey, Secret, null, "arn", "id", "123456789012");
        var verifier = new AwsSigV4Verifier(k => k == AccessKey ? credentials : null, _ => "us-east-1", () => SuiteTime);
        var headers = new List<KeyValuePair<string, string>> { new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123600Z") };
        var request = new AwsSignedRequest("GET", "/", "Param1=value1", headers, AwsSignedRequest.HashHex([]));
        var canonical = AwsSigV4Canonical.CanonicalRequest(request, ["host", "x-amz-date"]);
        var signature = AwsSigV4Canonical.Signature(Secret, "20150830", "us-east-1", "service",
            AwsSigV4Canonical.StringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical));
        var authorization = $"AWS4-HMAC-SHA256 Credential={AccessKey}/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}";

        Assert.Null(verifier.Verify(request with { Headers = [.. headers, new("Authorization", authorization)] }).Failure);
        var tampered = request with { RawQuery = "Param1=value2", Headers = [.. headers, new("Authorization", authorization)] };
        var failure = verifier.Verify(tampered).Failure;
        Assert.Equal(AwsAuthError.SignatureDoesNotMatch, failure!.Error);
        Assert.Equal(AwsSigV4Verifier.SignatureMismatchMessage, failure.Message);
    }
}
