using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// GuardDuty findings as Security Hub holds them, in the shape of the GuardDuty guide's "typical finding" (ASFF
/// 2018-10-08, ProductFields with aws/guardduty/... and aws/securityhub/... keys, Severity {Product, Label,
/// Normalized}, Workflow and the deprecated WorkflowState), written by the Lab so it needs no outside file. Each is
/// deterministic from its number: distinct Ids, severities, workflow states and record states cycling, UpdatedAt a
/// step apart, and resources alternating between an EC2 instance and an IAM access key (a user's or an assumed role's).
/// </summary>
internal static class SecurityHubFindingGenerator
{
    private static readonly (string Label, int Normalized, double Product)[] Severities =
        [("LOW", 20, 2), ("MEDIUM", 40, 5), ("HIGH", 70, 8), ("MEDIUM", 40, 4), ("CRITICAL", 90, 9), ("LOW", 1, 1), ("INFORMATIONAL", 0, 0.5)];

    private static readonly string[] Workflows = ["NEW", "NEW", "NOTIFIED", "NEW", "RESOLVED", "NOTIFIED", "SUPPRESSED"];

    private static readonly (string Type, string Title)[] Ec2Types =
    [
        ("TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce", "{0} is performing SSH brute force attacks against {1}."),
        ("TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS", "Command and Control server domain name queried by EC2 instance {1}."),
        ("Effects/Resource Consumption/CryptoCurrency:EC2-BitcoinTool.B", "EC2 instance {1} is querying a domain name that is associated with Bitcoin-related activity."),
    ];

    private static readonly (string Type, string Title)[] IamTypes =
    [
        ("TTPs/Discovery/Discovery:IAMUser-AnomalousBehavior", "Unusual APIs were invoked by {2} from {0}."),
        ("TTPs/Initial Access/UnauthorizedAccess:IAMUser-ConsoleLoginSuccess.B", "Unusual console login was seen for principal {2}."),
        ("Unusual Behaviors/User/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.OutsideAWS", "Credentials for instance role {2} used from external IP address {0}."),
    ];

    public static IEnumerable<JsonObject> GuardDuty(int first, int count, string account, string region, DateTimeOffset start, TimeSpan step)
    {
        var detector = Hex("detector/" + account + "/" + region, 16);
        for (var i = first; i < first + count; i++) yield return One(i, account, region, detector, start + step * (i - first));
    }

    private static JsonObject One(int i, string account, string region, string detector, DateTimeOffset updated)
    {
        var findingId = Hex("finding/" + i.ToString(CultureInfo.InvariantCulture), 16);
        var id = $"arn:aws:guardduty:{region}:{account}:detector/{detector}/finding/{findingId}";
        var productArn = $"arn:aws:securityhub:{region}::product/aws/guardduty";
        var severity = Severities[i % Severities.Length];
        var workflow = Workflows[i % Workflows.Length];
        var remoteIp = $"198.51.100.{i % 250 + 1}";
        var ec2 = i % 2 == 0;
        var instance = "i-0" + Hex("instance/" + (i % 97).ToString(CultureInfo.InvariantCulture), 8)[..16];
        var assumedRole = i % 4 == 3;
        var principal = assumedRole ? "lab-responder" : "lab-analyst";
        var (type, titleFormat) = ec2 ? Ec2Types[i / 2 % Ec2Types.Length] : IamTypes[i / 2 % IamTypes.Length];
        var title = string.Format(CultureInfo.InvariantCulture, titleFormat, remoteIp, instance, principal);
        var created = updated - TimeSpan.FromHours(1 + i % 48);
        var productFields = new JsonObject
        {
            ["aws/guardduty/service/action/actionType"] = ec2 ? "NETWORK_CONNECTION" : "AWS_API_CALL",
            ["aws/guardduty/service/archived"] = "false",
            ["aws/guardduty/service/serviceName"] = "guardduty",
            ["aws/guardduty/service/detectorId"] = detector,
            ["aws/guardduty/service/count"] = (1 + i % 9).ToString(CultureInfo.InvariantCulture),
            ["aws/guardduty/service/eventFirstSeen"] = Format(created),
            ["aws/guardduty/service/eventLastSeen"] = Format(updated),
            ["aws/guardduty/service/resourceRole"] = "TARGET",
            ["aws/securityhub/FindingId"] = productArn + "/" + id,
            ["aws/securityhub/ProductName"] = "GuardDuty",
            ["aws/securityhub/CompanyName"] = "Amazon",
        };
        if (ec2)
        {
            productFields["aws/guardduty/service/action/networkConnectionAction/connectionDirection"] = "INBOUND";
            productFields["aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/ipAddressV4"] = remoteIp;
            productFields["aws/guardduty/service/action/networkConnectionAction/localPortDetails/port"] = "22";
        }
        else productFields["aws/guardduty/service/action/awsApiCallAction/remoteIpDetails/ipAddressV4"] = remoteIp;

        return new JsonObject
        {
            ["SchemaVersion"] = "2018-10-08",
            ["Id"] = id,
            ["ProductArn"] = productArn,
            ["GeneratorId"] = $"arn:aws:guardduty:{region}:{account}:detector/{detector}",
            ["AwsAccountId"] = account,
            ["Types"] = new JsonArray(type),
            ["FirstObservedAt"] = Format(created),
            ["LastObservedAt"] = Format(updated),
            ["CreatedAt"] = Format(created),
            ["UpdatedAt"] = Format(updated),
            ["Severity"] = new JsonObject { ["Product"] = severity.Product, ["Label"] = severity.Label, ["Normalized"] = severity.Normalized },
            ["Title"] = title,
            ["Description"] = title + " (generated by the PSSocAutomation Lab)",
            ["SourceUrl"] = $"https://{region}.console.aws.amazon.com/guardduty/home?region={region}#/findings?macros=current&fId={findingId}",
            ["ProductFields"] = productFields,
            ["Resources"] = new JsonArray(ec2 ? Instance(account, region, instance, i) : AccessKey(account, region, principal, assumedRole, i)),
            ["WorkflowState"] = workflow == "NEW" ? "NEW" : workflow == "RESOLVED" ? "RESOLVED" : "IN_PROGRESS",
            ["Workflow"] = new JsonObject { ["Status"] = workflow },
            ["RecordState"] = i % 10 == 9 ? "ARCHIVED" : "ACTIVE",
            ["Region"] = region,
            ["ProductName"] = "GuardDuty",
            ["CompanyName"] = "Amazon",
        };
    }

