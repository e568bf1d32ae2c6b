using System;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using PSSocAutomation.Aws.Iam;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// What Invoke-IamContainment and Undo-IamContainment share: checking names before anything is sent, asking
    /// ShouldProcess with every step listed (so -WhatIf shows the whole plan and sends nothing that changes IAM), running
    /// the plan, and turning a failed step into one terminating error that names the steps done and carries the record.
    /// </summary>
    public abstract class IamContainmentCommandBase : AwsCommandBase
    {
        /// <summary>IAM user and role names: 1-64 of letters, digits and +=,.@_- (IAM-model's userNameType / roleNameType).</summary>
        private static readonly Regex IamName = new Regex(@"^[\w+=,.@-]{1,64}$", RegexOptions.CultureInvariant);

        /// <summary>The IAM role to act on (its name, not its ARN).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RoleName { get; set; }

        /// <summary>The IAM user to act on.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? UserName { get; set; }

        /// <summary>What else names the principal besides -RoleName and -UserName (Invoke's -AccessKeyId), for the one-of check.</summary>
        private protected virtual string? OtherName => null;

        /// <summary>The parameters that name a principal, for messages.</summary>
        private protected abstract string NameParameters { get; }

        /// <summary>Names are checked before anything is sent: one principal per command, spelled as IAM spells names.</summary>
        protected override void Begin()
        {
            if (new[] { RoleName, UserName, OtherName }.Count(g => g != null) > 1)
                ThrowArgumentError(ErrorPrefix + "IamAmbiguousTarget", $"Give one of {NameParameters}, not several: each command acts on one principal at a time.", null);
            CheckName(RoleName, nameof(RoleName));
            CheckName(UserName, nameof(UserName));
        }

        private void CheckName(string? name, string parameter)
        {
            if (name != null && !IamName.IsMatch(name))
                ThrowArgumentError(ErrorPrefix + "IamInvalidName", $"-{parameter} '{name}' is not an IAM name: 1 to 64 letters, digits and + = , . @ _ -.", name);
        }

        /// <summary>The principal's name from the parameters; null when <paramref name="input"/> is to be read instead. Exactly one of the two.</summary>
        private protected string? NamedOrInput(object? input, string pipeHint)
        {
            var named = RoleName ?? UserName ?? OtherName;
            if (input != null && named != null)
                ThrowArgumentError(ErrorPrefix + "IamAmbiguousTarget", $"Pipe {pipeHint} or name the principal with {NameParameters}, not both.", input);
            if (input is null && named is null)
                ThrowArgumentError(ErrorPrefix + "IamNoTarget", $"Name the principal with {NameParameters}, or pipe {pipeHint}.", null);
            return named;
        }

        /// <summary>A refusal as a non-terminating error: the next piped finding may well be containable.</summary>
        private protected void WriteRefusal(IamContainmentRefusedException ex, object? target)
        {
            var (suffix, category) = ex.Reason switch
            {
                IamContainmentRefusal.Root => ("RootRefused", ErrorCategory.InvalidOperation),
                IamContainmentRefusal.ServiceLinkedRole => ("ServiceLinkedRoleRefused", ErrorCategory.InvalidOperation),
                IamContainmentRefusal.Self => ("SelfRefused", ErrorCategory.InvalidOperation),
                IamContainmentRefusal.TemporaryAccessKey => ("TemporaryAccessKey", ErrorCategory.InvalidArgument),
                _ => ("InstanceProfileWithoutRole", ErrorCategory.ObjectNotFound),
            };
            WriteError(new ErrorRecord(ex, ErrorPrefix + "Iam" + suffix, category, target));
        }

        /// <summary>
        /// Asks ShouldProcess with the plan spelled out step by step, then runs it and writes the record in
        /// <paramref name="doneState"/>. -WhatIf writes the record with every step Planned and sends nothing; No at
        /// -Confirm writes nothing. A failed step writes the record (State Failed) and ends the script, as an EC2
        /// isolation does, with ErrorId <paramref name="failedErrorId"/> and the record as TargetObject: going on would
        /// treat a principal half contained as contained.
        /// </summary>
        private protected void Execute(IamContainmentPlan plan, string action, string doneState, string failedErrorId)
        {
            var record = plan.Record;
            var subject = $"IAM {record.PrincipalType.ToString().ToLowerInvariant()} {record.PrincipalName} ({record.Arn})";
            PlanRun run;
            try
            {
                run = ConfirmAndRun(plan.Plan, action + " " + subject, $"{action} {subject} ({plan.Plan.Steps.Count} steps)?");
            }
            catch (ResponseStepException ex)
            {
                record.State = "Failed";
                WriteObject(record);
                var category = ex.InnerException is SocApiException api ? ErrorRecords.CategoryOf(api.Kind) : ErrorCategory.OperationStopped;
                var error = new ErrorRecord(ex, ErrorPrefix + failedErrorId, category, record)
                {
                    ErrorDetails = new ErrorDetails(ex.Message)
                    {
                        RecommendedAction = "The error's TargetObject is the record of what was done, and the principal's pssoc: tags say the same: run the command again to finish " +
                            "(done steps are skipped), or Undo-IamContainment to reverse what was done.",
                    },
                };
                ThrowScriptTerminating(error);
                return;
            }
            if (run == PlanRun.Declined) return;
            record.State = run == PlanRun.WhatIf ? "Planned" : doneState;
            WriteObject(record);
        }
    }
}
