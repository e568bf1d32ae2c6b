using System;
using System.Linq;
using System.Management.Automation;
using PSSocAutomation.Aws.Ec2;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// <para type="synopsis">Isolates EC2 instances for forensics: protects them, snapshots their volumes, takes them out of their Auto Scaling group and target groups, and cuts every network interface off with an isolation security group. Returns the isolation record.</para>
    /// <para type="description">Invoke-Ec2Isolation works in this order, so nothing can terminate or replace the instance before its evidence is kept, and the network cut comes last: (1) it tags the instance with its original state (pssoc: tags: the groups of every interface, the Auto Scaling group, the target groups, the instance profile, the protections), so Undo-Ec2Isolation works from the instance alone; (2) turns termination and stop protection on, makes a shutdown from inside stop the instance, and keeps its volumes on termination; (3) snapshots every volume (tagged pssoc:isolation, and looked up by that tag first, so a second run takes none; -NoSnapshot skips it); (4) detaches it from its Auto Scaling group without lowering the desired capacity (the group launches a replacement) and deregisters it from its ELBv2 target groups; (5) moves every network interface to an all-access group and then to the isolation group of its VPC (pssoc-isolation-VPC, found by tag or created once, with no rules at all: its default egress rule is revoked). Security groups do not cut tracked connections; the all-access step turns them into untracked ones, which the second move cuts (-NoConnectionFlush skips it). With -DisassociateInstanceProfile it also removes the instance profile; the role's credentials already on the instance stay valid until they expire: contain the role with Invoke-IamContainment. It then reads the instance again to verify and marks the record complete. -WhatIf lists every step and sends no call that changes anything. Running it again on an isolated instance changes nothing (every step reports AlreadyDone). If a step fails, the command stops the script with an error naming the steps that were done; the record on the instance still lets Undo-Ec2Isolation put the original groups back.</para>
    /// </summary>
    /// <example><code>Get-SecurityHubFinding -ProductName GuardDuty -Severity HIGH, CRITICAL -ResourceType AwsEc2Instance | Invoke-Ec2Isolation -WhatIf</code><para>Shows, for each instance a new high or critical GuardDuty finding names, every step isolation would take, and changes nothing.</para></example>
    /// <example><code>$record = Invoke-Ec2Isolation -InstanceId i-0c10c2c7863d1a356 -DisassociateInstanceProfile -Confirm:$false; $record.Steps | Format-Table Name, Target, Outcome, Detail</code><para>Isolates one instance without asking, removes its instance profile, and shows what each step did; $record.OriginalGroups holds the groups each interface had.</para></example>
    [Cmdlet(VerbsLifecycle.Invoke, "Ec2Isolation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "InstanceId")]
    [OutputType(typeof(Ec2IsolationRecord))]
    public sealed class InvokeEc2IsolationCommand : Ec2ResponseCommandBase
    {
        /// <summary>Take no snapshots of the volumes.</summary>
        [Parameter]
        public SwitchParameter NoSnapshot { get; set; }

        /// <summary>Also remove the instance's IAM instance profile, so it can get no new role credentials.</summary>
        [Parameter]
        public SwitchParameter DisassociateInstanceProfile { get; set; }

        /// <summary>Move the interfaces straight to the isolation group, without the all-access step that makes tracked connections cuttable.</summary>
        [Parameter]
        public SwitchParameter NoConnectionFlush { get; set; }

        private protected override string Action => "Isolate";

        private protected override void Process(Ec2InstanceTarget target, AwsConnection connection, object? source)
        {
            var options = new Ec2IsolationOptions
            {
                Snapshot = !NoSnapshot,
                DisassociateInstanceProfile = DisassociateInstanceProfile,
                FlushTrackedConnections = !NoConnectionFlush,
                FindingId = target.FindingId,
            };
            (Ec2IsolationRecord Record, ResponsePlan Plan) planned;
            try
            {
                var isolation = connection.Ec2Isolation;
                planned = Run(ct => isolation.PlanAsync(target.InstanceId, options, ct));
            }
            catch (Exception ex) when (ex is SocApiException || ex is Ec2IsolationException)
            {
                DrainMessages();
                WritePlanningError(ex, target);
                return;
            }
            Execute(planned.Record, planned.Plan, "Isolated");
        }

        private protected override string AfterFailure(Ec2IsolationRecord record)
        {
            var recorded = record.Steps.FirstOrDefault(s => s.Name == "RecordOriginalState")?.Succeeded == true;
            return recorded
                ? $"The original state is recorded in the instance's pssoc: tags: fix the cause and run Invoke-Ec2Isolation again to finish, or run Undo-Ec2Isolation -InstanceId {record.InstanceId} to put the original groups back."
                : "Nothing was changed on the instance.";
        }
    }
}
