using System;
using System.Linq;
using System.Management.Automation;
using PSSocAutomation.Aws.Iam;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// <para type="synopsis">Reverses Invoke-IamContainment on a user or role: removes the deny-all policy, turns on again only the access keys it turned off, and removes its pssoc: tags.</para>
    /// <para type="description">Undo-IamContainment works from the principal alone (the pssoc: tags Invoke-IamContainment wrote on it first, so even a containment that failed half-way can be undone) or from a piped containment record. It detaches AWSDenyAll or deletes the inline PSSocAutomationDenyAll policy, sets Active again only the keys that were Active before the containment (a key that was already Inactive stays so), and removes the pssoc: tags. It keeps AWSRevokeOlderSessions unless -RemoveSessionRevocation: removing it makes the sessions issued before the containment valid again, the stolen ones among them, so remove it only once those have expired. A deleted console password cannot be restored: the record reports that step as Skipped with how to set a new one. Each step reads its state first, so a second undo changes nothing. A failed step writes the record (State Failed) and ends the script with ErrorId AwsIamUndoStepFailed, the record as its TargetObject. -WhatIf writes the record with its steps Planned and changes nothing.</para>
    /// </summary>
    /// <example><code>Undo-IamContainment -UserName dev-alice -Confirm:$false</code><para>Gives user dev-alice back the access keys containment deactivated and removes its deny-all policy; its sessions issued before the containment stay revoked.</para></example>
    /// <example><code>$record = Invoke-IamContainment -RoleName web-role -DenyAll -Confirm:$false; $record | Undo-IamContainment -RemoveSessionRevocation -WhatIf</code><para>Shows how the containment of web-role would be reversed, session revocation included, and changes nothing.</para></example>
    [Cmdlet(VerbsCommon.Undo, "IamContainment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(IamContainmentRecord))]
    public sealed class UndoIamContainmentCommand : IamContainmentCommandBase
    {
        /// <summary>A record from Invoke-IamContainment (also one read back with Import-Clixml), or any object with PrincipalType (User or Role) and PrincipalName.</summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>Also delete AWSRevokeOlderSessions. Sessions issued before the containment work again, including any an attacker holds: use it once they have expired.</summary>
        [Parameter]
        public SwitchParameter RemoveSessionRevocation { get; set; }

        private protected override string NameParameters => "-RoleName or -UserName";

        protected override void ProcessRecord()
        {
            var named = NamedOrInput(InputObject, "the record Invoke-IamContainment returned");

            IamPrincipalType type;
            string name;
            string[]? keys = null, policies = null;
            var loginDeleted = false;
            if (named != null)
            {
                type = RoleName != null ? IamPrincipalType.Role : IamPrincipalType.User;
                name = named;
            }
            else
            {
                var value = PipelineInput.Unwrap(InputObject);
                var typeText = PipelineInput.TextProp(value, "PrincipalType");
                var principal = PipelineInput.TextProp(value, "PrincipalName");
                if (principal is null || !Enum.TryParse(typeText, true, out type))
                {
                    if (PipelineInput.TextProp(value, "RoleName") is string role) (type, principal) = (IamPrincipalType.Role, role);
                    else if (PipelineInput.TextProp(value, "UserName") is string user) (type, principal) = (IamPrincipalType.User, user);
                    else
                    {
                        WriteError(new ErrorRecord(new ArgumentException("Undo-IamContainment was given an object without PrincipalType and PrincipalName (or RoleName / UserName): pipe the record Invoke-IamContainment returned."),
                            ErrorPrefix + "IamNoPrincipal", ErrorCategory.InvalidArgument, InputObject));
                        return;
                    }
                }
                name = principal;
                keys = PipelineInput.Strings(PipelineInput.Prop(value, "DeactivatedAccessKeyIds")).ToArray();
                policies = PipelineInput.Strings(PipelineInput.Prop(value, "AppliedPolicies")).ToArray();
                loginDeleted = PipelineInput.Prop(value, "LoginProfileDeleted") is bool deleted && deleted;
            }

            var containment = new IamContainment(ResolvedConnection.Iam);
            IamContainmentPlan plan;
            try
            {
                plan = Run(ct => containment.PlanUndoAsync(type, name, keys, policies, loginDeleted, RemoveSessionRevocation, ct));
            }
            catch (IamContainmentRefusedException ex)
            {
                WriteRefusal(ex, name);
                return;
            }
            catch (SocApiException ex)
            {
                WriteApiError(ex, ErrorPrefix + "Iam", name);
                return;
            }
            Execute(plan, "Undo the containment of", "Released", "IamUndoStepFailed");
            if (plan.Record.RemovedPolicies.Contains(IamContainment.RevokePolicyName))
                WriteWarning($"AWSRevokeOlderSessions was removed from {name}: sessions issued before the containment are valid again until they expire, including any an attacker still holds.");
        }
    }
}
