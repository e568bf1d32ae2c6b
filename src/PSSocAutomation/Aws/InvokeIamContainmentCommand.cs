using System.Collections.Generic;
using System.Management.Automation;
using PSSocAutomation.Aws.Iam;
using PSSocAutomation.Aws.SecurityHub;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// <para type="synopsis">Locks a compromised IAM user or role: revokes its sessions, deactivates its access keys, deletes its console password and denies it everything, recording what it did on the principal.</para>
    /// <para type="description">Invoke-IamContainment contains the principal named by -RoleName, -UserName or -AccessKeyId (its owner is looked up with GetAccessKeyLastUsed), or by a piped finding from Get-SecurityHubFinding or ConvertFrom-SecurityHubEvent: an AwsIamAccessKey resource by its PrincipalType (IAMUser: the user; AssumedRole: the role that issued the session), an AwsIamRole or AwsIamUser resource, or an AwsEc2Instance resource's instance profile (its role). Any object with a RoleName, UserName or InstanceProfileArn property works too (an EC2 instance from the engine has InstanceProfileArn).</para>
    /// <para type="description">A role gets the inline policy AWSRevokeOlderSessions (the IAM console's "Revoke active sessions": everything is denied to sessions issued before now, the only way to cut live role sessions) and, with -DenyAll, AWSDenyAll. A user gets every active access key set Inactive (deactivated, not deleted: reversible, and CloudTrail keeps naming it), its console password deleted (IAM cannot disable one; it cannot be restored, only replaced), AWSDenyAll, and AWSRevokeOlderSessions for the sessions minted from it. AWSDenyAll becomes an inline deny-all policy (PSSocAutomationDenyAll) when the principal's quota of managed policies is full. Policy changes take a few minutes to reach every AWS region.</para>
    /// <para type="description">Each step first reads the state it sets, so running the command again changes nothing but the revocation's time (the console does the same). The record it returns is also written to the principal as pssoc: tags (pssoc:contained-at, pssoc:deactivated-keys, pssoc:deny ...), first, so Undo-IamContainment can reverse it from the principal alone. Refused before any change: the account's root user (IAM cannot restrict it), service-linked roles (only their service may change them), a temporary (ASIA) key id (IAM does not know its owner: use -RoleName), and the principal this connection signs as, unless -ContainSelf. A step that fails ends the command with ErrorId AwsIamContainmentStepFailed, naming the steps already done; the record (State Failed) is written and is the error's TargetObject, and the script stops. -WhatIf lists every step, writes the record with its steps Planned, and changes nothing (it only reads).</para>
    /// </summary>
    /// <example><code>Get-SecurityHubFinding -ProductName GuardDuty -Severity HIGH,CRITICAL | Where-Object { $_.Resources.Type -contains 'AwsIamAccessKey' } | Invoke-IamContainment -Confirm:$false | Format-Table</code><para>Contains every principal the new high and critical GuardDuty IAM findings name, and shows one row per principal with its steps' outcomes.</para></example>
    /// <example><code>Invoke-IamContainment -RoleName web-role -DenyAll -WhatIf</code><para>Lists the steps that would revoke web-role's sessions and deny it everything, and changes nothing.</para></example>
    [Cmdlet(VerbsLifecycle.Invoke, "IamContainment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(IamContainmentRecord))]
    public sealed class InvokeIamContainmentCommand : IamContainmentCommandBase
    {
        /// <summary>A finding from Get-SecurityHubFinding or ConvertFrom-SecurityHubEvent, or any object with a RoleName, UserName or InstanceProfileArn property.</summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>A long-term access key id (AKIA...): the user it belongs to is contained. A temporary key (ASIA...) cannot be looked up in IAM: use -RoleName with the role that issued it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AccessKeyId { get; set; }

        /// <summary>For a role, also deny it everything (AWSDenyAll, or an inline deny-all policy when its managed policy quota is full); users always get it.</summary>
        [Parameter]
        public SwitchParameter DenyAll { get; set; }

        /// <summary>Contain the principal even when it is the one this connection signs as (the command may then lose its own access half-way).</summary>
        [Parameter]
        public SwitchParameter ContainSelf { get; set; }

        /// <summary>Move the AWSRevokeOlderSessions time to now even on a principal this containment already holds (by default a second run keeps the time it set, so sessions opened since by responders keep working).</summary>
        [Parameter]
        public SwitchParameter RefreshSessionRevocation { get; set; }

        private protected override string? OtherName => AccessKeyId;

        private protected override string NameParameters => "-RoleName, -UserName or -AccessKeyId";

        protected override void ProcessRecord()
        {
            NamedOrInput(InputObject, "Security Hub findings");
            var targets = RoleName != null ? new[] { IamContainmentTarget.Role(RoleName) }
                : UserName != null ? new[] { IamContainmentTarget.User(UserName) }
                : AccessKeyId != null ? new[] { IamContainmentTarget.AccessKey(AccessKeyId) }
                : TargetsOf(InputObject);
            if (targets.Count == 0)
            {
                WriteError(new ErrorRecord(new System.ArgumentException("The input names no IAM user, role, access key or instance profile: pipe a Security Hub finding with an AwsIamAccessKey, AwsIamRole, AwsIamUser or AwsEc2Instance resource, or an object with RoleName, UserName or InstanceProfileArn."),
                    ErrorPrefix + "IamNoPrincipal", ErrorCategory.InvalidArgument, InputObject));
                return;
            }
            foreach (var target in targets) Contain(target);
        }

        private static IReadOnlyList<IamContainmentTarget> TargetsOf(PSObject? input)
        {
            var view = AlertInput.Of(input);
            if (view.Alert?.SourceFields is SecurityHubFindingFields) return IamContainmentTarget.FromFinding(view.Alert.OriginalUtf8);
            var value = view.Value;
            if (PipelineInput.TextProp(value, "RoleName") is string role) return new[] { IamContainmentTarget.Role(role) };
            if (PipelineInput.TextProp(value, "UserName") is string user) return new[] { IamContainmentTarget.User(user) };
            if (PipelineInput.TextProp(value, "InstanceProfileArn") is string profile) return new[] { IamContainmentTarget.InstanceProfile(profile) };
            return new IamContainmentTarget[0];
        }

        private void Contain(IamContainmentTarget target)
        {
            var connection = ResolvedConnection;
            var containment = new IamContainment(connection.Iam);
            IamContainmentPlan plan;
            try
            {
                var (type, name) = Run(ct => containment.ResolveAsync(target, ct));
                var callerArn = ContainSelf ? null : connection.Arn ?? Run(ct => connection.IdentifyAsync(ct)).Arn;
                plan = Run(ct => containment.PlanAsync(type, name, DenyAll, callerArn, ContainSelf, ct, RefreshSessionRevocation));
            }
            catch (IamContainmentRefusedException ex)
            {
                WriteRefusal(ex, target.ToString());
                return;
            }
            catch (SocApiException ex)
            {
                WriteApiError(ex, ErrorPrefix + "Iam", target.ToString());
                return;
            }
            Execute(plan, "Contain", "Contained", "IamContainmentStepFailed");
        }
    }
}
