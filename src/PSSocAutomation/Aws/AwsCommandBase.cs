using System.Management.Automation;
using System.Text;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// Base of every AWS cmdlet: the parameters AWS Tools users know (-Region, -ProfileName, -Credential,
    /// -EndpointUrl), over the session's Connect-Aws when there is one, else the standard credential chain. A
    /// connection made for one command is closed when it ends.
    /// </summary>
    public abstract class AwsCommandBase : SocCmdlet
    {
        private (AwsConnection Connection, bool Owned)? _resolved;

        /// <summary>The region to work in (default: the session's Connect-Aws, else AWS_REGION, else the profile's region).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(AwsRegionCompleter))]
        public string? Region { get; set; }

        /// <summary>A profile of ~/.aws/credentials or ~/.aws/config (static keys, credential_process, role_arn ...).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(AwsProfileCompleter))]
        public string? ProfileName { get; set; }

        /// <summary>AWS credentials: an AWSCredentials object (AWS Tools' Get-AWSCredential), a PSCredential (access key id and secret key), or a hashtable with AccessKeyId, SecretAccessKey and SessionToken.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Credential { get; set; }

        /// <summary>Send requests to this URL instead of the service's public endpoint (a VPC endpoint, a test double).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? EndpointUrl { get; set; }

        /// <summary>A connection from Connect-Aws; default: the session's, else the standard credential chain.</summary>
        [Parameter]
        public AwsConnection? Connection { get; set; }

        private protected const string ErrorPrefix = AwsConnectionFactory.ErrorPrefix;

        private protected AwsConnection ResolvedConnection => _resolved!.Value.Connection;

        protected sealed override void BeginProcessing()
        {
            _resolved = AwsConnectionFactory.Resolve(this, Connection, Region, ProfileName, Credential, EndpointUrl, null, useDefault: true);
            Begin();
        }

        /// <summary>BeginProcessing for the subclasses, once the connection is resolved.</summary>
        protected virtual void Begin()
        {
        }

        /// <summary>What became of a planned response (an isolation, a containment, an undo) put to ShouldProcess.</summary>
        private protected enum PlanRun
        {
            /// <summary>No at -Confirm: nothing was sent.</summary>
            Declined,
            /// <summary>-WhatIf: every step is Planned; nothing that changes anything was sent.</summary>
            WhatIf,
            /// <summary>Every step ran.</summary>
            Ran,
        }

        /// <summary>
        /// Asks ShouldProcess once with the plan spelled out step by step (so -WhatIf shows it whole), then runs it with
        /// each step's outcome in the verbose stream. A failed step's <see cref="ResponseStepException"/> is thrown after
        /// the messages so far are written; what to report then is the caller's (the record it fills in says what was done).
        /// </summary>
        private protected PlanRun ConfirmAndRun(ResponsePlan plan, string target, string question)
        {
            if (!ShouldProcess(DescribePlan(plan, target), question, "Confirm", out var reason))
            {
                if (reason != ShouldProcessReason.WhatIf) return PlanRun.Declined;
                plan.MarkPlanned();
                return PlanRun.WhatIf;
            }
            try
            {
                Run(ct => plan.RunAsync((step, _) =>
                {
                    RequestLog.Current?.Verbose($"{step.Name} {step.Target}: {step.Outcome}" + (step.Detail is null ? string.Empty : " (" + step.Detail + ")"));
                    return System.Threading.Tasks.Task.CompletedTask;
                }, ct));
            }
            catch (ResponseStepException)
            {
                DrainMessages();
                throw;
            }
            DrainMessages();
            return PlanRun.Ran;
        }

        private static string DescribePlan(ResponsePlan plan, string target)
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

        protected override void Release()
        {
            if (_resolved is { Owned: true } resolved) resolved.Connection.Dispose();
            base.Release();
        }
    }
}
