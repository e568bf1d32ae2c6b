using System.Globalization;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws.Elbv2;

/// <summary>A registered target: an instance id and the port traffic goes to.</summary>
public sealed record Elbv2Target(string Id, int Port);

/// <summary>One RegisterTargets or DeregisterTargets the Lab applied.</summary>
public sealed record Elbv2Call(string Action, string TargetGroupArn, IReadOnlyList<Elbv2Target> Targets, DateTimeOffset Time);

/// <summary>
/// Elastic Load Balancing v2 (signing name elasticloadbalancing, Query, version 2015-12-01): DescribeTargetGroups,
/// DescribeTargetHealth, RegisterTargets and DeregisterTargets over instance target groups, which is how a client
/// finds and drains the groups holding an instance. Errors are ErrorResponse in the service's namespace
/// (TargetGroupNotFound, InvalidTarget, ValidationError). A deregistered target leaves at once (no draining delay).
/// </summary>
public sealed class AwsElbv2Service : IAwsEmulatedService
{
    public const string Name = "elasticloadbalancing";
    public const string Namespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
    public const string ApiVersion = "2015-12-01";
    private static readonly XNamespace Ns = Namespace;

    private readonly AwsLab _aws;
    private readonly object _gate = new();
    private readonly List<TargetGroup> _groups = new();
    private readonly List<Elbv2Call> _calls = new();

    private sealed class TargetGroup
    {
        public required string Arn { get; init; }
        public required string Name { get; init; }
        public required string VpcId { get; init; }
        public required int Port { get; init; }
        public required string LoadBalancerArn { get; init; }
        public List<Elbv2Target> Targets { get; } = new();
    }

    internal AwsElbv2Service(AwsLab aws) => _aws = aws;

    public string SigningName => Name;
    public AwsProtocol Protocol => AwsProtocol.Query;
    public string? QueryVersion => ApiVersion;
    public string RegionFor(string labRegion) => labRegion;

    public LabResponse Error(HttpContext context, int status, string code, string message) =>
        AwsErrors.Query(Namespace, status, code, message, AwsLab.RequestIdOf(context));

    public LabResponse Fault(HttpContext context, int status) =>
        Error(context, status, AwsStsService.QueryFaultCode(status), AwsStsService.QueryFaultMessage(status));

    // ---- seeding and reading back ----

    /// <summary>An HTTP instance target group behind a load balancer, with <paramref name="instanceIds"/> registered on <paramref name="port"/>. Returns its ARN.</summary>
    public string SeedTargetGroup(string name, string vpcId, IEnumerable<string> instanceIds, int port = 80)
    {
        var ids = instanceIds.ToList();
        foreach (var id in ids)
            if (!_aws.Ec2.HasInstance(id)) throw new ArgumentException($"EC2 has no instance {id}; seed it first.", nameof(instanceIds));
        var prefix = $"arn:aws:elasticloadbalancing:{_aws.Region}:{_aws.Credentials.AwsAccountId}:";
        var group = new TargetGroup
        {
            Arn = prefix + $"targetgroup/{name}/{Hex()}", Name = name, VpcId = vpcId, Port = port,
            LoadBalancerArn = prefix + $"loadbalancer/app/{name}-alb/{Hex()}",
        };
        group.Targets.AddRange(ids.Select(id => new Elbv2Target(id, port)));
        lock (_gate) _groups.Add(group);
        return group.Arn;
    }

    private static string Hex() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();

    /// <summary>The targets registered in a group now.</summary>
    public IReadOnlyList<Elbv2Target> TargetsOf(string targetGroupArn)
    {
        lock (_gate) return (_groups.FirstOrDefault(g => g.Arn == targetGroupArn) ?? throw new KeyNotFoundException(targetGroupArn)).Targets.ToList();
    }

    /// <summary>The ARNs of the groups an instance is registered in.</summary>
    public IReadOnlyList<string> TargetGroupsOf(string instanceId)
    {
        lock (_gate) return _groups.Where(g => g.Targets.Any(t => t.Id == instanceId)).Select(g => g.Arn).ToList();
    }

