using PSSocAutomation.Aws;
using PSSocAutomation.Aws.Ec2;
using PSSocAutomation.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.UnitTests.Aws;

/// <summary>
/// The EC2 client's reads against the Lab's EC2 over signed HTTP: the Lab was written from EC2's documentation apart
/// from this client, so the element names and list shapes each side uses are checked against the other.
/// </summary>
public sealed class Ec2ClientTests : IAsyncLifetime
{
    private LabServer _lab = null!;
    private HttpPipeline _pipeline = null!;
    private Ec2Client _ec2 = null!;

    public async Task InitializeAsync()
    {
        _lab = await LabServer.StartAsync();
        var keys = new FixedAwsCredentials(new AwsCredentialSet(_lab.Credentials.AwsAccessKeyId, _lab.Credentials.AwsSecretAccessKey));
        _pipeline = new HttpPipeline(new HttpPipelineOptions(_lab.AwsUri) { Auth = new AwsSigV4Authenticator(keys, "us-east-1", "ec2"), MaxRetries = 0 }, new AwsErrors("Amazon EC2"));
        _ec2 = new Ec2Client(_pipeline, "us-east-1");
    }

    public async Task DisposeAsync()
    {
        _pipeline.Dispose();
        await _lab.DisposeAsync();
    }

    [Fact]
    public async Task An_instance_comes_with_each_interface_and_its_own_groups_volumes_profile_and_tags()
    {
        var seeded = _lab.Aws.Ec2.SeedIsolationTarget("web-01");

        var instance = await _ec2.DescribeInstanceAsync(seeded.InstanceId, CancellationToken.None);

        Assert.Equal((seeded.InstanceId, "running", seeded.VpcId, "web-01", "us-east-1"), (instance.InstanceId, instance.State, instance.VpcId, instance.Name, instance.Region));
        Assert.Equal(seeded.NetworkInterfaceIds, instance.NetworkInterfaces.Select(n => n.NetworkInterfaceId));
        Assert.Equal(new int?[] { 0, 1 }, instance.NetworkInterfaces.Select(n => n.DeviceIndex));
        foreach (var eni in instance.NetworkInterfaces)
        {
            Assert.Equal(seeded.OriginalGroups[eni.NetworkInterfaceId], eni.Groups.Select(g => g.GroupId));
            Assert.Equal(seeded.VpcId, eni.VpcId);
        }
        Assert.Equal(new[] { "web", "ssh" }, instance.NetworkInterfaces[0].Groups.Select(g => g.GroupName));
        Assert.Equal(seeded.VolumeIds, instance.Volumes.Select(v => v.VolumeId));
        Assert.All(instance.Volumes, v => Assert.NotNull(v.DeleteOnTermination));
        Assert.Equal(seeded.InstanceProfileArn, instance.InstanceProfileArn);
        Assert.Equal("prod", instance.Tags["env"]);

        var association = await _ec2.ProfileAssociationAsync(seeded.InstanceId, CancellationToken.None);
        Assert.Equal((seeded.AssociationId, seeded.InstanceProfileArn, "associated"), (association!.AssociationId, association.InstanceProfileArn, association.State));
    }

    [Fact]
    public async Task An_unknown_instance_is_NotFound_with_EC2s_code_and_a_malformed_id_is_refused_before_any_call()
    {
        var missing = await Assert.ThrowsAsync<SocApiException>(() => _ec2.DescribeInstanceAsync("i-0123456789abcdef0", CancellationToken.None));
        Assert.Equal(ApiFailureKind.NotFound, missing.Kind);
        Assert.Contains("InvalidInstanceID.NotFound", missing.Message, StringComparison.Ordinal);
        Assert.Contains("Amazon EC2", missing.Message, StringComparison.Ordinal);

        var calls = _lab.Journal.For("aws").Count;
        await Assert.ThrowsAsync<ArgumentException>(() => _ec2.DescribeInstanceAsync("web-01", CancellationToken.None));
        Assert.Equal(calls, _lab.Journal.For("aws").Count);
    }

    [Fact]
    public async Task An_instance_with_no_association_has_none_and_the_filter_went_on_the_wire_in_EC2s_form()
    {
        _lab.Aws.Ec2.SeedIsolationTarget("db-01");

        Assert.Null(await _ec2.ProfileAssociationAsync("i-0123456789abcdef0", CancellationToken.None));

        var sent = _lab.Journal.For("aws").Last().Body;
        Assert.Contains("Action=DescribeIamInstanceProfileAssociations", sent, StringComparison.Ordinal);
        Assert.Contains("Filter.1.Name=instance-id&Filter.1.Value.1=i-0123456789abcdef0&Filter.2.Name=state&Filter.2.Value.1=associating&Filter.2.Value.2=associated", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_are_read_and_revoked_by_id_leaving_a_group_with_none()
    {
        var vpc = _lab.Aws.Ec2.SeedVpc();
        var ports = Enumerable.Range(8000, 12).ToList();
        var group = _lab.Aws.Ec2.SeedSecurityGroup(vpc, "many", ingressTcpPorts: ports);

        // 12 ingress rules and the default egress.
        var rules = await _ec2.RulesAsync(group, CancellationToken.None);
        Assert.Equal(12, rules.Count(r => !r.IsEgress));
        Assert.Contains(rules, r => r.IsEgress && r.IsAllOpen);

        await _ec2.RevokeRulesAsync(group, true, rules.Where(r => r.IsEgress).Select(r => r.RuleId), CancellationToken.None);
        await _ec2.RevokeRulesAsync(group, false, rules.Where(r => !r.IsEgress).Select(r => r.RuleId), CancellationToken.None);
        Assert.Empty(_lab.Aws.Ec2.SecurityGroup(group)!.Rules);
        Assert.Empty(await _ec2.RulesAsync(group, CancellationToken.None));
    }

    [Fact]
    public async Task A_group_is_found_by_tag_and_by_name_and_a_second_create_is_Duplicate()
    {
        var vpc = _lab.Aws.Ec2.SeedVpc();
        var id = await _ec2.CreateSecurityGroupAsync(vpc, "pssoc-isolation-" + vpc, "no traffic", [new("pssoc:isolation-group", vpc)], CancellationToken.None);

        Assert.Equal([id], await _ec2.GroupsTaggedAsync(vpc, "pssoc:isolation-group", vpc, CancellationToken.None));
        Assert.Equal(id, await _ec2.GroupNamedAsync(vpc, "pssoc-isolation-" + vpc, CancellationToken.None));
        Assert.True(await _ec2.GroupExistsAsync(id, CancellationToken.None));
        var duplicate = await Assert.ThrowsAsync<SocApiException>(() => _ec2.CreateSecurityGroupAsync(vpc, "PSSOC-ISOLATION-" + vpc, "again", [], CancellationToken.None));
        Assert.Equal("InvalidGroup.Duplicate", duplicate.VendorType);

        await _ec2.DeleteSecurityGroupAsync(id, CancellationToken.None);
        Assert.False(await _ec2.GroupExistsAsync(id, CancellationToken.None));
    }
}
