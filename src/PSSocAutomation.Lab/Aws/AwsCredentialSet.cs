namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// One AWS credential the Lab accepts: the key pair, the session token of temporary credentials, and who it is
/// (what STS GetCallerIdentity answers). Its ToString names the key id only, so a set printed by mistake leaks nothing.
/// </summary>
public sealed record AwsCredentialSet(string AccessKeyId, string SecretAccessKey, string? SessionToken, string Arn, string UserId, string Account)
{
    public bool IsTemporary => SessionToken is not null;

    public override string ToString() => $"AwsCredentialSet {{ AccessKeyId = {AccessKeyId}, Arn = {Arn} }}";
}
