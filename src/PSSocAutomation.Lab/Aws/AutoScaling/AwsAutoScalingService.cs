using System.Globalization;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws.AutoScaling;

/// <summary>One DetachInstances, AttachInstances, EnterStandby or ExitStandby the Lab applied, as the client sent it.</summary>
public sealed record AutoScalingCall(string Action, string AutoScalingGroupName, IReadOnlyList<string> InstanceIds, bool? ShouldDecrementDesiredCapacity, DateTimeOffset Time);

/// <summary>A group as the Lab holds it.</summary>
public sealed record AutoScalingGroupView(string Name, string Arn, int MinSize, int MaxSize, int DesiredCapacity, IReadOnlyList<string> InstanceIds);

/// <summary>
/// Auto Scaling (signing name autoscaling, Query, version 2011-01-01): what isolation needs to take an instance out of
/// its group and put it back: DescribeAutoScalingInstances, DetachInstances (ShouldDecrementDesiredCapacity recorded;
/// false leaves the desired capacity), AttachInstances, EnterStandby / ExitStandby (the SSM runbook's alternative),
/// and a minimal DescribeAutoScalingGroups. Errors are the
/// IAM-style ErrorResponse in the service's namespace, code ValidationError as Auto Scaling answers bad input. The Lab
/// launches no replacement instance when a detach leaves the group below its desired capacity.
/// </summary>
public sealed class AwsAutoScalingService : IAwsEmulatedService
{
    public const string Name = "autoscaling";
    public const string Namespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    public const string ApiVersion = "2011-01-01";
    private static readonly XNamespace Ns = Namespace;

    private readonly AwsLab _aws;
    private readonly object _gate = new();
    private readonly List<Group> _groups = new();
    private readonly List<AutoScalingCall> _calls = new();

    private sealed class Group
    {
        public required string Name { get; init; }
        public required string Arn { get; init; }
        public required int MinSize { get; set; }
        public required int MaxSize { get; set; }
        public required int DesiredCapacity { get; set; }
        public required DateTimeOffset Created { get; init; }
        public List<string> Instances { get; } = new();
        public HashSet<string> Standby { get; } = new(StringComparer.Ordinal);

        public string LifecycleOf(string instanceId) => Standby.Contains(instanceId) ? "Standby" : "InService";
    }

    internal AwsAutoScalingService(AwsLab aws) => _aws = aws;

    public string SigningName => Name;
    public AwsProtocol Protocol => AwsProtocol.Query;
    public string? QueryVersion => ApiVersion;
    public string RegionFor(string labRegion) => labRegion;

    public LabResponse Error(HttpContext context, int status, string code, string message) =>
        AwsErrors.Query(Namespace, status, code, message, AwsLab.RequestIdOf(context));

    public LabResponse Fault(HttpContext context, int status) =>
        Error(context, status, AwsStsService.QueryFaultCode(status), AwsStsService.QueryFaultMessage(status));

    // ---- seeding and reading back ----

    /// <summary>
    /// A group holding <paramref name="instanceIds"/> (instances EC2 knows): min size 0 unless given, max size the
    /// count + 2, desired capacity the count unless given. Returns its ARN.
    /// </summary>
    public string SeedGroup(string name, IEnumerable<string> instanceIds, int? minSize = null, int? maxSize = null, int? desiredCapacity = null)
    {
        var ids = instanceIds.ToList();
        foreach (var id in ids)
            if (!_aws.Ec2.HasInstance(id)) throw new ArgumentException($"EC2 has no instance {id}; seed it first.", nameof(instanceIds));
        lock (_gate)
        {
            if (_groups.Any(g => g.Name == name)) throw new ArgumentException($"Group {name} exists.", nameof(name));
            var group = new Group
            {
                Name = name,
                Arn = $"arn:aws:autoscaling:{_aws.Region}:{_aws.Credentials.AwsAccountId}:autoScalingGroup:{Guid.NewGuid()}:autoScalingGroupName/{name}",
                MinSize = minSize ?? 0, MaxSize = maxSize ?? ids.Count + 2, DesiredCapacity = desiredCapacity ?? ids.Count, Created = _aws.Now - TimeSpan.FromDays(30),
            };
            group.Instances.AddRange(ids);
            _groups.Add(group);
            return group.Arn;
        }
    }

