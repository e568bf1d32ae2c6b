using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using PSSocAutomation.Aws.SecurityHub;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// <para type="synopsis">Streams AWS Security Hub findings (GuardDuty, Inspector, Config rules ...) as normalized alerts, every page, paced to Security Hub's quota.</para>
    /// <para type="description">Get-SecurityHubFinding calls GetFindings with the filters its parameters make (by default the NEW, ACTIVE findings), oldest update first, and writes each finding as a normalized alert: Title, Description, Severity on Security Hub's own scale (its label; Normalized 0-100 only when there is none), Status (the workflow status), Host (the EC2 instance id), User (the IAM principal of an access-key, user or role resource), Resources (every resource with its type and ARN), Indicators (addresses and domains of the finding's Network, Action and GuardDuty fields), Link (the product's console page) and the ASFF finding intact in Original. SourceFields carry ProductArn and Id for Update-SecurityHubFinding, the account, the region and the product name. It follows NextToken to the end: Security Hub can answer a short or empty page that still has a token, which is not the end. Requests are paced to GetFindings' quota of 3 a second per account and region, and a throttled request (429) is retried after a back-off. -Filter takes any AwsSecurityFindingFilters as a hashtable or JSON; a field it names replaces what the parameters (or their defaults) put on that field. A stream that breaks after it started ends the script, saying how many findings came.</para>
    /// </summary>
    /// <example><code>Get-SecurityHubFinding -ProductName GuardDuty -Severity HIGH, CRITICAL -Since '1d'</code><para>The new, active high and critical GuardDuty findings updated in the last day, in the region of the session's AWS connection.</para></example>
    /// <example><code>Get-SecurityHubFinding -ResourceType AwsEc2Instance -Filter @{ ResourceAwsEc2InstanceVpcId = @(@{ Value = 'vpc-0abc'; Comparison = 'EQUALS' }) } -WorkflowStatus Any | Group-Object Host</code><para>Findings about EC2 instances of one VPC whatever their workflow status, counted per instance.</para></example>
    [Cmdlet(VerbsCommon.Get, "SecurityHubFinding")]
    [OutputType(typeof(SocAlert))]
    public sealed class GetSecurityHubFindingCommand : AwsCommandBase
    {
        private const string Any = "Any";

        /// <summary>Severity labels to keep: INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL (default: all).</summary>
        [Parameter(Position = 0)]
        [ValidateSet("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")]
        public string[]? Severity { get; set; }

        /// <summary>Workflow statuses to keep (default NEW); Any for every status.</summary>
        [Parameter]
        [ValidateSet("NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED", Any)]
        public string[] WorkflowStatus { get; set; } = { "NEW" };

        /// <summary>Record state to keep (default ACTIVE); Any for archived findings too.</summary>
        [Parameter]
        [ValidateSet("ACTIVE", "ARCHIVED", Any)]
        public string RecordState { get; set; } = "ACTIVE";

        /// <summary>Products to keep, by name as Security Hub shows it: GuardDuty, Inspector, Security Hub, Macie, IAM Access Analyzer ...</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ProductName { get; set; }

        /// <summary>Resource types to keep: AwsEc2Instance, AwsIamAccessKey, AwsIamRole, AwsS3Bucket ...</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ResourceType { get; set; }

        /// <summary>Resource ids (ARNs, or the ids Security Hub gives) to keep.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ResourceId { get; set; }

        /// <summary>Only findings updated since: a span ('15m', '1d', a TimeSpan) or a date.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Since { get; set; }

        /// <summary>Any AwsSecurityFindingFilters, as a hashtable or JSON; its fields replace the parameters' filters of the same fields.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Filter { get; set; }

        /// <summary>The finding field to order by (default UpdatedAt).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string SortBy { get; set; } = "UpdatedAt";

        /// <summary>Newest first instead of oldest first.</summary>
        [Parameter]
        public SwitchParameter Descending { get; set; }

        /// <summary>Stop after this many findings (default: all).</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long First { get; set; }

        /// <summary>Findings per GetFindings request, 1 to 100 (default 100, Security Hub's most).</summary>
        [Parameter]
        [ValidateRange(1, SecurityHubClient.MaxPageSize)]
        public int PageSize { get; set; } = SecurityHubClient.MaxPageSize;

        private JsonObject _filters = null!;

        protected override void Begin()
        {
            var filters = new SecurityHubFilters()
                .Strings("SeverityLabel", Severity?.Select(s => s.ToUpperInvariant()))
                .Strings("ProductName", ProductName)
                .Strings("ResourceType", ResourceType)
                .Strings("ResourceId", ResourceId);
            if (!WorkflowStatus.Contains(Any, StringComparer.OrdinalIgnoreCase)) filters.Strings("WorkflowStatus", WorkflowStatus.Select(s => s.ToUpperInvariant()));
            if (!string.Equals(RecordState, Any, StringComparison.OrdinalIgnoreCase)) filters.Strings("RecordState", new[] { RecordState.ToUpperInvariant() });
            if (Since != null)
            {
                try
                {
                    filters.Since("UpdatedAt", TimeWindow.Parse(PipelineInput.Unwrap(Since)!, "-Since").StartFrom(DateTimeOffset.UtcNow));
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidSince", ErrorCategory.InvalidArgument, Since) { ErrorDetails = new ErrorDetails(ex.Message) });
                }
            }
            try
            {
                if (Filter != null) filters.Overlay(JsonBody.ToJsonObject(Filter, "-Filter"));
                _filters = filters.Build();
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidFilter", ErrorCategory.InvalidArgument, Filter) { ErrorDetails = new ErrorDetails(ex.Message) });
            }
        }

        protected override void EndProcessing()
        {
            var client = ResolvedConnection.SecurityHub;
            var sort = new[] { new KeyValuePair<string, string>(SortBy, Descending ? "desc" : "asc") };
            var progress = new ProgressReporter(this, 0x5EC4, "Get-SecurityHubFinding " + ResolvedConnection.Region);
            long count = 0;
            try
            {
                foreach (var alert in Stream(ct => client.GetFindingsAsync(_filters, sort, First > 0 && First < PageSize ? (int)First : PageSize, ct)))
                {
                    WriteObject(alert);
                    count++;
                    progress.Report($"{count} findings", count);
                    if (First > 0 && count >= First) break;
                }
                WriteVerbose($"Get-SecurityHubFinding wrote {count} finding(s) from {ResolvedConnection.Region}.");
            }
            catch (SocApiException ex)
            {
                ReportStreamFailure(ex, ErrorPrefix + "SecurityHub", ResolvedConnection.Region, count, "findings");
            }
            finally
            {
                progress.Complete();
            }
        }
    }
}
