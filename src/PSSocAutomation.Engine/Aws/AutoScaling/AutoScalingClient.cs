using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;
using static PSSocAutomation.Aws.AwsQueryProtocol;

namespace PSSocAutomation.Aws.AutoScaling
{
    /// <summary>An instance's place in an Auto Scaling group: the group and its lifecycle state (InService, Standby ...).</summary>
    public sealed class AutoScalingMembership
    {
        public AutoScalingMembership(string groupName, string? lifecycleState)
        {
            GroupName = groupName;
            LifecycleState = lifecycleState;
        }

        public string GroupName { get; }
        public string? LifecycleState { get; }

        public override string ToString() => GroupName + (LifecycleState is null ? string.Empty : " (" + LifecycleState + ")");
    }

    /// <summary>
    /// Amazon EC2 Auto Scaling over Query (version 2011-01-01, lists as Name.member.N): what isolation needs to take an
    /// instance out of its group before its network is cut (so failing health checks do not make the group terminate
    /// it) and to put it back.
    /// </summary>
    public sealed class AutoScalingClient
    {
        public const string Version = "2011-01-01";
        private readonly HttpPipeline _pipeline;

        public AutoScalingClient(HttpPipeline pipeline) => _pipeline = pipeline;

        /// <summary>The group the instance belongs to, or null when it is in none.</summary>
        public async Task<AutoScalingMembership?> MembershipAsync(string instanceId, CancellationToken cancellationToken)
        {
            var root = await CallAsync(_pipeline, "DescribeAutoScalingInstances", Version, new[] { Param("InstanceIds.member.1", instanceId) }, idempotent: true, cancellationToken).ConfigureAwait(false);
            var item = Items(Find(root, "AutoScalingInstances")).FirstOrDefault(i => Text(i, "InstanceId") == instanceId);
            return item is null || Text(item, "AutoScalingGroupName") is not string group ? null : new AutoScalingMembership(group, Text(item, "LifecycleState"));
        }

        /// <summary>
        /// DetachInstances with ShouldDecrementDesiredCapacity=false: the group keeps its size and launches a
        /// replacement, so the service stays up while the detached instance is kept for forensics.
        /// </summary>
        public Task DetachAsync(string groupName, string instanceId, CancellationToken cancellationToken) =>
            CallAsync(_pipeline, "DetachInstances", Version,
                new[] { Param("AutoScalingGroupName", groupName), Param("InstanceIds.member.1", instanceId), Param("ShouldDecrementDesiredCapacity", "false") },
                idempotent: false, cancellationToken);

        /// <summary>AttachInstances: the group's desired capacity grows by one (AWS's rule), within its maximum size.</summary>
        public Task AttachAsync(string groupName, string instanceId, CancellationToken cancellationToken) =>
            CallAsync(_pipeline, "AttachInstances", Version, new[] { Param("AutoScalingGroupName", groupName), Param("InstanceIds.member.1", instanceId) },
                idempotent: false, cancellationToken);
    }
}