    /// <summary>Every RegisterTargets and DeregisterTargets applied, in order.</summary>
    public IReadOnlyList<Elbv2Call> Calls
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
            "DescribeTargetGroups" => () => DescribeTargetGroups(args),
            "DescribeTargetHealth" => () => DescribeTargetHealth(args),
            "RegisterTargets" => () => Change(args, register: true),
            "DeregisterTargets" => () => Change(args, register: false),
            _ => null,
        });

    private static XElement E(string name, params object?[] content) => new(Ns + name, content);

    private TargetGroup Find(string arn) =>
        _groups.FirstOrDefault(g => g.Arn == arn) ?? throw new AwsQueryException("TargetGroupNotFound", "One or more target groups not found");

    private IEnumerable<XElement?> DescribeTargetGroups(AwsQueryArgs args)
    {
        var arns = args.List("TargetGroupArns.member");
        var names = args.List("Names.member");
        var loadBalancer = args["LoadBalancerArn"];
        if (new[] { arns.Count > 0, names.Count > 0, loadBalancer is not null }.Count(x => x) > 1)
            throw new AwsQueryException("ValidationError", "Target group ARNs, target group names and a load balancer ARN cannot be specified at the same time");
        foreach (var arn in arns) Find(arn);
        foreach (var name in names)
            if (!_groups.Any(g => g.Name == name)) throw new AwsQueryException("TargetGroupNotFound", "One or more target groups not found");
        var selected = _groups
            .Where(g => arns.Count == 0 || arns.Contains(g.Arn))
            .Where(g => names.Count == 0 || names.Contains(g.Name))
            .Where(g => loadBalancer is null || g.LoadBalancerArn == loadBalancer)
            .ToList();
        var start = 0;
        if (args["Marker"] is { Length: > 0 } marker && !int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out start))
            throw new AwsQueryException("ValidationError", "Invalid value for Marker");
        var size = selected.Count;
        if (args["PageSize"] is { } pageSize && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > 400))
            throw new AwsQueryException("ValidationError", $"1 validation error detected: Value '{pageSize}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 400");
        var page = selected.Skip(start).Take(size).ToList();
        var end = start + page.Count;
        return
        [
            AwsQueryXml.Members(Ns, "TargetGroups", page.Select(g => E("member",
                E("TargetGroupArn", g.Arn),
                E("TargetGroupName", g.Name),
                E("Protocol", "HTTP"),
                E("Port", AwsQueryXml.Int(g.Port)),
                E("VpcId", g.VpcId),
                E("HealthCheckProtocol", "HTTP"),
                E("HealthCheckPort", "traffic-port"),
                E("HealthCheckEnabled", "true"),
                E("HealthCheckIntervalSeconds", "30"),
                E("HealthCheckTimeoutSeconds", "5"),
                E("HealthyThresholdCount", "5"),
                E("UnhealthyThresholdCount", "2"),
                E("HealthCheckPath", "/"),
                E("Matcher", E("HttpCode", "200")),
                AwsQueryXml.Members(Ns, "LoadBalancerArns", [E("member", g.LoadBalancerArn)]),
                E("TargetType", "instance"),
                E("ProtocolVersion", "HTTP1"),
                E("IpAddressType", "ipv4")))),
            end < selected.Count ? E("NextMarker", AwsQueryXml.Int(end)) : null,
        ];
    }

    private static List<(string Id, int? Port)> Targets(AwsQueryArgs args)
    {
        var targets = new List<(string, int?)>();
        foreach (var n in args.Indexes("Targets.member"))
        {
            var p = AwsQueryArgs.Index("Targets.member", n);
            var id = args[p + ".Id"] ?? throw new AwsQueryException("ValidationError",
                "1 validation error detected: Value null at 'targets." + n.ToString(CultureInfo.InvariantCulture) + ".member.id' failed to satisfy constraint: Member must not be null");
            int? port = null;
            if (args[p + ".Port"] is { } text)
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 65535)
                    throw new AwsQueryException("ValidationError", $"Value '{text}' at 'targets.{n}.member.port' failed to satisfy constraint: Member must have value between 1 and 65535");
                port = value;
            }
            targets.Add((id, port));
        }
        return targets;
    }

    private IEnumerable<XElement?> DescribeTargetHealth(AwsQueryArgs args)
    {
        var group = Find(AwsQueryXml.Required(args, "TargetGroupArn", "targetGroupArn"));
        var asked = Targets(args);
        var rows = asked.Count == 0
            ? group.Targets.Select(t => (Target: t, Registered: true)).ToList()
            : asked.Select(a =>
            {
                var registered = group.Targets.FirstOrDefault(t => t.Id == a.Id && (a.Port is null || t.Port == a.Port));
                return (Target: registered ?? new Elbv2Target(a.Id, a.Port ?? group.Port), Registered: registered is not null);
            }).ToList();
        foreach (var (target, _) in rows)
            if (!_aws.Ec2.HasInstance(target.Id))
                throw new AwsQueryException("InvalidTarget", $"The following targets are not valid: '{target.Id}'");
        return
        [
            AwsQueryXml.Members(Ns, "TargetHealthDescriptions", rows.Select(r => E("member",
                E("Target", E("Id", r.Target.Id), E("Port", AwsQueryXml.Int(r.Target.Port))),
                E("HealthCheckPort", AwsQueryXml.Int(r.Target.Port)),
                r.Registered
                    ? E("TargetHealth", E("State", "healthy"))
                    : E("TargetHealth", E("State", "unused"), E("Reason", "Target.NotRegistered"), E("Description", "Target is not registered to the target group"))))),
        ];
    }

    private IEnumerable<XElement?> Change(AwsQueryArgs args, bool register)
    {
        var group = Find(AwsQueryXml.Required(args, "TargetGroupArn", "targetGroupArn"));
        var targets = Targets(args).Select(t => new Elbv2Target(t.Id, t.Port ?? group.Port)).ToList();
        if (targets.Count == 0)
            throw new AwsQueryException("ValidationError", "1 validation error detected: Value null at 'targets' failed to satisfy constraint: Member must not be null");
        foreach (var target in targets)
            if (!_aws.Ec2.HasInstance(target.Id))
                throw new AwsQueryException("InvalidTarget",
                    $"The following targets are not in a running state and cannot be registered: '{target.Id}'");
        if (register)
        {
            foreach (var target in targets)
                if (!group.Targets.Contains(target)) group.Targets.Add(target);
        }
        else group.Targets.RemoveAll(targets.Contains);
        _calls.Add(new Elbv2Call(register ? "RegisterTargets" : "DeregisterTargets", group.Arn, targets, _aws.Now));
        return [];
    }
}
