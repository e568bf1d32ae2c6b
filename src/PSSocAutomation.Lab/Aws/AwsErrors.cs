using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws;

/// <summary>The two wire protocols the emulated services speak (botocore's metadata.protocol).</summary>
public enum AwsProtocol
{
    /// <summary>Security Hub: JSON bodies, the error code in x-amzn-ErrorType.</summary>
    RestJson,
    /// <summary>STS, IAM, SNS, Auto Scaling, ELBv2: form bodies, XML answers, ErrorResponse/Error/Code.</summary>
    Query,
    /// <summary>EC2 (botocore's "ec2"): form bodies like Query, but lowerCamel answers and Response/Errors/Error with RequestID.</summary>
    Ec2Query,
}

/// <summary>
/// AWS's error shapes. rest-json: the status, x-amzn-ErrorType and a JSON body, {"Message","Code"} from the service
/// itself (contract 1.3) or {"message"} from the front door (signature checks, throttling, unknown operations, as
/// AWS's gateways answer). Query: ErrorResponse with Error{Type, Code, Message} and RequestId, in the service's namespace
/// (compare fixtures/aws/query-xml/errors-iam-get-user.xml).
/// </summary>
public static class AwsErrors
{
    /// <summary>AWS's JSON escapes only what JSON requires: quotes in messages stay ' and URLs keep their &amp;.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static LabResponse RestJson(int status, string code, string message) =>
        new LabResponse(status, "application/json", new JsonObject { ["Message"] = message, ["Code"] = code }.ToJsonString(Json))
        {
            Headers = [new("x-amzn-ErrorType", code)],
        };

    /// <summary>The front door's shape: lowercase message, no Code member (the code is in the header only).</summary>
    public static LabResponse Gateway(int status, string code, string message) =>
        new LabResponse(status, "application/json", new JsonObject { ["message"] = message }.ToJsonString(Json))
        {
            Headers = [new("x-amzn-ErrorType", code)],
        };

    public static LabResponse Query(string xmlNamespace, int status, string code, string message, string requestId) =>
        new(status, "text/xml",
            $"""
            <ErrorResponse xmlns="{xmlNamespace}">
              <Error>
                <Type>{(status >= 500 ? "Receiver" : "Sender")}</Type>
                <Code>{XmlText(code)}</Code>
                <Message>{XmlText(message)}</Message>
              </Error>
              <RequestId>{requestId}</RequestId>
            </ErrorResponse>
            """);

    /// <summary>Element text as AWS's XML services write it: &amp;, &lt; and &gt; escaped, quotes and apostrophes left as they are.</summary>
    public static string XmlText(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>
    /// A signature refusal as the target service answers it: 403 with the protocol's code and message, except EC2,
    /// which refuses an unknown key or a wrong signature with 401 AuthFailure ("AWS was not able to validate the provided
    /// access credentials") and a request signed outside the clock window with 400 RequestExpired.
    /// </summary>
    public static (int Status, string Code, string Message) Refusal(AwsAuthFailure failure, AwsProtocol protocol) => (failure.Error, protocol) switch
    {
        (AwsAuthError.SignatureDoesNotMatch, AwsProtocol.Ec2Query) when failure.Message.StartsWith("Signature expired", StringComparison.Ordinal) ||
                                                                         failure.Message.StartsWith("Signature not yet current", StringComparison.Ordinal)
            => (400, "RequestExpired", "Request has expired."),
        (AwsAuthError.SignatureDoesNotMatch or AwsAuthError.InvalidClientToken, AwsProtocol.Ec2Query)
            => (401, "AuthFailure", "AWS was not able to validate the provided access credentials"),
        _ => (403, AuthCode(failure.Error, protocol), AuthMessage(failure, protocol)),
    };

    /// <summary>A signature refusal, named as the protocol names it (see <see cref="Refusal"/> for EC2's own).</summary>
    public static string AuthCode(AwsAuthError error, AwsProtocol protocol) => (error, protocol) switch
    {
        (AwsAuthError.MissingAuthenticationToken, AwsProtocol.RestJson) => "MissingAuthenticationTokenException",
        (AwsAuthError.MissingAuthenticationToken, _) => "MissingAuthenticationToken",
        (AwsAuthError.IncompleteSignature, AwsProtocol.RestJson) => "IncompleteSignatureException",
        (AwsAuthError.IncompleteSignature, _) => "IncompleteSignature",
        (AwsAuthError.InvalidClientToken, AwsProtocol.RestJson) => "UnrecognizedClientException",
        (AwsAuthError.InvalidClientToken, _) => "InvalidClientTokenId",
        (AwsAuthError.SignatureDoesNotMatch, AwsProtocol.RestJson) => "InvalidSignatureException",
        _ => "SignatureDoesNotMatch",
    };

    /// <summary>
    /// The query services word a missing header differently from the rest-json front door ("Missing Authentication
    /// Token"); everything else reads the same in both.
    /// </summary>
    public static string AuthMessage(AwsAuthFailure failure, AwsProtocol protocol) =>
        (failure.Error, protocol) switch
        {
            (AwsAuthError.MissingAuthenticationToken, AwsProtocol.Query or AwsProtocol.Ec2Query) => "Request is missing Authentication Token",
            _ => failure.Message,
        };
}
