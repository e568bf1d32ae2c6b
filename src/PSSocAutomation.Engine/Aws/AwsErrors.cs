using System;
using System.Linq;
using System.Text.Json;
using System.Xml.Linq;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// AWS's error shapes, per protocol but one reader: rest-json and JSON 1.1 ({"__type"|"code"|"Code", "message"|
    /// "Message"}, the code cut at ':' and after '#' as botocore does), the Query protocol's ErrorResponse/Error XML
    /// (STS, IAM, Auto Scaling, ELBv2) and EC2's Response/Errors/Error. AWS answers a bad signature or an unknown key with
    /// 403: those become authentication failures, with advice about keys and clocks rather than about permissions.
    /// </summary>
    public sealed class AwsErrors : IVendorErrors, IThrottleSignal
    {
        // The codes AWS services throttle with, whatever the status: the Query services (IAM, STS, Auto Scaling) answer
        // 400 Throttling, EC2 503 RequestLimitExceeded, others their own *Exception names.
        private static readonly string[] ThrottleCodes =
        {
            "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "RequestThrottled", "TooManyRequestsException",
            "RequestLimitExceeded", "ProvisionedThroughputExceededException", "TransactionInProgressException", "SlowDown", "PriorRequestNotComplete",
            "BandwidthLimitExceeded", "EC2ThrottledException",
        };

        private static readonly string[] CredentialCodes =
        {
            "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch",
            "MissingAuthenticationTokenException", "MissingAuthenticationToken", "IncompleteSignature", "IncompleteSignatureException",
            "ExpiredToken", "ExpiredTokenException", "RequestExpired", "AuthFailure", "InvalidAccessKeyId",
        };

        /// <param name="serviceName">What messages call the service: "AWS Security Hub", "AWS STS", "Amazon EC2".</param>
        public AwsErrors(string serviceName) => ServiceName = serviceName;

        public string ServiceName { get; }

        public (string? Type, string? Reason) Describe(int status, string? contentType, ReadOnlyMemory<byte> body)
        {
            switch (ResponseBody.Detect(contentType, body.Span))
            {
                case BodyFormat.Json: return FromJson(body);
                case BodyFormat.Xml: return FromXml(body);
                default: return (null, null);
            }
        }

        public bool IsThrottle(int status, string? contentType, ReadOnlyMemory<byte> body) =>
            Describe(status, contentType, body).Type is string code && Array.IndexOf(ThrottleCodes, code) >= 0;

        /// <summary>The error code of a JSON or XML error body, for callers that act on particular codes.</summary>
        public static string? CodeOf(string? contentType, ReadOnlyMemory<byte> body) => new AwsErrors("AWS").Describe(0, contentType, body).Type;

        private static (string?, string?) FromJson(ReadOnlyMemory<byte> body)
        {
            if (!ResponseBody.TryParseJson(body, out var doc)) return (null, null);
            using (doc)
            {
                var root = doc!.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return (null, null);
                var code = Text(root, "__type") ?? Text(root, "code") ?? Text(root, "Code");
                if (code != null)
                {
                    var hash = code.LastIndexOf('#');
                    if (hash >= 0) code = code.Substring(hash + 1);
                    var colon = code.IndexOf(':');
                    if (colon >= 0) code = code.Substring(0, colon);
                }
                var message = Text(root, "message") ?? Text(root, "Message") ?? Text(root, "errorMessage");
                return code is null && message is null ? (null, null) : (code, message);
            }
        }

        private static (string?, string?) FromXml(ReadOnlyMemory<byte> body)
        {
            XDocument xml;
            try
            {
                xml = XDocument.Parse(ResponseBody.Text(body));
            }
            catch (System.Xml.XmlException)
            {
                return (null, null);
            }
            // ErrorResponse/Error (Query protocol) or Response/Errors/Error (EC2); namespaces differ per service.
            var error = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            if (error is null) return (null, null);
            string? Child(string name) => error.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            return (Child("Code"), Child("Message"));
        }

        public string? Advice(ApiFailureKind kind, int? status, string? vendorType)
        {
            if (IsCredentialCode(vendorType)) return CredentialAdvice(vendorType!);
            switch (kind)
            {
                case ApiFailureKind.Authentication:
                    return CredentialAdvice(vendorType ?? string.Empty);
                case ApiFailureKind.Permission:
                    return $"The AWS credentials work but their policies do not allow this {ServiceName} action in this account and region; grant it (the message names the action when AWS does), or use -ProfileName/-Credential for a principal that has it.";
                case ApiFailureKind.Throttled:
                    return $"{ServiceName} kept throttling after the retries; run again later, or ask AWS for a higher quota.";
                case ApiFailureKind.Connection:
                case ApiFailureKind.Timeout:
                    return "Check -Region and -EndpointUrl (a VPC endpoint must be reachable from here), and any proxy in HTTPS_PROXY.";
                default:
                    return null;
            }
        }

        /// <summary>AWS's 403 for a key it does not know or a signature it cannot match is a credential failure, not a permission one.</summary>
        public SocApiException Refine(SocApiException failure)
        {
            if (IsCredentialCode(failure.VendorType) && failure.Kind != ApiFailureKind.Authentication)
                return failure.With(ApiFailureKind.Authentication, failure.Message);
            if (failure.VendorType != null && Array.IndexOf(ThrottleCodes, failure.VendorType) >= 0 && failure.Kind != ApiFailureKind.Throttled)
                return failure.With(ApiFailureKind.Throttled, failure.Message);
            // EC2 answers a missing resource with 400 and a code (InvalidInstanceID.NotFound, InvalidGroup.NotFound,
            // InvalidAssociationID.NotFound); IAM with 404 NoSuchEntity. Both are "not found" to a caller.
            if (failure.Kind == ApiFailureKind.InvalidRequest && failure.VendorType is string code
                && (code.EndsWith(".NotFound", StringComparison.Ordinal) || code == "NoSuchEntity"))
                return failure.With(ApiFailureKind.NotFound, failure.Message);
            return failure;
        }

        private static bool IsCredentialCode(string? code) => code != null && CredentialCodes.Contains(code, StringComparer.Ordinal);

        private static string CredentialAdvice(string code)
        {
            if (code.StartsWith("Expired", StringComparison.Ordinal) || code == "RequestExpired")
                return "The temporary credentials (or the request's time) expired: renew them (aws sso login, a new role session), and check that this machine's clock is right.";
            if (code.IndexOf("Signature", StringComparison.Ordinal) >= 0)
                return "AWS could not match the request's signature: the secret access key is wrong for this access key id, or this machine's clock is more than 5 minutes off. Check -Credential/-ProfileName and the clock.";
            return "AWS does not know this access key id (mistyped, deleted, or from another partition), or the session token is missing or wrong. Check -Credential/-ProfileName and the AWS_* environment variables.";
        }

        private static string? Text(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
