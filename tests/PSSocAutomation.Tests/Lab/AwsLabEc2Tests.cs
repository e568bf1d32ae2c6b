using System.Xml.Linq;
using PSSocAutomation.Lab.Aws.Ec2;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

/// <summary>
/// The Lab's EC2 over real signed HTTP: each isolation action's XML (EC2 namespace, lowerCamel members, item lists), EC2's
/// error shape (as the real fixture), the validations an isolation client meets (duplicate group names, one attribute
/// per ModifyInstanceAttribute, Groups on a multi-ENI instance, DependencyViolation, tag lengths), DryRun, faults on
/// one Action, and Reset.
/// </summary>
public sealed class AwsLabEc2Tests : IClassFixture<LabFixture>, IDisposable
{
    private static readonly XNamespace Ec2 = AwsEc2Service.Namespace;
    private const string V = AwsEc2Service.ApiVersion;
    private readonly LabServer _lab;
    private readonly AwsQueryTestClient _aws;

    public AwsLabEc2Tests(LabFixture fixture)
    {
        _lab = fixture.Lab;
        _lab.Aws.Reset();
        fixture.Reset();
        _aws = new AwsQueryTestClient(_lab);
    }

    public void Dispose() => _aws.Dispose();

    private Task<AwsQueryTestClient.Reply> Call(string action, params (string, string)[] members) => _aws.Call("ec2", action, V, members);

    private static (string Code, string Message, string RequestId) Error(AwsQueryTestClient.Reply reply)
    {
        var root = reply.Root;
        Assert.Equal("Response", root.Name.LocalName);
        Assert.Equal(XNamespace.None, root.Name.Namespace);
        var error = Assert.Single(root.Element("Errors")!.Elements("Error"));
        return (error.Element("Code")!.Value, error.Element("Message")!.Value, root.Element("RequestID")!.Value);
    }

    private static void Ok(AwsQueryTestClient.Reply reply, string action)
    {
        Assert.True(reply.Code == 200, reply.Text);
        Assert.Equal(Ec2 + (action + "Response"), reply.Root.Name);
        Assert.Equal(reply.RequestIdHeader, reply.Root.Element(Ec2 + "requestId")!.Value);
    }

    private static IEnumerable<XElement> Items(XElement? set) => set?.Elements(Ec2 + "item") ?? [];

    private static string? Text(XElement e, params string[] path)
    {
        XElement? at = e;
        foreach (var name in path) at = at?.Element(Ec2 + name);
        return at?.Value;
    }

    // ---- DescribeInstances / DescribeInstanceAttribute / DescribeNetworkInterfaces ----

    [Fact]
    public async Task DescribeInstances_answers_EC2s_reservation_shape_with_every_ENI_volume_profile_and_tag()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var reply = await Call("DescribeInstances", ("InstanceId.1", seeded.InstanceId));
        Ok(reply, "DescribeInstances");
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", reply.Text, StringComparison.Ordinal);
        Assert.Equal("text/xml", reply.ContentType);
        var reservation = Assert.Single(Items(reply.Root.Element(Ec2 + "reservationSet")));
        Assert.StartsWith("r-", Text(reservation, "reservationId"), StringComparison.Ordinal);
        Assert.Equal(_lab.Credentials.AwsAccountId, Text(reservation, "ownerId"));
        var instance = Assert.Single(Items(reservation.Element(Ec2 + "instancesSet")));
        Assert.Equal(seeded.InstanceId, Text(instance, "instanceId"));
        Assert.Matches("^i-[0-9a-f]{17}$", seeded.InstanceId);
        Assert.Equal(("16", "running"), (Text(instance, "instanceState", "code"), Text(instance, "instanceState", "name")));
        Assert.Equal(seeded.VpcId, Text(instance, "vpcId"));
        Assert.Equal(seeded.SubnetId, Text(instance, "subnetId"));
        Assert.Matches(@"^10\.\d+\.\d+\.\d+$", Text(instance, "privateIpAddress"));
        Assert.Equal(seeded.InstanceProfileArn, Text(instance, "iamInstanceProfile", "arn"));
        Assert.StartsWith("AIPA", Text(instance, "iamInstanceProfile", "id"), StringComparison.Ordinal);
        Assert.Null(instance.Element(Ec2 + "disableApiTermination"));

        var enis = Items(instance.Element(Ec2 + "networkInterfaceSet")).ToList();
        Assert.Equal(seeded.NetworkInterfaceIds, enis.Select(e => Text(e, "networkInterfaceId")));
        Assert.Equal(["0", "1"], enis.Select(e => Text(e, "attachment", "deviceIndex")));
        Assert.All(enis, e => Assert.Equal("attached", Text(e, "attachment", "status")));
        Assert.All(enis, e => Assert.StartsWith("eni-attach-", Text(e, "attachment", "attachmentId"), StringComparison.Ordinal));
        for (var i = 0; i < enis.Count; i++)
        {
            var groups = Items(enis[i].Element(Ec2 + "groupSet")).ToList();
            Assert.Equal(seeded.OriginalGroups[seeded.NetworkInterfaceIds[i]], groups.Select(g => Text(g, "groupId")));
            Assert.All(groups, g => Assert.False(string.IsNullOrEmpty(Text(g, "groupName"))));
        }
        Assert.Equal(2, Items(enis[0].Element(Ec2 + "groupSet")).Count());
        Assert.Equal(3, Items(instance.Element(Ec2 + "groupSet")).Count());