    public AutoScalingGroupView? GroupView(string name)
    {
        lock (_gate) return _groups.FirstOrDefault(g => g.Name == name) is { } g ? new(g.Name, g.Arn, g.MinSize, g.MaxSize, g.DesiredCapacity, g.Instances.ToList()) : null;
    }

    /// <summary>The name of the group an instance is in, or null.</summary>
    public string? GroupOf(string instanceId)
    {
        lock (_gate) return _groups.FirstOrDefault(g => g.Instances.Contains(instanceId))?.Name;
    }

    /// <summary>Every DetachInstances, AttachInstances, EnterStandby and ExitStandby applied, in order.</summary>
    public IReadOnlyList<AutoScalingCall> Calls
    {
        get
        {
            lock (_gate) return _calls.ToList();
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _groups.Clear();
            _calls.Clear();
        }
    }

    // ---- the API ----

    public Task<LabResponse> HandleAsync(HttpContext context, AwsCaller? caller, byte[] body) =>
        AwsQueryXml.Serve(context, body, Namespace, ApiVersion, _gate, (action, args) => action switch
        {
            "DescribeAutoScalingInstances" => () => DescribeAutoScalingInstances(args),
            "DescribeAutoScalingGroups" => () => DescribeAutoScalingGroups(args),
            "DetachInstances" => () => DetachInstances(args),
            "AttachInstances" => () => AttachInstances(args),
            "EnterStandby" => () => Standby(args, enter: true),
            "ExitStandby" => () => Standby(args, enter: false),
            _ => null,
        });

    private static XElement E(string name, params object?[] content) => new(Ns + name, content);

    private XElement LaunchTemplate() => E("LaunchTemplate", E("LaunchTemplateId", "lt-0abcdef1234567890"), E("LaunchTemplateName", "lab-template"), E("Version", "1"));

    private Group Find(string name) =>
        _groups.FirstOrDefault(g => g.Name == name) ?? throw new AwsQueryException("ValidationError", $"AutoScalingGroup name not found - AutoScalingGroup '{name}' not found");

    private IEnumerable<XElement?> DescribeAutoScalingInstances(AwsQueryArgs args)
    {
        var ids = args.List("InstanceIds.member");
        if (ids.Count > 50) throw new AwsQueryException("ValidationError", "The number of instance ids that may be passed in is limited to 50");
        var rows = _groups.SelectMany(g => g.Instances.Select(i => (Group: g, InstanceId: i)))
            .Where(r => ids.Count == 0 || ids.Contains(r.InstanceId)).ToList();
        return
        [
            AwsQueryXml.Members(Ns, "AutoScalingInstances", rows.Select(r => E("member",
                E("InstanceId", r.InstanceId),
                E("InstanceType", _aws.Ec2.SubnetAndTypeOf(r.InstanceId).InstanceType ?? "t3.micro"),
                E("AutoScalingGroupName", r.Group.Name),
                E("AvailabilityZone", _aws.Ec2.AvailabilityZoneOf(r.InstanceId) ?? _aws.Region + "a"),
                E("LifecycleState", r.Group.LifecycleOf(r.InstanceId)),
                E("HealthStatus", "HEALTHY"),
                LaunchTemplate(),
                E("ProtectedFromScaleIn", "false")))),
        ];
    }

