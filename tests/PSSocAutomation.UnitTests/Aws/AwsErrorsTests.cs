using System.Text;
using System.Text.Json;
using PSSocAutomation.Aws;
using PSSocAutomation.Http;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.UnitTests.Aws;

/// <summary>AWS's error bodies (botocore's fixtures, rest-json shapes) read into code and message, and a bad key told apart from a missing permission.</summary>
public sealed class AwsErrorsTests
{
    [SharedFixtureTheory]
    [InlineData("errors-iam-get-user")]
    [InlineData("errors-ec2-describe-instances")]
    public void Query_and_EC2_error_XML_gives_the_code_and_message_botocore_parses(string name)
    {
        var directory = Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "query-xml");
        var xml = File.ReadAllBytes(Path.Combine(directory, name + ".xml"));
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, name + ".parsed.json")));
        var error = expected.RootElement.GetProperty("Error");

        var (code, message) = new AwsErrors("AWS IAM").Describe(400, "text/xml", xml);

        Assert.Equal(error.GetProperty("Code").GetString(), code);
        Assert.Equal(error.GetProperty("Message").GetString(), message);
    }

    [Theory]
    [InlineData("""{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}""", "UnrecognizedClientException")]
    [InlineData("""{"Code":"InvalidInputException","Message":"Invalid token"}""", "InvalidInputException")]
    [InlineData("""{"code":"ThrottlingException:http://internal","message":"Rate exceeded"}""", "ThrottlingException")]
    public void Rest_json_errors_give_the_code_cut_as_botocore_cuts_it(string body, string code)
    {
        Assert.Equal(code, new AwsErrors("AWS Security Hub").Describe(400, "application/json", Encoding.UTF8.GetBytes(body)).Type);
    }

    [Fact]
    public void A_key_AWS_does_not_know_is_an_authentication_failure_with_advice_about_keys_not_permissions()
    {
        var vendor = new AwsErrors("AWS Security Hub");
        var failure = new SocApiException(ApiFailureKind.Permission, vendor.ServiceName, "refused") { StatusCode = 403, VendorType = "InvalidSignatureException" };

        var refined = vendor.Refine(failure);

        Assert.Equal(ApiFailureKind.Authentication, refined.Kind);
        Assert.Contains("clock", vendor.Advice(ApiFailureKind.Permission, 403, "InvalidSignatureException"));
        Assert.Contains("does not know this access key", vendor.Advice(ApiFailureKind.Permission, 403, "UnrecognizedClientException"));
        Assert.Contains("expired", vendor.Advice(ApiFailureKind.Permission, 403, "ExpiredTokenException"));
        Assert.Contains("policies do not allow", vendor.Advice(ApiFailureKind.Permission, 403, "AccessDeniedException"));
    }
}
