using System.Globalization;
using System.Xml.Linq;
using static PSSocAutomation.Lab.Aws.Ec2.Ec2Xml;

namespace PSSocAutomation.Lab.Aws.Ec2;

/// <summary>The write side: security groups and rules, ENI and instance attributes, tags, snapshots, profile associations.</summary>
public sealed partial class AwsEc2Service
{
    private const int MaxTagKey = 128;
    private const int MaxTagValue = 256;
    private const int MaxTagsPerResource = 50;

    // ---- security groups ----

    private XElement?[] CreateSecurityGroup(AwsQueryArgs args)
    {
        var name = Required(args, "GroupName");
        var description = Required(args, "GroupDescription");
        var vpcId = args["VpcId"] ?? throw new Ec2Exception("VPCIdNotSpecified", "No default VPC for this user");
        if (!Ec2Ids.IsWellFormed(vpcId, "vpc")) throw new Ec2Exception("InvalidVpcID.Malformed", $"Invalid id: \"{vpcId}\"");
        if (!_vpcs.ContainsKey(vpcId)) throw new Ec2Exception("InvalidVpcID.NotFound", $"The vpc ID '{vpcId}' does not exist");
        if (name.Length > 255) throw new Ec2Exception("InvalidParameterValue", "Invalid value for groupName. Length exceeds maximum of 255 characters.");
        if (name.StartsWith("sg-", StringComparison.OrdinalIgnoreCase))
            throw new Ec2Exception("InvalidParameterValue", "Group names may not be in the format sg-*.");
        var tags = TagSpecifications(args, "security-group");
        DryRun(args);
        if (_groups.Values.Any(g => g.VpcId == vpcId && string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase)))
            throw new Ec2Exception("InvalidGroup.Duplicate", $"The security group '{name}' already exists for VPC '{vpcId}'");
        var group = AddGroup(vpcId, name, description, null, defaultEgress: true);
        foreach (var (k, v) in tags) group.Tags.Set(k, v);
        return [E("return", "true"), E("groupId", group.Id), Tags(group.Tags), E("securityGroupArn", GroupArn(group.Id))];
    }

    private XElement?[] DeleteSecurityGroup(AwsQueryArgs args)
    {
        var group = args["GroupId"] is { } id ? FindGroup(id)
            : args["GroupName"] is { } name ? _groups.Values.FirstOrDefault(g => g.Name == name)
                ?? throw new Ec2Exception("InvalidGroup.NotFound", $"The security group '{name}' does not exist in default VPC 'none'")
            : throw new Ec2Exception("MissingParameter", "The request must contain the parameter groupName or groupId");
        DryRun(args);
        if (group.Name == "default") throw new Ec2Exception("CannotDelete", $"the specified group: \"{group.Id}\" name: \"default\" cannot be deleted by a user");
        if (_interfaces.Values.Any(n => n.Groups.Contains(group.Id)))
            throw new Ec2Exception("DependencyViolation", $"resource {group.Id} has a dependent object");
        _groups.Remove(group.Id);
        return [E("return", "true"), E("groupId", group.Id)];
    }

    /// <summary>IpPermissions.N.{IpProtocol, FromPort, ToPort, IpRanges.M.CidrIp, Ipv6Ranges.M.CidrIpv6, ...Description}: one rule per range.</summary>
    private static List<Ec2Rule> Permissions(AwsQueryArgs args, string groupId, bool egress)
    {
        var rules = new List<Ec2Rule>();
        foreach (var n in args.Indexes("IpPermissions"))
        {
            var p = AwsQueryArgs.Index("IpPermissions", n);
            var protocol = (args[p + ".IpProtocol"] ?? throw new Ec2Exception("MissingParameter", "The request must contain the parameter ipPermissions.ipProtocol")).ToLowerInvariant() switch
            {
                "-1" or "all" => "-1",
                "tcp" or "6" => "tcp",
                "udp" or "17" => "udp",
                "icmp" or "1" => "icmp",
                "icmpv6" or "58" => "icmpv6",
                var other => throw new Ec2Exception("InvalidParameterValue", $"Invalid value '{other}' for IP protocol. Unknown protocol."),
            };
            int? from = null, to = null;
            if (protocol != "-1")
            {
                if (!int.TryParse(args[p + ".FromPort"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var f) ||
                    !int.TryParse(args[p + ".ToPort"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var t))
                    throw new Ec2Exception("InvalidParameterValue", "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange");
                (from, to) = (f, t);
            }
            foreach (var m in args.Indexes(p + ".IpRanges"))
            {
                var r = AwsQueryArgs.Index(p + ".IpRanges", m);
                rules.Add(new Ec2Rule
                {
                    Id = Ec2Ids.New("sgr"), GroupId = groupId, IsEgress = egress, Protocol = protocol, FromPort = from, ToPort = to,
                    CidrIpv4 = args[r + ".CidrIp"] ?? throw new Ec2Exception("MissingParameter", "The request must contain the parameter cidrIp"),
                    Description = args[r + ".Description"],
                });
            }
            foreach (var m in args.Indexes(p + ".Ipv6Ranges"))
            {
                var r = AwsQueryArgs.Index(p + ".Ipv6Ranges", m);
                rules.Add(new Ec2Rule
                {
                    Id = Ec2Ids.New("sgr"), GroupId = groupId, IsEgress = egress, Protocol = protocol, FromPort = from, ToPort = to,
                    CidrIpv6 = args[r + ".CidrIpv6"] ?? throw new Ec2Exception("MissingParameter", "The request must contain the parameter cidrIpv6"),
                    Description = args[r + ".Description"],
                });
            }
        }
        return rules;
    }

    private static string Peer(Ec2Rule r) =>
        $"peer: {r.CidrIpv4 ?? r.CidrIpv6}, {(r.Protocol == "-1" ? "ALL" : r.Protocol.ToUpperInvariant() + (r.FromPort is int f ? $", from port: {f}, to port: {r.ToPort}" : ""))}, ALLOW";

    private XElement?[] Authorize(AwsQueryArgs args, bool egress)
    {
        var group = FindGroup(Required(args, "GroupId"));
        var rules = Permissions(args, group.Id, egress);
        if (rules.Count == 0) throw new Ec2Exception("MissingParameter", "The request must contain the parameter ipPermissions");
        DryRun(args);
        foreach (var rule in rules)
            if (group.Rules.Any(r => r.SameAs(rule)))
                throw new Ec2Exception("InvalidPermission.Duplicate", $"the specified rule \"{Peer(rule)}\" already exists");
        group.Rules.AddRange(rules);
        return [E("return", "true"), Set("securityGroupRuleSet", rules.Select(r => RuleXml(r)))];
    }

    private XElement?[] Revoke(AwsQueryArgs args, bool egress)
    {
        var group = FindGroup(Required(args, "GroupId"));
        var ruleIds = args.List("SecurityGroupRuleId");
        var described = Permissions(args, group.Id, egress);
        if (ruleIds.Count == 0 && described.Count == 0)
            throw new Ec2Exception("MissingParameter", "The request must contain the parameter ipPermissions or securityGroupRuleIds");
        var revoked = new List<Ec2Rule>();
        foreach (var id in ruleIds)
        {
            WellFormed(id, "sgr", "InvalidSecurityGroupRuleId.Malformed");
            var rule = group.Rules.FirstOrDefault(r => r.Id == id && r.IsEgress == egress)
                ?? throw new Ec2Exception("InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist");
            revoked.Add(rule);
        }
        foreach (var wanted in described)
        {
            // A VPC that is not a default VPC: a rule that does not exist is an error, not an unknownIpPermissionSet entry.
            var rule = group.Rules.FirstOrDefault(r => r.SameAs(wanted))
                ?? throw new Ec2Exception("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
            revoked.Add(rule);
        }
        DryRun(args);
        group.Rules.RemoveAll(revoked.Contains);
        return
        [
            E("return", "true"),
            Set("revokedSecurityGroupRuleSet", revoked.Select(r => Item(
                E("securityGroupRuleId", r.Id), E("groupId", r.GroupId), E("isEgress", Bool(r.IsEgress)), E("ipProtocol", r.Protocol),
                E("fromPort", Int(r.FromPort ?? -1)), E("toPort", Int(r.ToPort ?? -1)),
                r.CidrIpv4 is null ? null : E("cidrIpv4", r.CidrIpv4), r.CidrIpv6 is null ? null : E("cidrIpv6", r.CidrIpv6)))),
        ];
    }

    // ---- ENI and instance attributes ----

    private XElement?[] ModifyNetworkInterfaceAttribute(AwsQueryArgs args)
    {
        var eni = FindInterface(Required(args, "NetworkInterfaceId"));
        var groups = args.List("SecurityGroupId");
        var description = args["Description.Value"];
        var sourceDest = args["SourceDestCheck.Value"];
        var count = (groups.Count > 0 ? 1 : 0) + (description is null ? 0 : 1) + (sourceDest is null ? 0 : 1);
        if (count == 0) throw new Ec2Exception("MissingParameter", "You must specify an attribute to modify");
        if (count > 1) throw new Ec2Exception("InvalidParameterCombination", "Fields for multiple attribute types specified");
        foreach (var g in groups)
        {
            var group = FindGroup(g);
            if (group.VpcId != eni.VpcId)
                throw new Ec2Exception("InvalidGroup.NotFound", $"The security group '{g}' does not exist in VPC '{eni.VpcId}'");
        }
        var value = sourceDest is null ? (bool?)null : ParseBool(sourceDest, "SourceDestCheck");
        DryRun(args);
        if (groups.Count > 0) eni.Groups = groups.Distinct().ToList();
        if (description is not null) eni.Description = description;
        if (value is bool check) eni.SourceDestCheck = check;
        return Return();
    }

    private XElement?[] ModifyInstanceAttribute(AwsQueryArgs args)
    {
        var instance = FindInstance(Required(args, "InstanceId"));
        // Each structure (Name.Value), the block device list, the group list and the legacy Attribute/Value pair is one attribute.
        var named = new (string Wire, string Attribute)[]
        {
            ("DisableApiTermination", "disableApiTermination"), ("DisableApiStop", "disableApiStop"),
            ("InstanceInitiatedShutdownBehavior", "instanceInitiatedShutdownBehavior"), ("SourceDestCheck", "sourceDestCheck"),
            ("InstanceType", "instanceType"), ("UserData", "userData"), ("EbsOptimized", "ebsOptimized"), ("Kernel", "kernel"),
            ("Ramdisk", "ramdisk"), ("SriovNetSupport", "sriovNetSupport"), ("EnaSupport", "enaSupport"),
        };
        var present = named.Where(n => args.Has(n.Wire)).Select(n => n.Attribute).ToList();
        if (args.Has("BlockDeviceMapping")) present.Add("blockDeviceMapping");
        if (args.Has("GroupId")) present.Add("groupSet");
        if (args["Attribute"] is { } legacy) present.Add(legacy);
        if (present.Count == 0) throw new Ec2Exception("InvalidParameterCombination", "No attributes specified.");
        if (present.Count > 1)
            throw new Ec2Exception("InvalidParameterCombination", "Fields for multiple attribute types specified: " + string.Join(", ", present));

        Action apply;
        switch (present[0])
        {
            case "disableApiTermination":
            {
                var value = ParseBool(args["DisableApiTermination.Value"] ?? (args["Attribute"] is null ? null : args["Value"]), "DisableApiTermination");
                apply = () => instance.DisableApiTermination = value;
                break;
            }
            case "disableApiStop":
            {
                var value = ParseBool(args["DisableApiStop.Value"] ?? (args["Attribute"] is null ? null : args["Value"]), "DisableApiStop");
                apply = () => instance.DisableApiStop = value;
                break;
            }
            case "instanceInitiatedShutdownBehavior":
            {
                var value = args["InstanceInitiatedShutdownBehavior.Value"] ?? (args["Attribute"] is null ? null : args["Value"]);
                if (value is not ("stop" or "terminate"))
                    throw new Ec2Exception("InvalidParameterValue", $"Value ({value}) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values are 'stop' and 'terminate'.");
                apply = () => instance.ShutdownBehavior = value;
                break;
            }
            case "sourceDestCheck":
            {
                var value = ParseBool(args["SourceDestCheck.Value"] ?? args["Value"], "SourceDestCheck");
                apply = () => instance.SourceDestCheck = value;
                break;
            }
            case "blockDeviceMapping":
            {
                var changes = new List<(Ec2Volume Volume, bool DeleteOnTermination)>();
                foreach (var n in args.Indexes("BlockDeviceMapping"))
                {
                    var p = AwsQueryArgs.Index("BlockDeviceMapping", n);
                    var device = args[p + ".DeviceName"] ?? throw new Ec2Exception("MissingParameter", "The request must contain the parameter blockDeviceMapping.deviceName");
                    var volume = instance.Volumes.Select(v => _volumes[v]).FirstOrDefault(v => v.Device == device)
                        ?? throw new Ec2Exception("InvalidInstanceAttributeValue", $"No device is currently mapped at {device}");
                    if (args[p + ".Ebs.DeleteOnTermination"] is { } flag) changes.Add((volume, ParseBool(flag, "DeleteOnTermination")));
                }
                apply = () =>
                {
                    foreach (var (volume, flag) in changes) volume.DeleteOnTermination = flag;
                };
                break;
            }
            case "groupSet":
            {
                var groups = args.List("GroupId");
                if (groups.Count == 0) throw new Ec2Exception("MissingParameter", "The request must contain the parameter groupId");
                if (instance.NetworkInterfaces.Count > 1)
                    throw new Ec2Exception("InvalidInstanceID",
                        $"There are multiple interfaces attached to instance '{instance.Id}'. Please specify an interface ID for the operation instead.");
                foreach (var g in groups)
                    if (FindGroup(g).VpcId != instance.VpcId)
                        throw new Ec2Exception("InvalidGroup.NotFound", $"The security group '{g}' does not exist in VPC '{instance.VpcId}'");
                var eni = _interfaces[instance.NetworkInterfaces[0]];
                apply = () => eni.Groups = groups.Distinct().ToList();
                break;
            }
            case var other:
                throw new Ec2Exception("InvalidParameterValue", $"The Lab does not emulate changing the instance attribute '{other}'");
        }
        DryRun(args);
        apply();
        return Return();
    }

    private static bool ParseBool(string? value, string name) => value?.ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new Ec2Exception("InvalidParameterValue", $"Value ({value}) for parameter {name} is invalid. Expected: 'true' or 'false'."),
    };

    // ---- tags ----

    private static void CheckTag(string key, string? value)
    {
        if (key.Length == 0) throw new Ec2Exception("InvalidParameterValue", "Tag key cannot be empty");
        if (key.Length > MaxTagKey) throw new Ec2Exception("InvalidParameterValue", $"Tag key exceeds the maximum length of {MaxTagKey} characters");
        if (value is not null && value.Length > MaxTagValue) throw new Ec2Exception("InvalidParameterValue", $"Tag value exceeds the maximum length of {MaxTagValue} characters");
        if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)) throw new Ec2Exception("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
    }

    /// <summary>The tags of TagSpecification.N whose ResourceType is <paramref name="resourceType"/>; another type is an error.</summary>
    private static List<KeyValuePair<string, string>> TagSpecifications(AwsQueryArgs args, string resourceType)
    {
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var n in args.Indexes("TagSpecification"))
        {
            var p = AwsQueryArgs.Index("TagSpecification", n);
            var type = args[p + ".ResourceType"];
            if (type != resourceType)
                throw new Ec2Exception("InvalidParameterValue", $"'{type}' is not a valid taggable resource type for this operation.");
            foreach (var m in args.Indexes(p + ".Tag"))
            {
                var t = AwsQueryArgs.Index(p + ".Tag", m);
                var key = args[t + ".Key"] ?? throw new Ec2Exception("MissingParameter", "The request must contain the parameter Tag.Key");
                var value = args[t + ".Value"] ?? string.Empty;
                CheckTag(key, value);
                tags.Add(new(key, value));
            }
        }
        if (tags.Count > MaxTagsPerResource) throw new Ec2Exception("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.");
        return tags;
    }

    /// <summary>The tags of a resource CreateTags / DeleteTags names, or the NotFound (or InvalidID) error its prefix calls for.</summary>
    private Ec2TagSet TagTarget(string id)
    {
        if (TagSetOf(id) is { } tags) return tags;
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        var (code, noun) = (dash > 0 ? id[..dash] : "") switch
        {
            "i" => ("InvalidInstanceID.NotFound", "instance ID"),
            "sg" => ("InvalidGroup.NotFound", "security group"),
            "eni" => ("InvalidNetworkInterfaceID.NotFound", "networkInterface ID"),
            "vol" => ("InvalidVolume.NotFound", "volume"),
            "snap" => ("InvalidSnapshot.NotFound", "snapshot"),
            "vpc" => ("InvalidVpcID.NotFound", "vpc ID"),
            _ => ("InvalidID", ""),
        };
        throw code == "InvalidID"
            ? new Ec2Exception(code, $"The ID '{id}' is not valid")
            : new Ec2Exception(code, $"The {noun} '{id}' does not exist");
    }

    private XElement?[] CreateTags(AwsQueryArgs args)
    {
        var resources = args.List("ResourceId");
        if (resources.Count == 0) throw new Ec2Exception("MissingParameter", "The request must contain the parameter resourceIdSet");
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var n in args.Indexes("Tag"))
        {
            var p = AwsQueryArgs.Index("Tag", n);
            var key = args[p + ".Key"] ?? throw new Ec2Exception("MissingParameter", "The request must contain the parameter Tag.Key");
            var value = args[p + ".Value"] ?? string.Empty;
            CheckTag(key, value);
            tags.Add(new(key, value));
        }
        if (tags.Count == 0) throw new Ec2Exception("MissingParameter", "The request must contain the parameter tagSet");
        var targets = resources.Select(TagTarget).ToList();
        foreach (var target in targets)
            if (target.Items.Select(t => t.Key).Union(tags.Select(t => t.Key)).Count() > MaxTagsPerResource)
                throw new Ec2Exception("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.");
        DryRun(args);
        foreach (var target in targets)
            foreach (var (k, v) in tags) target.Set(k, v);
        return Return();
    }

    private XElement?[] DeleteTags(AwsQueryArgs args)
    {
        var resources = args.List("ResourceId");
        if (resources.Count == 0) throw new Ec2Exception("MissingParameter", "The request must contain the parameter resourceIdSet");
        var targets = resources.Select(TagTarget).ToList();
        var tags = args.Indexes("Tag").Select(n => AwsQueryArgs.Index("Tag", n)).Select(p => (Key: args[p + ".Key"] ?? "", Value: args[p + ".Value"])).ToList();
        DryRun(args);
        foreach (var target in targets)
        {
            // No Tag.N at all deletes every tag (but aws: ones), as EC2 does.
            if (tags.Count == 0)
                foreach (var key in target.Items.Select(t => t.Key).Where(k => !k.StartsWith("aws:", StringComparison.Ordinal)).ToList()) target.Remove(key, null);
            foreach (var (key, value) in tags) target.Remove(key, value);
        }
        return Return();
    }

    // ---- snapshots ----

    private XElement?[] CreateSnapshots(AwsQueryArgs args)
    {
        var instance = FindInstance(Required(args, "InstanceSpecification.InstanceId"));
        var excludeBoot = args["InstanceSpecification.ExcludeBootVolume"] is { } b && ParseBool(b, "ExcludeBootVolume");
        var excluded = args.List("InstanceSpecification.ExcludeDataVolumeId");
        var copy = args["CopyTagsFromSource"];
        if (copy is not null && copy != "volume")
            throw new Ec2Exception("InvalidParameterValue", $"Value ({copy}) for parameter CopyTagsFromSource is invalid. Valid value is 'volume'.");
        var tags = TagSpecifications(args, "snapshot");
        var description = args["Description"] ?? string.Empty;
        DryRun(args);
        var now = _aws.Now;
        var created = new List<Ec2Snapshot>();
        foreach (var volume in instance.Volumes.Select(v => _volumes[v]))
        {
            if (excludeBoot && volume.Device == instance.RootDeviceName) continue;
            if (excluded.Contains(volume.Id)) continue;
            var snapshot = new Ec2Snapshot
            {
                Id = Ec2Ids.New("snap"), VolumeId = volume.Id, VolumeSize = volume.Size, Description = description, StartTime = now, InstanceId = instance.Id,
            };
            if (copy == "volume")
                foreach (var (k, v) in volume.Tags.Items) snapshot.Tags.Set(k, v);
            foreach (var (k, v) in tags) snapshot.Tags.Set(k, v);
            _snapshots.Add(snapshot.Id, snapshot);
            created.Add(snapshot);
        }
        // The call answers with the snapshots just started (SnapshotInfo: state pending); DescribeSnapshots sees them completed.
        return
        [
            Set("snapshotSet", created.Select(s => Item(
                E("description", s.Description),
                Tags(s.Tags),
                E("encrypted", "false"),
                E("volumeId", s.VolumeId),
                E("state", "pending"),
                E("volumeSize", Int(s.VolumeSize)),
                E("startTime", Time(s.StartTime)),
                E("progress"),
                E("ownerId", Account),
                E("snapshotId", s.Id)))),
        ];
    }

    private XElement?[] DeleteSnapshot(AwsQueryArgs args)
    {
        var id = Required(args, "SnapshotId");
        WellFormed(id, "snap", "InvalidSnapshotID.Malformed");
        if (!_snapshots.ContainsKey(id)) throw new Ec2Exception("InvalidSnapshot.NotFound", $"The snapshot '{id}' does not exist.");
        DryRun(args);
        _snapshots.Remove(id);
        return Return();
    }

    // ---- instance profile associations ----

    private XElement?[] AssociateIamInstanceProfile(AwsQueryArgs args)
    {
        var instance = FindInstance(Required(args, "InstanceId"));
        var arn = args["IamInstanceProfile.Arn"];
        var name = args["IamInstanceProfile.Name"];
        if (arn is null && name is null) throw new Ec2Exception("MissingParameter", "The request must contain the parameter IamInstanceProfile");
        var profile = arn is not null
            ? _profiles.Values.FirstOrDefault(p => p.Arn == arn)
                ?? throw new Ec2Exception("InvalidParameterValue", $"Value ({arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN")
            : _profiles.TryGetValue(name!, out var byName) ? byName
                : throw new Ec2Exception("InvalidParameterValue", $"Value ({name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name");
        if (AssociationFor(instance.Id) is not null)
            throw new Ec2Exception("IncorrectState", $"There is an existing association for instance {instance.Id}");
        var association = new Ec2Association { Id = Ec2Ids.New("iip-assoc"), InstanceId = instance.Id, Profile = profile, Timestamp = _aws.Now };
        _associations.Add(association.Id, association);
        return [AssociationXml(association, "iamInstanceProfileAssociation", "associating")];
    }

    private XElement?[] DisassociateIamInstanceProfile(AwsQueryArgs args)
    {
        var id = Required(args, "AssociationId");
        if (!_associations.TryGetValue(id, out var association))
            throw new Ec2Exception("InvalidAssociationID.NotFound", $"An association with ID {id} does not exist.");
        _associations.Remove(id);
        return [AssociationXml(association, "iamInstanceProfileAssociation", "disassociating")];
    }
}
