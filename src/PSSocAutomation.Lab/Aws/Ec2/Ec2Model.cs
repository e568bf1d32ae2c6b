using System.Security.Cryptography;

namespace PSSocAutomation.Lab.Aws.Ec2;

/// <summary>An EC2 API error: its code, message and HTTP status, answered in EC2's Response/Errors shape.</summary>
internal sealed class Ec2Exception(string code, string message, int status = 400) : Exception(message)
{
    public string Code { get; } = code;
    public int Status { get; } = status;
}

/// <summary>A resource's tags in the order they were first set (EC2 keys are case-sensitive and unique per resource).</summary>
internal sealed class Ec2TagSet
{
    private readonly List<KeyValuePair<string, string>> _tags = new();

    public IReadOnlyList<KeyValuePair<string, string>> Items => _tags;

    public int Count => _tags.Count;

    public string? this[string key] => _tags.FirstOrDefault(t => t.Key == key) is { Key: not null } found ? found.Value : null;

    public bool ContainsKey(string key) => _tags.Any(t => t.Key == key);

    public void Set(string key, string value)
    {
        var index = _tags.FindIndex(t => t.Key == key);
        if (index >= 0) _tags[index] = new(key, value);
        else _tags.Add(new(key, value));
    }

    /// <summary>DeleteTags: a key alone removes the tag; with a value, only when the value matches.</summary>
    public void Remove(string key, string? value)
    {
        var index = _tags.FindIndex(t => t.Key == key);
        if (index >= 0 && (value is null || _tags[index].Value == value)) _tags.RemoveAt(index);
    }

    public IReadOnlyDictionary<string, string> ToDictionary() => _tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
}

internal sealed class Ec2Vpc
{
    public required string Id { get; init; }
    public required string CidrBlock { get; init; }
    public Ec2TagSet Tags { get; } = new();
}

internal sealed class Ec2Subnet
{
    public required string Id { get; init; }
    public required string VpcId { get; init; }
    public required string AvailabilityZone { get; init; }
    public required string CidrBlock { get; init; }
    public int NextHost { get; set; } = 10;
}

internal sealed class Ec2Rule
{
    public required string Id { get; init; }
    public required string GroupId { get; init; }
    public required bool IsEgress { get; init; }
    public required string Protocol { get; init; }
    public int? FromPort { get; init; }
    public int? ToPort { get; init; }
    public string? CidrIpv4 { get; init; }
    public string? CidrIpv6 { get; init; }
    public string? Description { get; init; }

    public bool SameAs(Ec2Rule other) =>
        IsEgress == other.IsEgress && Protocol == other.Protocol && FromPort == other.FromPort && ToPort == other.ToPort &&
        CidrIpv4 == other.CidrIpv4 && CidrIpv6 == other.CidrIpv6;
}

internal sealed class Ec2SecurityGroup
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string VpcId { get; init; }
    public List<Ec2Rule> Rules { get; } = new();
    public Ec2TagSet Tags { get; } = new();
}

internal sealed class Ec2NetworkInterface
{
    public required string Id { get; init; }
    public required string SubnetId { get; init; }
    public required string VpcId { get; init; }
    public required string AvailabilityZone { get; init; }
    public required string PrivateIpAddress { get; init; }
    public required string MacAddress { get; init; }
    public string Description { get; set; } = string.Empty;
    public List<string> Groups { get; set; } = new();
    public string? InstanceId { get; set; }
    public int DeviceIndex { get; set; }
    public string? AttachmentId { get; set; }
    public string AttachmentStatus { get; set; } = "attached";
    public DateTimeOffset AttachTime { get; set; }
    public bool DeleteOnTermination { get; set; } = true;
    public bool SourceDestCheck { get; set; } = true;
    public Ec2TagSet Tags { get; } = new();
}

internal sealed class Ec2Volume
{
    public required string Id { get; init; }
    public required int Size { get; init; }
    public required string AvailabilityZone { get; init; }
    public string? InstanceId { get; set; }
    public string? Device { get; set; }
    public bool DeleteOnTermination { get; set; } = true;
    public DateTimeOffset AttachTime { get; set; }
    public Ec2TagSet Tags { get; } = new();
}

internal sealed class Ec2Instance
{
    public required string Id { get; init; }
    public required string ReservationId { get; init; }
    public required string VpcId { get; init; }
    public required string SubnetId { get; init; }
    public required string AvailabilityZone { get; init; }
    public required string PrivateIpAddress { get; init; }
    public string ImageId { get; init; } = "ami-0abcdef1234567890";
    public string InstanceType { get; init; } = "t3.micro";
    public DateTimeOffset LaunchTime { get; init; }
    public string RootDeviceName { get; init; } = "/dev/xvda";
    public string StateName { get; set; } = "running";
    public List<string> NetworkInterfaces { get; } = new();
    public List<string> Volumes { get; } = new();
    public bool DisableApiTermination { get; set; }
    public bool DisableApiStop { get; set; }
    public string ShutdownBehavior { get; set; } = "stop";
    public bool SourceDestCheck { get; set; } = true;
    public Ec2TagSet Tags { get; } = new();

    public int StateCode => StateName switch
    {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        "stopped" => 80,
        _ => 16,
    };
}

internal sealed class Ec2Snapshot
{
    public required string Id { get; init; }
    public required string VolumeId { get; init; }
    public required int VolumeSize { get; init; }
    public required string Description { get; init; }
    public required DateTimeOffset StartTime { get; init; }
    public string? InstanceId { get; init; }
    public Ec2TagSet Tags { get; } = new();
}

internal sealed class Ec2InstanceProfile
{
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public required string Id { get; init; }
}

internal sealed class Ec2Association
{
    public required string Id { get; init; }
    public required string InstanceId { get; init; }
    public required Ec2InstanceProfile Profile { get; init; }
    public string State { get; set; } = "associated";
    public DateTimeOffset Timestamp { get; init; }
}

internal static class Ec2Ids
{
    /// <summary>A resource id as EC2 mints them now: the prefix, a dash and 17 lowercase hex digits.</summary>
    public static string New(string prefix) => prefix + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(9)).ToLowerInvariant()[..17];

    /// <summary>Well formed: prefix- and 8 or 17 lowercase hex digits (the short ids older resources keep).</summary>
    public static bool IsWellFormed(string id, string prefix)
    {
        if (!id.StartsWith(prefix + "-", StringComparison.Ordinal)) return false;
        var hex = id.AsSpan(prefix.Length + 1);
        if (hex.Length is not (8 or 17)) return false;
        foreach (var c in hex)
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        return true;
    }
}
