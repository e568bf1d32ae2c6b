using System;
using System.Linq;
using System.Management.Automation;
using System.Text;
using PSSocAutomation.Aws.Ec2;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// What isolation and its undo share: a plan per instance, shown whole by -WhatIf (nothing that changes anything
    /// is sent), confirmed once per instance, run step by step with each outcome in the verbose stream, and a failed
    /// step ending the script with the steps already done named and the record attached.
    /// </summary>
    public abstract class Ec2ResponseCommandBase : Ec2InstanceCommandBase
    {
        /// <summary>"Isolate", "Release": the verb of the confirmation.</summary>
        private protected abstract string Action { get; }

        /// <summary>Shows (-WhatIf: the record with every step Planned), or runs one planned response and writes its record.</summary>
        private protected void Execute(Ec2IsolationRecord record, ResponsePlan plan, string doneState)
        {
            var target = record.InstanceId + (record.Name is null ? string.Empty : " (" + record.Name + ")") + " in " + record.Region;
            PlanRun run;
            try
            {
                run = ConfirmAndRun(plan, target, $"{Action} EC2 instance {target} ({plan.Steps.Count} steps)?");
            }
            catch (ResponseStepException ex)
            {
                record.State = "Failed";
                WriteObject(record);
                var inner = ex.InnerException as SocApiException;
                var message = $"{Action} of EC2 instance {target} stopped: {ex.Message} {AfterFailure(record)}";
                var error = new ErrorRecord(new InvalidOperationException(message, ex), ErrorPrefix + "Ec2" + Action + "StepFailed",
                    inner != null ? ErrorRecords.From(inner, ErrorPrefix, record).CategoryInfo.Category : ErrorCategory.InvalidResult, record);
                ThrowScriptTerminating(error);
                return;
            }
            if (run == PlanRun.Declined) return;
            record.State = run == PlanRun.WhatIf ? "Planned" : doneState;
            WriteObject(record);
        }

        /// <summary>What the user can do after a failed step (the record is where undo finds it).</summary>
        private protected abstract string AfterFailure(Ec2IsolationRecord record);

        private protected void WritePlanningError(Exception ex, Ec2InstanceTarget target)
        {
            if (ex is Ec2IsolationException problem)
            {
                var category = problem.Problem == Ec2IsolationProblem.NoRecord ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidOperation;
                WriteError(new ErrorRecord(problem, ErrorPrefix + "Ec2" + problem.Problem, category, target.InstanceId));
                return;
            }
            WriteApiError(ex, ErrorPrefix + "Ec2", target.InstanceId);
        }
    }
}