    private IEnumerable<XElement?> DescribeAutoScalingGroups(AwsQueryArgs args)
    {
        var names = args.List("AutoScalingGroupNames.member");
        var groups = _groups.Where(g => names.Count == 0 || names.Contains(g.Name)).ToList();
        return
        [
            AwsQueryXml.Members(Ns, "AutoScalingGroups", groups.Select(g => E("member",
                E("AutoScalingGroupName", g.Name),
                E("AutoScalingGroupARN", g.Arn),
                LaunchTemplate(),
                E("MinSize", AwsQueryXml.Int(g.MinSize)),
                E("MaxSize", AwsQueryXml.Int(g.MaxSize)),
                E("DesiredCapacity", AwsQueryXml.Int(g.DesiredCapacity)),
                E("DefaultCooldown", "300"),
                AwsQueryXml.Members(Ns, "AvailabilityZones", [E("member", _aws.Region + "a")]),
                E("LoadBalancerNames"),
                E("TargetGroupARNs"),
                E("HealthCheckType", "EC2"),
                E("HealthCheckGracePeriod", "300"),
                AwsQueryXml.Members(Ns, "Instances", g.Instances.Select(i => E("member",
                    E("InstanceId", i),
                    E("InstanceType", _aws.Ec2.SubnetAndTypeOf(i).InstanceType ?? "t3.micro"),
                    E("AvailabilityZone", _aws.Ec2.AvailabilityZoneOf(i) ?? _aws.Region + "a"),
                    E("LifecycleState", g.LifecycleOf(i)),
                    E("HealthStatus", "Healthy"),
                    LaunchTemplate(),
                    E("ProtectedFromScaleIn", "false")))),
                E("CreatedTime", AwsQueryXml.Time(g.Created)),
                E("SuspendedProcesses"),
                E("VPCZoneIdentifier", string.Join(',', g.Instances.Select(i => _aws.Ec2.SubnetAndTypeOf(i).SubnetId).OfType<string>().Distinct())),
                E("EnabledMetrics"),
                E("Tags"),
                AwsQueryXml.Members(Ns, "TerminationPolicies", [E("member", "Default")]),
                E("NewInstancesProtectedFromScaleIn", "false")))),
        ];
    }

