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
            var groups = await ReadAllAsync(_pipeline, "DescribeTargetGroups", Version, new[] { Param("PageSize", "400") }, "Marker",
                root => Text(Find(root, "DescribeTargetGroupsResult") ?? root, "NextMarker"), root => Items(Find(root, "TargetGroups")), cancellationToken).ConfigureAwait(false);
            var found = new List<Elbv2Registration>();
            foreach (var group in groups)
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
                    // Draining or unused is on its way out, or not in: nothing to deregister.
                    if (state == "unused" || state == "draining") continue;
                    var port = int.TryParse(Text(target, "Port"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p
                        : int.Parse(Text(group, "Port") ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
                    found.Add(new Elbv2Registration(arn, Text(group, "TargetGroupName"), port, state));
                }
            }
            return found;
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
