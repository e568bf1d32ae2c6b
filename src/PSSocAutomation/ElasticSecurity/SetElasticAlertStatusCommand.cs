using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSSocAutomation.Core;
using PSSocAutomation.Elastic;
using PSSocAutomation.Http;

namespace PSSocAutomation.ElasticSecurity
{
    /// <summary>
    /// <para type="synopsis">Sets the triage status of Elastic Security detection alerts (open, acknowledged, closed), with a result per alert.</para>
    /// <para type="description">Set-ElasticAlertStatus takes alerts from Get-ElasticSecurityAlert (or ids with -Id) and sets their status through Kibana's signals/status, in batches. Kibana only counts what it did (and counts an alert already in the status as updated), so each batch first reads the alerts' current status and sends only those that differ; the result for every alert says Updated, Unchanged, Conflict (someone else changed it meanwhile: read it again and retry) or NotFound (no such id in the space). -Reason is the closing reason Kibana records from 9.2 on; an older Kibana has none, so the status is set without it and a warning says so. Needs Kibana: Connect-Elastic -KibanaUri. -WhatIf shows each batch and sends nothing.</para>
    /// </summary>
    /// <example><code>Get-ElasticSecurityAlert -Status open -Since 15m | Set-ElasticAlertStatus acknowledged</code><para>Acknowledges the open alerts of the last fifteen minutes, as story 2's last step does once they are in a case.</para></example>
    /// <example><code>Set-ElasticAlertStatus -Id 6e1c8f7a-2b1d-4c0f-9a55-0c4b1b7f3e21 -Status closed -Reason false_positive -Space soc</code><para>Closes one alert of the space 'soc' as a false positive (the reason is kept from Kibana 9.2 on).</para></example>
    [Cmdlet(VerbsCommon.Set, "ElasticAlertStatus", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "InputObject")]
    [OutputType(typeof(AlertStatusChange))]
    public sealed class SetElasticAlertStatusCommand : ElasticCommandBase
    {
        /// <summary>An alert from Get-ElasticSecurityAlert (its _id and space are used), or any object with an Id, or an id as text.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "InputObject")]
        public PSObject? InputObject { get; set; }

        /// <summary>Alert ids: the alert document's _id or its kibana.alert.uuid.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Id")]
        [ValidateNotNullOrEmpty]
        public string[]? Id { get; set; }

        /// <summary>The status to set: open, acknowledged or closed.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateSet("open", "acknowledged", "closed")]
        public string Status { get; set; } = string.Empty;

        /// <summary>Why the alerts are closed (Kibana 9.2 and later; only with -Status closed).</summary>
        [Parameter]
        [ValidateSet("false_positive", "issue_resolved", "acceptable_risk", "expected_activity", "low_severity", "duplicate", "investigation_required")]
        public string? Reason { get; set; }

        /// <summary>The Kibana space of the alerts (default: the space a piped alert came from, else default).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KibanaSpaceCompleter))]
        public string? Space { get; set; }

        /// <summary>Alerts per signals/status request, 1 to 1000 (default 500).</summary>
        [Parameter]
        [ValidateRange(1, 1000)]
        public int BatchSize { get; set; } = 500;

        private KibanaClient _kibana = null!;
        private string? _reason;
        private readonly Dictionary<string, List<AlertStatusChange>> _pending = new Dictionary<string, List<AlertStatusChange>>(StringComparer.Ordinal);
        private readonly long[] _counts = new long[4];
        private long _failed;

        protected override void Begin()
        {
            if (ResolvedConnection.Kibana is not KibanaClient kibana)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException($"Set-ElasticAlertStatus goes through Kibana, and the connection to {ResolvedConnection.Uri} has none. Connect with Connect-Elastic -KibanaUri <Kibana's URL> (or -CloudId)."),
                    ErrorPrefix + "SecurityNoKibana", ErrorCategory.InvalidOperation, ResolvedConnection));
                return;
            }
            _kibana = kibana;
            if (Space != null && !SecurityAlertQuery.IsValidSpace(Space))
                ThrowArgumentError(ErrorPrefix + "SecurityInvalidSpace", $"-Space '{Space}' is not a Kibana space id: ids are lowercase letters, digits, '_' and '-' (the part after /s/ in the space's URLs).", Space);
            if (Reason != null)
            {
                if (Status != "closed")
                    ThrowArgumentError(ErrorPrefix + "SecurityReasonNotClosing", $"-Reason says why alerts are closed; it cannot go with -Status {Status}.", Reason);
                var version = new KibanaStatus(null, ResolvedConnection.KibanaVersion).Parsed;
                if (version != null && version >= AlertStatusBatch.ReasonSince) _reason = Reason;
                else WriteWarning($"Kibana {ResolvedConnection.KibanaVersion ?? "(version unknown)"} has no closing reason (it exists from {AlertStatusBatch.ReasonSince}): the alerts are closed without '-Reason {Reason}'.");
            }
        }

        protected override void ProcessRecord()
        {
            if (Id != null)
            {
                foreach (var id in Id) Queue(id, Space ?? "default", null);
                return;
            }
            var input = AlertInput.Of(InputObject);
            string? alertId;
            var space = Space;
            if (input.Alert?.SourceFields is SecurityAlertFields fields)
            {
                alertId = fields.DocumentId ?? input.Alert.Id;
                space ??= fields.Space;
            }
            else alertId = input.Value is string text ? text.Trim() : input.Id;
            if (string.IsNullOrEmpty(alertId))
            {
                _failed++;
                WriteError(new ErrorRecord(new ArgumentException("Set-ElasticAlertStatus was given an object without an alert id: pipe alerts from Get-ElasticSecurityAlert, objects with an Id, or ids."),
                    ErrorPrefix + "SecurityAlertWithoutId", ErrorCategory.InvalidArgument, input.Value));
                return;
            }
            Queue(alertId!, space ?? "default", input.Alert);
        }

        protected override void EndProcessing()
        {
            foreach (var space in _pending.Keys.ToList()) Flush(space);
            var summary = $"Set-ElasticAlertStatus: {_counts[0]} updated, {_counts[1]} unchanged, {_counts[2]} conflict(s), {_counts[3]} not found, {_failed} failed.";
            WriteVerbose(summary);
            if (_counts[2] > 0 || _counts[3] > 0)
                WriteWarning(summary + " See Outcome and Message of the results.");
        }

        private void Queue(string id, string space, SocAlert? alert)
        {
            if (!_pending.TryGetValue(space, out var list)) _pending[space] = list = new List<AlertStatusChange>();
            list.Add(new AlertStatusChange(id, space, Status) { Alert = alert });
            if (list.Count >= BatchSize) Flush(space);
        }

        private void Flush(string space)
        {
            var batch = _pending[space];
            _pending.Remove(space);
            if (batch.Count == 0) return;
            var target = batch.Count == 1 ? $"alert {batch[0].Id} in the Kibana space '{space}'" : $"{batch.Count} alerts in the Kibana space '{space}'";
            if (!ShouldProcess(target, $"Set status to {Status}")) return;
            try
            {
                Run(ct => AlertStatusBatch.RunAsync(_kibana, space, batch, Status, _reason, true, ct));
            }
            catch (SocApiException ex)
            {
                _failed += batch.Count;
                WriteApiError(ex, ErrorPrefix + "Security", target);
                return;
            }
            foreach (var change in batch) _counts[(int)change.Outcome]++;
            WriteObject(batch, enumerateCollection: true);
        }
    }
}
