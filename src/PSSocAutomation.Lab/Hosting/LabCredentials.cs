using System.Security.Cryptography;

namespace PSSocAutomation.Lab.Hosting;

/// <summary>The credentials a Lab accepts. Fresh random secrets per Lab, so a test can search every stream for them.</summary>
public sealed class LabCredentials
{
    public string ElasticUser { get; init; } = "elastic";
    public string ElasticPassword { get; init; } = "pw-" + Random(12);
    public string ElasticApiKeyId { get; init; } = Random(10);
    public string ElasticApiKey { get; init; } = Random(16);
    /// <summary>What Elasticsearch returns as "encoded": base64("id:api_key").</summary>
    public string ElasticApiKeyEncoded => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ElasticApiKeyId + ":" + ElasticApiKey));
    public string ElasticBearerToken { get; init; } = "tok-" + Random(20);

    /// <summary>An IRIS API key is secrets.token_urlsafe(64): about 86 URL-safe characters.</summary>
    public string IrisApiKey { get; init; } = UrlSafe(64);

    public static string Random(int bytes) => Convert.ToHexString(RandomNumberGenerator.GetBytes(bytes)).ToLowerInvariant();

    public static string UrlSafe(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
