using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws.Iam
{
    /// <summary>
    /// What a containment of an IAM user or role (or its undo) did: the principal, the access keys it deactivated (the
    /// ones that were active: only those an undo turns on again), the policies it applied or removed, and every step with
    /// its outcome. Also written to the principal as pssoc: tags (<see cref="IamContainment"/>), so an undo can work
    /// from the principal alone when this object is lost.
    /// </summary>
    public sealed class IamContainmentRecord
    {
        internal IamContainmentRecord(string operation, IamPrincipalInfo principal, DateTimeOffset startedAt, IReadOnlyList<ResponseStep> steps)
        {
            Operation = operation;
            PrincipalType = principal.Type;
            PrincipalName = principal.Name;
            Arn = principal.Arn;
            Account = AccountOf(principal.Arn);
            StartedAt = startedAt;
            Steps = steps;
        }

        /// <summary>Contain or Undo.</summary>
        public string Operation { get; }
        public IamPrincipalType PrincipalType { get; }
        public string PrincipalName { get; }
        public string Arn { get; }
        public string? Account { get; }
        public DateTimeOffset StartedAt { get; }

        /// <summary>Keys this containment (or an earlier one of the same principal, read from its tags) set Inactive.</summary>
        public IList<string> DeactivatedAccessKeyIds { get; } = new List<string>();
        /// <summary>Undo: the keys it set Active again.</summary>
        public IList<string> ReactivatedAccessKeyIds { get; } = new List<string>();
        /// <summary>Inline policy names and managed policy ARNs in place after the containment (AWSRevokeOlderSessions, AWSDenyAll ...).</summary>
        public IList<string> AppliedPolicies { get; } = new List<string>();
        /// <summary>Undo: the ones it removed.</summary>
        public IList<string> RemovedPolicies { get; } = new List<string>();
        /// <summary>Sessions issued before this time are denied everything (the AWSRevokeOlderSessions condition).</summary>
        public DateTimeOffset? SessionsRevokedBefore { get; internal set; }
        /// <summary>The console password was deleted (by this run or an earlier one): IAM cannot restore it, only set a new one.</summary>
        public bool LoginProfileDeleted { get; internal set; }

        public IReadOnlyList<ResponseStep> Steps { get; }

        /// <summary>InProgress, then Planned (-WhatIf), Failed, Contained or Released, as an EC2 isolation record says it.</summary>
        public string State { get; set; } = "InProgress";

        /// <summary>Every step is done, already done or did not apply (false after -WhatIf or a failure).</summary>
        public bool Succeeded => Steps.All(s => s.Succeeded || s.Outcome == ResponseStepOutcome.Skipped);

        /// <summary>"3 Done, 2 AlreadyDone, 1 Skipped": the table view's column.</summary>
        public string StepSummary =>
            string.Join(", ", Steps.GroupBy(s => s.Outcome).OrderBy(g => g.Key).Select(g => g.Count().ToString(CultureInfo.InvariantCulture) + " " + g.Key));

        private static string? AccountOf(string arn)
        {
            var account = AwsArn.Parse(arn)?.Account;
            return string.IsNullOrEmpty(account) ? null : account;
        }

        public override string ToString() => Operation + " " + PrincipalType + " " + PrincipalName + " " + State + ": " + StepSummary;
    }
}
