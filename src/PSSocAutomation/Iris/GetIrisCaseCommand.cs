using System;
using System.Management.Automation;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Gets DFIR-IRIS cases by id, SOC id, customer, state and other filters, streaming every page.</para>
    /// <para type="description">With -Id, reads each case, through the same filter route as the other filters where IRIS has it, so a case has the same properties (Severity included) however it was asked for (a case that does not exist or is out of the user's reach is reported as IRIS reports it: permission denied). Otherwise it pages through /manage/cases/filter (IRIS 2.3.4+; the full case list, filtered here, before) and writes each case as its page arrives, fetching the next page meanwhile. Names (-Customer, -State, -Severity, -Classification) are resolved on the server's own lists.</para>
    /// </summary>
    /// <example><code>Get-IrisCase -Customer ACME -State Open</code><para>The open cases of the customer ACME.</para></example>
    /// <example><code>Get-IrisCase -SocId 'alert-4711'</code><para>The case opened for the source alert alert-4711, found by its SOC id.</para></example>
    /// <example><code>Get-IrisCase -Id 12, 15 | Select-Object CaseId, Title, State, Link</code><para>Two cases by id, with a link to each in the IRIS web interface.</para></example>
    [Cmdlet(VerbsCommon.Get, "IrisCase", DefaultParameterSetName = FilterSet)]
    [OutputType(typeof(IrisCase))]
    public sealed class GetIrisCaseCommand : IrisCommandBase
    {
        private const string FilterSet = "Filter";
        private const string IdSet = "Id";

        /// <summary>Case ids (cid).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("CaseId", "case_id", "cid")]
        public int[]? Id { get; set; }

        /// <summary>Cases with exactly this SOC id (case_soc_id).</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [Alias("case_soc_id")]
        public string? SocId { get; set; }

        /// <summary>Cases of this customer, by name or id.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [ArgumentCompleter(typeof(IrisCustomerCompleter))]
        public object? Customer { get; set; }

        /// <summary>Cases in this state, by name (Open, In progress, Containment, Closed ...) or id.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? State { get; set; }

        /// <summary>Cases of this severity, by name or id.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Severity { get; set; }

        /// <summary>Cases of this classification, by name or id.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Classification { get; set; }

        /// <summary>Cases whose name contains this text.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        public string? Name { get; set; }

        /// <summary>Cases owned by this user id.</summary>
        [Parameter(ParameterSetName = FilterSet)]
        public int? OwnerId { get; set; }

        /// <summary>Cases per request (default 100).</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [ValidateRange(1, 1000)]
        public int PageSize { get; set; } = 100;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == IdSet)
            {
                foreach (var id in Id!)
                {
                    var client = Client;
                    try { WriteObject(Run(async ct => await client.Lookups.FillNamesAsync(await client.GetCaseAsync(id, ct).ConfigureAwait(false), ct).ConfigureAwait(false))); }
                    catch (SocApiException ex) { ReportFailure(ex, id); }
                }
                return;
            }

            var filter = new IrisCaseFilter { SocId = SocId, Name = Name, OwnerId = OwnerId };
            if (Customer != null) (filter.CustomerId, filter.CustomerName) = ResolveCustomerOrThrow(Customer);
            if (State != null) filter.StateId = ResolveOrThrow(IrisLookupKind.CaseState, State, "-State");
            if (Severity != null) filter.SeverityId = ResolveSeverityOrThrow(Severity);
            if (Classification != null) filter.ClassificationId = ResolveOrThrow(IrisLookupKind.Classification, Classification, "-Classification");

            var progress = new ProgressReporter(this, 0x1217, "Get-IrisCase");
            long count = 0;
            try
            {
                foreach (var c in Stream(ct => Client.GetCasesAsync(filter, PageSize, ct)))
                {
                    WriteObject(c);
                    progress.Report($"{++count} cases", count);
                }
            }
            catch (SocApiException ex)
            {
                ReportStreamFailure(ex, ErrorPrefix, filter, count, "cases");
            }
            finally
            {
                progress.Complete();
            }
        }
    }
}
