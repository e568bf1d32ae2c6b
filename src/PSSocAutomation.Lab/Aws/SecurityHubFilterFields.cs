using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Aws;

/// <summary>The value shape of an AwsSecurityFindingFilters member (SH-model: StringFilter, DateFilter, ...).</summary>
internal enum FilterKind
{
    String,
    Date,
    Number,
    Map,
    Boolean,
}

/// <summary>
/// Which AwsSecurityFindingFilters members the Lab evaluates, and where each reads the finding: a string field may
/// have several values (Types[], one per resource), and matches when any of them does. The members of the SH model the
/// Lab does not evaluate are listed too, so they get "not emulated" rather than the unknown-member refusal.
/// </summary>
internal static class SecurityHubFilterFields
{
    public sealed record Field(FilterKind Kind, Func<JsonObject, IEnumerable<JsonNode?>> Values);

    public static readonly IReadOnlyDictionary<string, Field> Emulated = new Dictionary<string, Field>(StringComparer.Ordinal)
    {
        ["Id"] = Top(FilterKind.String, "Id"),
        ["ProductArn"] = Top(FilterKind.String, "ProductArn"),
        ["ProductName"] = new(FilterKind.String, f => One(f["ProductName"] ?? f["ProductFields"]?["aws/securityhub/ProductName"])),
        ["CompanyName"] = new(FilterKind.String, f => One(f["CompanyName"] ?? f["ProductFields"]?["aws/securityhub/CompanyName"])),
        ["AwsAccountId"] = Top(FilterKind.String, "AwsAccountId"),
        ["GeneratorId"] = Top(FilterKind.String, "GeneratorId"),
        ["Region"] = Top(FilterKind.String, "Region"),
        ["Type"] = new(FilterKind.String, f => Each(f["Types"])),
        ["Title"] = Top(FilterKind.String, "Title"),
        ["Description"] = Top(FilterKind.String, "Description"),
        ["SeverityLabel"] = new(FilterKind.String, f => One(f["Severity"]?["Label"])),
        ["WorkflowStatus"] = new(FilterKind.String, f => One(f["Workflow"]?["Status"])),
        ["WorkflowState"] = Top(FilterKind.String, "WorkflowState"),
        ["RecordState"] = Top(FilterKind.String, "RecordState"),
        ["ComplianceStatus"] = new(FilterKind.String, f => One(f["Compliance"]?["Status"])),
        ["VerificationState"] = Top(FilterKind.String, "VerificationState"),
        ["NoteText"] = new(FilterKind.String, f => One(f["Note"]?["Text"])),
        ["ResourceType"] = Resources(FilterKind.String, r => One(r["Type"])),
        ["ResourceId"] = Resources(FilterKind.String, r => One(r["Id"])),
        ["ResourceRegion"] = Resources(FilterKind.String, r => One(r["Region"])),
        ["ResourcePartition"] = Resources(FilterKind.String, r => One(r["Partition"])),
        ["ResourceTags"] = Resources(FilterKind.Map, r => One(r["Tags"])),
        ["CreatedAt"] = Top(FilterKind.Date, "CreatedAt"),
        ["UpdatedAt"] = Top(FilterKind.Date, "UpdatedAt"),
        ["FirstObservedAt"] = Top(FilterKind.Date, "FirstObservedAt"),
        ["LastObservedAt"] = Top(FilterKind.Date, "LastObservedAt"),
        ["NoteUpdatedAt"] = new(FilterKind.Date, f => One(f["Note"]?["UpdatedAt"])),
        ["Confidence"] = Top(FilterKind.Number, "Confidence"),
        ["Criticality"] = Top(FilterKind.Number, "Criticality"),
        ["ProductFields"] = Top(FilterKind.Map, "ProductFields"),
        ["UserDefinedFields"] = Top(FilterKind.Map, "UserDefinedFields"),
        ["Sample"] = Top(FilterKind.Boolean, "Sample"),
    };

