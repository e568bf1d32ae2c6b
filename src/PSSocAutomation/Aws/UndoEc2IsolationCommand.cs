using System;
using System.Management.Automation;
using PSSocAutomation.Aws.Ec2;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// <para type="synopsis">Releases an isolated EC2 instance: puts the original security groups back on every network interface, and when asked re-attaches it to its Auto Scaling group, target groups and instance profile and lifts the protections.</para>
    /// <para type="description">Undo-Ec2Isolation takes the record Invoke-Ec2Isolation returned (piped), or reads it back from the instance's pssoc: tags (-InstanceId, or a piped finding or instance), so it also works after an isolation that stopped half-way. Every interface gets exactly the groups it had before; an all-access group an interrupted isolation left is deleted. -Reattach attaches the instance to its Auto Scaling group again (the group's desired capacity grows by one), registers it in its target groups on the same ports, and associates its instance profile again if isolation removed it. -RemoveProtection puts termination and stop protection, the shutdown behaviour and the volumes' DeleteOnTermination back as they were. The snapshots are evidence and stay, unless -RemoveSnapshot deletes them (once the case is closed). The pssoc: tags are removed last. -WhatIf lists every step and changes nothing; a second undo changes nothing.</para>
    /// </summary>
    /// <example><code>Undo-Ec2Isolation -InstanceId i-0c10c2c7863d1a356 -WhatIf</code><para>Shows the groups each interface would get back, read from the record on the instance, and changes nothing.</para></example>
    /// <example><code>$record | Undo-Ec2Isolation -Reattach -RemoveProtection -Confirm:$false</code><para>Releases the instance from the record Invoke-Ec2Isolation returned: original groups, Auto Scaling group, target groups and instance profile back, protections as they were.</para></example>
    [Cmdlet(VerbsCommon.Undo, "Ec2Isolation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "InstanceId")]
    [OutputType(typeof(Ec2IsolationRecord))]
    public sealed class UndoEc2IsolationCommand : Ec2ResponseCommandBase
    {
        /// <summary>Re-attach to the Auto Scaling group and the target groups, and re-associate the instance profile.</summary>
        [Parameter]
        public SwitchParameter Reattach { get; set; }

        /// <summary>Put the protections (termination, stop, shutdown behaviour, DeleteOnTermination) back as they were before isolation.</summary>
        [Parameter]
        public SwitchParameter RemoveProtection { get; set; }

        /// <summary>Also delete the forensic snapshots isolation took. They are evidence: only once the case is closed.</summary>
        [Parameter]
        public SwitchParameter RemoveSnapshot { get; set; }

        private protected override string Action => "Release";

        private protected override void Process(Ec2InstanceTarget target, AwsConnection connection, object? source)
        {
            var given = PipelineInput.Unwrap(InputObject) as Ec2IsolationRecord;
            var options = new Ec2IsolationUndoOptions { Reattach = Reattach, RemoveProtection = RemoveProtection, RemoveSnapshots = RemoveSnapshot };
            (Ec2IsolationRecord Record, ResponsePlan Plan) planned;
            try
            {
                var isolation = connection.Ec2Isolation;
                planned = Run(ct => isolation.PlanUndoAsync(target.InstanceId, given, options, ct));
            }
            catch (Exception ex) when (ex is SocApiException || ex is Ec2IsolationException)
            {
                DrainMessages();
                WritePlanningError(ex, target);
                return;
            }
            Execute(planned.Record, planned.Plan, "Released");
        }

        private protected override string AfterFailure(Ec2IsolationRecord record) =>
            $"The record stays in the instance's pssoc: tags until the last step: fix the cause and run Undo-Ec2Isolation -InstanceId {record.InstanceId} again.";
    }
}
