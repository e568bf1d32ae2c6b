using System.Net;
using System.Text;
using System.Xml.Linq;
using PSSocAutomation.Lab.Aws;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

/// <summary>
/// The AWS Lab's front door over real HTTP: one endpoint routed by the signature's service, the verifier's refusals in
/// each protocol's shape, STS caller identity for both credential sets, SNS's unsigned SubscribeURL, injected faults,
/// and a journal that keeps no secret.
/// </summary>
public sealed class AwsLabTests : IClassFixture<LabFixture>, IDisposable
{
    private static readonly XNamespace Sts = AwsStsService.Namespace;
    private const string Identity = "Action=GetCallerIdentity&Version=2011-06-15";
    private readonly LabServer _lab;
    private readonly HttpClient _client;

    public AwsLabTests(LabFixture fixture)
    {
        _lab = fixture.Lab;
        _lab.Aws.Reset();
        fixture.Reset();
        _client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public void Dispose() => _client.Dispose();

    internal sealed record Reply(HttpResponseMessage Response, string Text)
    {
        public int Code => (int)Response.StatusCode;
        public XDocument Xml => XDocument.Parse(Text);
        public string? Header(string name) => Response.Headers.TryGetValues(name, out var v) ? v.Single() : null;
        public string? ContentType => Response.Content.Headers.ContentType?.MediaType;
    }

    private AwsTestSigner Signer(AwsCredentialSet? credentials = null, string service = "sts") =>
        new(credentials ?? _lab.Credentials.AwsUser, "us-east-1", service, DateTimeOffset.UtcNow);

    private async Task<Reply> Send(AwsTestSigner? signer, HttpMethod method, string pathAndQuery, string? body, string? contentType)
    {
        var uri = new Uri(_lab.AwsUri, pathAndQuery);
        var bytes = body is null ? null : Encoding.UTF8.GetBytes(body);
        using var request = signer?.Build(method, uri, bytes, contentType) ?? new HttpRequestMessage(method, uri);
        if (signer is null && bytes is not null)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        var response = await _client.SendAsync(request);
        return new Reply(response, await response.Content.ReadAsStringAsync());
    }

    private Task<Reply> CallerIdentity(AwsTestSigner? signer, string body = Identity) =>
        Send(signer, HttpMethod.Post, "/", body, "application/x-www-form-urlencoded; charset=utf-8");

    private static (string Type, string Code, string Message, string RequestId) QueryError(Reply reply)
    {
        var root = reply.Xml.Root!;
        Assert.Equal(Sts + "ErrorResponse", root.Name);
        var error = root.Element(Sts + "Error")!;
        return (error.Element(Sts + "Type")!.Value, error.Element(Sts + "Code")!.Value, error.Element(Sts + "Message")!.Value,
            root.Element(Sts + "RequestId")!.Value);
    }

    // ---- STS ----

    [Fact]
    public async Task GetCallerIdentity_names_the_iam_user_of_the_long_term_key()
    {
        var reply = await CallerIdentity(Signer());
        Assert.Equal(200, reply.Code);
        Assert.Equal("text/xml", reply.ContentType);
        var root = reply.Xml.Root!;
        Assert.Equal(Sts + "GetCallerIdentityResponse", root.Name);
        var result = root.Element(Sts + "GetCallerIdentityResult")!;
        Assert.Equal($"arn:aws:iam::{_lab.Credentials.AwsAccountId}:user/lab-analyst", result.Element(Sts + "Arn")!.Value);
        Assert.Equal(_lab.Credentials.AwsUserId, result.Element(Sts + "UserId")!.Value);
        Assert.Equal(_lab.Credentials.AwsAccountId, result.Element(Sts + "Account")!.Value);
        Assert.Matches("^[1-9][0-9]{11}$", _lab.Credentials.AwsAccountId);
        Assert.Matches("^AKIA[A-Z0-9]{16}$", _lab.Credentials.AwsAccessKeyId);
        Assert.Equal(40, _lab.Credentials.AwsSecretAccessKey.Length);
        var requestId = root.Element(Sts + "ResponseMetadata")!.Element(Sts + "RequestId")!.Value;
        Assert.Equal(reply.Header("x-amzn-RequestId"), requestId);
    }

    [Fact]
    public async Task GetCallerIdentity_names_the_assumed_role_of_the_temporary_credentials_and_the_journal_keeps_no_secret()
    {
        var session = _lab.Credentials.AwsSession;
        var reply = await CallerIdentity(Signer(session));
        Assert.Equal(200, reply.Code);
        var result = reply.Xml.Root!.Element(Sts + "GetCallerIdentityResult")!;
        Assert.Equal($"arn:aws:sts::{_lab.Credentials.AwsAccountId}:assumed-role/lab-responder/lab-session", result.Element(Sts + "Arn")!.Value);
        Assert.Equal(_lab.Credentials.AwsRoleId + ":lab-session", result.Element(Sts + "UserId")!.Value);
        Assert.StartsWith("ASIA", session.AccessKeyId, StringComparison.Ordinal);

        var entry = Assert.Single(_lab.Journal.For("aws"));
        Assert.Equal(session.AccessKeyId, entry.Principal);
        Assert.Equal("AWS4-HMAC-SHA256", entry.AuthScheme);
        Assert.Equal("(redacted)", entry.Headers["Authorization"]);
        Assert.Equal("(redacted)", entry.Headers["X-Amz-Security-Token"]);
        var everything = string.Join("\n", entry.Headers.Values) + entry.Body + entry.Query;
        Assert.DoesNotContain(session.SessionToken!, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(session.SecretAccessKey, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_sts_action_is_InvalidAction()
    {
        var reply = await CallerIdentity(Signer(), "Action=AssumeRoot&Version=2011-06-15");
        Assert.Equal(400, reply.Code);
        var (type, code, message, _) = QueryError(reply);
        Assert.Equal(("Sender", "InvalidAction", "Could not find operation AssumeRoot for version 2011-06-15"), (type, code, message));
    }

    // ---- the verifier's refusals, Query shape (STS) ----

    [Fact]
    public async Task Refusals_in_the_query_protocol_shape()
    {
        var missing = await CallerIdentity(null);
        Assert.Equal(403, missing.Code);
        Assert.Equal(("MissingAuthenticationToken", "Request is missing Authentication Token"), (QueryError(missing).Code, QueryError(missing).Message));

        var unknown = await CallerIdentity(Signer() with { AccessKeyOverride = "AKIAIOSFODNN7EXAMPLE" });
        Assert.Equal(403, unknown.Code);
        Assert.Equal(("InvalidClientTokenId", AwsSigV4Verifier.InvalidTokenMessage), (QueryError(unknown).Code, QueryError(unknown).Message));

        var wrongSecret = await CallerIdentity(Signer() with { SecretOverride = "not-the-secret" });
        Assert.Equal(403, wrongSecret.Code);
        var mismatch = QueryError(wrongSecret);
        Assert.Equal(("Sender", "SignatureDoesNotMatch", AwsSigV4Verifier.SignatureMismatchMessage), (mismatch.Type, mismatch.Code, mismatch.Message));
        Assert.Equal(wrongSecret.Header("x-amzn-RequestId"), QueryError(wrongSecret).RequestId);

        var old = await CallerIdentity(Signer() with { At = DateTimeOffset.UtcNow.AddMinutes(-6) });
        Assert.Equal(403, old.Code);
        Assert.Equal("SignatureDoesNotMatch", QueryError(old).Code);
        Assert.Matches(@"^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$", QueryError(old).Message);

        var region = await CallerIdentity(Signer() with { Region = "eu-west-1" });
        Assert.Equal(403, region.Code);
        Assert.Equal(("SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'eu-west-1'. "), (QueryError(region).Code, QueryError(region).Message));

        var unsignedHost = await CallerIdentity(Signer() with { SignHost = false });
        Assert.Equal(403, unsignedHost.Code);
        Assert.Equal("IncompleteSignature", QueryError(unsignedHost).Code);

        var tampered = await CallerIdentity(Signer() with { BodyToSign = Encoding.UTF8.GetBytes("Action=GetSessionToken&Version=2011-06-15") });
        Assert.Equal(403, tampered.Code);
        Assert.Equal("SignatureDoesNotMatch", QueryError(tampered).Code);

        var session = _lab.Credentials.AwsSession;
        var noToken = await CallerIdentity(Signer(session) with { SendToken = false });
        Assert.Equal(403, noToken.Code);
        Assert.Equal("InvalidClientTokenId", QueryError(noToken).Code);
        var unsignedToken = await CallerIdentity(Signer(session) with { SignToken = false });
        Assert.Equal(403, unsignedToken.Code);
        Assert.Equal("IncompleteSignature", QueryError(unsignedToken).Code);
        var otherToken = await CallerIdentity(Signer(session with { SessionToken = session.SessionToken + "x" }));
        Assert.Equal(403, otherToken.Code);
        Assert.Equal("InvalidClientTokenId", QueryError(otherToken).Code);

        // None of the refused requests names a principal in the journal.
        Assert.All(_lab.Journal.For("aws"), e => Assert.Null(e.Principal));
    }

    [Fact]
    public async Task A_changed_lab_region_moves_what_requests_must_be_scoped_to()
    {
        _lab.Aws.Region = "eu-central-1";
        Assert.Equal(403, (await CallerIdentity(Signer())).Code);
        Assert.Equal(200, (await CallerIdentity(Signer() with { Region = "eu-central-1" })).Code);
    }

    // ---- the verifier's refusals, rest-json shape (Security Hub) ----

    [Fact]
    public async Task Refusals_in_the_rest_json_shape()
    {
        Task<Reply> Findings(AwsTestSigner? signer) => Send(signer, HttpMethod.Post, "/findings", "{}", "application/json");

        var missing = await Findings(null);
        Assert.Equal(403, missing.Code);
        Assert.Equal("MissingAuthenticationTokenException", missing.Header("x-amzn-ErrorType"));
        Assert.Equal("""{"message":"Missing Authentication Token"}""", missing.Text);
        Assert.Equal("application/json", missing.ContentType);
        Assert.NotNull(missing.Header("x-amzn-RequestId"));

        var unknown = await Findings(Signer(service: "securityhub") with { AccessKeyOverride = "AKIAIOSFODNN7EXAMPLE" });
        Assert.Equal((403, "UnrecognizedClientException"), (unknown.Code, unknown.Header("x-amzn-ErrorType")));
        Assert.Equal("""{"message":"The security token included in the request is invalid."}""", unknown.Text);

        var wrong = await Findings(Signer(service: "securityhub") with { SecretOverride = "nope" });
        Assert.Equal((403, "InvalidSignatureException"), (wrong.Code, wrong.Header("x-amzn-ErrorType")));
        Assert.Contains("The request signature we calculated does not match", wrong.Text, StringComparison.Ordinal);

        var future = await Findings(Signer(service: "securityhub") with { At = DateTimeOffset.UtcNow.AddMinutes(7) });
        Assert.Equal((403, "InvalidSignatureException"), (future.Code, future.Header("x-amzn-ErrorType")));
        Assert.Contains("Signature not yet current", future.Text, StringComparison.Ordinal);

        var ok = await Findings(Signer(service: "securityhub"));
        Assert.Equal(200, ok.Code);
        Assert.Equal("""{"Findings":[]}""", ok.Text);
    }

    [Fact]
    public async Task A_service_the_router_lacks_is_the_labs_not_emulated_400()
    {
        var reply = await Send(Signer(service: "dynamodb"), HttpMethod.Post, "/", "{}", "application/x-amz-json-1.0");
        Assert.Equal(400, reply.Code);
        Assert.Contains("'dynamodb' is not emulated by the PSSocAutomation Lab", reply.Text, StringComparison.Ordinal);
    }

    // ---- SNS SubscribeURL ----

    [Fact]
    public async Task The_subscribe_url_confirms_the_subscription_unsigned_and_is_recorded()
    {
        const string topic = "arn:aws:sns:us-east-1:123456789012:soc-findings";
        var (token, url) = _lab.Aws.Sns.IssueSubscription(topic, _lab.AwsUri);
        using var response = await _client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        XNamespace sns = AwsSnsService.Namespace;
        var arn = XDocument.Parse(text).Root!.Element(sns + "ConfirmSubscriptionResult")!.Element(sns + "SubscriptionArn")!.Value;
        Assert.StartsWith(topic + ":", arn, StringComparison.Ordinal);
        var confirmation = Assert.Single(_lab.Aws.Sns.Confirmations);
        Assert.Equal((topic, token, arn), (confirmation.TopicArn, confirmation.Token, confirmation.SubscriptionArn));

        var forged = await Send(null, HttpMethod.Get, $"/?Action=ConfirmSubscription&TopicArn={Uri.EscapeDataString(topic)}&Token=deadbeef", null, null);
        Assert.Equal(400, forged.Code);
        Assert.Contains("<Code>InvalidParameter</Code>", forged.Text, StringComparison.Ordinal);
        Assert.Single(_lab.Aws.Sns.Confirmations);
    }

    // ---- injected faults ----

    [Fact]
    public async Task Injected_faults_speak_the_target_services_protocol()
    {
        _lab.Faults.Add(new FaultRule { Service = "aws", PathContains = "/findings", Status = 429, RetryAfterSeconds = 1 });
        var throttled = await Send(Signer(service: "securityhub"), HttpMethod.Post, "/findings", "{}", "application/json");
        Assert.Equal((429, "TooManyRequestsException"), (throttled.Code, throttled.Header("x-amzn-ErrorType")));
        Assert.Equal("""{"message":"Too Many Requests"}""", throttled.Text);
        Assert.Equal("1", throttled.Response.Headers.RetryAfter?.ToString());

        _lab.Faults.Add(new FaultRule { Service = "aws", Method = "POST", Status = 503 });
        var unavailable = await CallerIdentity(Signer());
        Assert.Equal(503, unavailable.Code);
        var fault = QueryError(unavailable);
        Assert.Equal(("Receiver", "ServiceUnavailable"), (fault.Type, fault.Code));
    }
}
