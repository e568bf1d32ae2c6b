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
            if (!ShouldProcess(Describe(plan, target), $"{Action} EC2 instance {target} ({plan.Steps.Count} steps)?", "Confirm", out var reason))
            {
                if (reason == ShouldProcessReason.WhatIf)
                {
                    plan.MarkPlanned();
                    record.State = "Planned";
                    WriteObject(record);
                }
                return;
            }
            try
            {
                Run(ct => plan.RunAsync((step, _) =>
                {
                    RequestLog.Current?.Verbose($"{step.Name} {step.Target}: {step.Outcome}" + (step.Detail is null ? string.Empty : " (" + step.Detail + ")"));
                    return System.Threading.Tasks.Task.CompletedTask;
                }, ct));
            }
            catch (ResponseStepException ex)
            {
                DrainMessages();
                record.State = "Failed";
                WriteObject(record);
                var inner = ex.InnerException as SocApiException;
                var message = $"{Action} of EC2 instance {target} stopped: {ex.Message} {AfterFailure(record)}";
                var error = new ErrorRecord(new InvalidOperationException(message, ex), ErrorPrefix + "Ec2" + Action + "StepFailed",
                    inner != null ? ErrorRecords.From(inner, ErrorPrefix, record).CategoryInfo.Category : ErrorCategory.InvalidResult, record);
                ThrowScriptTerminating(error);
            }
            DrainMessages();
            record.State = doneState;
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

        private static string Describe(ResponsePlan plan, string target)
        {
            var text = new StringBuilder().Append(target).Append(':');
            var n = 0;
            foreach (var step in plan.Steps)
            {
                text.AppendLine().Append("  ").Append(++n).Append(". ").Append(step.Name).Append(' ').Append(step.Target).Append(": ").Append(step.Description);
                if (step.Outcome == ResponseStepOutcome.Skipped) text.Append(" (skipped: ").Append(step.Detail).Append(')');
            }
            return text.ToString();
        }
    }
}
