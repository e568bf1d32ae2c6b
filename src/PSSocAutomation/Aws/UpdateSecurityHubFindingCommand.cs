using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSSocAutomation.Aws.SecurityHub;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// <para type="synopsis">Sets the workflow status, a note, the severity or the verification state of Security Hub findings (BatchUpdateFindings), with a result per finding.</para>
    /// <para type="description">Update-SecurityHubFinding takes findings from Get-SecurityHubFinding or ConvertFrom-SecurityHubEvent (or any object with Id and ProductArn, or -Id with -ProductArn) and sends BatchUpdateFindings in batches of up to 100. Security Hub answers per finding: those it could not update for a passing reason (ConcurrentUpdateError, InternalFailure) are sent again up to three times; every other unprocessed finding (FindingNotFound, InvalidInput ...) is written as a result with Outcome Failed, its ErrorCode and ErrorMessage, and as an error. -WhatIf sends nothing. WARNING: every BatchUpdateFindings makes Security Hub send a new "Security Hub Findings - Imported" event for each finding it updated. A responder started by those events (an EventBridge rule, an SNS webhook) that updates the findings it receives triggers itself again: filter the rule (or the script) on Workflow.Status NEW and RecordState ACTIVE, and set a status other than NEW, so its own updates do not come back as work.</para>
    /// </summary>
    /// <example><code>Get-SecurityHubFinding -ProductName GuardDuty -Severity CRITICAL | Update-SecurityHubFinding -WorkflowStatus NOTIFIED -Note 'Case 1432 opened in DFIR-IRIS'</code><para>Marks the new critical GuardDuty findings as notified with a note saying where they are handled; the NOTIFIED status also keeps their echo events out of a rule that filters on NEW.</para></example>
    /// <example><code>Update-SecurityHubFinding -Id $finding.Id -ProductArn $finding.ProductArn -WorkflowStatus RESOLVED -VerificationState FALSE_POSITIVE -WhatIf</code><para>Shows what would be sent to resolve one finding as a false positive, and sends nothing.</para></example>
    [Cmdlet(VerbsData.Update, "SecurityHubFinding", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "InputObject")]
    [OutputType(typeof(SecurityHubUpdateResult))]
    public sealed class UpdateSecurityHubFindingCommand : AwsCommandBase
    {
        /// <summary>A finding from Get-SecurityHubFinding or ConvertFrom-SecurityHubEvent, or any object with Id and ProductArn.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "InputObject")]
        public PSObject? InputObject { get; set; }

        /// <summary>Finding ids (the ASFF Id), with -ProductArn.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Id")]
        [ValidateNotNullOrEmpty]
        public string[]? Id { get; set; }

        /// <summary>The ProductArn of the findings given with -Id (arn:aws:securityhub:us-east-1::product/aws/guardduty).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Id")]
        [ValidateNotNullOrEmpty]
        public string? ProductArn { get; set; }

        /// <summary>The workflow status to set: NEW, NOTIFIED, RESOLVED or SUPPRESSED.</summary>
        [Parameter]
        [ValidateSet("NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED")]
        public string? WorkflowStatus { get; set; }

        /// <summary>A note to put on the findings (at most 512 characters; it replaces the finding's note).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Note { get; set; }

        /// <summary>Who the note is from (default PSSocAutomation).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string NoteUpdatedBy { get; set; } = "PSSocAutomation";

        /// <summary>The severity label to set: INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL.</summary>
        [Parameter]
        [ValidateSet("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")]
        public string? Severity { get; set; }

        /// <summary>What the investigation found: UNKNOWN, TRUE_POSITIVE, FALSE_POSITIVE or BENIGN_POSITIVE.</summary>
        [Parameter]
        [ValidateSet("UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE")]
        public string? VerificationState { get; set; }

        private readonly SecurityHubFindingUpdate _update = new SecurityHubFindingUpdate();
        private readonly List<SecurityHubFindingId> _pending = new List<SecurityHubFindingId>();
        private long _updated, _failed;

        protected override void Begin()
        {
            _update.WorkflowStatus = WorkflowStatus?.ToUpperInvariant();
            _update.NoteText = Note;
            _update.NoteUpdatedBy = NoteUpdatedBy;
            _update.SeverityLabel = Severity?.ToUpperInvariant();
            _update.VerificationState = VerificationState?.ToUpperInvariant();
            try
            {
                _update.Validate();
            }
            catch (ArgumentException ex)
            {
                ThrowArgumentError(ErrorPrefix + "SecurityHubInvalidUpdate", ex.Message + (ex.Message.StartsWith("Nothing", StringComparison.Ordinal) ? " (-WorkflowStatus, -Note, -Severity, -VerificationState)." : string.Empty), null);
            }
        }

        protected override void ProcessRecord()
        {
            if (Id != null)
            {
                foreach (var given in Id) Queue(new SecurityHubFindingId(given, ProductArn!));
                return;
            }
            var input = AlertInput.Of(InputObject);
            string? id = null, productArn = null;
            if (input.Alert?.SourceFields is SecurityHubFindingFields fields)
            {
                id = input.Alert.Id;
                productArn = fields.ProductArn;
            }
            else
            {
                id = PipelineInput.TextProp(input.Value, "Id");
                productArn = PipelineInput.TextProp(input.Value, "ProductArn");
            }
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(productArn))
            {
                _failed++;
                WriteError(new ErrorRecord(new ArgumentException("Update-SecurityHubFinding was given an object without Id and ProductArn: pipe findings from Get-SecurityHubFinding or ConvertFrom-SecurityHubEvent, or use -Id with -ProductArn."),
                    ErrorPrefix + "SecurityHubFindingWithoutId", ErrorCategory.InvalidArgument, input.Value));
                return;
            }
            Queue(new SecurityHubFindingId(id!, productArn!));
        }

        protected override void EndProcessing()
        {
            Flush();
            var summary = $"Update-SecurityHubFinding: {_updated} updated, {_failed} failed.";
            WriteVerbose(summary);
            if (_failed > 0) WriteWarning(summary + " See ErrorCode and ErrorMessage of the results.");
        }

        private void Queue(SecurityHubFindingId id)
        {
            _pending.Add(id);
            if (_pending.Count >= SecurityHubClient.MaxBatch) Flush();
        }

        private void Flush()
        {
            if (_pending.Count == 0) return;
            var batch = _pending.ToList();
            _pending.Clear();
            var target = batch.Count == 1 ? $"Security Hub finding {batch[0].Id}" : $"{batch.Count} Security Hub findings";
            if (!ShouldProcess(target, "BatchUpdateFindings: " + Describe())) return;
            IReadOnlyList<SecurityHubUpdateResult> results;
            try
            {
                var client = ResolvedConnection.SecurityHub;
                results = Run(ct => client.BatchUpdateFindingsAsync(_update, batch, ct));
            }
            catch (SocApiException ex)
            {
                _failed += batch.Count;
                WriteApiError(ex, ErrorPrefix + "SecurityHub", target);
                return;
            }
            foreach (var result in results)
            {
                WriteObject(result);
                if (result.Outcome == "Updated")
                {
                    _updated++;
                    continue;
                }
                _failed++;
                WriteError(new ErrorRecord(new InvalidOperationException($"Security Hub did not update finding {result.Id}: {result.ErrorCode}: {result.ErrorMessage}"),
                    ErrorPrefix + "SecurityHubFindingNotUpdated", result.ErrorCode == "FindingNotFound" ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidResult, result));
            }
        }

        private string Describe()
        {
            var parts = new List<string>();
            if (_update.WorkflowStatus != null) parts.Add("workflow status " + _update.WorkflowStatus);
            if (_update.NoteText != null) parts.Add("note '" + (_update.NoteText.Length > 60 ? _update.NoteText.Substring(0, 60) + "…" : _update.NoteText) + "'");
            if (_update.SeverityLabel != null) parts.Add("severity " + _update.SeverityLabel);
            if (_update.VerificationState != null) parts.Add("verification state " + _update.VerificationState);
            return string.Join(", ", parts);
        }
    }
}
