using System;
using System.Management.Automation;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Gets alerts from the DFIR-IRIS alert queue by id or filters, streaming every page.</para>
    /// <para type="description">With -Id, reads each alert (IRIS answers "Alert not found" for one that does not exist or belongs to a customer the user is not linked to). Otherwise it pages through /alerts/filter, newest event first, and writes each alert as its page arrives. Filters the server's version cannot apply (an exact -SourceRef before 2.4.17, event times before 2.4.14) are applied here.</para>
    /// </summary>
    /// <example><code>Get-IrisAlert -Customer ACME -Status New -Since (Get-Date).AddHours(-4)</code><para>The new alerts of the customer ACME from the last four hours, read page by page.</para></example>
    /// <example><code>Get-IrisAlert -SourceRef 'a3f0c2d1-6b0e-4e0b-9f43-2b8c8e1f9a10'</code><para>The IRIS alert made from one source alert, found by the reference New-IrisAlert stored on it.</para></example>
    [Cmdlet(VerbsCommon.Get, "IrisAlert", DefaultParameterSetName = FilterSet)]
    [OutputType(typeof(IrisAlert))]
    public sealed class GetIrisAlertCommand : IrisCommandBase
    {
        private const string FilterSet = "Filter";
        private const string IdSet = "Id";

        /// <summary>IRIS alert ids.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("AlertId", "alert_id")]
        public int[]? Id { get; set; }

        /// <summary>Alerts with exactly this source reference (the source's alert id).</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [Alias("SourceReference", "alert_source_ref")]
        public string? SourceRef { get; set; }

        /// <summary>Alerts of this customer, by name or id.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [ArgumentCompleter(typeof(IrisCustomerCompleter))]
        public object? Customer { get; set; }

        /// <summary>Alerts in this status, by name (New, Assigned, In progress, Pending, Closed, Merged, Escalated ...) or id.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Status { get; set; }

        /// <summary>Alerts of this severity, by name or id.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Severity { get; set; }

        /// <summary>Alerts whose title contains this text.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        public string? Title { get; set; }

        /// <summary>Alerts whose source contains this text.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        public string? Source { get; set; }

        /// <summary>Alerts whose tags contain this text.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        public string? Tag { get; set; }

        /// <summary>Alerts owned by this user id; -1 for unassigned alerts.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        public int? OwnerId { get; set; }

        /// <summary>Alerts linked to this case id.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        public int? CaseId { get; set; }

        /// <summary>Alerts whose event happened after this: '15m', '2h', '7d', a TimeSpan or a date.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        public object? Since { get; set; }

        /// <summary>Alerts whose event happened before this time.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        public DateTimeOffset? Until { get; set; }

        /// <summary>Oldest event first instead of newest first.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        public SwitchParameter Ascending { get; set; }

        /// <summary>Alerts per request (default 100).</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [ValidateRange(1, 1000)]
        public int PageSize { get; set; } = 100;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == IdSet)
            {
                foreach (var id in Id!)
                {
                    try { WriteObject(Run(ct => Client.GetAlertAsync(id, ct))); }
                    catch (SocApiException ex) { ReportFailure(ex, id); }
                }
                return;
            }

            var filter = new IrisAlertFilter { SourceReference = SourceRef, Title = Title, Source = Source, Tags = Tag, OwnerId = OwnerId, CaseId = CaseId, Sort = Ascending ? "asc" : "desc", EventTo = Until };
            if (Customer != null) filter.CustomerId = ResolveCustomerOrThrow(Customer).Id;
            if (Status != null) filter.StatusId = ResolveOrThrow(IrisLookupKind.AlertStatus, Status, "-Status");
            if (Severity != null) filter.SeverityId = ResolveSeverityOrThrow(Severity);
            if (Since != null)
            {
                try { filter.EventFrom = TimeWindow.Parse(PipelineInput.Unwrap(Since)!).StartFrom(DateTimeOffset.UtcNow); }
                catch (ArgumentException ex) { ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidSince", ErrorCategory.InvalidArgument, Since)); }
            }

            var progress = new ProgressReporter(this, 0x1218, "Get-IrisAlert");
            long count = 0;
            try
            {
                foreach (var alert in Stream(ct => Client.GetAlertsAsync(filter, PageSize, ct)))
                {
                    WriteObject(alert);
                    progress.Report($"{++count} alerts", count);
                }
            }
            catch (SocApiException ex)
            {
                ReportStreamFailure(ex, ErrorPrefix, filter, count, "alerts");
            }
            finally
            {
                progress.Complete();
            }
        }
    }
}
