using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;
using static PSSocAutomation.Aws.AwsQueryProtocol;

namespace PSSocAutomation.Aws.Elbv2
{
    /// <summary>An instance registered in an ELBv2 target group, on a port, with the health the load balancer sees.</summary>
    public sealed class Elbv2Registration
    {
        public Elbv2Registration(string targetGroupArn, string? targetGroupName, int port, string? state)
        {
            TargetGroupArn = targetGroupArn;
            TargetGroupName = targetGroupName;
            Port = port;
            State = state;
        }

        public string TargetGroupArn { get; }
        public string? TargetGroupName { get; }
        public int Port { get; }
        public string? State { get; }

        public override string ToString() => (TargetGroupName ?? TargetGroupArn) + ":" + Port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Elastic Load Balancing v2 over Query (version 2015-12-01): finds the target groups an instance is registered in
    /// (DescribeTargetGroups, then DescribeTargetHealth per instance-type group of its VPC; a group does not say who
    /// is in it otherwise), and deregisters or registers it.
    /// </summary>
    public sealed class Elbv2Client
    {
        public const string Version = "2015-12-01";
        private readonly HttpPipeline _pipeline;

        public Elbv2Client(HttpPipeline pipeline) => _pipeline = pipeline;

        /// <summary>Every registration of <paramref name="instanceId"/> in the instance target groups of <paramref name="vpcId"/>.</summary>
        public async Task<IReadOnlyList<Elbv2Registration>> RegistrationsAsync(string instanceId, string? vpcId, CancellationToken cancellationToken)
        {
            var found = new List<Elbv2Registration>();
            string? marker = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            do
            {
                var parameters = new List<KeyValuePair<string, string>> { Param("PageSize", "400") };
                if (marker != null) parameters.Add(Param("Marker", marker));
                var root = await CallAsync(_pipeline, "DescribeTargetGroups", Version, parameters, idempotent: true, cancellationToken).ConfigureAwait(false);
                foreach (var group in Items(Find(root, "TargetGroups")))
                {
                    if (Text(group, "TargetType") is string type && type != "instance") continue;
                    if (vpcId != null && Text(group, "VpcId") is string vpc && vpc != vpcId) continue;
                    var arn = Text(group, "TargetGroupArn");
                    if (arn is null) continue;
                    var health = await CallAsync(_pipeline, "DescribeTargetHealth", Version, new[] { Param("TargetGroupArn", arn) }, idempotent: true, cancellationToken).ConfigureAwait(false);
                    foreach (var row in Items(Find(health, "TargetHealthDescriptions")))
                    {
                        var target = row.Elements().FirstOrDefault(e => e.Name.LocalName == "Target");
                        if (Text(target, "Id") != instanceId) continue;
                        var state = Text(row.Elements().FirstOrDefault(e => e.Name.LocalName == "TargetHealth"), "State");
                        if (state == "unused" || state == "draining") continue;
                        var port = int.TryParse(Text(target, "Port"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p
                            : int.Parse(Text(group, "Port") ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
                        found.Add(new Elbv2Registration(arn, Text(group, "TargetGroupName"), port, state));
                    }
                }
                marker = Text(Find(root, "DescribeTargetGroupsResult") ?? root, "NextMarker");
                // A marker seen before would page forever.
                if (marker != null && !seen.Add(marker))
                    throw new SocApiException(ApiFailureKind.InvalidResponse, _pipeline.ServiceName, $"{_pipeline.ServiceName} answered DescribeTargetGroups with a marker it had already given ({marker}).");
            }
            while (marker != null);
            return found;
        }

        /// <summary>True when the instance is registered in the group on that port (draining or unused is not registered).</summary>
        public async Task<bool> IsRegisteredAsync(string targetGroupArn, string instanceId, int port, CancellationToken cancellationToken)
        {
            var health = await CallAsync(_pipeline, "DescribeTargetHealth", Version,
                new[] { Param("TargetGroupArn", targetGroupArn), Param("Targets.member.1.Id", instanceId), Param("Targets.member.1.Port", port.ToString(CultureInfo.InvariantCulture)) },
                idempotent: true, cancellationToken).ConfigureAwait(false);
            return Items(Find(health, "TargetHealthDescriptions"))
                .Select(r => Text(r.Elements().FirstOrDefault(e => e.Name.LocalName == "TargetHealth"), "State"))
                .Any(s => s != null && s != "unused" && s != "draining");
        }

        public Task DeregisterAsync(string targetGroupArn, string instanceId, int port, CancellationToken cancellationToken) =>
            Change("DeregisterTargets", targetGroupArn, instanceId, port, cancellationToken);

        public Task RegisterAsync(string targetGroupArn, string instanceId, int port, CancellationToken cancellationToken) =>
            Change("RegisterTargets", targetGroupArn, instanceId, port, cancellationToken);

        // Both set a state (registered or not), so sending twice is harmless.
        private Task Change(string action, string targetGroupArn, string instanceId, int port, CancellationToken cancellationToken) =>
            CallAsync(_pipeline, action, Version,
                new[] { Param("TargetGroupArn", targetGroupArn), Param("Targets.member.1.Id", instanceId), Param("Targets.member.1.Port", port.ToString(CultureInfo.InvariantCulture)) },
                idempotent: true, cancellationToken);
    }
}
