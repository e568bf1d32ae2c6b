using System;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Escalates an IRIS alert to a new case, carrying its IOCs and assets.</para>
    /// <para type="description">Reads the alert, then escalates it with every IOC and asset it holds imported into the new case (IRIS wants their uuids). IRIS sets the case's SOC id to the alert id, and its customer, classification and severity from the alert. An alert that is already linked to a case is not escalated again: its case is returned with Existing set to True (-AllowDuplicate escalates anyway). IRIS marks the alert Escalated even when the case cannot be created, so a failed escalation is reported, never retried.</para>
    /// </summary>
    /// <example><code>Get-IrisAlert -Status New -Severity Critical | Invoke-IrisAlertEscalation -Note 'Auto-escalated: critical' -Tag auto,critical</code><para>Escalates every new critical alert to a case, with a note and tags; an alert already escalated is not escalated again.</para></example>
    /// <example><code>Get-IrisAlert -SourceRef 'alert-4711' | Invoke-IrisAlertEscalation -CaseTitle 'Ransomware on WS-0142' -WhatIf</code><para>Shows which case the alert of one source alert would be escalated to, and changes nothing.</para></example>
    [Cmdlet(VerbsLifecycle.Invoke, "IrisAlertEscalation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(IrisCase))]
    public sealed class InvokeIrisAlertEscalationCommand : IrisCommandBase
    {
        /// <summary>The IRIS alert id; bound from IrisAlert objects.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("alert_id")]
        public int AlertId { get; set; }

        /// <summary>The new case's title (default: IRIS's "[ALERT] &lt;alert title&gt;").</summary>
        [Parameter]
        public string? CaseTitle { get; set; }

        /// <summary>An escalation note, added to the case description.</summary>
        [Parameter]
        public string? Note { get; set; }

        /// <summary>Tags for the new case.</summary>
        [Parameter]
        public string[]? Tag { get; set; }

        /// <summary>A case template, by name or id.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Template { get; set; }

        /// <summary>Also add the alert to the case timeline as an event.</summary>
        [Parameter]
        public SwitchParameter ImportAsEvent { get; set; }

        /// <summary>Escalate even an alert that is already linked to a case.</summary>
        [Parameter]
        public SwitchParameter AllowDuplicate { get; set; }

        private int? _templateId;

        protected override void Begin()
        {
            if (!Version.HasAlerts)
                ThrowTerminatingError(new ErrorRecord(new NotSupportedException($"IRIS {Version} has no alert queue (alerts arrived in IRIS 2.1)."), ErrorPrefix + "NoAlerts", ErrorCategory.NotImplemented, ResolvedConnection));
            if (Template != null) _templateId = ResolveOrThrow(IrisLookupKind.CaseTemplate, Template, "-Template");
        }

        protected override void ProcessRecord()
        {
            if (!ShouldProcess("DFIR-IRIS alert " + AlertId, "Escalate to a new case")) return;
            try
            {
                var alert = Run(ct => Client.GetAlertAsync(AlertId, ct));
                if (alert.CaseIds.Length > 0 && !AllowDuplicate)
                {
                    WriteVerbose($"DFIR-IRIS alert {AlertId} is already linked to case(s) {string.Join(", ", alert.CaseIds)}; not escalating it again.");
                    var existing = Run(async ct => await Client.Lookups.FillNamesAsync(await Client.GetCaseAsync(alert.CaseIds[0], ct).ConfigureAwait(false), ct).ConfigureAwait(false));
                    WriteObject(existing.AsExisting());
                    return;
                }
                var iocs = alert.Iocs.Select(i => i.Uuid).Where(u => !string.IsNullOrEmpty(u)).Select(u => u!).ToList();
                var assets = alert.Assets.Select(a => a.Uuid).Where(u => !string.IsNullOrEmpty(u)).Select(u => u!).ToList();
                WriteVerbose($"Escalating DFIR-IRIS alert {AlertId} with {iocs.Count} IOC(s) and {assets.Count} asset(s).");
                var created = Run(async ct => await Client.Lookups.FillNamesAsync(await Client.EscalateAlertAsync(AlertId, iocs, assets, CaseTitle, Note, Tag, _templateId, ImportAsEvent, ct).ConfigureAwait(false), ct).ConfigureAwait(false));
                WriteObject(created);
            }
            catch (SocApiException ex)
            {
                ReportFailure(ex, AlertId);
            }
        }
    }
}
