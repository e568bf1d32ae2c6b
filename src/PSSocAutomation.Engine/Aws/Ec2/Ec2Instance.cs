using System.Collections.Generic;

namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>One security group as an interface carries it: the id is what EC2 takes back, the name what people read.</summary>
    public sealed class Ec2GroupRef
    {
        public Ec2GroupRef(string groupId, string? groupName)
        {
            GroupId = groupId;
            GroupName = groupName;
        }

        public string GroupId { get; }
        public string? GroupName { get; }

        public override string ToString() => GroupName is null ? GroupId : GroupId + " (" + GroupName + ")";
    }

    /// <summary>
    /// A network interface of an instance with its own groups. Isolation works per interface
    /// (ModifyNetworkInterfaceAttribute), because the instance-level call fails on an instance with more than one.
    /// </summary>
    public sealed class Ec2NetworkInterface
    {
        public Ec2NetworkInterface(string networkInterfaceId, int? deviceIndex, string? attachmentId, string? subnetId, string? vpcId, string? privateIpAddress, IReadOnlyList<Ec2GroupRef> groups)
        {
            NetworkInterfaceId = networkInterfaceId;
            DeviceIndex = deviceIndex;
            AttachmentId = attachmentId;
            SubnetId = subnetId;
            VpcId = vpcId;
            PrivateIpAddress = privateIpAddress;
            Groups = groups;
        }

        public string NetworkInterfaceId { get; }
        public int? DeviceIndex { get; }
        public string? AttachmentId { get; }
        public string? SubnetId { get; }
        public string? VpcId { get; }
        public string? PrivateIpAddress { get; }
        public IReadOnlyList<Ec2GroupRef> Groups { get; }

        public override string ToString() => NetworkInterfaceId;
    }

    /// <summary>An EBS volume as the instance's block device mapping shows it.</summary>
    public sealed class Ec2Volume
    {
        public Ec2Volume(string deviceName, string? volumeId, bool? deleteOnTermination)
        {
            DeviceName = deviceName;
            VolumeId = volumeId;
            DeleteOnTermination = deleteOnTermination;
        }

        public string DeviceName { get; }
        public string? VolumeId { get; }
        public bool? DeleteOnTermination { get; }

        public override string ToString() => VolumeId ?? DeviceName;
    }

    /// <summary>
    /// An EC2 instance as DescribeInstances gives it, with what containment needs: every interface with its groups,
    /// the volumes, the instance profile and the tags.
    /// </summary>
    public sealed class Ec2Instance
    {
        public Ec2Instance(string instanceId, string region, string? state, string? instanceType, string? vpcId, string? subnetId, string? privateIpAddress,
            string? availabilityZone, string? instanceProfileArn, IReadOnlyList<Ec2NetworkInterface> networkInterfaces, IReadOnlyList<Ec2Volume> volumes,
            IReadOnlyDictionary<string, string> tags)
        {
            InstanceId = instanceId;
            Region = region;
            State = state;
            InstanceType = instanceType;
            VpcId = vpcId;
            SubnetId = subnetId;
            PrivateIpAddress = privateIpAddress;
            AvailabilityZone = availabilityZone;
            InstanceProfileArn = instanceProfileArn;
            NetworkInterfaces = networkInterfaces;
            Volumes = volumes;
            Tags = tags;
        }

        public string InstanceId { get; }
        public string Region { get; }
        public string? State { get; }
        public string? InstanceType { get; }
        public string? VpcId { get; }
        public string? SubnetId { get; }
        public string? PrivateIpAddress { get; }
        public string? AvailabilityZone { get; }
        public string? InstanceProfileArn { get; }
        public IReadOnlyList<Ec2NetworkInterface> NetworkInterfaces { get; }
        public IReadOnlyList<Ec2Volume> Volumes { get; }
        public IReadOnlyDictionary<string, string> Tags { get; }

        /// <summary>The Auto Scaling group it is in (null: none, or not looked up).</summary>
        public string? AutoScalingGroupName { get; internal set; }
        public string? AutoScalingLifecycleState { get; internal set; }
        /// <summary>The ELBv2 target groups it is registered in, with the port.</summary>
        public IReadOnlyList<Elbv2.Elbv2Registration> TargetGroups { get; internal set; } = new Elbv2.Elbv2Registration[0];
        /// <summary>The current instance profile association (what disassociation removes).</summary>
        public Ec2ProfileAssociation? ProfileAssociation { get; internal set; }
        /// <summary>DisableApiTermination, DisableApiStop and InstanceInitiatedShutdownBehavior (null: not looked up).</summary>
        public bool? TerminationProtection { get; internal set; }
        public bool? StopProtection { get; internal set; }
        public string? ShutdownBehavior { get; internal set; }

        /// <summary>The isolation record the instance's pssoc: tags hold, if it is (or was being) isolated.</summary>
        public Ec2IsolationRecord? Isolation => Ec2IsolationTags.Read(this);

        /// <summary>The Name tag, which is how people call an instance.</summary>
        public string? Name => Tags.TryGetValue("Name", out var name) ? name : null;

        public override string ToString() => Name is null ? InstanceId : InstanceId + " (" + Name + ")";
    }

    /// <summary>An instance profile association (what DisassociateIamInstanceProfile takes, and what undo re-creates).</summary>
    public sealed class Ec2ProfileAssociation
    {
        public Ec2ProfileAssociation(string associationId, string instanceId, string? instanceProfileArn, string? state)
        {
            AssociationId = associationId;
            InstanceId = instanceId;
            InstanceProfileArn = instanceProfileArn;
            State = state;
        }

        public string AssociationId { get; }
        public string InstanceId { get; }
        public string? InstanceProfileArn { get; }
        public string? State { get; }
    }
}