    private IEnumerable<XElement?> DetachInstances(AwsQueryArgs args)
    {
        var group = Find(AwsQueryXml.Required(args, "AutoScalingGroupName", "autoScalingGroupName"));
        var decrementText = AwsQueryXml.Required(args, "ShouldDecrementDesiredCapacity", "shouldDecrementDesiredCapacity");
        var decrement = decrementText.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new AwsQueryException("ValidationError", $"Value {decrementText} for parameter ShouldDecrementDesiredCapacity is invalid."),
        };
        var ids = args.List("InstanceIds.member");
        foreach (var id in ids)
            if (!group.Instances.Contains(id))
                throw new AwsQueryException("ValidationError", $"The instance {id} is not part of Auto Scaling group {group.Name}.");
        if (decrement && group.DesiredCapacity - ids.Count < group.MinSize)
            throw new AwsQueryException("ValidationError",
                $"Currently, desiredCapacity is {group.DesiredCapacity} and minSize is {group.MinSize}. Detaching {ids.Count} instance(s) with decrementing desiredCapacity would violate the minimum size constraint.");
        var now = _aws.Now;
        group.Instances.RemoveAll(ids.Contains);
        group.Standby.ExceptWith(ids);
        if (decrement) group.DesiredCapacity -= ids.Count;
        _calls.Add(new AutoScalingCall("DetachInstances", group.Name, ids, decrement, now));
        return
        [
            AwsQueryXml.Members(Ns, "Activities", ids.Select(id => E("member",
                E("ActivityId", Guid.NewGuid().ToString()),
                E("AutoScalingGroupName", group.Name),
                E("Description", "Detaching EC2 instance: " + id),
                E("Cause", $"At {now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} instance {id} was detached in response to a user request" +
                    (decrement ? ", shrinking the capacity from " + (group.DesiredCapacity + ids.Count).ToString(CultureInfo.InvariantCulture) + " to " + group.DesiredCapacity.ToString(CultureInfo.InvariantCulture) + "." : ".")),
                E("StartTime", AwsQueryXml.Time(now)),
                E("StatusCode", "InProgress"),
                E("Progress", "50"),
                E("Details", "{\"Subnet ID\":\"" + _aws.Ec2.SubnetAndTypeOf(id).SubnetId + "\",\"Availability Zone\":\"" + _aws.Ec2.AvailabilityZoneOf(id) + "\"}")))),
        ];
    }

    /// <summary>
    /// EnterStandby (ShouldDecrementDesiredCapacity required, as for DetachInstances) keeps the instance in the group but
    /// out of service; ExitStandby puts it back and adds it to the desired capacity again.
    /// </summary>
    private IEnumerable<XElement?> Standby(AwsQueryArgs args, bool enter)
    {
        var group = Find(AwsQueryXml.Required(args, "AutoScalingGroupName", "autoScalingGroupName"));
        var decrement = false;
        if (enter)
        {
            var text = AwsQueryXml.Required(args, "ShouldDecrementDesiredCapacity", "shouldDecrementDesiredCapacity");
            decrement = text.ToLowerInvariant() switch
            {
                "true" => true,
                "false" => false,
                _ => throw new AwsQueryException("ValidationError", $"Value {text} for parameter ShouldDecrementDesiredCapacity is invalid."),
            };
        }
        var ids = args.List("InstanceIds.member");
        foreach (var id in ids)
        {
            if (!group.Instances.Contains(id))
                throw new AwsQueryException("ValidationError", $"The instance {id} is not part of Auto Scaling group {group.Name}.");
            if (group.Standby.Contains(id) == enter)
                throw new AwsQueryException("ValidationError", $"The instance {id} is not in {(enter ? "InService" : "Standby")}.");
        }
        if (enter && decrement && group.DesiredCapacity - ids.Count < group.MinSize)
            throw new AwsQueryException("ValidationError",
                $"Currently, desiredCapacity is {group.DesiredCapacity} and minSize is {group.MinSize}. Moving {ids.Count} instance(s) to Standby with decrementing desiredCapacity would violate the minimum size constraint.");
        var grow = !enter && ids.Count > 0;
        if (grow && group.DesiredCapacity + ids.Count > group.MaxSize)
            throw new AwsQueryException("ValidationError", $"Moving {ids.Count} instance(s) out of Standby would exceed the maximum size of the group ({group.MaxSize.ToString(CultureInfo.InvariantCulture)}).");
        var now = _aws.Now;
        if (enter)
        {
            group.Standby.UnionWith(ids);
            if (decrement) group.DesiredCapacity -= ids.Count;
        }
        else
        {
            group.Standby.ExceptWith(ids);
            group.DesiredCapacity += ids.Count;
        }
        var action = enter ? "EnterStandby" : "ExitStandby";
        _calls.Add(new AutoScalingCall(action, group.Name, ids, enter ? decrement : null, now));
        return
        [
            AwsQueryXml.Members(Ns, "Activities", ids.Select(id => E("member",
                E("ActivityId", Guid.NewGuid().ToString()),
                E("AutoScalingGroupName", group.Name),
                E("Description", (enter ? "Moving EC2 instance to Standby: " : "Moving EC2 instance out of Standby: ") + id),
                E("Cause", $"At {now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} instance {id} was moved {(enter ? "to" : "out of")} standby in response to a user request."),
                E("StartTime", AwsQueryXml.Time(now)),
                E("StatusCode", "InProgress"),
                E("Progress", "50"),
                E("Details", "{\"Subnet ID\":\"" + _aws.Ec2.SubnetAndTypeOf(id).SubnetId + "\",\"Availability Zone\":\"" + _aws.Ec2.AvailabilityZoneOf(id) + "\"}")))),
        ];
    }

    /// <summary>The lifecycle state of an instance in its group (InService or Standby), or null when it is in none.</summary>
    public string? LifecycleStateOf(string instanceId)
    {
        lock (_gate) return _groups.FirstOrDefault(g => g.Instances.Contains(instanceId))?.LifecycleOf(instanceId);
    }

    private IEnumerable<XElement?>? AttachInstances(AwsQueryArgs args)
    {
        var group = Find(AwsQueryXml.Required(args, "AutoScalingGroupName", "autoScalingGroupName"));
        var ids = args.List("InstanceIds.member");
        foreach (var id in ids)
        {
            if (!_aws.Ec2.HasInstance(id)) throw new AwsQueryException("ValidationError", $"Instance {id} is not in correct state or does not exist.");
            if (_groups.Any(g => g.Instances.Contains(id)))
                throw new AwsQueryException("ValidationError", $"The instance {id} is already part of an Auto Scaling group.");
        }
        if (group.DesiredCapacity + ids.Count > group.MaxSize)
            throw new AwsQueryException("ValidationError",
                $"Attaching {ids.Count} instance(s) would exceed the maximum size of the group ({group.MaxSize.ToString(CultureInfo.InvariantCulture)}).");
        group.Instances.AddRange(ids);
        group.DesiredCapacity += ids.Count;
        _calls.Add(new AutoScalingCall("AttachInstances", group.Name, ids, null, _aws.Now));
        return null;
    }
}