    private static JsonObject Instance(string account, string region, string instance, int i) => new()
    {
        ["Type"] = "AwsEc2Instance",
        ["Id"] = $"arn:aws:ec2:{region}:{account}:instance/{instance}",
        ["Partition"] = "aws",
        ["Region"] = region,
        ["Tags"] = new JsonObject { ["Name"] = "web-" + (i % 5).ToString(CultureInfo.InvariantCulture), ["env"] = i % 3 == 0 ? "prod" : "dev" },
        ["Details"] = new JsonObject
        {
            ["AwsEc2Instance"] = new JsonObject
            {
                ["Type"] = "t3.micro",
                ["ImageId"] = "ami-0" + Hex("ami", 8)[..16],
                ["IpV4Addresses"] = new JsonArray($"10.0.{i % 200}.{i % 250 + 1}"),
                ["VpcId"] = "vpc-0" + Hex("vpc", 8)[..16],
                ["SubnetId"] = "subnet-0" + Hex("subnet", 8)[..16],
                ["IamInstanceProfileArn"] = $"arn:aws:iam::{account}:instance-profile/web",
                ["LaunchedAt"] = "2026-01-05T08:00:00Z",
            },
        },
    };

    private static JsonObject AccessKey(string account, string region, string principal, bool assumedRole, int i)
    {
        var keyId = (assumedRole ? "ASIA" : "AKIA") + Hex("key/" + (i % 13).ToString(CultureInfo.InvariantCulture), 8).ToUpperInvariant();
        var details = new JsonObject
        {
            ["AccessKeyId"] = keyId,
            ["AccountId"] = account,
            ["PrincipalId"] = (assumedRole ? "AROA" : "AIDA") + Hex("principal/" + principal, 8).ToUpperInvariant() + (assumedRole ? ":lab-session" : string.Empty),
            ["PrincipalName"] = principal,
            ["PrincipalType"] = assumedRole ? "AssumedRole" : "IAMUser",
            ["Status"] = "Active",
        };
        if (assumedRole)
            details["SessionContext"] = new JsonObject
            {
                ["Attributes"] = new JsonObject { ["MfaAuthenticated"] = false, ["CreationDate"] = "2026-01-05T08:00:00Z" },
                ["SessionIssuer"] = new JsonObject
                {
                    ["Type"] = "Role",
                    ["PrincipalId"] = "AROA" + Hex("principal/" + principal, 8).ToUpperInvariant(),
                    ["Arn"] = $"arn:aws:iam::{account}:role/{principal}",
                    ["AccountId"] = account,
                    ["UserName"] = principal,
                },
            };
        return new JsonObject
        {
            ["Type"] = "AwsIamAccessKey",
            ["Id"] = "AWS::IAM::AccessKey:" + keyId,
            ["Partition"] = "aws",
            ["Region"] = region,
            ["Details"] = new JsonObject { ["AwsIamAccessKey"] = details },
        };
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Hex(string seed, int bytes) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(seed)))[..(bytes * 2)].ToLowerInvariant();
}