    /// <summary>SH-model members the Lab knows by name but does not evaluate (a filter on one is the Lab's "not emulated" 400).</summary>
    public static readonly IReadOnlySet<string> NotEmulated = new HashSet<string>(StringComparer.Ordinal)
    {
        "ProductVersion", "SeverityProduct", "SeverityNormalized", "SourceUrl", "RelatedFindingsProductArn", "RelatedFindingsId",
        "RecommendationText", "ThreatIntelIndicatorType", "ThreatIntelIndicatorValue", "ThreatIntelIndicatorCategory",
        "ThreatIntelIndicatorLastObservedAt", "ThreatIntelIndicatorSource", "ThreatIntelIndicatorSourceUrl",
        "MalwareName", "MalwareType", "MalwarePath", "MalwareState",
        "NetworkDirection", "NetworkProtocol", "NetworkSourceIpV4", "NetworkSourceIpV6", "NetworkSourcePort", "NetworkSourceDomain",
        "NetworkSourceMac", "NetworkDestinationIpV4", "NetworkDestinationIpV6", "NetworkDestinationPort", "NetworkDestinationDomain",
        "ProcessName", "ProcessPath", "ProcessPid", "ProcessParentPid", "ProcessLaunchedAt", "ProcessTerminatedAt",
        "ResourceAwsEc2InstanceType", "ResourceAwsEc2InstanceImageId", "ResourceAwsEc2InstanceIpV4Addresses",
        "ResourceAwsEc2InstanceIpV6Addresses", "ResourceAwsEc2InstanceKeyName", "ResourceAwsEc2InstanceIamInstanceProfileArn",
        "ResourceAwsEc2InstanceVpcId", "ResourceAwsEc2InstanceSubnetId", "ResourceAwsEc2InstanceLaunchedAt",
        "ResourceAwsS3BucketOwnerId", "ResourceAwsS3BucketOwnerName", "ResourceAwsIamAccessKeyUserName",
        "ResourceAwsIamAccessKeyPrincipalName", "ResourceAwsIamAccessKeyStatus", "ResourceAwsIamAccessKeyCreatedAt",
        "ResourceAwsIamUserUserName", "ResourceContainerName", "ResourceContainerImageId", "ResourceContainerImageName",
        "ResourceContainerLaunchedAt", "ResourceDetailsOther", "ComplianceSecurityControlId", "ComplianceAssociatedStandardsId",
        "ComplianceSecurityControlParametersName", "ComplianceSecurityControlParametersValue", "Keyword", "RelatedFindings",
        "FindingProviderFieldsConfidence", "FindingProviderFieldsCriticality", "FindingProviderFieldsRelatedFindingsId",
        "FindingProviderFieldsRelatedFindingsProductArn", "FindingProviderFieldsSeverityLabel", "FindingProviderFieldsSeverityOriginal",
        "FindingProviderFieldsTypes", "ProcessedAt", "AwsAccountName", "ResourceApplicationName", "ResourceApplicationArn",
        "VulnerabilitiesExploitAvailable", "VulnerabilitiesFixAvailable",
    };

    private static Field Top(FilterKind kind, string name) => new(kind, f => One(f[name]));

    private static Field Resources(FilterKind kind, Func<JsonObject, IEnumerable<JsonNode?>> values) =>
        new(kind, f => f["Resources"] is JsonArray resources ? resources.OfType<JsonObject>().SelectMany(values) : []);

    private static IEnumerable<JsonNode?> One(JsonNode? node) => node is null ? [] : [node];

    private static IEnumerable<JsonNode?> Each(JsonNode? node) => node is JsonArray array ? array : One(node);

    /// <summary>A JSON number as a double, whether it came off the wire or was built in code (an int member), else null.</summary>
    public static double? Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>A value as the filters compare it: strings as they are, numbers and booleans as their JSON text.</summary>
    public static string? Text(JsonNode? node) => node is JsonValue value
        ? value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()
        : null;
}