        var devices = Items(instance.Element(Ec2 + "blockDeviceMapping")).ToList();
        Assert.Equal(["/dev/xvda", "/dev/sdf"], devices.Select(d => Text(d, "deviceName")));
        Assert.Equal(seeded.VolumeIds, devices.Select(d => Text(d, "ebs", "volumeId")));
        Assert.Equal(["attached", "attached"], devices.Select(d => Text(d, "ebs", "status")));
        Assert.Equal(["true", "false"], devices.Select(d => Text(d, "ebs", "deleteOnTermination")));

        var tags = Items(instance.Element(Ec2 + "tagSet")).ToDictionary(t => Text(t, "key")!, t => Text(t, "value"));
        Assert.Equal("web-01", tags["Name"]);
    }

    [Fact]
    public async Task DescribeInstances_filters_with_wildcards_and_pages_with_MaxResults()
    {
        var first = _lab.Aws.Ec2.SeedIsolationTarget("web-01");
        for (var i = 2; i <= 6; i++) _lab.Aws.Ec2.SeedIsolationTarget($"web-0{i}");
        var byTag = await Call("DescribeInstances", ("Filter.1.Name", "tag:Name"), ("Filter.1.Value.1", "web-01"));
        Assert.Equal([first.InstanceId], byTag.Root.Descendants(Ec2 + "instanceId").Select(e => e.Value));
        var wild = await Call("DescribeInstances", ("Filter.1.Name", "tag:Name"), ("Filter.1.Value.1", "web-0?"), ("Filter.2.Name", "instance-state-name"), ("Filter.2.Value.1", "running"));
        Assert.Equal(6, wild.Root.Descendants(Ec2 + "instanceId").Count());

        var page = await Call("DescribeInstances", ("MaxResults", "5"));
        Assert.Equal(5, Items(page.Root.Element(Ec2 + "reservationSet")).Count());
        var token = page.Root.Element(Ec2 + "nextToken")!.Value;
        var rest = await Call("DescribeInstances", ("MaxResults", "5"), ("NextToken", token));
        Assert.Single(Items(rest.Root.Element(Ec2 + "reservationSet")));
        Assert.Null(rest.Root.Element(Ec2 + "nextToken"));

        var badFilter = await Call("DescribeInstances", ("Filter.1.Name", "no-such-filter"), ("Filter.1.Value.1", "x"));
        Assert.Equal(("InvalidParameterValue", "The filter 'no-such-filter' is invalid"), (Error(badFilter).Code, Error(badFilter).Message));
    }

    [SharedFixtureFact]
    public async Task A_malformed_instance_id_is_answered_in_the_real_fixtures_shape()
    {
        var fixture = XDocument.Load(Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "query-xml", "errors-ec2-describe-instances.xml"));
        var reply = await Call("DescribeInstances", ("InstanceId.1", "foobar"));
        Assert.Equal(400, reply.Code);
        static IEnumerable<string> Shape(XElement e) => e.DescendantsAndSelf().Select(x => string.Join('/', x.AncestorsAndSelf().Reverse().Select(a => a.Name.ToString())));
        Assert.Equal(Shape(fixture.Root!), Shape(reply.Root));
        var (code, message, requestId) = Error(reply);
        Assert.Equal(fixture.Root!.Descendants("Code").Single().Value, code);
        Assert.Equal(fixture.Root!.Descendants("Message").Single().Value, message);
        Assert.Equal(reply.RequestIdHeader, requestId);
        Assert.Contains("<Message>Invalid id: \"foobar\"</Message>", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_instances_actions_and_versions_are_EC2s_errors()
    {
        var missing = await Call("DescribeInstances", ("InstanceId.1", "i-0123456789abcdef0"));
        Assert.Equal(("InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"), (Error(missing).Code, Error(missing).Message));
        var two = await Call("DescribeInstances", ("InstanceId.1", "i-0123456789abcdef0"), ("InstanceId.2", "i-0123456789abcdef1"));
        Assert.Equal("The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist", Error(two).Message);
        var action = await Call("RunInstances");
        Assert.Equal((400, "InvalidAction", "The action RunInstances is not valid for this web service."), (action.Code, Error(action).Code, Error(action).Message));
        var noVersion = await _aws.Send("ec2", "Action=DescribeInstances");
        Assert.Equal("MissingParameter", Error(noVersion).Code);
    }

    [Fact]
    public async Task The_signature_check_covers_ec2_and_answers_in_EC2s_shape()
    {
        var wrongRegion = await _aws.Send("ec2", AwsQueryTestClient.Form("DescribeInstances", V), region: "eu-west-1");
        Assert.Equal(401, wrongRegion.Code);
        Assert.Equal(("AuthFailure", "AWS was not able to validate the provided access credentials"), (Error(wrongRegion).Code, Error(wrongRegion).Message));
        Assert.Equal(401, _lab.Journal.Entries.Last().Status);
        var wrongSecret = await _aws.Send("ec2", AwsQueryTestClient.Form("DescribeInstances", V), secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        Assert.Equal((401, "AuthFailure"), (wrongSecret.Code, Error(wrongSecret).Code));
        var stale = await _aws.Send("ec2", AwsQueryTestClient.Form("DescribeInstances", V), at: DateTimeOffset.UtcNow.AddMinutes(-20));
        Assert.Equal((400, "RequestExpired"), (stale.Code, Error(stale).Code));
        using (var http = new HttpClient())
        using (var unsigned = await http.PostAsync(_lab.AwsUri, new StringContent(AwsQueryTestClient.Form("DescribeInstances", V), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded")))
        {
            // No scope to route by: EC2's Version tells the Lab whose shape the refusal takes.
            var text = await unsigned.Content.ReadAsStringAsync();
            Assert.Equal(403, (int)unsigned.StatusCode);
            Assert.Equal("Response", XDocument.Parse(text).Root!.Name.LocalName);
            Assert.Contains("<Code>MissingAuthenticationToken</Code>", text, StringComparison.Ordinal);
        }
        // The Query services keep their own shape for the same refusal.
        var autoscaling = await _aws.Send("autoscaling", AwsQueryTestClient.Form("DescribeAutoScalingGroups", "2011-01-01"), region: "eu-west-1");
        Assert.Equal(403, autoscaling.Code);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", autoscaling.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeInstanceAttribute_reports_the_protections_isolation_sets()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var reply = await Call("DescribeInstanceAttribute", ("InstanceId", seeded.InstanceId), ("Attribute", "disableApiTermination"));
        Ok(reply, "DescribeInstanceAttribute");
        Assert.Equal(seeded.InstanceId, Text(reply.Root, "instanceId"));
        Assert.Equal("false", Text(reply.Root, "disableApiTermination", "value"));
        var shutdown = await Call("DescribeInstanceAttribute", ("InstanceId", seeded.InstanceId), ("Attribute", "instanceInitiatedShutdownBehavior"));
        Assert.Equal("stop", Text(shutdown.Root, "instanceInitiatedShutdownBehavior", "value"));
        var stop = await Call("DescribeInstanceAttribute", ("InstanceId", seeded.InstanceId), ("Attribute", "disableApiStop"));
        Assert.Equal("false", Text(stop.Root, "disableApiStop", "value"));
        var unknown = await Call("DescribeInstanceAttribute", ("InstanceId", seeded.InstanceId), ("Attribute", "colour"));
        Assert.Equal("InvalidParameterValue", Error(unknown).Code);
    }

    [Fact]
    public async Task DescribeNetworkInterfaces_by_attachment_instance_id_lists_both_ENIs_with_their_groups()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        _lab.Aws.Ec2.SeedIsolationTarget("other");
        var reply = await Call("DescribeNetworkInterfaces",
            ("Filter.1.Name", "attachment.instance-id"), ("Filter.1.Value.1", seeded.InstanceId),
            ("Filter.2.Name", "attachment.status"), ("Filter.2.Value.1", "attaching"), ("Filter.2.Value.2", "attached"));
        Ok(reply, "DescribeNetworkInterfaces");
        var enis = Items(reply.Root.Element(Ec2 + "networkInterfaceSet")).ToList();
        Assert.Equal(seeded.NetworkInterfaceIds, enis.Select(e => Text(e, "networkInterfaceId")));
        Assert.All(enis, e => Assert.Equal(seeded.InstanceId, Text(e, "attachment", "instanceId")));
        Assert.All(enis, e => Assert.Equal(seeded.VpcId, Text(e, "vpcId")));
        Assert.Equal(seeded.OriginalGroups[seeded.NetworkInterfaceIds[1]], Items(enis[1].Element(Ec2 + "groupSet")).Select(g => Text(g, "groupId")));
    }

    // ---- security groups ----

    [Fact]
    public async Task A_new_group_has_the_default_allow_all_egress_rules_and_revoking_them_by_rule_id_leaves_none()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var created = await Call("CreateSecurityGroup", ("GroupName", "quarantine-i"), ("GroupDescription", "isolation"), ("VpcId", seeded.VpcId),
            ("TagSpecification.1.ResourceType", "security-group"), ("TagSpecification.1.Tag.1.Key", "SOC-Status"), ("TagSpecification.1.Tag.1.Value", "quarantined"));
        Ok(created, "CreateSecurityGroup");
        Assert.Equal("true", Text(created.Root, "return"));
        var groupId = Text(created.Root, "groupId")!;
        Assert.Matches("^sg-[0-9a-f]{17}$", groupId);
        Assert.EndsWith(":security-group/" + groupId, Text(created.Root, "securityGroupArn"), StringComparison.Ordinal);
        Assert.Equal("quarantined", _lab.Aws.Ec2.TagsOf(groupId)["SOC-Status"]);

        var described = await Call("DescribeSecurityGroups", ("Filter.1.Name", "vpc-id"), ("Filter.1.Value.1", seeded.VpcId),
            ("Filter.2.Name", "tag:SOC-Status"), ("Filter.2.Value.1", "quarantined"));
        var group = Assert.Single(Items(described.Root.Element(Ec2 + "securityGroupInfo")));
        Assert.Equal(("quarantine-i", "isolation", seeded.VpcId), (Text(group, "groupName"), Text(group, "groupDescription"), Text(group, "vpcId")));
        Assert.Empty(Items(group.Element(Ec2 + "ipPermissions")));
        var egress = Assert.Single(Items(group.Element(Ec2 + "ipPermissionsEgress")));
        Assert.Equal("-1", Text(egress, "ipProtocol"));
        Assert.Equal("0.0.0.0/0", Text(Items(egress.Element(Ec2 + "ipRanges")).Single(), "cidrIp"));
        Assert.Equal("::/0", Text(Items(egress.Element(Ec2 + "ipv6Ranges")).Single(), "cidrIpv6"));

        var rules = await Call("DescribeSecurityGroupRules", ("Filter.1.Name", "group-id"), ("Filter.1.Value.1", groupId));
        Ok(rules, "DescribeSecurityGroupRules");
        var items = Items(rules.Root.Element(Ec2 + "securityGroupRuleSet")).ToList();
        Assert.Equal(2, items.Count);
        Assert.All(items, r => Assert.Equal(("true", "-1", groupId), (Text(r, "isEgress"), Text(r, "ipProtocol"), Text(r, "groupId"))));
        Assert.Equal(["0.0.0.0/0", null], items.Select(r => Text(r, "cidrIpv4")));
        Assert.Equal([null, "::/0"], items.Select(r => Text(r, "cidrIpv6")));
        var ruleIds = items.Select(r => Text(r, "securityGroupRuleId")!).ToList();
        Assert.All(ruleIds, id => Assert.Matches("^sgr-[0-9a-f]{17}$", id));

        var revoked = await Call("RevokeSecurityGroupEgress", ("GroupId", groupId), ("SecurityGroupRuleId.1", ruleIds[0]), ("SecurityGroupRuleId.2", ruleIds[1]));
        Ok(revoked, "RevokeSecurityGroupEgress");
        Assert.Equal("true", Text(revoked.Root, "return"));
        Assert.Equal(ruleIds, revoked.Root.Descendants(Ec2 + "securityGroupRuleId").Select(e => e.Value));
        Assert.Empty(_lab.Aws.Ec2.SecurityGroup(groupId)!.Rules);
        var again = await Call("RevokeSecurityGroupEgress", ("GroupId", groupId), ("SecurityGroupRuleId.1", ruleIds[0]));
        Assert.Equal("InvalidSecurityGroupRuleId.NotFound", Error(again).Code);
    }

    [Fact]
    public async Task Group_names_are_unique_per_VPC_ignoring_case()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        Ok(await Call("CreateSecurityGroup", ("GroupName", "Quarantine"), ("GroupDescription", "d"), ("VpcId", seeded.VpcId)), "CreateSecurityGroup");
        var duplicate = await Call("CreateSecurityGroup", ("GroupName", "quarantine"), ("GroupDescription", "d"), ("VpcId", seeded.VpcId));
        Assert.Equal(400, duplicate.Code);
        Assert.Equal(("InvalidGroup.Duplicate", $"The security group 'quarantine' already exists for VPC '{seeded.VpcId}'"), (Error(duplicate).Code, Error(duplicate).Message));
        var otherVpc = _lab.Aws.Ec2.SeedVpc();
        Ok(await Call("CreateSecurityGroup", ("GroupName", "quarantine"), ("GroupDescription", "d"), ("VpcId", otherVpc)), "CreateSecurityGroup");
        var noDescription = await Call("CreateSecurityGroup", ("GroupName", "x"), ("VpcId", otherVpc));
        Assert.Equal("MissingParameter", Error(noDescription).Code);
    }

    [Fact]
    public async Task The_all_open_group_takes_ingress_and_egress_for_IPv4_and_IPv6()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var groupId = _lab.Aws.Ec2.SeedSecurityGroup(seeded.VpcId, "all-open", defaultEgress: false);
        var ingress = await Call("AuthorizeSecurityGroupIngress", ("GroupId", groupId), ("IpPermissions.1.IpProtocol", "-1"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"), ("IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0"));
        Ok(ingress, "AuthorizeSecurityGroupIngress");
        Assert.Equal(["false", "false"], ingress.Root.Descendants(Ec2 + "isEgress").Select(e => e.Value));
        Ok(await Call("AuthorizeSecurityGroupEgress", ("GroupId", groupId), ("IpPermissions.1.IpProtocol", "-1"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"), ("IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0")), "AuthorizeSecurityGroupEgress");
        var rules = _lab.Aws.Ec2.SecurityGroup(groupId)!.Rules;
        Assert.Equal(4, rules.Count);
        Assert.Equal(2, rules.Count(r => r.IsEgress));
        var duplicate = await Call("AuthorizeSecurityGroupEgress", ("GroupId", groupId), ("IpPermissions.1.IpProtocol", "-1"), ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"));
        Assert.Equal("InvalidPermission.Duplicate", Error(duplicate).Code);
    }

    [Fact]
    public async Task A_group_an_ENI_uses_cannot_be_deleted_until_the_ENI_moves_off_it()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var temp = _lab.Aws.Ec2.SeedSecurityGroup(seeded.VpcId, "temp-open");
        var eni = seeded.NetworkInterfaceIds[0];
        Ok(await Call("ModifyNetworkInterfaceAttribute", ("NetworkInterfaceId", eni), ("SecurityGroupId.1", temp)), "ModifyNetworkInterfaceAttribute");
        var inUse = await Call("DeleteSecurityGroup", ("GroupId", temp));
        Assert.Equal(("DependencyViolation", $"resource {temp} has a dependent object"), (Error(inUse).Code, Error(inUse).Message));
        var isolation = _lab.Aws.Ec2.SeedSecurityGroup(seeded.VpcId, "isolation", defaultEgress: false);
        Ok(await Call("ModifyNetworkInterfaceAttribute", ("NetworkInterfaceId", eni), ("SecurityGroupId.1", isolation)), "ModifyNetworkInterfaceAttribute");
        var deleted = await Call("DeleteSecurityGroup", ("GroupId", temp));
        Ok(deleted, "DeleteSecurityGroup");
        Assert.Null(_lab.Aws.Ec2.SecurityGroup(temp));
        var gone = await Call("DeleteSecurityGroup", ("GroupId", temp));
        Assert.Equal("InvalidGroup.NotFound", Error(gone).Code);
    }

    // ---- ModifyNetworkInterfaceAttribute / ModifyInstanceAttribute ----

    [Fact]
    public async Task ModifyNetworkInterfaceAttribute_replaces_the_ENIs_groups_and_only_that_ENIs()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var isolation = _lab.Aws.Ec2.SeedSecurityGroup(seeded.VpcId, "isolation", defaultEgress: false);
        var reply = await Call("ModifyNetworkInterfaceAttribute", ("NetworkInterfaceId", seeded.NetworkInterfaceIds[0]), ("SecurityGroupId.1", isolation));
        Ok(reply, "ModifyNetworkInterfaceAttribute");
        Assert.Equal("true", Text(reply.Root, "return"));
        Assert.Equal([isolation], _lab.Aws.Ec2.GroupsOf(seeded.NetworkInterfaceIds[0]));
        Assert.Equal(seeded.OriginalGroups[seeded.NetworkInterfaceIds[1]], _lab.Aws.Ec2.GroupsOf(seeded.NetworkInterfaceIds[1]));

        var elsewhere = _lab.Aws.Ec2.SeedSecurityGroup(_lab.Aws.Ec2.SeedVpc(), "elsewhere");
        var wrongVpc = await Call("ModifyNetworkInterfaceAttribute", ("NetworkInterfaceId", seeded.NetworkInterfaceIds[1]), ("SecurityGroupId.1", elsewhere));
        Assert.Equal(("InvalidGroup.NotFound", $"The security group '{elsewhere}' does not exist in VPC '{seeded.VpcId}'"), (Error(wrongVpc).Code, Error(wrongVpc).Message));
        var badEni = await Call("ModifyNetworkInterfaceAttribute", ("NetworkInterfaceId", "eni-0123456789abcdef0"), ("SecurityGroupId.1", isolation));
        Assert.Equal("InvalidNetworkInterfaceID.NotFound", Error(badEni).Code);
        Assert.Equal(seeded.OriginalGroups[seeded.NetworkInterfaceIds[1]], _lab.Aws.Ec2.GroupsOf(seeded.NetworkInterfaceIds[1]));
    }

    [Fact]
    public async Task ModifyInstanceAttribute_takes_one_attribute_per_call()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var id = seeded.InstanceId;
        var two = await Call("ModifyInstanceAttribute", ("InstanceId", id), ("DisableApiTermination.Value", "true"), ("DisableApiStop.Value", "true"));
        Assert.Equal(400, two.Code);
        Assert.Equal("InvalidParameterCombination", Error(two).Code);
        var none = await Call("ModifyInstanceAttribute", ("InstanceId", id));
        Assert.Equal(("InvalidParameterCombination", "No attributes specified."), (Error(none).Code, Error(none).Message));
        Assert.False(_lab.Aws.Ec2.AttributesOf(id).DisableApiTermination);

        Ok(await Call("ModifyInstanceAttribute", ("InstanceId", id), ("DisableApiTermination.Value", "true")), "ModifyInstanceAttribute");
        Ok(await Call("ModifyInstanceAttribute", ("InstanceId", id), ("DisableApiStop.Value", "true")), "ModifyInstanceAttribute");
        Ok(await Call("ModifyInstanceAttribute", ("InstanceId", id), ("InstanceInitiatedShutdownBehavior.Value", "stop")), "ModifyInstanceAttribute");
        Ok(await Call("ModifyInstanceAttribute", ("InstanceId", id), ("BlockDeviceMapping.1.DeviceName", "/dev/xvda"), ("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "false"),
            ("BlockDeviceMapping.2.DeviceName", "/dev/sdf"), ("BlockDeviceMapping.2.Ebs.DeleteOnTermination", "false")), "ModifyInstanceAttribute");
        var attributes = _lab.Aws.Ec2.AttributesOf(id);
        Assert.True(attributes.DisableApiTermination);
        Assert.True(attributes.DisableApiStop);
        Assert.Equal("stop", attributes.InstanceInitiatedShutdownBehavior);
        Assert.All(attributes.DeleteOnTerminationByDevice.Values, Assert.False);
        var described = await Call("DescribeInstanceAttribute", ("InstanceId", id), ("Attribute", "disableApiTermination"));
        Assert.Equal("true", Text(described.Root, "disableApiTermination", "value"));

        var badShutdown = await Call("ModifyInstanceAttribute", ("InstanceId", id), ("InstanceInitiatedShutdownBehavior.Value", "hibernate"));
        Assert.Equal("InvalidParameterValue", Error(badShutdown).Code);
        var noDevice = await Call("ModifyInstanceAttribute", ("InstanceId", id), ("BlockDeviceMapping.1.DeviceName", "/dev/sdz"), ("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "false"));
        Assert.Equal("InvalidInstanceAttributeValue", Error(noDevice).Code);
    }

    [Fact]
    public async Task ModifyInstanceAttribute_Groups_fails_on_an_instance_with_two_ENIs_and_works_with_one()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var isolation = _lab.Aws.Ec2.SeedSecurityGroup(seeded.VpcId, "isolation", defaultEgress: false);
        var reply = await Call("ModifyInstanceAttribute", ("InstanceId", seeded.InstanceId), ("GroupId.1", isolation));
        Assert.Equal(400, reply.Code);
        Assert.Equal(("InvalidInstanceID",
            $"There are multiple interfaces attached to instance '{seeded.InstanceId}'. Please specify an interface ID for the operation instead."),
            (Error(reply).Code, Error(reply).Message));
        Assert.Equal(seeded.OriginalGroups, _lab.Aws.Ec2.GroupsByInterface(seeded.InstanceId).ToDictionary(p => p.Key, p => p.Value));

        var single = _lab.Aws.Ec2.SeedInstance(new Ec2InstanceSeed { VpcId = seeded.VpcId, NetworkInterfaceGroups = [[seeded.OriginalGroups.Values.First()[0]]] });
        Ok(await Call("ModifyInstanceAttribute", ("InstanceId", single.InstanceId), ("GroupId.1", isolation)), "ModifyInstanceAttribute");
        Assert.Equal([isolation], _lab.Aws.Ec2.GroupsOf(single.NetworkInterfaceIds[0]));
    }

    // ---- tags ----

    [Fact]
    public async Task CreateTags_takes_keys_up_to_128_and_values_up_to_256_characters()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var eni = seeded.NetworkInterfaceIds[0];
        Ok(await Call("CreateTags", ("ResourceId.1", seeded.InstanceId), ("Tag.1.Key", "ir:original-sgs:" + eni), ("Tag.1.Value", new string('x', 256)),
            ("Tag.2.Key", new string('k', 128)), ("Tag.2.Value", "")), "CreateTags");
        Assert.Equal(256, _lab.Aws.Ec2.TagsOf(seeded.InstanceId)["ir:original-sgs:" + eni].Length);
        var longValue = await Call("CreateTags", ("ResourceId.1", seeded.InstanceId), ("Tag.1.Key", "k"), ("Tag.1.Value", new string('x', 257)));
        Assert.Equal(("InvalidParameterValue", "Tag value exceeds the maximum length of 256 characters"), (Error(longValue).Code, Error(longValue).Message));
        var longKey = await Call("CreateTags", ("ResourceId.1", seeded.InstanceId), ("Tag.1.Key", new string('k', 129)), ("Tag.1.Value", "v"));
        Assert.Equal("InvalidParameterValue", Error(longKey).Code);
        Assert.False(_lab.Aws.Ec2.TagsOf(seeded.InstanceId).ContainsKey("k"));
        var missing = await Call("CreateTags", ("ResourceId.1", "i-0123456789abcdef0"), ("Tag.1.Key", "k"), ("Tag.1.Value", "v"));
        Assert.Equal("InvalidInstanceID.NotFound", Error(missing).Code);

        Ok(await Call("DeleteTags", ("ResourceId.1", seeded.InstanceId), ("Tag.1.Key", "ir:original-sgs:" + eni)), "DeleteTags");
        Assert.False(_lab.Aws.Ec2.TagsOf(seeded.InstanceId).ContainsKey("ir:original-sgs:" + eni));
        Assert.Equal("web-01", _lab.Aws.Ec2.TagsOf(seeded.InstanceId)["Name"]);
    }

    // ---- snapshots ----

    [Fact]
    public async Task CreateSnapshots_makes_one_snapshot_per_volume_each_call_with_copied_and_given_tags()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        (string, string)[] request =
        [
            ("InstanceSpecification.InstanceId", seeded.InstanceId), ("InstanceSpecification.ExcludeBootVolume", "false"),
            ("CopyTagsFromSource", "volume"), ("Description", "ir case 42"),
            ("TagSpecification.1.ResourceType", "snapshot"), ("TagSpecification.1.Tag.1.Key", "ir:incident"), ("TagSpecification.1.Tag.1.Value", "42"),
        ];
        var reply = await Call("CreateSnapshots", request);
        Ok(reply, "CreateSnapshots");
        var items = Items(reply.Root.Element(Ec2 + "snapshotSet")).ToList();
        Assert.Equal(seeded.VolumeIds, items.Select(s => Text(s, "volumeId")));
        Assert.All(items, s => Assert.Matches("^snap-[0-9a-f]{17}$", Text(s, "snapshotId")));
        Assert.All(items, s => Assert.Equal(("pending", "ir case 42"), (Text(s, "state"), Text(s, "description"))));
        var tags = Items(items[0].Element(Ec2 + "tagSet")).ToDictionary(t => Text(t, "key")!, t => Text(t, "value"));
        Assert.Equal(("42", "shop"), (tags["ir:incident"], tags["app"]));

        Ok(await Call("CreateSnapshots", request), "CreateSnapshots");
        Assert.Equal(4, _lab.Aws.Ec2.Snapshots.Count);
        Assert.Equal(4, _lab.Aws.Ec2.Snapshots.Select(s => s.SnapshotId).Distinct().Count());
        Assert.All(_lab.Aws.Ec2.Snapshots, s => Assert.Equal(seeded.InstanceId, s.InstanceId));

        var described = await Call("DescribeSnapshots", ("Owner.1", "self"), ("Filter.1.Name", "tag:ir:incident"), ("Filter.1.Value.1", "42"));
        Ok(described, "DescribeSnapshots");
        var found = Items(described.Root.Element(Ec2 + "snapshotSet")).ToList();
        Assert.Equal(4, found.Count);
        Assert.All(found, s => Assert.Equal(("completed", _lab.Credentials.AwsAccountId), (Text(s, "status"), Text(s, "ownerId"))));
        var none = await Call("DescribeSnapshots", ("Filter.1.Name", "tag:ir:incident"), ("Filter.1.Value.1", "43"));
        Assert.Empty(Items(none.Root.Element(Ec2 + "snapshotSet")));

        var noBoot = await Call("CreateSnapshots", ("InstanceSpecification.InstanceId", seeded.InstanceId), ("InstanceSpecification.ExcludeBootVolume", "true"));
        Assert.Equal([seeded.VolumeIds[1]], noBoot.Root.Descendants(Ec2 + "volumeId").Select(e => e.Value));
    }

    // ---- instance profile associations ----

    [Fact]
    public async Task The_instance_profile_association_can_be_found_removed_once_and_restored()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var described = await Call("DescribeIamInstanceProfileAssociations", ("Filter.1.Name", "instance-id"), ("Filter.1.Value.1", seeded.InstanceId),
            ("Filter.2.Name", "state"), ("Filter.2.Value.1", "associating"), ("Filter.2.Value.2", "associated"));
        Ok(described, "DescribeIamInstanceProfileAssociations");
        var association = Assert.Single(Items(described.Root.Element(Ec2 + "iamInstanceProfileAssociationSet")));
        Assert.Equal((seeded.AssociationId, seeded.InstanceId, seeded.InstanceProfileArn, "associated"),
            (Text(association, "associationId"), Text(association, "instanceId"), Text(association, "iamInstanceProfile", "arn"), Text(association, "state")));

        var removed = await Call("DisassociateIamInstanceProfile", ("AssociationId", seeded.AssociationId!));
        Ok(removed, "DisassociateIamInstanceProfile");
        Assert.Equal("disassociating", Text(removed.Root, "iamInstanceProfileAssociation", "state"));
        Assert.Null(_lab.Aws.Ec2.AssociationOf(seeded.InstanceId));
        var twice = await Call("DisassociateIamInstanceProfile", ("AssociationId", seeded.AssociationId!));
        Assert.Equal("InvalidAssociationID.NotFound", Error(twice).Code);

        var restored = await Call("AssociateIamInstanceProfile", ("InstanceId", seeded.InstanceId), ("IamInstanceProfile.Arn", seeded.InstanceProfileArn!));
        Ok(restored, "AssociateIamInstanceProfile");
        Assert.Equal("associating", Text(restored.Root, "iamInstanceProfileAssociation", "state"));
        Assert.Equal(seeded.InstanceProfileArn, _lab.Aws.Ec2.AssociationOf(seeded.InstanceId)!.InstanceProfileArn);
        var existing = await Call("AssociateIamInstanceProfile", ("InstanceId", seeded.InstanceId), ("IamInstanceProfile.Name", "web-role"));
        Assert.Equal("IncorrectState", Error(existing).Code);
    }

    // ---- DryRun, faults, Reset ----

    [Fact]
    public async Task DryRun_answers_412_DryRunOperation_and_changes_nothing()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var isolation = _lab.Aws.Ec2.SeedSecurityGroup(seeded.VpcId, "isolation", defaultEgress: false);
        var reply = await Call("ModifyNetworkInterfaceAttribute", ("DryRun", "true"), ("NetworkInterfaceId", seeded.NetworkInterfaceIds[0]), ("SecurityGroupId.1", isolation));
        Assert.Equal(412, reply.Code);
        Assert.Equal(("DryRunOperation", "Request would have succeeded, but DryRun flag is set."), (Error(reply).Code, Error(reply).Message));
        Assert.Equal(seeded.OriginalGroups[seeded.NetworkInterfaceIds[0]], _lab.Aws.Ec2.GroupsOf(seeded.NetworkInterfaceIds[0]));
        var snapshots = await Call("CreateSnapshots", ("DryRun", "true"), ("InstanceSpecification.InstanceId", seeded.InstanceId));
        Assert.Equal(412, snapshots.Code);
        Assert.Empty(_lab.Aws.Ec2.Snapshots);
    }

    [Fact]
    public async Task A_fault_can_fail_just_the_second_call_of_one_Action()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        var isolation = _lab.Aws.Ec2.SeedSecurityGroup(seeded.VpcId, "isolation", defaultEgress: false);
        _lab.Faults.Add(new FaultRule { Service = "aws", Operation = "ModifyNetworkInterfaceAttribute", After = 1, Status = 500 });
        Ok(await Call("DescribeInstances"), "DescribeInstances");
        Ok(await Call("ModifyNetworkInterfaceAttribute", ("NetworkInterfaceId", seeded.NetworkInterfaceIds[0]), ("SecurityGroupId.1", isolation)), "ModifyNetworkInterfaceAttribute");
        var failed = await Call("ModifyNetworkInterfaceAttribute", ("NetworkInterfaceId", seeded.NetworkInterfaceIds[1]), ("SecurityGroupId.1", isolation));
        Assert.Equal(500, failed.Code);
        Assert.Equal("InternalError", Error(failed).Code);
        Assert.Equal(seeded.OriginalGroups[seeded.NetworkInterfaceIds[1]], _lab.Aws.Ec2.GroupsOf(seeded.NetworkInterfaceIds[1]));
        Ok(await Call("ModifyNetworkInterfaceAttribute", ("NetworkInterfaceId", seeded.NetworkInterfaceIds[1]), ("SecurityGroupId.1", isolation)), "ModifyNetworkInterfaceAttribute");

        _lab.Faults.Add(new FaultRule { Service = "aws", Operation = "ec2:CreateSnapshots", Status = 503, Code = "RequestLimitExceeded", Message = "Request limit exceeded." });
        var throttled = await Call("CreateSnapshots", ("InstanceSpecification.InstanceId", seeded.InstanceId));
        Assert.Equal((503, "RequestLimitExceeded", "Request limit exceeded."), (throttled.Code, Error(throttled).Code, Error(throttled).Message));
        Assert.Empty(_lab.Aws.Ec2.Snapshots);
        Assert.Equal(503, _lab.Journal.Entries.Last().Status);
    }

    [Fact]
    public async Task An_operation_fault_matches_even_when_the_journal_keeps_no_bodies()
    {
        await using var lab = await LabServer.StartAsync(new LabOptions { JournalBodies = false });
        using var aws = new AwsQueryTestClient(lab);
        var seeded = lab.Aws.Ec2.SeedIsolationTarget();
        lab.Faults.Add(new FaultRule { Service = "aws", Operation = "ec2:DisassociateIamInstanceProfile", Status = 503 });
        var other = await aws.Call("ec2", "DescribeInstances", V);
        Assert.Equal(200, other.Code);
        var failed = await aws.Call("ec2", "DisassociateIamInstanceProfile", V, ("AssociationId", seeded.AssociationId!));
        Assert.Equal((503, "Unavailable"), (failed.Code, Error(failed).Code));
        Assert.NotNull(lab.Aws.Ec2.AssociationOf(seeded.InstanceId));
        Assert.All(lab.Journal.Entries, e => Assert.Equal(string.Empty, e.Body));
        // The rule is spent: the retry goes through.
        Assert.Equal(200, (await aws.Call("ec2", "DisassociateIamInstanceProfile", V, ("AssociationId", seeded.AssociationId!))).Code);
    }

    [Fact]
    public async Task The_story_3_scenario_names_the_seeded_instance_in_a_HIGH_GuardDuty_finding()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        var finding = _lab.Aws.SecurityHub.Finding(scenario.FindingId)!;
        Assert.Equal("HIGH", (string?)finding["Severity"]!["Label"]);
        Assert.Equal(scenario.FindingProductArn, (string?)finding["ProductArn"]);
        Assert.EndsWith(":instance/" + scenario.Instance.InstanceId, (string?)finding["Resources"]![0]!["Id"], StringComparison.Ordinal);
        Assert.Equal(scenario.AutoScalingGroupName, _lab.Aws.AutoScaling.GroupOf(scenario.Instance.InstanceId));
        Assert.Equal([scenario.TargetGroupArn], _lab.Aws.Elbv2.TargetGroupsOf(scenario.Instance.InstanceId));
        var reply = await Call("DescribeInstances", ("Filter.1.Name", "vpc-id"), ("Filter.1.Value.1", scenario.Instance.VpcId));
        Assert.Equal([scenario.Instance.InstanceId, scenario.NeighbourInstanceId], reply.Root.Descendants(Ec2 + "instanceId").Select(e => e.Value));
    }

    [Fact]
    public async Task GetConsoleOutput_answers_the_console_text_in_base64()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        _lab.Aws.Ec2.SetConsoleOutput(seeded.InstanceId, "kernel: evil.ko loaded\n");
        var reply = await Call("GetConsoleOutput", ("InstanceId", seeded.InstanceId), ("Latest", "true"));
        Ok(reply, "GetConsoleOutput");
        Assert.Equal(seeded.InstanceId, Text(reply.Root, "instanceId"));
        Assert.Equal("kernel: evil.ko loaded\n", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Text(reply.Root, "output")!)));
    }

    [Fact]
    public async Task Calls_lists_every_AWS_operation_in_order_with_its_status()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        _lab.Faults.Add(new FaultRule { Service = "aws", Operation = "DeregisterTargets", Status = 503 });
        await Call("DescribeInstances", ("InstanceId.1", scenario.Instance.InstanceId));
        await _aws.Call("autoscaling", "DescribeAutoScalingInstances", "2011-01-01", ("InstanceIds.member.1", scenario.Instance.InstanceId));
        await _aws.Call("elasticloadbalancing", "DeregisterTargets", "2015-12-01", ("TargetGroupArn", scenario.TargetGroupArn), ("Targets.member.1.Id", scenario.Instance.InstanceId));
        await Call("ModifyInstanceAttribute", ("InstanceId", scenario.Instance.InstanceId), ("DisableApiTermination.Value", "true"));
        Assert.Equal(
            [("ec2", "DescribeInstances", 200), ("autoscaling", "DescribeAutoScalingInstances", 200), ("elasticloadbalancing", "DeregisterTargets", 503), ("ec2", "ModifyInstanceAttribute", 200)],
            _lab.Aws.Calls().Select(c => (c.Service, c.Operation, c.Status)));
    }

    [Fact]
    public async Task Reset_empties_EC2()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget();
        _lab.Aws.Reset();
        Assert.False(_lab.Aws.Ec2.HasInstance(seeded.InstanceId));
        Assert.Empty(_lab.Aws.Ec2.SecurityGroups);
        var reply = await Call("DescribeInstances");
        Assert.Empty(Items(reply.Root.Element(Ec2 + "reservationSet")));
    }
}
