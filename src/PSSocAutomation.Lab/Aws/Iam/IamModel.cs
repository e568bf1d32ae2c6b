namespace PSSocAutomation.Lab.Aws.Iam;

/// <summary>One mutating IAM call the Lab applied: the action, the user or role it changed, and what it set.</summary>
public sealed record IamCall(string Action, string PrincipalName, string? Detail, DateTimeOffset Time);

/// <summary>An access key as the Lab holds it: id and status (Active or Inactive).</summary>
public sealed record IamAccessKeyView(string AccessKeyId, string Status);

/// <summary>What <see cref="AwsIamService.SeedUser"/> made: the user's ARN and its access key ids, oldest first.</summary>
public sealed record IamSeededUser(string UserName, string Arn, string UserId, IReadOnlyList<string> AccessKeyIds, IReadOnlyList<string> AttachedPolicyArns);

/// <summary>
/// Story 3's IAM half (<see cref="AwsLab.SeedContainmentScenario"/>): a user with two active keys and a console
/// password, and a HIGH GuardDuty finding in Security Hub naming one of its keys.
/// </summary>
public sealed record IamContainmentScenario(string UserName, string UserArn, IReadOnlyList<string> AccessKeyIds, string FindingId, string FindingProductArn);

internal enum IamPrincipalKind
{
    User,
    Role,
}

internal sealed class IamAccessKey
{
    public required string Id { get; init; }
    public required string Status { get; set; }
    public required DateTimeOffset Created { get; init; }
}

/// <summary>A user or a role: both carry inline policies, attached managed policies and tags; a user also keys and a password.</summary>
internal sealed class IamPrincipal
{
    public required IamPrincipalKind Kind { get; init; }
    public required string Name { get; init; }
    public required string Path { get; init; }
    public required string Id { get; init; }
    public required string Arn { get; init; }
    public required DateTimeOffset Created { get; init; }

    /// <summary>Inline policies by name, as the client sent the document (IAM keeps the text it was given).</summary>
    public Dictionary<string, string> InlinePolicies { get; } = new(StringComparer.Ordinal);
    public List<string> AttachedPolicies { get; } = new();
    /// <summary>Tags in the order they were first set; keys compare ignoring case, as IAM's do.</summary>
    public List<KeyValuePair<string, string>> Tags { get; } = new();

    public List<IamAccessKey> AccessKeys { get; } = new();
    public DateTimeOffset? LoginProfileCreated { get; set; }

    /// <summary>Roles only: the trust policy, URL-encoded on the wire like every IAM policy document.</summary>
    public string AssumeRolePolicyDocument { get; init; } = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

    /// <summary>A service-linked role (path /aws-service-role/): only its service may change it.</summary>
    public bool ServiceLinked => Kind == IamPrincipalKind.Role && Path.StartsWith("/aws-service-role/", StringComparison.Ordinal);
}

internal sealed class IamInstanceProfile
{
    public required string Name { get; init; }
    public required string Id { get; init; }
    public required string Arn { get; init; }
    public required string Path { get; init; }
    public required DateTimeOffset Created { get; init; }
    public List<string> Roles { get; } = new();
}
