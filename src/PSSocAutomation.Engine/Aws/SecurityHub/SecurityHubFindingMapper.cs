using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using PSSocAutomation.Core;
using PSSocAutomation.Indicators;

namespace PSSocAutomation.Aws.SecurityHub
{
    /// <summary>
    /// An ASFF finding as the one alert shape, the finding itself kept byte for byte. The same mapping serves
    /// GetFindings pages and findings pushed by EventBridge or SNS, so a finding looks the same however it arrived.
    /// </summary>
    public static class SecurityHubFindingMapper
    {
        public const string Source = "SecurityHub";

        /// <summary>Throws <see cref="FormatException"/> for something that is not a finding (no Id or ProductArn).</summary>
        public static SocAlert Map(JsonElement finding)
        {
            if (finding.ValueKind != JsonValueKind.Object) throw new FormatException("A Security Hub finding is a JSON object; got " + finding.ValueKind + ".");
            var id = Text(finding, "Id") ?? throw new FormatException("The finding has no Id: it is not an AWS Security Finding Format document.");
            var productArn = Text(finding, "ProductArn") ?? throw new FormatException($"Finding {id} has no ProductArn: it is not an AWS Security Finding Format document.");
            var alert = new SocAlert(Source, id, System.Text.Encoding.UTF8.GetBytes(finding.GetRawText()));

            alert.Title = Text(finding, "Title") ?? id;
            alert.Description = Text(finding, "Description");
            string? label = null;
            double? normalized = null;
            if (finding.TryGetProperty("Severity", out var severity) && severity.ValueKind == JsonValueKind.Object)
            {
                label = Text(severity, "Label");
                if (severity.TryGetProperty("Normalized", out var n) && n.ValueKind == JsonValueKind.Number) normalized = n.GetDouble();
            }
            // Security Hub's own scale: the Label, else Normalized 0-100 (never GuardDuty's 0-10 Product value).
            alert.Severity = AlertSeverityScale.FromSecurityHub(label, normalized);
            alert.SourceSeverity = label ?? (normalized is double d ? d.ToString(CultureInfo.InvariantCulture) : null);
            var workflow = finding.TryGetProperty("Workflow", out var w) && w.ValueKind == JsonValueKind.Object ? Text(w, "Status") : null;
            alert.Status = workflow ?? Text(finding, "WorkflowState");
            alert.Time = Time(finding, "FirstObservedAt") ?? Time(finding, "CreatedAt");
            alert.Link = Text(finding, "SourceUrl");
            var types = Strings(finding, "Types").ToList();
            // A control finding is named by its control (EC2.7); a threat finding by its type's classifier (UnauthorizedAccess:EC2-SSHBruteForce).
            alert.Rule = IsControl(finding) ? Compliance(finding) ?? Text(finding, "GeneratorId")
                : types.Count > 0 ? types[0].Substring(types[0].LastIndexOf('/') + 1) : Text(finding, "GeneratorId");
            foreach (var type in types) alert.Tags.Add(type);

            if (finding.TryGetProperty("Resources", out var resources) && resources.ValueKind == JsonValueKind.Array)
                foreach (var resource in resources.EnumerateArray())
                {
                    var resourceId = Text(resource, "Id");
                    if (resourceId is null) continue;
                    var resourceType = Text(resource, "Type");
                    alert.Resources.Add(new AlertResource(resourceId, resourceType));
                    if (alert.Host is null && resourceType == "AwsEc2Instance") alert.Host = InstanceId(resourceId);
                    if (alert.User is null) alert.User = Principal(resource, resourceType);
                }
            foreach (var indicator in DocumentIndicators.From(finding, includePrivate: true))
                if (indicator.Type != "user") alert.Indicators.Add(indicator);

            var productName = Text(finding, "ProductName") ?? ProductField(finding, "aws/securityhub/ProductName");
            alert.SourceFields = new SecurityHubFindingFields(productArn, Text(finding, "AwsAccountId"), Text(finding, "Region") ?? RegionOf(productArn),
                productName, Text(finding, "CompanyName") ?? ProductField(finding, "aws/securityhub/CompanyName"), Text(finding, "GeneratorId"),
                Text(finding, "RecordState"), workflow, Time(finding, "UpdatedAt"), Time(finding, "CreatedAt"), types);
            return alert;
        }

        /// <summary>i-0abc... from an instance ARN (arn:aws:ec2:region:account:instance/i-0abc...) or the id itself.</summary>
        public static string InstanceId(string resourceId)
        {
            var slash = resourceId.LastIndexOf('/');
            return slash >= 0 ? resourceId.Substring(slash + 1) : resourceId;
        }

        private static string? Principal(JsonElement resource, string? type)
        {
            if (!resource.TryGetProperty("Details", out var details) || details.ValueKind != JsonValueKind.Object) return null;
            switch (type)
            {
                case "AwsIamAccessKey":
                    return details.TryGetProperty("AwsIamAccessKey", out var key) ? Text(key, "PrincipalName") ?? Text(key, "UserName") : null;
                case "AwsIamUser":
                    return details.TryGetProperty("AwsIamUser", out var user) ? Text(user, "UserName") : null;
                case "AwsIamRole":
                    return details.TryGetProperty("AwsIamRole", out var role) ? Text(role, "RoleName") : null;
                default:
                    return null;
            }
        }

        private static bool IsControl(JsonElement finding) => finding.TryGetProperty("Compliance", out var c) && c.ValueKind == JsonValueKind.Object;

        private static string? Compliance(JsonElement finding) =>
            finding.TryGetProperty("Compliance", out var c) && c.ValueKind == JsonValueKind.Object ? Text(c, "SecurityControlId") : null;

        private static string? ProductField(JsonElement finding, string key) =>
            finding.TryGetProperty("ProductFields", out var fields) && fields.ValueKind == JsonValueKind.Object ? Text(fields, key) : null;

        /// <summary>arn:aws:securityhub:us-east-1::product/aws/guardduty → us-east-1.</summary>
        private static string? RegionOf(string arn)
        {
            var region = AwsArn.Parse(arn)?.Region;
            return string.IsNullOrEmpty(region) ? null : region;
        }

        private static DateTimeOffset? Time(JsonElement element, string name) =>
            Text(element, name) is string text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : (DateTimeOffset?)null;

        private static IEnumerable<string> Strings(JsonElement element, string name)
        {
            if (!element.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array) yield break;
            foreach (var item in list.EnumerateArray())
                if (item.ValueKind == JsonValueKind.String) yield return item.GetString()!;
        }

        private static string? Text(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
