using System;
using System.Collections.Generic;
using System.Linq;
using PSSocAutomation.Aws.Ec2;
using PSSocAutomation.Aws.SecurityHub;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws
{
    /// <summary>An instance a piped object names: its id, the region its ARN gives, and the finding it came from.</summary>
    internal sealed class Ec2InstanceTarget
    {
        public Ec2InstanceTarget(string instanceId, string? region, string? findingId)
        {
            InstanceId = instanceId;
            Region = region;
            FindingId = findingId;
        }

        public string InstanceId { get; }
        public string? Region { get; }
        public string? FindingId { get; }
    }

    /// <summary>
    /// The instances behind what the EC2 cmdlets are piped, read one way for all of them: a finding (each AwsEc2Instance
    /// resource, region from its ARN), an Ec2Instance or an isolation record (their InstanceId and Region), an ARN or an
    /// id, or any object with an InstanceId property.
    /// </summary>
    internal static class Ec2InstanceInput
    {
        public static IReadOnlyList<Ec2InstanceTarget> Read(object? input)
        {
            var value = PipelineInput.Unwrap(input);
            switch (value)
            {
                case null:
                    return Array.Empty<Ec2InstanceTarget>();
                case Ec2Instance instance:
                    return new[] { new Ec2InstanceTarget(instance.InstanceId, instance.Region, null) };
                case Ec2IsolationRecord record:
                    return new[] { new Ec2InstanceTarget(record.InstanceId, record.Region, record.FindingId) };
                case string text:
                    return FromText(text, null) is { } one ? new[] { one } : Array.Empty<Ec2InstanceTarget>();
            }
            var alert = AlertInput.Of(value).Alert;
            if (alert != null)
            {
                var findingId = alert.SourceFields is SecurityHubFindingFields ? alert.Id : null;
                return alert.Resources.Where(r => r.Type == null || r.Type == "AwsEc2Instance")
                    .Select(r => FromText(r.Id, findingId)).OfType<Ec2InstanceTarget>()
                    .GroupBy(t => t.InstanceId, StringComparer.Ordinal).Select(g => g.First()).ToList();
            }
            var id = PipelineInput.TextProp(value, "InstanceId");
            return id is null ? Array.Empty<Ec2InstanceTarget>() : new[] { new Ec2InstanceTarget(id, PipelineInput.TextProp(value, "Region"), null) };
        }

        /// <summary>i-0abc…, or arn:aws:ec2:us-east-1:123456789012:instance/i-0abc… (the region is the ARN's fourth field).</summary>
        public static Ec2InstanceTarget? FromText(string text, string? findingId)
        {
            text = text.Trim();
            if (Ec2Client.IsInstanceId(text)) return new Ec2InstanceTarget(text, null, findingId);
            if (AwsArn.Parse(text) is AwsArn arn && arn.Service == "ec2" && arn.Resource.StartsWith("instance/", StringComparison.Ordinal))
            {
                var id = arn.Resource.Substring("instance/".Length);
                if (Ec2Client.IsInstanceId(id)) return new Ec2InstanceTarget(id, arn.Region.Length == 0 ? null : arn.Region, findingId);
            }
            return null;
        }
    }
}
