using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;
using static PSSocAutomation.Aws.AwsQueryProtocol;

namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>
    /// The calls isolation and its undo make, each with the read that tells whether it is needed. Calls that set a state
    /// (attributes, tags, an interface's groups) are idempotent and may be retried; calls that create or remove something
    /// (snapshots, groups, rules, associations) are not, so the pipeline never sends them twice on its own.
    /// </summary>
    public sealed partial class Ec2Client
    {
        /// <summary>DescribeInstanceAttribute for a true/false attribute (disableApiTermination, disableApiStop).</summary>
        public async Task<bool> InstanceFlagAsync(string instanceId, string attribute, CancellationToken cancellationToken)
        {
            var value = await InstanceAttributeAsync(instanceId, attribute, cancellationToken).ConfigureAwait(false);
            return string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>DescribeInstanceAttribute's value for a single-valued attribute (instanceInitiatedShutdownBehavior ...).</summary>
        public async Task<string?> InstanceAttributeAsync(string instanceId, string attribute, CancellationToken cancellationToken)
        {
            var root = await CallAsync(_pipeline, "DescribeInstanceAttribute", Version, new[] { Param("InstanceId", instanceId), Param("Attribute", attribute) },
                idempotent: true, cancellationToken).ConfigureAwait(false);
            return Text(Find(root, attribute), "value");
        }

        /// <summary>ModifyInstanceAttribute with one structure (DisableApiTermination, DisableApiStop, InstanceInitiatedShutdownBehavior).</summary>
        public Task SetInstanceAttributeAsync(string instanceId, string attribute, string value, CancellationToken cancellationToken) =>
            CallAsync(_pipeline, "ModifyInstanceAttribute", Version, new[] { Param("InstanceId", instanceId), Param(attribute + ".Value", value) },
                idempotent: true, cancellationToken);

        /// <summary>Sets DeleteOnTermination on the named devices of the instance's block device mapping, in one call.</summary>
        public Task SetDeleteOnTerminationAsync(string instanceId, IReadOnlyList<string> deviceNames, bool value, CancellationToken cancellationToken)
        {
            var parameters = new List<KeyValuePair<string, string>> { Param("InstanceId", instanceId) };
            for (var i = 0; i < deviceNames.Count; i++)
            {
                var p = "BlockDeviceMapping." + (i + 1).ToString(CultureInfo.InvariantCulture);
                parameters.Add(Param(p + ".DeviceName", deviceNames[i]));
                parameters.Add(Param(p + ".Ebs.DeleteOnTermination", value ? "true" : "false"));
            }
            return CallAsync(_pipeline, "ModifyInstanceAttribute", Version, parameters, idempotent: true, cancellationToken);
        }

        public Task CreateTagsAsync(IEnumerable<string> resourceIds, IEnumerable<KeyValuePair<string, string>> tags, CancellationToken cancellationToken) =>
            CallAsync(_pipeline, "CreateTags", Version, Indexed("ResourceId", resourceIds).Concat(TagParameters("Tag", tags)), idempotent: true, cancellationToken);

        /// <summary>Removes the named tag keys (whatever their value) from a resource.</summary>
        public Task DeleteTagsAsync(string resourceId, IEnumerable<string> keys, CancellationToken cancellationToken)
        {
            var parameters = new List<KeyValuePair<string, string>> { Param("ResourceId.1", resourceId) };
            var n = 0;
            foreach (var key in keys) parameters.Add(Param("Tag." + (++n).ToString(CultureInfo.InvariantCulture) + ".Key", key));
            if (n == 0) return Task.CompletedTask;
            return CallAsync(_pipeline, "DeleteTags", Version, parameters, idempotent: true, cancellationToken);
        }

        /// <summary>The ids of this account's snapshots carrying tag <paramref name="key"/> = <paramref name="value"/>.</summary>
        public async Task<IReadOnlyList<string>> SnapshotsTaggedAsync(string key, string value, CancellationToken cancellationToken)
        {
            var parameters = new[] { Param("Owner.1", "self") }.Concat(Filters(("tag:" + key, new[] { value })));
            var items = await PagedAsync("DescribeSnapshots", parameters, "snapshotSet", cancellationToken).ConfigureAwait(false);
            return items.Select(i => Text(i, "snapshotId")).OfType<string>().ToList();
        }

        /// <summary>
        /// CreateSnapshots of every volume (boot included), a crash-consistent set, tagged and with the volumes' own
        /// tags copied. Not idempotent: look for the tag with <see cref="SnapshotsTaggedAsync"/> first.
        /// </summary>
        public async Task<IReadOnlyList<string>> CreateSnapshotsAsync(string instanceId, string description, IEnumerable<KeyValuePair<string, string>> tags, CancellationToken cancellationToken)
        {
            var parameters = new List<KeyValuePair<string, string>>
            {
                Param("InstanceSpecification.InstanceId", instanceId),
                Param("InstanceSpecification.ExcludeBootVolume", "false"),
                Param("CopyTagsFromSource", "volume"),
                Param("Description", description),
                Param("TagSpecification.1.ResourceType", "snapshot"),
            };
            parameters.AddRange(TagParameters("TagSpecification.1.Tag", tags));
            var root = await CallAsync(_pipeline, "CreateSnapshots", Version, parameters, idempotent: false, cancellationToken).ConfigureAwait(false);
            return Items(Find(root, "snapshotSet")).Select(i => Text(i, "snapshotId")).OfType<string>().ToList();
        }

        /// <summary>DeleteSnapshot; NotFound (InvalidSnapshot.NotFound) when it is gone already.</summary>
        public Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken) =>
            CallAsync(_pipeline, "DeleteSnapshot", Version, new[] { Param("SnapshotId", snapshotId) }, idempotent: false, cancellationToken);

        /// <summary>The group ids of <paramref name="vpcId"/> carrying tag <paramref name="key"/> = <paramref name="value"/>.</summary>
        public Task<IReadOnlyList<string>> GroupsTaggedAsync(string vpcId, string key, string value, CancellationToken cancellationToken) =>
            GroupIdsAsync(Filters(("vpc-id", new[] { vpcId }), ("tag:" + key, new[] { value })), cancellationToken);

        /// <summary>The id of the group named <paramref name="name"/> in <paramref name="vpcId"/>, if there is one.</summary>
        public async Task<string?> GroupNamedAsync(string vpcId, string name, CancellationToken cancellationToken) =>
            (await GroupIdsAsync(Filters(("vpc-id", new[] { vpcId }), ("group-name", new[] { name })), cancellationToken).ConfigureAwait(false)).FirstOrDefault();

        /// <summary>Whether the group still exists (InvalidGroup.NotFound says no).</summary>
        public async Task<bool> GroupExistsAsync(string groupId, CancellationToken cancellationToken)
        {
            try
            {
                var ids = await GroupIdsAsync(new[] { Param("GroupId.1", groupId) }, cancellationToken).ConfigureAwait(false);
                return ids.Contains(groupId);
            }
            catch (SocApiException ex) when (ex.Kind == ApiFailureKind.NotFound)
            {
                return false;
            }
        }

        /// <summary>CreateSecurityGroup with its tags. Not idempotent: a second one of the same name is InvalidGroup.Duplicate.</summary>
        public async Task<string> CreateSecurityGroupAsync(string vpcId, string name, string description, IEnumerable<KeyValuePair<string, string>> tags, CancellationToken cancellationToken)
        {
            var parameters = new List<KeyValuePair<string, string>>
            {
                Param("GroupName", name), Param("GroupDescription", description), Param("VpcId", vpcId), Param("TagSpecification.1.ResourceType", "security-group"),
            };
            parameters.AddRange(TagParameters("TagSpecification.1.Tag", tags));
            var root = await CallAsync(_pipeline, "CreateSecurityGroup", Version, parameters, idempotent: false, cancellationToken).ConfigureAwait(false);
            return Text(root, "groupId") ?? throw new SocApiException(ApiFailureKind.InvalidResponse, _pipeline.ServiceName, $"{_pipeline.ServiceName} created security group {name} but gave no groupId.");
        }

        public Task DeleteSecurityGroupAsync(string groupId, CancellationToken cancellationToken) =>
            CallAsync(_pipeline, "DeleteSecurityGroup", Version, new[] { Param("GroupId", groupId) }, idempotent: false, cancellationToken);

        /// <summary>Every rule of the group, ingress and egress (DescribeSecurityGroupRules, all pages).</summary>
        public async Task<IReadOnlyList<Ec2SecurityGroupRule>> RulesAsync(string groupId, CancellationToken cancellationToken)
        {
            var items = await PagedAsync("DescribeSecurityGroupRules", Filters(("group-id", new[] { groupId })), "securityGroupRuleSet", cancellationToken).ConfigureAwait(false);
            return items.Select(i => new Ec2SecurityGroupRule(Text(i, "securityGroupRuleId") ?? string.Empty, Text(i, "groupId") ?? groupId,
                string.Equals(Text(i, "isEgress"), "true", StringComparison.OrdinalIgnoreCase), Text(i, "ipProtocol"), Text(i, "cidrIpv4"), Text(i, "cidrIpv6"))).ToList();
        }

        /// <summary>Revokes rules by id (covers IPv4 and IPv6 rules alike); ingress and egress are separate calls.</summary>
        public Task RevokeRulesAsync(string groupId, bool egress, IEnumerable<string> ruleIds, CancellationToken cancellationToken) =>
            CallAsync(_pipeline, egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress", Version,
                new[] { Param("GroupId", groupId) }.Concat(Indexed("SecurityGroupRuleId", ruleIds)), idempotent: false, cancellationToken);

        /// <summary>Allows every protocol from (or to) anywhere, on the address families named.</summary>
        public Task AuthorizeAllAsync(string groupId, bool egress, bool ipv4, bool ipv6, CancellationToken cancellationToken)
        {
            var parameters = new List<KeyValuePair<string, string>> { Param("GroupId", groupId), Param("IpPermissions.1.IpProtocol", "-1") };
            if (ipv4) parameters.Add(Param("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"));
            if (ipv6) parameters.Add(Param("IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0"));
            return CallAsync(_pipeline, egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress", Version, parameters, idempotent: false, cancellationToken);
        }

        /// <summary>ModifyNetworkInterfaceAttribute: replaces the interface's groups (works on any interface of a multi-interface instance).</summary>
        public Task SetInterfaceGroupsAsync(string networkInterfaceId, IEnumerable<string> groupIds, CancellationToken cancellationToken) =>
            CallAsync(_pipeline, "ModifyNetworkInterfaceAttribute", Version,
                new[] { Param("NetworkInterfaceId", networkInterfaceId) }.Concat(Indexed("SecurityGroupId", groupIds)), idempotent: true, cancellationToken);

        public Task DisassociateProfileAsync(string associationId, CancellationToken cancellationToken) =>
            CallAsync(_pipeline, "DisassociateIamInstanceProfile", Version, new[] { Param("AssociationId", associationId) }, idempotent: false, cancellationToken);

        public Task AssociateProfileAsync(string instanceId, string instanceProfileArn, CancellationToken cancellationToken) =>
            CallAsync(_pipeline, "AssociateIamInstanceProfile", Version, new[] { Param("InstanceId", instanceId), Param("IamInstanceProfile.Arn", instanceProfileArn) },
                idempotent: false, cancellationToken);

        private async Task<IReadOnlyList<string>> GroupIdsAsync(IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
        {
            var items = await PagedAsync("DescribeSecurityGroups", parameters, "securityGroupInfo", cancellationToken).ConfigureAwait(false);
            return items.Select(i => Text(i, "groupId")).OfType<string>().ToList();
        }

        /// <summary>Every item of an EC2 list across pages (NextToken in, nextToken out).</summary>
        private Task<IReadOnlyList<System.Xml.Linq.XElement>> PagedAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, string list, CancellationToken cancellationToken) =>
            ReadAllAsync(_pipeline, action, Version, parameters, "NextToken", root => Text(root, "nextToken"),
                root => Items(root.Elements().FirstOrDefault(e => e.Name.LocalName == list)), cancellationToken);

        private static IEnumerable<KeyValuePair<string, string>> Indexed(string name, IEnumerable<string> values) =>
            values.Select((v, i) => Param(name + "." + (i + 1).ToString(CultureInfo.InvariantCulture), v));

        private static IEnumerable<KeyValuePair<string, string>> TagParameters(string prefix, IEnumerable<KeyValuePair<string, string>> tags) =>
            tags.SelectMany((t, i) =>
            {
                var p = prefix + "." + (i + 1).ToString(CultureInfo.InvariantCulture);
                return new[] { Param(p + ".Key", t.Key), Param(p + ".Value", t.Value) };
            });
    }
}
