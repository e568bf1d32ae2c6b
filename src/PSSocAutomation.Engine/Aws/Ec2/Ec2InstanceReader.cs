using System;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Aws.AutoScaling;
using PSSocAutomation.Aws.Elbv2;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>
    /// An instance with everything containment has to know before it changes anything: its interfaces and their
    /// groups (DescribeInstances), its Auto Scaling group, its target group registrations, its instance profile
    /// association and its protections. Reads only.
    /// </summary>
    public sealed class Ec2InstanceReader
    {
        private readonly Ec2Client _ec2;
        private readonly AutoScalingClient _autoScaling;
        private readonly Elbv2Client _elbv2;

        public Ec2InstanceReader(Ec2Client ec2, AutoScalingClient autoScaling, Elbv2Client elbv2)
        {
            _ec2 = ec2;
            _autoScaling = autoScaling;
            _elbv2 = elbv2;
        }

        /// <summary>
        /// The whole picture. With <paramref name="warn"/>, a fleet or protection look-up the credentials may not make
        /// (AccessDenied, a service not offered in the region) becomes a warning and leaves that part empty; without it
        /// (containment, which must not miss a group that would replace the instance) it fails.
        /// </summary>
        public async Task<Ec2Instance> ReadAsync(string instanceId, Action<string>? warn, CancellationToken cancellationToken)
        {
            var instance = await _ec2.DescribeInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false);
            if (instance.State == "terminated") return instance;
            await Part(warn, "its Auto Scaling group", async () =>
            {
                var membership = await _autoScaling.MembershipAsync(instanceId, cancellationToken).ConfigureAwait(false);
                instance.AutoScalingGroupName = membership?.GroupName;
                instance.AutoScalingLifecycleState = membership?.LifecycleState;
            }).ConfigureAwait(false);
            await Part(warn, "its target groups", async () =>
                instance.TargetGroups = await _elbv2.RegistrationsAsync(instanceId, instance.VpcId, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            await Part(warn, "its instance profile association", async () =>
                instance.ProfileAssociation = await _ec2.ProfileAssociationAsync(instanceId, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            await Part(warn, "its protections", async () =>
            {
                instance.TerminationProtection = await _ec2.InstanceFlagAsync(instanceId, "disableApiTermination", cancellationToken).ConfigureAwait(false);
                instance.StopProtection = await _ec2.InstanceFlagAsync(instanceId, "disableApiStop", cancellationToken).ConfigureAwait(false);
                instance.ShutdownBehavior = await _ec2.InstanceAttributeAsync(instanceId, "instanceInitiatedShutdownBehavior", cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return instance;
        }

        private static async Task Part(Action<string>? warn, string what, Func<Task> read)
        {
            try
            {
                await read().ConfigureAwait(false);
            }
            catch (SocApiException ex) when (warn != null && (ex.Kind == ApiFailureKind.Permission || ex.Kind == ApiFailureKind.NotFound))
            {
                warn("Could not read " + what + ": " + ex.Message);
            }
        }
    }
}
