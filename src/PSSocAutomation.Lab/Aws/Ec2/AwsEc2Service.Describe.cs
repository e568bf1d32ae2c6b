using System.Globalization;
using System.Text;
using System.Xml.Linq;
using static PSSocAutomation.Lab.Aws.Ec2.Ec2Xml;

namespace PSSocAutomation.Lab.Aws.Ec2;

/// <summary>The read side: Describe* actions, their filters and paging, and the lookups that raise EC2's Malformed / NotFound codes.</summary>
public sealed partial class AwsEc2Service
{
    private delegate XElement?[] Handler(AwsEc2Service ec2, AwsQueryArgs args);

    private static readonly Dictionary<string, Handler> Handlers = new(StringComparer.Ordinal)
    {
        ["DescribeInstances"] = (s, a) => s.DescribeInstances(a),
        ["DescribeInstanceAttribute"] = (s, a) => s.DescribeInstanceAttribute(a),
        ["DescribeNetworkInterfaces"] = (s, a) => s.DescribeNetworkInterfaces(a),
        ["DescribeSecurityGroups"] = (s, a) => s.DescribeSecurityGroups(a),
        ["DescribeSecurityGroupRules"] = (s, a) => s.DescribeSecurityGroupRules(a),
        ["DescribeSnapshots"] = (s, a) => s.DescribeSnapshots(a),
        ["DescribeIamInstanceProfileAssociations"] = (s, a) => s.DescribeIamInstanceProfileAssociations(a),
        ["GetConsoleOutput"] = (s, a) => s.GetConsoleOutput(a),
        ["CreateSecurityGroup"] = (s, a) => s.CreateSecurityGroup(a),
        ["DeleteSecurityGroup"] = (s, a) => s.DeleteSecurityGroup(a),
        ["AuthorizeSecurityGroupIngress"] = (s, a) => s.Authorize(a, egress: false),
        ["AuthorizeSecurityGroupEgress"] = (s, a) => s.Authorize(a, egress: true),
        ["RevokeSecurityGroupIngress"] = (s, a) => s.Revoke(a, egress: false),
        ["RevokeSecurityGroupEgress"] = (s, a) => s.Revoke(a, egress: true),
        ["ModifyNetworkInterfaceAttribute"] = (s, a) => s.ModifyNetworkInterfaceAttribute(a),
        ["ModifyInstanceAttribute"] = (s, a) => s.ModifyInstanceAttribute(a),
        ["CreateTags"] = (s, a) => s.CreateTags(a),
        ["DeleteTags"] = (s, a) => s.DeleteTags(a),
        ["CreateSnapshots"] = (s, a) => s.CreateSnapshots(a),
        ["DeleteSnapshot"] = (s, a) => s.DeleteSnapshot(a),
        ["AssociateIamInstanceProfile"] = (s, a) => s.AssociateIamInstanceProfile(a),
        ["DisassociateIamInstanceProfile"] = (s, a) => s.DisassociateIamInstanceProfile(a),
    };

    /// <summary>The actions the Lab's EC2 answers; any other is InvalidAction.</summary>
    public static IReadOnlyCollection<string> Actions => Handlers.Keys;

    // ---- DescribeInstances ----

