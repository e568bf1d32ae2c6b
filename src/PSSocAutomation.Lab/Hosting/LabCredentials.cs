using System.Security.Cryptography;
using PSSocAutomation.Lab.Aws;

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

    /// <summary>The Lab's AWS account: 12 digits, never starting with 0 (a leading zero is what number-typed parsers lose).</summary>
    public string AwsAccountId { get; init; } = RandomNumberGenerator.GetInt32(1, 10).ToString(System.Globalization.CultureInfo.InvariantCulture) +
        string.Concat(Enumerable.Range(0, 11).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));

    /// <summary>IAM user lab-analyst's long-term key: AKIA + 16 uppercase alphanumerics, with a 40-character secret.</summary>
    public string AwsAccessKeyId { get; init; } = "AKIA" + KeyIdSuffix();
    public string AwsSecretAccessKey { get; init; } = AwsSecret();
    /// <summary>The IAM user's unique id (AIDA...), what GetCallerIdentity calls UserId.</summary>
    public string AwsUserId { get; init; } = "AIDA" + KeyIdSuffix() + "X";

    /// <summary>Temporary credentials of role lab-responder, session lab-session: ASIA..., a secret and a session token.</summary>
    public string AwsSessionAccessKeyId { get; init; } = "ASIA" + KeyIdSuffix();
    public string AwsSessionSecretAccessKey { get; init; } = AwsSecret();
    public string AwsSessionToken { get; init; } = "IQoJb3JpZ2luX2Vj" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(180));
    /// <summary>The role's unique id (AROA...); an assumed role's UserId is this, a colon and the session name.</summary>
    public string AwsRoleId { get; init; } = "AROA" + KeyIdSuffix() + "Y";

    public const string AwsUserName = "lab-analyst";
    public const string AwsRoleName = "lab-responder";
    public const string AwsRoleSessionName = "lab-session";

    public string AwsUserArn => $"arn:aws:iam::{AwsAccountId}:user/{AwsUserName}";
    public string AwsAssumedRoleArn => $"arn:aws:sts::{AwsAccountId}:assumed-role/{AwsRoleName}/{AwsRoleSessionName}";

    /// <summary>The long-term key pair as the Lab's AWS service checks it.</summary>
    public AwsCredentialSet AwsUser => new(AwsAccessKeyId, AwsSecretAccessKey, null, AwsUserArn, AwsUserId, AwsAccountId);

    /// <summary>The temporary credentials as the Lab's AWS service checks them.</summary>
    public AwsCredentialSet AwsSession =>
        new(AwsSessionAccessKeyId, AwsSessionSecretAccessKey, AwsSessionToken, AwsAssumedRoleArn, AwsRoleId + ":" + AwsRoleSessionName, AwsAccountId);

    private const string KeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private static string KeyIdSuffix() => string.Concat(Enumerable.Range(0, 16).Select(_ => KeyAlphabet[RandomNumberGenerator.GetInt32(KeyAlphabet.Length)]));

    /// <summary>40 characters from base64's alphabet, as AWS secret keys are.</summary>
    private static string AwsSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));

    public static string Random(int bytes) => Convert.ToHexString(RandomNumberGenerator.GetBytes(bytes)).ToLowerInvariant();

    public static string UrlSafe(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
