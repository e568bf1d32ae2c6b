using System.Management.Automation;
using PSSocAutomation.Aws.Ec2;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// <para type="synopsis">Gets an EC2 instance with what containment needs to know: every network interface and its security groups, the instance profile, the volumes, the tags, the Auto Scaling group, the target groups and the protections.</para>
    /// <para type="description">Get-Ec2Instance takes instance ids or ARNs, or a piped Security Hub finding (every AwsEc2Instance resource it names, in the region of the resource's ARN), and reads the instance with DescribeInstances, its Auto Scaling group with DescribeAutoScalingInstances, its ELBv2 target groups (DescribeTargetGroups, then DescribeTargetHealth of each instance target group of its VPC), its instance profile association and its termination, stop and shutdown settings. When the credentials may not read the fleet (AccessDenied), that part stays empty with a warning. An instance isolated by Invoke-Ec2Isolation shows its isolation record in Isolation. Reads only.</para>
    /// </summary>
    /// <example><code>Get-SecurityHubFinding -ProductName GuardDuty -ResourceType AwsEc2Instance | Get-Ec2Instance</code><para>The instances the new GuardDuty findings are about, each with its interfaces, groups, fleet memberships and instance profile.</para></example>
    /// <example><code>(Get-Ec2Instance i-0c10c2c7863d1a356).NetworkInterfaces | Format-Table NetworkInterfaceId, DeviceIndex, Groups</code><para>The interfaces of one instance and the security groups of each: what isolation will record and replace.</para></example>
    [Cmdlet(VerbsCommon.Get, "Ec2Instance", DefaultParameterSetName = "InstanceId")]
    [OutputType(typeof(Ec2Instance))]
    public sealed class GetEc2InstanceCommand : Ec2InstanceCommandBase
    {
        private protected override void Process(Ec2InstanceTarget target, AwsConnection connection, object? source)
        {
            try
            {
                var reader = connection.Ec2Reader;
                var instance = Run(ct => reader.ReadAsync(target.InstanceId, message => RequestLog.Current?.Warning(message), ct));
                DrainMessages();
                WriteObject(instance);
            }
            catch (SocApiException ex)
            {
                DrainMessages();
                WriteApiError(ex, ErrorPrefix + "Ec2", target.InstanceId);
            }
        }
    }
}
