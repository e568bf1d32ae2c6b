namespace PSSocAutomation.Lab.Aws.Ec2;

/// <summary>What <see cref="AwsEc2Service.SeedInstance"/> creates: ids to drive a client with and the original groups per ENI.</summary>
public sealed record Ec2SeededInstance(
    string InstanceId,
    string VpcId,
    string SubnetId,
    IReadOnlyList<string> NetworkInterfaceIds,
    IReadOnlyList<string> VolumeIds,
    IReadOnlyDictionary<string, IReadOnlyList<string>> OriginalGroups,
    string? AssociationId,
    string? InstanceProfileArn);

/// <summary>The shape of an instance to seed. Each entry of <see cref="NetworkInterfaceGroups"/> is one ENI (device index = position) with its group ids.</summary>
public sealed class Ec2InstanceSeed
{
    public required string VpcId { get; init; }
    /// <summary>A subnet of <see cref="VpcId"/>; a new one when null.</summary>
    public string? SubnetId { get; init; }
    public required IReadOnlyList<IReadOnlyList<string>> NetworkInterfaceGroups { get; init; }
    /// <summary>One EBS volume per entry (GiB); the first is the root volume /dev/xvda, the next /dev/sdf, /dev/sdg, ...</summary>
    public IReadOnlyList<int> VolumeSizes { get; init; } = [8];
    /// <summary>An instance profile (created when new) associated with the instance; none when null.</summary>
    public string? InstanceProfileName { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    /// <summary>Tags put on every volume (CreateSnapshots with CopyTagsFromSource=volume copies them).</summary>
    public IReadOnlyDictionary<string, string>? VolumeTags { get; init; }
    /// <summary>pending, running, stopping, stopped, shutting-down or terminated.</summary>
    public string State { get; init; } = "running";
    public string InstanceType { get; init; } = "t3.micro";
}

public sealed record Ec2RuleView(string RuleId, bool IsEgress, string IpProtocol, int? FromPort, int? ToPort, string? CidrIpv4, string? CidrIpv6);

public sealed record Ec2SecurityGroupView(
    string GroupId, string GroupName, string Description, string VpcId, IReadOnlyList<Ec2RuleView> Rules, IReadOnlyDictionary<string, string> Tags);

public sealed record Ec2SnapshotView(
    string SnapshotId, string VolumeId, string? InstanceId, int VolumeSize, string Description, DateTimeOffset StartTime, IReadOnlyDictionary<string, string> Tags);

/// <summary>The instance attributes isolation changes (DescribeInstanceAttribute's), the state, and DeleteOnTermination per device name.</summary>
public sealed record Ec2InstanceAttributes(
    string State,
    bool DisableApiTermination,
    bool DisableApiStop,
    string InstanceInitiatedShutdownBehavior,
    IReadOnlyDictionary<string, bool> DeleteOnTerminationByDevice);

public sealed record Ec2AssociationView(string AssociationId, string InstanceId, string InstanceProfileArn, string InstanceProfileId, string State);
