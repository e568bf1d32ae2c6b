using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PSSocAutomation.Lab.Aws;

/// <summary>The four ways AWS's front door refuses a signature; each protocol names them differently (<see cref="AwsErrors"/>).</summary>
public enum AwsAuthError
{
    /// <summary>No Authorization header at all.</summary>
    MissingAuthenticationToken,
    /// <summary>The header lacks a part, or host / x-amz-date / the session token is not signed.</summary>
    IncompleteSignature,
    /// <summary>The access key id is unknown, or the session token does not belong to it.</summary>
    InvalidClientToken,
    /// <summary>Wrong signature, wrong region in the scope, a date outside the five-minute window.</summary>
    SignatureDoesNotMatch,
}

public sealed record AwsAuthFailure(AwsAuthError Error, string Message);

/// <summary>Who signed, for which service and region: what the router dispatches on and the journal records.</summary>
public sealed record AwsCaller(AwsCredentialSet Credentials, string Service, string Region);

/// <summary>
/// Checks an incoming request's SigV4 Authorization header the way AWS does: recompute the canonical request from what
/// arrived, the string to sign and the signature with the secret of the access key named in the scope, and compare in
/// constant time. The refusals and their wording follow what AWS answers (the router puts them in the target service's
/// protocol shape).
/// </summary>
public sealed class AwsSigV4Verifier
{
    /// <summary>AWS accepts a request signed up to five minutes either side of its clock.</summary>
    public static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(5);

    public const string SignatureMismatchMessage =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. " +
        "Consult the service documentation for details.";

    public const string InvalidTokenMessage = "The security token included in the request is invalid.";

    private readonly Func<string, AwsCredentialSet?> _credentials;
    private readonly Func<string, string> _regionFor;
    private readonly Func<DateTimeOffset> _now;

    /// <param name="credentials">The credential set of an access key id, or null when the key is unknown.</param>
    /// <param name="regionFor">The one region a service's requests must be scoped to (IAM: us-east-1; others: the Lab's).</param>
    /// <param name="now">The Lab clock the five-minute window is measured on.</param>
    public AwsSigV4Verifier(Func<string, AwsCredentialSet?> credentials, Func<string, string> regionFor, Func<DateTimeOffset> now)
    {
        _credentials = credentials;
        _regionFor = regionFor;
        _now = now;
    }

    /// <summary>The parts of "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex".</summary>
    public sealed record Authorization(string AccessKeyId, string Date, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature)
    {
        public string Scope => $"{Date}/{Region}/{Service}/aws4_request";
    }

    /// <summary>Parses the header; null when it is not a well-formed SigV4 header (the verifier's IncompleteSignature).</summary>
    public static Authorization? Parse(string? header)
    {
        if (header is null || !header.StartsWith(AwsSigV4Canonical.Algorithm + " ", StringComparison.Ordinal)) return null;
        string? credential = null, signed = null, signature = null;
        foreach (var part in header[(AwsSigV4Canonical.Algorithm.Length + 1)..].Split(','))
        {
            var trimmed = part.Trim();
            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) continue;
            var value = trimmed[(equals + 1)..];
            switch (trimmed[..equals])
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signed = value; break;
                case "Signature": signature = value; break;
            }
        }
        if (credential is null || signed is null || signature is null) return null;
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || scope.Any(s => s.Length == 0)) return null;
        return new Authorization(scope[0], scope[1], scope[2], scope[3], signed.Split(';'), signature);
    }

    /// <summary>The service named in the credential scope of a request's Authorization header, without verifying anything.</summary>
    public static string? ServiceOf(string? header) => Parse(header)?.Service;

    /// <summary>Null with the caller when the signature holds; otherwise AWS's refusal.</summary>
    public (AwsCaller? Caller, AwsAuthFailure? Failure) Verify(AwsSignedRequest request)
    {
        var header = request.Header("Authorization");
        if (header is null) return Fail(AwsAuthError.MissingAuthenticationToken, "Missing Authentication Token");
        var auth = Parse(header);
        if (auth is null)
            return Fail(AwsAuthError.IncompleteSignature,
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters, with a Credential of the form " +
                "'<access key>/<date>/<region>/<service>/aws4_request'.");

        // AWS names an unknown key before it looks at anything else the key would be needed for.
        var credentials = _credentials(auth.AccessKeyId);
        if (credentials is null) return Fail(AwsAuthError.InvalidClientToken, InvalidTokenMessage);

        if (!auth.SignedHeaders.Contains("host"))
            return Fail(AwsAuthError.IncompleteSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        var amzDate = request.Header("X-Amz-Date");
        if (amzDate is null)
            return Fail(AwsAuthError.IncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        if (!auth.SignedHeaders.Contains("x-amz-date"))
            return Fail(AwsAuthError.IncompleteSignature, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");

        var token = request.Header("X-Amz-Security-Token");
        if (credentials.SessionToken is not null || token is not null)
        {
            if (token is null || credentials.SessionToken is null || !FixedTimeEquals(token, credentials.SessionToken))
                return Fail(AwsAuthError.InvalidClientToken, InvalidTokenMessage);
            // AWS's SDKs sign the token (the suite's post-sts-header-before); the Lab insists, so an unsigned one is caught.
            if (!auth.SignedHeaders.Contains("x-amz-security-token"))
                return Fail(AwsAuthError.IncompleteSignature, "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.");
        }

        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
            return Fail(AwsAuthError.IncompleteSignature, $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'.");
        if (auth.Date != amzDate[..8])
            return Fail(AwsAuthError.SignatureDoesNotMatch,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{auth.Date}' != '{amzDate[..8]}', from '{amzDate}'.");

        var expected = _regionFor(auth.Service);
        if (auth.Region != expected)
            return Fail(AwsAuthError.SignatureDoesNotMatch, $"Credential should be scoped to a valid region, not '{auth.Region}'. ");

        var now = _now();
        if (signedAt < now - AllowedSkew)
            return Fail(AwsAuthError.SignatureDoesNotMatch,
                $"Signature expired: {amzDate} is now earlier than {Basic(now - AllowedSkew)} ({Basic(now)} - 5 min.)");
        if (signedAt > now + AllowedSkew)
            return Fail(AwsAuthError.SignatureDoesNotMatch,
                $"Signature not yet current: {amzDate} is still later than {Basic(now + AllowedSkew)} ({Basic(now)} + 5 min.)");

        var canonical = AwsSigV4Canonical.CanonicalRequest(request, auth.SignedHeaders);
        var stringToSign = AwsSigV4Canonical.StringToSign(amzDate, auth.Scope, canonical);
        var signature = AwsSigV4Canonical.Signature(credentials.SecretAccessKey, auth.Date, auth.Region, auth.Service, stringToSign);
        if (!FixedTimeEquals(signature, auth.Signature)) return Fail(AwsAuthError.SignatureDoesNotMatch, SignatureMismatchMessage);
        return (new AwsCaller(credentials, auth.Service, auth.Region), null);
    }

    private static (AwsCaller?, AwsAuthFailure?) Fail(AwsAuthError error, string message) => (null, new AwsAuthFailure(error, message));

    private static string Basic(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Constant-time, so the time a refusal takes says nothing about how much of a signature or token was right.</summary>
    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
