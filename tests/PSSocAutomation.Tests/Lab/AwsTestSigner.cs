using System.Globalization;
using System.Net.Http.Headers;
using PSSocAutomation.Lab.Aws;

namespace PSSocAutomation.Tests.Lab;

/// <summary>
/// Signs test requests to the AWS Lab with the Lab's canonicalisation (proven on AWS's suite in
/// <see cref="AwsSigV4VerifierTests"/>), and can sign them wrong on purpose: each knob leaves out or spoils one thing
/// the verifier must catch.
/// </summary>
internal sealed record AwsTestSigner(AwsCredentialSet Credentials, string Region, string Service, DateTimeOffset At)
{
    public string? SecretOverride { get; init; }
    public bool SignHost { get; init; } = true;
    public bool SendToken { get; init; } = true;
    public bool SignToken { get; init; } = true;
    public string? AccessKeyOverride { get; init; }
    /// <summary>Sign this body but send the real one: a body changed after signing.</summary>
    public byte[]? BodyToSign { get; init; }

    public HttpRequestMessage Build(HttpMethod method, Uri uri, byte[]? body, string? contentType)
    {
        var request = new HttpRequestMessage(method, uri);
        var amzDate = At.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = new List<KeyValuePair<string, string>> { new("host", uri.Authority), new("x-amz-date", amzDate) };
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
                headers.Add(new("content-type", contentType));
            }
        }
        if (Credentials.SessionToken is { } token && SendToken)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
            if (SignToken) headers.Add(new("x-amz-security-token", token));
        }
        if (!SignHost) headers.RemoveAll(h => h.Key == "host");
        headers.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var signed = headers.Select(h => h.Key).ToList();
        var query = uri.Query.Length > 0 ? uri.Query[1..] : string.Empty;
        var canonical = AwsSigV4Canonical.CanonicalRequest(
            new AwsSignedRequest(method.Method, uri.AbsolutePath, query, headers, AwsSignedRequest.HashHex(BodyToSign ?? body ?? [])), signed);
        var date = amzDate[..8];
        var scope = $"{date}/{Region}/{Service}/aws4_request";
        var signature = AwsSigV4Canonical.Signature(SecretOverride ?? Credentials.SecretAccessKey, date, Region, Service,
            AwsSigV4Canonical.StringToSign(amzDate, scope, canonical));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={AccessKeyOverride ?? Credentials.AccessKeyId}/{scope}, SignedHeaders={string.Join(';', signed)}, Signature={signature}");
        return request;
    }
}

/// <summary>A clock a test sets by hand, for the signature window and the throttles.</summary>
internal sealed class ManualClock : TimeProvider
{
    public ManualClock(DateTimeOffset now) => Now = now;

    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}
