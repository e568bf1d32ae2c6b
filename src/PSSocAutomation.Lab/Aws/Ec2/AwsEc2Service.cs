using System.Globalization;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws.Ec2;

/// <summary>
/// EC2 (signing name ec2, the ec2 Query protocol, version 2016-11-15): the actions instance isolation needs (contract
/// 4.3/4.4) over an in-memory account of VPCs, subnets, security groups and their rules, ENIs, instances, volumes,
/// snapshots and instance-profile associations. Answers are EC2's: ActionResponse in EC2's namespace with requestId,
/// lowerCamel members and &lt;item&gt; lists; errors are Response/Errors/Error{Code, Message} with RequestID and no
/// namespace (fixtures/aws/query-xml/errors-ec2-describe-instances.xml). Tests seed with <see cref="SeedVpc"/>,
/// <see cref="SeedSecurityGroup"/>, <see cref="SeedInstance"/> or <see cref="SeedIsolationTarget"/> and read back
/// with <see cref="GroupsOf"/>, <see cref="SecurityGroup"/>, <see cref="Snapshots"/>, <see cref="TagsOf"/>,
/// <see cref="AttributesOf"/> and <see cref="AssociationOf"/>.
/// </summary>
public sealed partial class AwsEc2Service : IAwsEmulatedService
{
    public const string Name = "ec2";
    public const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";
    public const string ApiVersion = "2016-11-15";
    internal static readonly XNamespace Ns = Namespace;

    private readonly AwsLab _aws;
    private readonly object _gate = new();
    private readonly Dictionary<string, Ec2Vpc> _vpcs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ec2Subnet> _subnets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ec2SecurityGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ec2NetworkInterface> _interfaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ec2Volume> _volumes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ec2Instance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ec2Snapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ec2InstanceProfile> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ec2Association> _associations = new(StringComparer.Ordinal);
    // Insertion order is what Describe* answers in: Dictionary keeps it while nothing is removed, these lists always do.
    private readonly List<string> _order = new();
    private readonly Dictionary<string, string> _consoleOutput = new(StringComparer.Ordinal);
    private int _vpcCount;

    internal AwsEc2Service(AwsLab aws) => _aws = aws;

    public string SigningName => Name;
    public AwsProtocol Protocol => AwsProtocol.Ec2Query;
    public string? QueryVersion => ApiVersion;
    public string RegionFor(string labRegion) => labRegion;

    internal string Account => _aws.Credentials.AwsAccountId;
    internal string Region => _aws.Region;

    // ---- errors ----

    /// <summary>EC2's own error shape: no namespace, Errors/Error, and RequestID (capital ID), not ErrorResponse.</summary>
    public LabResponse Error(HttpContext context, int status, string code, string message) => ErrorXml(status, code, message, AwsLab.RequestIdOf(context));

