using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using PSSocAutomation.Http;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Http;

/// <summary>
/// Bodies that are not JSON: AWS query XML (EC2's &lt;Response&gt;&lt;Errors&gt;, IAM and STS's &lt;ErrorResponse&gt;),
/// Slack's plain-text codes, and HTML pages told apart from XML by their media type or their first tag.
/// </summary>
public sealed class NonJsonBodyTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private LoopbackServer _server = null!;
    private (int Status, string ContentType, byte[] Body) _answer;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(async (_, context) =>
    {
        context.Response.StatusCode = _answer.Status;
        context.Response.ContentType = _answer.ContentType;
        await context.Response.Body.WriteAsync(_answer.Body);
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>How an AWS query API client reads its errors: both shapes, namespaced or not.</summary>
    private static (string?, string?) AwsQueryError(int status, string? contentType, ReadOnlyMemory<byte> body)
    {
        if (ResponseBody.Detect(contentType, body.Span) != BodyFormat.Xml) return (null, null);
        var error = XDocument.Parse(ResponseBody.Text(body)).Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
        string? Child(string name) => error?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        return (Child("Code"), Child("Message"));
    }

    private async Task<SocApiException> Refused(int status, string contentType, byte[] body, IVendorErrors vendor)
    {
        _answer = (status, contentType, body);
        using var pipeline = new HttpPipeline(Expect.Options(_server.Uri, _clock), vendor);
        return await Assert.ThrowsAsync<SocApiException>(() => pipeline.SendAsync(new ApiRequest(HttpMethod.Post, "?Action=DescribeInstances") { Idempotent = false }, CancellationToken.None));
    }

    [Theory]
    [InlineData("text/xml", "<?xml version=\"1.0\"?><Response/>", BodyFormat.Xml)]
    [InlineData(null, "  \r\n<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"/>", BodyFormat.Xml)]
    [InlineData("text/html; charset=utf-8", "", BodyFormat.Html)]
    [InlineData("application/octet-stream", "\uFEFF \n<!DOCTYPE html><html></html>", BodyFormat.Html)]
    [InlineData(null, "<HTML><head><title>502</title></head></HTML>", BodyFormat.Html)]
    [InlineData(null, "<!doctype html>", BodyFormat.Html)]
    [InlineData("application/json", " {\"error\":{}}", BodyFormat.Json)]
    [InlineData("text/plain", "invalid_payload", BodyFormat.Text)]
    [InlineData("text/plain", " \r\n", BodyFormat.Empty)]
    public void Formats_are_told_apart_by_media_type_and_first_bytes(string? contentType, string body, BodyFormat expected) =>
        Assert.Equal(expected, ResponseBody.Detect(contentType, Encoding.UTF8.GetBytes(body)));

    [SharedFixtureFact]
    public async Task The_EC2_and_IAM_error_fixtures_are_read_as_XML_in_the_vendors_terms()
    {
        var folder = Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "query-xml");
        foreach (var (name, status, kind) in new[] { ("errors-ec2-describe-instances", 400, ApiFailureKind.InvalidRequest), ("errors-iam-get-user", 404, ApiFailureKind.NotFound) })
        {
            var xml = await File.ReadAllBytesAsync(Path.Combine(folder, name + ".xml"));
            using var parsed = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, name + ".parsed.json")));
            var code = parsed.RootElement.GetProperty("Error").GetProperty("Code").GetString();
            var message = parsed.RootElement.GetProperty("Error").GetProperty("Message").GetString();

            Assert.Equal(BodyFormat.Xml, ResponseBody.Detect("text/xml", xml));
            var vendor = new TestVendor(AwsQueryError);
            var ex = await Refused(status, "text/xml;charset=UTF-8", xml, vendor);
            Assert.Equal(kind, ex.Kind);
            Assert.Equal(code, ex.VendorType);
            Assert.Equal(message, ex.VendorReason);
            Assert.Contains(code!, ex.Message);
            Assert.DoesNotContain("HTML", ex.Message);
            // The hook got the bytes as sent and the media type, not a parsed JSON element.
            var described = Assert.Single(vendor.Described);
            Assert.Equal(xml, described.Body);
            Assert.StartsWith("text/xml", described.ContentType);
        }
    }

    [Fact]
    public async Task Project_owned_XML_errors_are_described_by_the_vendor_or_quoted_never_called_HTML()
    {
        var ec2 = Encoding.UTF8.GetBytes("\uFEFF\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>5a1c6f2e-0000</RequestID></Response>");
        var sts = Encoding.UTF8.GetBytes("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>4a2b</RequestId></ErrorResponse>");

        var described = await Refused(403, "text/xml", sts, new TestVendor(AwsQueryError));
        Assert.Equal(ApiFailureKind.Permission, described.Kind);
        Assert.Equal(("ExpiredToken", "The security token included in the request is expired"), (described.VendorType, described.VendorReason));

        // A vendor that knows nothing of XML: the body is quoted as the reason, and the failure keeps its status's kind.
        var quoted = await Refused(400, "application/xml", ec2, new TestVendor());
        Assert.Equal(ApiFailureKind.InvalidRequest, quoted.Kind);
        Assert.Contains("<Code>RequestLimitExceeded</Code>", quoted.VendorReason);
        Assert.DoesNotContain("HTML", quoted.Message);
    }

    [Fact]
    public async Task Slack_plain_text_codes_are_the_reason()
    {
        var plain = await Refused(400, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes("invalid_payload"), new TestVendor());
        Assert.Equal(ApiFailureKind.InvalidRequest, plain.Kind);
        Assert.Equal("invalid_payload", plain.VendorReason);
        Assert.Contains("(invalid_payload)", plain.Message);

        var slack = new TestVendor((status, type, body) => (ResponseBody.Text(body).Trim(), null));
        var gone = await Refused(410, "text/plain", Encoding.UTF8.GetBytes("channel_is_archived\n"), slack);
        Assert.Equal(ApiFailureKind.NotFound, gone.Kind);
        Assert.Equal("channel_is_archived", gone.VendorType);
    }

    [Fact]
    public async Task An_HTML_page_is_named_by_its_start_even_without_an_HTML_media_type()
    {
        var page = Encoding.UTF8.GetBytes("\n<!DOCTYPE html><html><head><title>Sign in - Corporate Proxy</title></head><body></body></html>");
        var ex = await Refused(502, "application/octet-stream", page, new TestVendor());
        Assert.Equal(ApiFailureKind.HtmlPage, ex.Kind);
        Assert.Contains("Sign in - Corporate Proxy", ex.Message);
    }

    [Fact]
    public async Task A_success_body_is_read_as_XML_and_XML_where_JSON_was_expected_says_so()
    {
        _answer = (200, "text/xml", Encoding.UTF8.GetBytes("<ListAccessKeysResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListAccessKeysResult><AccessKeyMetadata><member><AccessKeyId>AKIAEXAMPLE</AccessKeyId><Status>Active</Status></member></AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>"));
        using var pipeline = new HttpPipeline(Expect.Options(_server.Uri, _clock), new TestVendor());
        var response = await pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "?Action=ListAccessKeys"), CancellationToken.None);
        var xml = response.ParseXml();
        Assert.Equal("AKIAEXAMPLE", xml.Descendants().Single(e => e.Name.LocalName == "AccessKeyId").Value);

        var ex = Assert.Throws<SocApiException>(() => response.ParseJson());
        Assert.Equal(ApiFailureKind.Protocol, ex.Kind);
        Assert.Contains("XML where JSON was expected", ex.Message);

        _answer = (200, "text/plain", Encoding.UTF8.GetBytes("ok"));
        Assert.Equal("ok", (await pipeline.SendAsync(new ApiRequest(HttpMethod.Post, "hook") { Body = Encoding.UTF8.GetBytes("{}") }, CancellationToken.None)).Text());
    }

    [Fact]
    public async Task A_DTD_in_an_XML_body_is_refused()
    {
        _answer = (200, "text/xml", Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"));
        using var pipeline = new HttpPipeline(Expect.Options(_server.Uri, _clock), new TestVendor());
        var response = await pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "x"), CancellationToken.None);
        Assert.Equal(ApiFailureKind.InvalidResponse, Assert.Throws<SocApiException>(() => response.ParseXml()).Kind);
    }
}