    private XElement?[] DescribeInstances(AwsQueryArgs args)
    {
        DryRun(args);
        var ids = args.List("InstanceId");
        var filters = Ec2Filter.Parse(args, "instance-id", "instance-state-name", "instance-state-code", "vpc-id", "subnet-id", "instance-type",
            "private-ip-address", "network-interface.network-interface-id", "instance.group-id", "instance.group-name", "iam-instance-profile.arn",
            "availability-zone", "reservation-id");
        if (ids.Count > 0 && args["MaxResults"] is not null)
            throw new Ec2Exception("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
        foreach (var id in ids) WellFormed(id, "i", "InvalidInstanceID.Malformed");
        var missing = ids.Where(id => !_instances.ContainsKey(id)).Distinct().ToList();
        if (missing.Count == 1) throw new Ec2Exception("InvalidInstanceID.NotFound", $"The instance ID '{missing[0]}' does not exist");
        if (missing.Count > 1) throw new Ec2Exception("InvalidInstanceID.NotFound", $"The instance IDs '{string.Join(", ", missing)}' do not exist");

        var selected = _order.Select(id => _instances[id])
            .Where(i => ids.Count == 0 || ids.Contains(i.Id))
            .Where(i => Ec2Filter.All(filters, i.Tags, name => InstanceField(i, name)))
            .ToList();
        var (page, next) = Page(args, selected, 5, 1000);
        return
        [
            Set("reservationSet", page.Select(i => Item(
                E("reservationId", i.ReservationId),
                E("ownerId", Account),
                E("groupSet"),
                Set("instancesSet", [InstanceXml(i)])))),
            next is null ? null : E("nextToken", next),
        ];
    }

    private IEnumerable<string?> InstanceField(Ec2Instance i, string name) => name switch
    {
        "instance-id" => [i.Id],
        "instance-state-name" => [i.StateName],
        "instance-state-code" => [Int(i.StateCode)],
        "vpc-id" => [i.VpcId],
        "subnet-id" => [i.SubnetId],
        "instance-type" => [i.InstanceType],
        "private-ip-address" => [i.PrivateIpAddress],
        "availability-zone" => [i.AvailabilityZone],
        "reservation-id" => [i.ReservationId],
        "network-interface.network-interface-id" => i.NetworkInterfaces,
        "instance.group-id" => InstanceGroups(i),
        "instance.group-name" => InstanceGroups(i).Select(g => _groups.TryGetValue(g, out var sg) ? sg.Name : null),
        "iam-instance-profile.arn" => [AssociationFor(i.Id)?.Profile.Arn],
        _ => [],
    };

    /// <summary>An instance's groupSet: the groups of all its ENIs, in device order, each once.</summary>
    private List<string> InstanceGroups(Ec2Instance i) => i.NetworkInterfaces.SelectMany(e => _interfaces[e].Groups).Distinct().ToList();

    private Ec2Association? AssociationFor(string instanceId) => _associations.Values.FirstOrDefault(a => a.InstanceId == instanceId);

    private XElement GroupItem(string groupId) => Item(E("groupId", groupId), E("groupName", _groups.TryGetValue(groupId, out var g) ? g.Name : null));

    private XElement InstanceXml(Ec2Instance i)
    {
        var association = AssociationFor(i.Id);
        var privateDns = PrivateDns(i.PrivateIpAddress);
        return Item(
            E("instanceId", i.Id),
            E("imageId", i.ImageId),
            E("instanceState", E("code", Int(i.StateCode)), E("name", i.StateName)),
            E("privateDnsName", i.StateName == "terminated" ? null : privateDns),
            E("dnsName"),
            E("reason"),
            E("amiLaunchIndex", "0"),
            E("productCodes"),
            E("instanceType", i.InstanceType),
            E("launchTime", Time(i.LaunchTime)),
            E("placement", E("availabilityZone", i.AvailabilityZone), E("groupName"), E("tenancy", "default")),
            E("monitoring", E("state", "disabled")),
            i.StateName == "terminated" ? null : E("subnetId", i.SubnetId),
            i.StateName == "terminated" ? null : E("vpcId", i.VpcId),
            i.StateName == "terminated" ? null : E("privateIpAddress", i.PrivateIpAddress),
            E("sourceDestCheck", Bool(i.SourceDestCheck)),
            Set("groupSet", InstanceGroups(i).Select(GroupItem)),
            E("architecture", "x86_64"),
            E("rootDeviceType", "ebs"),
            E("rootDeviceName", i.RootDeviceName),
            Set("blockDeviceMapping", i.Volumes.Select(v => _volumes[v]).Select(v => Item(
                E("deviceName", v.Device),
                E("ebs", E("volumeId", v.Id), E("status", "attached"), E("attachTime", Time(v.AttachTime)), E("deleteOnTermination", Bool(v.DeleteOnTermination)))))),
            E("virtualizationType", "hvm"),
            E("clientToken"),
            Tags(i.Tags),
            E("hypervisor", "xen"),
            Set("networkInterfaceSet", i.NetworkInterfaces.Select(e => _interfaces[e]).Select(n => Item(
                E("networkInterfaceId", n.Id),
                E("subnetId", n.SubnetId),
                E("vpcId", n.VpcId),
                E("description", n.Description),
                E("ownerId", Account),
                E("status", "in-use"),
                E("macAddress", n.MacAddress),
                E("privateIpAddress", n.PrivateIpAddress),
                E("sourceDestCheck", Bool(n.SourceDestCheck)),
                Set("groupSet", n.Groups.Select(GroupItem)),
                E("attachment", E("attachmentId", n.AttachmentId), E("deviceIndex", Int(n.DeviceIndex)), E("status", n.AttachmentStatus),
                    E("attachTime", Time(n.AttachTime)), E("deleteOnTermination", Bool(n.DeleteOnTermination)), E("networkCardIndex", "0")),
                Set("privateIpAddressesSet", [Item(E("privateIpAddress", n.PrivateIpAddress), E("primary", "true"))]),
                E("interfaceType", "interface")))),
            association is null ? null : E("iamInstanceProfile", E("arn", association.Profile.Arn), E("id", association.Profile.Id)),
            E("ebsOptimized", "false"),
            E("enaSupport", "true"));
    }

    // ---- DescribeInstanceAttribute ----

    private XElement?[] DescribeInstanceAttribute(AwsQueryArgs args)
    {
        DryRun(args);
        var instance = FindInstance(Required(args, "InstanceId"));
        var attribute = Required(args, "Attribute");
        XElement Value(string name, string value) => E(name, E("value", value));
        XElement content = attribute switch
        {
            "disableApiTermination" => Value("disableApiTermination", Bool(instance.DisableApiTermination)),
            "disableApiStop" => Value("disableApiStop", Bool(instance.DisableApiStop)),
            "instanceInitiatedShutdownBehavior" => Value("instanceInitiatedShutdownBehavior", instance.ShutdownBehavior),
            "instanceType" => Value("instanceType", instance.InstanceType),
            "sourceDestCheck" => Value("sourceDestCheck", Bool(instance.SourceDestCheck)),
            "rootDeviceName" => Value("rootDeviceName", instance.RootDeviceName),
            "groupSet" => Set("groupSet", InstanceGroups(instance).Select(g => Item(E("groupId", g)))),
            "blockDeviceMapping" => Set("blockDeviceMapping", instance.Volumes.Select(v => _volumes[v]).Select(v => Item(
                E("deviceName", v.Device),
                E("ebs", E("volumeId", v.Id), E("status", "attached"), E("attachTime", Time(v.AttachTime)), E("deleteOnTermination", Bool(v.DeleteOnTermination)))))),
            _ => throw new Ec2Exception("InvalidParameterValue", $"Value ({attribute}) for parameter attribute is invalid. Unknown attribute."),
        };
        return [E("instanceId", instance.Id), content];
    }

    // ---- DescribeNetworkInterfaces ----

    private XElement?[] DescribeNetworkInterfaces(AwsQueryArgs args)
    {
        DryRun(args);
        var ids = args.List("NetworkInterfaceId");
        var filters = Ec2Filter.Parse(args, "network-interface-id", "attachment.instance-id", "attachment.status", "attachment.attachment-id",
            "attachment.device-index", "vpc-id", "subnet-id", "group-id", "group-name", "status", "private-ip-address", "availability-zone");
        foreach (var id in ids) FindInterface(id);
        var selected = _interfaces.Values
            .Where(n => ids.Count == 0 || ids.Contains(n.Id))
            .Where(n => Ec2Filter.All(filters, n.Tags, name => name switch
            {
                "network-interface-id" => [n.Id],
                "attachment.instance-id" => [n.InstanceId],
                "attachment.status" => [n.InstanceId is null ? null : n.AttachmentStatus],
                "attachment.attachment-id" => [n.AttachmentId],
                "attachment.device-index" => [n.InstanceId is null ? null : Int(n.DeviceIndex)],
                "vpc-id" => [n.VpcId],
                "subnet-id" => [n.SubnetId],
                "group-id" => n.Groups,
                "group-name" => n.Groups.Select(g => _groups.TryGetValue(g, out var sg) ? sg.Name : null),
                "status" => [n.InstanceId is null ? "available" : "in-use"],
                "private-ip-address" => [n.PrivateIpAddress],
                "availability-zone" => [n.AvailabilityZone],
                _ => [],
            }))
            .ToList();
        var (page, next) = Page(args, selected, 5, 1000);
        return
        [
            Set("networkInterfaceSet", page.Select(n => Item(
                E("networkInterfaceId", n.Id),
                E("subnetId", n.SubnetId),
                E("vpcId", n.VpcId),
                E("availabilityZone", n.AvailabilityZone),
                E("description", n.Description),
                E("ownerId", Account),
                E("requesterManaged", "false"),
                E("status", n.InstanceId is null ? "available" : "in-use"),
                E("macAddress", n.MacAddress),
                E("privateIpAddress", n.PrivateIpAddress),
                E("privateDnsName", PrivateDns(n.PrivateIpAddress)),
                E("sourceDestCheck", Bool(n.SourceDestCheck)),
                Set("groupSet", n.Groups.Select(GroupItem)),
                n.InstanceId is null ? null : E("attachment",
                    E("attachmentId", n.AttachmentId), E("instanceId", n.InstanceId), E("instanceOwnerId", Account), E("deviceIndex", Int(n.DeviceIndex)),
                    E("status", n.AttachmentStatus), E("attachTime", Time(n.AttachTime)), E("deleteOnTermination", Bool(n.DeleteOnTermination)),
                    E("networkCardIndex", "0")),
                Tags(n.Tags) ?? E("tagSet"),
                Set("privateIpAddressesSet", [Item(E("privateIpAddress", n.PrivateIpAddress), E("primary", "true"))]),
                E("ipv6AddressesSet"),
                E("interfaceType", "interface")))),
            next is null ? null : E("nextToken", next),
        ];
    }

    // ---- DescribeSecurityGroups / DescribeSecurityGroupRules ----

    private XElement?[] DescribeSecurityGroups(AwsQueryArgs args)
    {
        DryRun(args);
        var ids = args.List("GroupId");
        var names = args.List("GroupName");
        var filters = Ec2Filter.Parse(args, "group-id", "group-name", "vpc-id", "description", "owner-id",
            "egress.ip-permission.cidr", "ip-permission.cidr", "egress.ip-permission.protocol", "ip-permission.protocol");
        foreach (var id in ids) FindGroup(id);
        foreach (var name in names)
            if (!_groups.Values.Any(g => g.Name == name))
                throw new Ec2Exception("InvalidGroup.NotFound", $"The security group '{name}' does not exist in default VPC 'none'");
        var selected = _groups.Values
            .Where(g => ids.Count == 0 || ids.Contains(g.Id))
            .Where(g => names.Count == 0 || names.Contains(g.Name))
            .Where(g => Ec2Filter.All(filters, g.Tags, name => name switch
            {
                "group-id" => [g.Id],
                "group-name" => [g.Name],
                "vpc-id" => [g.VpcId],
                "description" => [g.Description],
                "owner-id" => [Account],
                "ip-permission.cidr" => g.Rules.Where(r => !r.IsEgress).Select(r => r.CidrIpv4),
                "egress.ip-permission.cidr" => g.Rules.Where(r => r.IsEgress).Select(r => r.CidrIpv4),
                "ip-permission.protocol" => g.Rules.Where(r => !r.IsEgress).Select(r => r.Protocol),
                "egress.ip-permission.protocol" => g.Rules.Where(r => r.IsEgress).Select(r => r.Protocol),
                _ => [],
            }))
            .ToList();
        var (page, next) = Page(args, selected, 5, 1000);
        return
        [
            Set("securityGroupInfo", page.Select(g => Item(
                E("ownerId", Account),
                E("groupId", g.Id),
                E("groupName", g.Name),
                E("groupDescription", g.Description),
                E("vpcId", g.VpcId),
                Set("ipPermissions", Permissions(g.Rules.Where(r => !r.IsEgress))),
                Set("ipPermissionsEgress", Permissions(g.Rules.Where(r => r.IsEgress))),
                Tags(g.Tags),
                E("securityGroupArn", GroupArn(g.Id))))),
            next is null ? null : E("nextToken", next),
        ];
    }

    internal string GroupArn(string groupId) => $"arn:aws:ec2:{Region}:{Account}:security-group/{groupId}";

    /// <summary>Rules as IpPermission items: one per protocol and port range, its IPv4 and IPv6 ranges together (as DescribeSecurityGroups groups them).</summary>
    private static IEnumerable<XElement> Permissions(IEnumerable<Ec2Rule> rules) =>
        rules.GroupBy(r => (r.Protocol, r.FromPort, r.ToPort)).Select(p => Item(
            E("ipProtocol", p.Key.Protocol),
            p.Key.FromPort is int from ? E("fromPort", Int(from)) : null,
            p.Key.ToPort is int to ? E("toPort", Int(to)) : null,
            E("groups"),
            Set("ipRanges", p.Where(r => r.CidrIpv4 is not null).Select(r => Item(E("cidrIp", r.CidrIpv4), r.Description is null ? null : E("description", r.Description)))),
            Set("ipv6Ranges", p.Where(r => r.CidrIpv6 is not null).Select(r => Item(E("cidrIpv6", r.CidrIpv6), r.Description is null ? null : E("description", r.Description)))),
            E("prefixListIds")));

    private XElement RuleXml(Ec2Rule r, string name = "item") => E(name,
        E("securityGroupRuleId", r.Id),
        E("groupId", r.GroupId),
        E("groupOwnerId", Account),
        E("isEgress", Bool(r.IsEgress)),
        E("ipProtocol", r.Protocol),
        E("fromPort", Int(r.FromPort ?? -1)),
        E("toPort", Int(r.ToPort ?? -1)),
        r.CidrIpv4 is null ? null : E("cidrIpv4", r.CidrIpv4),
        r.CidrIpv6 is null ? null : E("cidrIpv6", r.CidrIpv6),
        r.Description is null ? null : E("description", r.Description),
        E("securityGroupRuleArn", $"arn:aws:ec2:{Region}:{Account}:security-group-rule/{r.Id}"));

    private XElement?[] DescribeSecurityGroupRules(AwsQueryArgs args)
    {
        DryRun(args);
        var ids = args.List("SecurityGroupRuleId");
        var filters = Ec2Filter.Parse(args, "group-id", "security-group-rule-id");
        var all = _groups.Values.SelectMany(g => g.Rules).ToList();
        foreach (var id in ids)
        {
            WellFormed(id, "sgr", "InvalidSecurityGroupRuleId.Malformed");
            if (!all.Any(r => r.Id == id))
                throw new Ec2Exception("InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist");
        }
        var selected = all
            .Where(r => ids.Count == 0 || ids.Contains(r.Id))
            .Where(r => Ec2Filter.All(filters, null, name => name switch
            {
                "group-id" => [r.GroupId],
                "security-group-rule-id" => [r.Id],
                _ => [],
            }))
            .ToList();
        var (page, next) = Page(args, selected, 5, 1000);
        return [Set("securityGroupRuleSet", page.Select(r => RuleXml(r))), next is null ? null : E("nextToken", next)];
    }

    // ---- DescribeSnapshots ----

    private XElement?[] DescribeSnapshots(AwsQueryArgs args)
    {
        DryRun(args);
        var ids = args.List("SnapshotId");
        var owners = args.List("Owner");
        var filters = Ec2Filter.Parse(args, "snapshot-id", "volume-id", "status", "owner-id", "description", "volume-size", "start-time");
        foreach (var id in ids)
        {
            if (!Ec2Ids.IsWellFormed(id, "snap"))
                throw new Ec2Exception("InvalidParameterValue", $"Value ({id}) for parameter snapshotId is invalid. Expected: 'snap-...'.");
            if (!_snapshots.ContainsKey(id)) throw new Ec2Exception("InvalidSnapshot.NotFound", $"The snapshot '{id}' does not exist.");
        }
        // Owner.N: self, the account id (or amazon, which owns none of the Lab's).
        var mine = owners.Count == 0 || owners.Any(o => o == "self" || o == Account);
        var selected = _snapshots.Values
            .Where(_ => mine)
            .Where(s => ids.Count == 0 || ids.Contains(s.Id))
            .Where(s => Ec2Filter.All(filters, s.Tags, name => name switch
            {
                "snapshot-id" => [s.Id],
                "volume-id" => [s.VolumeId],
                "status" => ["completed"],
                "owner-id" => [Account],
                "description" => [s.Description],
                "volume-size" => [Int(s.VolumeSize)],
                "start-time" => [Time(s.StartTime)],
                _ => [],
            }))
            .ToList();
        var (page, next) = Page(args, selected, 5, 1000);
        return
        [
            Set("snapshotSet", page.Select(s => Item(
                E("snapshotId", s.Id),
                E("volumeId", s.VolumeId),
                E("status", "completed"),
                E("startTime", Time(s.StartTime)),
                E("progress", "100%"),
                E("ownerId", Account),
                E("volumeSize", Int(s.VolumeSize)),
                E("description", s.Description),
                E("encrypted", "false"),
                Tags(s.Tags),
                E("storageTier", "standard")))),
            next is null ? null : E("nextToken", next),
        ];
    }

    // ---- DescribeIamInstanceProfileAssociations ----

    private XElement?[] DescribeIamInstanceProfileAssociations(AwsQueryArgs args)
    {
        var ids = args.List("AssociationId");
        var filters = Ec2Filter.Parse(args, "instance-id", "state");
        foreach (var id in ids)
            if (!_associations.ContainsKey(id))
                throw new Ec2Exception("InvalidAssociationID.NotFound", $"An association with ID {id} does not exist.");
        var selected = _associations.Values
            .Where(a => ids.Count == 0 || ids.Contains(a.Id))
            .Where(a => Ec2Filter.All(filters, null, name => name switch
            {
                "instance-id" => [a.InstanceId],
                "state" => [a.State],
                _ => [],
            }))
            .ToList();
        var (page, next) = Page(args, selected, 5, 1000);
        return
        [
            Set("iamInstanceProfileAssociationSet", page.Select(a => AssociationXml(a, "item", a.State))),
            next is null ? null : E("nextToken", next),
        ];
    }

    private static XElement AssociationXml(Ec2Association a, string name, string state) => E(name,
        E("associationId", a.Id),
        E("instanceId", a.InstanceId),
        E("iamInstanceProfile", E("arn", a.Profile.Arn), E("id", a.Profile.Id)),
        E("state", state),
        E("timestamp", Time(a.Timestamp)));

    // ---- GetConsoleOutput (evidence, contract 4.3 step 4) ----

    /// <summary>The instance's serial console text, base64 as EC2 sends it; <see cref="SetConsoleOutput"/> sets it.</summary>
    private XElement?[] GetConsoleOutput(AwsQueryArgs args)
    {
        var instance = FindInstance(Required(args, "InstanceId"));
        DryRun(args);
        var text = _consoleOutput.TryGetValue(instance.Id, out var output) ? output
            : $"[    0.000000] Linux version 6.1.0 (lab)\n{instance.Id} login: \n";
        return
        [
            E("instanceId", instance.Id),
            E("timestamp", Time(_aws.Now)),
            E("output", Convert.ToBase64String(Encoding.UTF8.GetBytes(text))),
        ];
    }

    // ---- shared lookups and paging ----

    internal static string Required(AwsQueryArgs args, string name) =>
        args[name] is { Length: > 0 } value ? value : throw new Ec2Exception("MissingParameter", $"The request must contain the parameter {name}");

    private static void WellFormed(string id, string prefix, string code)
    {
        if (!Ec2Ids.IsWellFormed(id, prefix)) throw new Ec2Exception(code, $"Invalid id: \"{id}\"");
    }

    private Ec2Instance FindInstance(string id)
    {
        WellFormed(id, "i", "InvalidInstanceID.Malformed");
        return _instances.TryGetValue(id, out var i) ? i : throw new Ec2Exception("InvalidInstanceID.NotFound", $"The instance ID '{id}' does not exist");
    }

    private Ec2SecurityGroup FindGroup(string id)
    {
        if (!Ec2Ids.IsWellFormed(id, "sg")) throw new Ec2Exception("InvalidGroupId.Malformed", $"Invalid id: \"{id}\" (expecting \"sg-...\")");
        return _groups.TryGetValue(id, out var g) ? g : throw new Ec2Exception("InvalidGroup.NotFound", $"The security group '{id}' does not exist");
    }

    private Ec2NetworkInterface FindInterface(string id)
    {
        if (!Ec2Ids.IsWellFormed(id, "eni"))
            throw new Ec2Exception("InvalidNetworkInterfaceID.Malformed", $"Invalid id: \"{id}\" (expecting \"eni-...\")");
        return _interfaces.TryGetValue(id, out var n) ? n
            : throw new Ec2Exception("InvalidNetworkInterfaceID.NotFound", $"The networkInterface ID '{id}' does not exist");
    }

    /// <summary>MaxResults / NextToken paging (the token is the Lab's own: the offset, base64). No MaxResults: everything.</summary>
    private static (List<T> Page, string? NextToken) Page<T>(AwsQueryArgs args, List<T> all, int min, int max)
    {
        var start = 0;
        if (args["NextToken"] is { Length: > 0 } token)
        {
            try
            {
                start = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new Ec2Exception("InvalidParameterValue", $"Invalid value '{token}' for NextToken");
            }
        }
        if (args["MaxResults"] is not { } text) return (all.Skip(start).ToList(), null);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) || size < min || size > max)
            throw new Ec2Exception("InvalidParameterValue", $"Value ( {text} ) for parameter maxResults is invalid. Parameter must be between {min} and {max}.");
        var page = all.Skip(start).Take(size).ToList();
        var end = start + page.Count;
        return (page, end < all.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes(end.ToString(CultureInfo.InvariantCulture))) : null);
    }
}