    internal static LabResponse ErrorXml(int status, string code, string message, string requestId) =>
        new(status, "text/xml;charset=UTF-8",
            $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Response><Errors><Error><Code>{AwsErrors.XmlText(code)}</Code><Message>{AwsErrors.XmlText(message)}</Message></Error></Errors><RequestID>{requestId}</RequestID></Response>
            """);

    /// <summary>The private DNS suffix of the Lab's region (us-east-1's is ec2.internal, the others' region.compute.internal).</summary>
    internal string PrivateDns(string ip) => "ip-" + ip.Replace('.', '-') + (Region == "us-east-1" ? ".ec2.internal" : "." + Region + ".compute.internal");

    /// <summary>EC2's codes for a status: 500 InternalError, 503 Unavailable; 429 is EC2's throttle, RequestLimitExceeded.</summary>
    public LabResponse Fault(HttpContext context, int status) => status switch
    {
        429 => Error(context, status, "RequestLimitExceeded", "Request limit exceeded."),
        503 => Error(context, status, "Unavailable", "The service is unavailable. Please try again shortly."),
        >= 500 => Error(context, status, "InternalError", "An internal error has occurred"),
        403 => Error(context, status, "UnauthorizedOperation", "You are not authorized to perform this operation."),
        _ => Error(context, status, "InvalidParameterValue", "Injected fault " + status.ToString(CultureInfo.InvariantCulture)),
    };

    // ---- dispatch ----

    public Task<LabResponse> HandleAsync(HttpContext context, AwsCaller? caller, byte[] body)
    {
        var args = new AwsQueryArgs(AwsQueryRequest.Parameters(context.Request, body));
        var requestId = AwsLab.RequestIdOf(context);
        try
        {
            var action = args["Action"];
            if (string.IsNullOrEmpty(action)) throw new Ec2Exception("MissingAction", "The request must contain the parameter Action");
            if (string.IsNullOrEmpty(args["Version"])) throw new Ec2Exception("MissingParameter", "The request must contain the parameter Version");
            if (!Handlers.TryGetValue(action, out var handler))
                throw new Ec2Exception("InvalidAction", $"The action {action} is not valid for this web service.");
            XElement?[] content;
            lock (_gate) content = handler(this, args);
            var root = new XElement(Ns + (action + "Response"), new XElement(Ns + "requestId", requestId), content);
            return Task.FromResult(new LabResponse(200, "text/xml;charset=UTF-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root));
        }
        catch (Ec2Exception e)
        {
            return Task.FromResult(ErrorXml(e.Status, e.Code, e.Message, requestId));
        }
    }

    /// <summary>DryRun=true: the permission check passes (the Lab's callers may do everything), so EC2's 412 DryRunOperation.</summary>
    internal static void DryRun(AwsQueryArgs args)
    {
        if (string.Equals(args["DryRun"], "true", StringComparison.OrdinalIgnoreCase))
            throw new Ec2Exception("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
    }

    // ---- seeding ----

    /// <summary>A VPC (10.N.0.0/16) with tags; returns its id.</summary>
    public string SeedVpc(IReadOnlyDictionary<string, string>? tags = null)
    {
        lock (_gate)
        {
            var n = ++_vpcCount;
            var vpc = new Ec2Vpc { Id = Ec2Ids.New("vpc"), CidrBlock = $"10.{n % 250}.0.0/16" };
            foreach (var (k, v) in tags ?? new Dictionary<string, string>()) vpc.Tags.Set(k, v);
            _vpcs.Add(vpc.Id, vpc);
            // Every VPC has its default group, as in AWS (named "default", undeletable, allow-all egress).
            AddGroup(vpc.Id, "default", "default VPC security group", null, defaultEgress: true);
            return vpc.Id;
        }
    }

    /// <summary>A subnet of <paramref name="vpcId"/> in the region's "a" zone; returns its id.</summary>
    public string SeedSubnet(string vpcId)
    {
        lock (_gate) return AddSubnet(Vpc(vpcId)).Id;
    }

    /// <summary>
    /// A security group in <paramref name="vpcId"/>. <paramref name="defaultEgress"/>: the allow-all IPv4 and IPv6
    /// egress rules CreateSecurityGroup gives; <paramref name="ingressTcpPorts"/>: TCP ingress rules from 0.0.0.0/0.
    /// </summary>
    public string SeedSecurityGroup(string vpcId, string groupName, string? description = null, IReadOnlyDictionary<string, string>? tags = null,
        bool defaultEgress = true, IReadOnlyList<int>? ingressTcpPorts = null)
    {
        lock (_gate)
        {
            Vpc(vpcId);
            var group = AddGroup(vpcId, groupName, description ?? groupName, tags, defaultEgress);
            foreach (var port in ingressTcpPorts ?? [])
                group.Rules.Add(new Ec2Rule { Id = Ec2Ids.New("sgr"), GroupId = group.Id, IsEgress = false, Protocol = "tcp", FromPort = port, ToPort = port, CidrIpv4 = "0.0.0.0/0" });
            return group.Id;
        }
    }

    /// <summary>An instance profile the Lab knows (AssociateIamInstanceProfile accepts only these); returns its ARN.</summary>
    public string SeedInstanceProfile(string name)
    {
        lock (_gate) return Profile(name).Arn;
    }

    /// <summary>An instance with one ENI per entry of <see cref="Ec2InstanceSeed.NetworkInterfaceGroups"/>, its volumes, tags and profile association.</summary>
    public Ec2SeededInstance SeedInstance(Ec2InstanceSeed seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (seed.NetworkInterfaceGroups.Count == 0) throw new ArgumentException("An instance has at least one network interface.", nameof(seed));
        lock (_gate)
        {
            var vpc = Vpc(seed.VpcId);
            var subnet = seed.SubnetId is null ? AddSubnet(vpc) : _subnets.TryGetValue(seed.SubnetId, out var s) && s.VpcId == vpc.Id ? s
                : throw new ArgumentException($"Subnet {seed.SubnetId} is not in {vpc.Id}.", nameof(seed));
            foreach (var g in seed.NetworkInterfaceGroups.SelectMany(x => x))
                if (!_groups.TryGetValue(g, out var group) || group.VpcId != vpc.Id) throw new ArgumentException($"Group {g} is not in {vpc.Id}.", nameof(seed));
            var now = _aws.Now;
            var instance = new Ec2Instance
            {
                Id = Ec2Ids.New("i"), ReservationId = Ec2Ids.New("r"), VpcId = vpc.Id, SubnetId = subnet.Id,
                AvailabilityZone = subnet.AvailabilityZone, PrivateIpAddress = NextIp(subnet), LaunchTime = now - TimeSpan.FromDays(3),
                InstanceType = seed.InstanceType, StateName = seed.State,
            };
            foreach (var (k, v) in seed.Tags ?? new Dictionary<string, string>()) instance.Tags.Set(k, v);
            var original = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            for (var i = 0; i < seed.NetworkInterfaceGroups.Count; i++)
            {
                var eni = new Ec2NetworkInterface
                {
                    Id = Ec2Ids.New("eni"), SubnetId = subnet.Id, VpcId = vpc.Id, AvailabilityZone = subnet.AvailabilityZone,
                    PrivateIpAddress = i == 0 ? instance.PrivateIpAddress : NextIp(subnet), MacAddress = Mac(),
                    Groups = seed.NetworkInterfaceGroups[i].ToList(), InstanceId = instance.Id, DeviceIndex = i,
                    AttachmentId = Ec2Ids.New("eni-attach"), AttachTime = instance.LaunchTime, DeleteOnTermination = i == 0,
                    Description = i == 0 ? string.Empty : "secondary interface",
                };
                _interfaces.Add(eni.Id, eni);
                instance.NetworkInterfaces.Add(eni.Id);
                original[eni.Id] = eni.Groups.ToList();
            }
            for (var i = 0; i < seed.VolumeSizes.Count; i++)
            {
                var volume = new Ec2Volume
                {
                    Id = Ec2Ids.New("vol"), Size = seed.VolumeSizes[i], AvailabilityZone = subnet.AvailabilityZone, InstanceId = instance.Id,
                    Device = i == 0 ? instance.RootDeviceName : "/dev/sd" + (char)('f' + i - 1), DeleteOnTermination = i == 0, AttachTime = instance.LaunchTime,
                };
                foreach (var (k, v) in seed.VolumeTags ?? new Dictionary<string, string>()) volume.Tags.Set(k, v);
                _volumes.Add(volume.Id, volume);
                instance.Volumes.Add(volume.Id);
            }
            _instances.Add(instance.Id, instance);
            _order.Add(instance.Id);
            Ec2Association? association = null;
            if (seed.InstanceProfileName is { } profileName)
            {
                association = new Ec2Association { Id = Ec2Ids.New("iip-assoc"), InstanceId = instance.Id, Profile = Profile(profileName), Timestamp = instance.LaunchTime };
                _associations.Add(association.Id, association);
            }
            return new Ec2SeededInstance(instance.Id, vpc.Id, subnet.Id, instance.NetworkInterfaces.ToList(), instance.Volumes.ToList(), original,
                association?.Id, association?.Profile.Arn);
        }
    }

    /// <summary>
    /// The isolation test bed: a VPC with groups web (tcp 80, 443), ssh (tcp 22) and app (tcp 8080), and an instance
    /// tagged Name=web-01 with two ENIs in that VPC (eth0: web + ssh, eth1: app), two volumes (8 and 100 GiB, tagged
    /// app=shop) and instance profile web-role associated.
    /// </summary>
    public Ec2SeededInstance SeedIsolationTarget(string name = "web-01")
    {
        var vpc = SeedVpc(new Dictionary<string, string> { ["Name"] = "lab-vpc" });
        var web = SeedSecurityGroup(vpc, "web", "web tier", ingressTcpPorts: [80, 443]);
        var ssh = SeedSecurityGroup(vpc, "ssh", "admin ssh", ingressTcpPorts: [22]);
        var app = SeedSecurityGroup(vpc, "app", "app tier", ingressTcpPorts: [8080]);
        return SeedInstance(new Ec2InstanceSeed
        {
            VpcId = vpc,
            NetworkInterfaceGroups = [[web, ssh], [app]],
            VolumeSizes = [8, 100],
            InstanceProfileName = "web-role",
            Tags = new Dictionary<string, string> { ["Name"] = name, ["env"] = "prod" },
            VolumeTags = new Dictionary<string, string> { ["app"] = "shop" },
        });
    }

    /// <summary>What GetConsoleOutput answers for an instance (a boot log line and a login prompt by default).</summary>
    public void SetConsoleOutput(string instanceId, string text)
    {
        lock (_gate)
        {
            Instance(instanceId);
            _consoleOutput[instanceId] = text;
        }
    }

    /// <summary>Moves an instance to another state (a terminated instance is one isolation must refuse).</summary>
    public void SetInstanceState(string instanceId, string state)
    {
        lock (_gate) Instance(instanceId).StateName = state;
    }

    // ---- reading back ----

    /// <summary>The security group ids on an ENI, in order.</summary>
    public IReadOnlyList<string> GroupsOf(string networkInterfaceId)
    {
        lock (_gate) return _interfaces.TryGetValue(networkInterfaceId, out var eni) ? eni.Groups.ToList() : throw new KeyNotFoundException(networkInterfaceId);
    }

    /// <summary>The ENIs of an instance by device index, with their group ids.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> GroupsByInterface(string instanceId)
    {
        lock (_gate) return Instance(instanceId).NetworkInterfaces.ToDictionary(id => id, id => (IReadOnlyList<string>)_interfaces[id].Groups.ToList(), StringComparer.Ordinal);
    }

    /// <summary>A security group and its rules, or null when there is none with that id (deleted, say).</summary>
    public Ec2SecurityGroupView? SecurityGroup(string groupId)
    {
        lock (_gate) return _groups.TryGetValue(groupId, out var g) ? View(g) : null;
    }

    /// <summary>Every security group of the account (the VPCs' default groups included).</summary>
    public IReadOnlyList<Ec2SecurityGroupView> SecurityGroups
    {
        get
        {
            lock (_gate) return _groups.Values.Select(View).ToList();
        }
    }

    /// <summary>Every snapshot, in creation order.</summary>
    public IReadOnlyList<Ec2SnapshotView> Snapshots
    {
        get
        {
            lock (_gate)
                return _snapshots.Values.Select(s => new Ec2SnapshotView(s.Id, s.VolumeId, s.InstanceId, s.VolumeSize, s.Description, s.StartTime, s.Tags.ToDictionary())).ToList();
        }
    }

    /// <summary>The tags of any resource (instance, ENI, volume, group, snapshot, VPC).</summary>
    public IReadOnlyDictionary<string, string> TagsOf(string resourceId)
    {
        lock (_gate) return (TagSetOf(resourceId) ?? throw new KeyNotFoundException(resourceId)).ToDictionary();
    }

    public Ec2InstanceAttributes AttributesOf(string instanceId)
    {
        lock (_gate)
        {
            var i = Instance(instanceId);
            return new Ec2InstanceAttributes(i.StateName, i.DisableApiTermination, i.DisableApiStop, i.ShutdownBehavior,
                i.Volumes.Select(v => _volumes[v]).ToDictionary(v => v.Device!, v => v.DeleteOnTermination, StringComparer.Ordinal));
        }
    }

    /// <summary>The instance's current profile association, or null when it has none.</summary>
    public Ec2AssociationView? AssociationOf(string instanceId)
    {
        lock (_gate)
            return _associations.Values.FirstOrDefault(a => a.InstanceId == instanceId) is { } a
                ? new Ec2AssociationView(a.Id, a.InstanceId, a.Profile.Arn, a.Profile.Id, a.State)
                : null;
    }

    /// <summary>Whether an instance exists (Auto Scaling and ELBv2 accept only instances EC2 knows).</summary>
    public bool HasInstance(string instanceId)
    {
        lock (_gate) return _instances.ContainsKey(instanceId);
    }

    internal string? AvailabilityZoneOf(string instanceId)
    {
        lock (_gate) return _instances.TryGetValue(instanceId, out var i) ? i.AvailabilityZone : null;
    }

    internal (string? SubnetId, string? InstanceType) SubnetAndTypeOf(string instanceId)
    {
        lock (_gate) return _instances.TryGetValue(instanceId, out var i) ? (i.SubnetId, i.InstanceType) : (null, null);
    }

    /// <summary>Everything gone: no VPCs, groups, instances, snapshots, profiles or associations.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _vpcs.Clear();
            _subnets.Clear();
            _groups.Clear();
            _interfaces.Clear();
            _volumes.Clear();
            _instances.Clear();
            _snapshots.Clear();
            _profiles.Clear();
            _associations.Clear();
            _order.Clear();
            _consoleOutput.Clear();
            _vpcCount = 0;
        }
    }

    // ---- internals (callers hold _gate) ----

    private Ec2SecurityGroupView View(Ec2SecurityGroup g) =>
        new(g.Id, g.Name, g.Description, g.VpcId, g.Rules.Select(r => new Ec2RuleView(r.Id, r.IsEgress, r.Protocol, r.FromPort, r.ToPort, r.CidrIpv4, r.CidrIpv6)).ToList(),
            g.Tags.ToDictionary());

    private Ec2Vpc Vpc(string vpcId) => _vpcs.TryGetValue(vpcId, out var vpc) ? vpc : throw new ArgumentException($"No VPC {vpcId}; seed it with SeedVpc.", nameof(vpcId));

    private Ec2Instance Instance(string instanceId) => _instances.TryGetValue(instanceId, out var i) ? i : throw new KeyNotFoundException(instanceId);

    private Ec2Subnet AddSubnet(Ec2Vpc vpc)
    {
        var n = _subnets.Values.Count(s => s.VpcId == vpc.Id) + 1;
        var prefix = vpc.CidrBlock[..vpc.CidrBlock.LastIndexOf(".0.0/", StringComparison.Ordinal)];
        var subnet = new Ec2Subnet { Id = Ec2Ids.New("subnet"), VpcId = vpc.Id, AvailabilityZone = Region + "a", CidrBlock = $"{prefix}.{n}.0/24" };
        _subnets.Add(subnet.Id, subnet);
        return subnet;
    }

    private static string NextIp(Ec2Subnet subnet)
    {
        var prefix = subnet.CidrBlock[..subnet.CidrBlock.LastIndexOf(".0/", StringComparison.Ordinal)];
        return prefix + "." + (subnet.NextHost++).ToString(CultureInfo.InvariantCulture);
    }

    private static string Mac() => "0e:" + string.Join(':', System.Security.Cryptography.RandomNumberGenerator.GetBytes(5).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    internal Ec2SecurityGroup AddGroup(string vpcId, string name, string description, IReadOnlyDictionary<string, string>? tags, bool defaultEgress)
    {
        var group = new Ec2SecurityGroup { Id = Ec2Ids.New("sg"), Name = name, Description = description, VpcId = vpcId };
        foreach (var (k, v) in tags ?? new Dictionary<string, string>()) group.Tags.Set(k, v);
        if (defaultEgress)
        {
            group.Rules.Add(new Ec2Rule { Id = Ec2Ids.New("sgr"), GroupId = group.Id, IsEgress = true, Protocol = "-1", CidrIpv4 = "0.0.0.0/0" });
            group.Rules.Add(new Ec2Rule { Id = Ec2Ids.New("sgr"), GroupId = group.Id, IsEgress = true, Protocol = "-1", CidrIpv6 = "::/0" });
        }
        _groups.Add(group.Id, group);
        return group;
    }

    private Ec2InstanceProfile Profile(string name)
    {
        if (_profiles.TryGetValue(name, out var known)) return known;
        var profile = new Ec2InstanceProfile
        {
            Name = name, Arn = $"arn:aws:iam::{Account}:instance-profile/{name}",
            Id = "AIPA" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(9)).ToUpperInvariant()[..17],
        };
        _profiles.Add(name, profile);
        return profile;
    }

    private Ec2TagSet? TagSetOf(string id) =>
        _instances.TryGetValue(id, out var i) ? i.Tags :
        _interfaces.TryGetValue(id, out var n) ? n.Tags :
        _volumes.TryGetValue(id, out var v) ? v.Tags :
        _groups.TryGetValue(id, out var g) ? g.Tags :
        _snapshots.TryGetValue(id, out var s) ? s.Tags :
        _vpcs.TryGetValue(id, out var p) ? p.Tags : null;
}
