using System;
using System.Linq;
using System.Management.Automation;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Changes an IRIS alert's status, owner, note, resolution, severity or tags.</para>
    /// <para type="description">Sends only the fields given to /alerts/update. Names (-Status, -Resolution, -Severity, -Classification) are resolved on the server's own lists. -OwnerId -1 unassigns the alert; note that IRIS 2.4.20 makes the caller the owner of an unowned alert when an update leaves the owner out.</para>
    /// </summary>
    /// <example><code>Get-IrisAlert -SourceRef 'alert-4711' | Set-IrisAlert -Status Closed -Resolution 'False Positive' -Note 'Benign admin script' -PassThru</code><para>Closes the IRIS alert of one source alert as a false positive with a note, and writes the updated alert.</para></example>
    /// <example><code>Get-IrisAlert -Customer ACME -Status New -Severity Low | Set-IrisAlert -Status Assigned -OwnerId 3 -WhatIf</code><para>Shows which of ACME's new low-severity alerts would be assigned to the user whose id is 3, and changes nothing.</para></example>
    [Cmdlet(VerbsCommon.Set, "IrisAlert", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(IrisAlert))]
    public sealed class SetIrisAlertCommand : IrisCommandBase
    {
        /// <summary>The IRIS alert id; bound from IrisAlert objects.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("alert_id")]
        public int AlertId { get; set; }

        /// <summary>The new status, by name (New, Assigned, In progress, Pending, Closed ...) or id.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Status { get; set; }

        /// <summary>The owner's IRIS user id; -1 unassigns.</summary>
        [Parameter]
        public int? OwnerId { get; set; }

        /// <summary>The alert note (replaces the current one).</summary>
        [Parameter]
        public string? Note { get; set; }

        /// <summary>The resolution, by name (False Positive, True Positive With Impact ...) or id (IRIS 2.3+).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Resolution { get; set; }

        /// <summary>The new severity, by name or id.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Severity { get; set; }

        /// <summary>The classification, by name or id.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Classification { get; set; }

        /// <summary>Tags (replace the current ones).</summary>
        [Parameter]
        public string[]? Tag { get; set; }

        /// <summary>Write the updated alert.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private IrisAlertUpdate? _update;
        private string _what = string.Empty;

        protected override void Begin()
        {
            var update = new IrisAlertUpdate { OwnerId = OwnerId, Note = Note };
            if (Status != null) update.StatusId = ResolveOrThrow(IrisLookupKind.AlertStatus, Status, "-Status");
            if (Resolution != null)
            {
                if (!Version.HasAlertResolutions) ThrowArgumentError(ErrorPrefix + "NoResolutions", $"IRIS {Version} has no alert resolutions (they arrived in 2.3).", Resolution);
                update.ResolutionStatusId = ResolveOrThrow(IrisLookupKind.AlertResolution, Resolution, "-Resolution");
            }
            if (Severity != null) update.SeverityId = ResolveSeverityOrThrow(Severity);
            if (Classification != null) update.ClassificationId = ResolveOrThrow(IrisLookupKind.Classification, Classification, "-Classification");
            if (Tag != null) update.Tags = Tag;
            if (update.IsEmpty) ThrowArgumentError(ErrorPrefix + "NothingToSet", "Give at least one of -Status, -OwnerId, -Note, -Resolution, -Severity, -Classification or -Tag.", null);
            try
            {
                update.Validate();
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, ErrorPrefix, null));
            }
            _update = update;
            _what = string.Join(", ", update.ToJson().Select(p => p.Key.Replace("alert_", string.Empty) + " = " + p.Value?.ToJsonString()));
        }

        protected override void ProcessRecord()
        {
            if (!ShouldProcess("DFIR-IRIS alert " + AlertId, "Set " + _what)) return;
            try
            {
                var alert = Run(ct => Client.UpdateAlertAsync(AlertId, _update!, ct));
                if (PassThru) WriteObject(alert);
            }
            catch (SocApiException ex)
            {
                ReportFailure(ex, AlertId);
            }
        }
    }
}
