using System;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using PSSocAutomation.Core;
using PSSocAutomation.Elastic;
using PSSocAutomation.Http;

namespace PSSocAutomation.ElasticSecurity
{
    /// <summary>
    /// <para type="synopsis">Streams Elastic Security detection alerts of a Kibana space as normalized alerts.</para>
    /// <para type="description">Get-ElasticSecurityAlert reads the detection alerts of a Kibana space, oldest first, and writes each as a normalized alert: Title is the rule name, Description the alert's reason, Severity, Status (open, acknowledged, closed), Host, User, the indicators (IPs, hashes, URLs, domains) of its ECS fields, and the alert document whole; its SourceFields add the rule's ids, the risk score, the source event's time, the space and the alert's _id (what Set-ElasticAlertStatus sends). 7.x-era signals (signal.status, signal.rule.*) are read and filtered like current alerts. A read that fits in one page is one request to Kibana's signals/search; a longer one goes on through the space's alerts index in Elasticsearch (.alerts-security.alerts-&lt;space&gt;) with a point in time and search_after, because Kibana answers one page only. Without -KibanaUri on Connect-Elastic everything is read from the alerts index. A space that does not exist is an error (Kibana would answer it with no alerts). Building-block alerts are left out, as the Kibana UI does, unless -IncludeBuildingBlock. -Checkpoint makes a scheduled run resume, exactly as for Get-ElasticAlert: from the saved watermark less -Overlap, skipping alerts earlier runs delivered, saving only when the whole pipeline completes.</para>
    /// </summary>
    /// <example><code>Get-ElasticSecurityAlert -Status open -Since 15m -Severity high, critical</code><para>The open high and critical alerts of the default space from the last fifteen minutes.</para></example>
    /// <example><code>Get-ElasticSecurityAlert -Space soc -Status open -Checkpoint ~/soc/kibana.checkpoint | New-IrisAlert -Customer ACME</code><para>Run every five minutes: each run sends IRIS the open alerts of the space 'soc' that arrived since the last completed run, including those indexed up to five minutes late.</para></example>
    /// <example><code>Get-ElasticSecurityAlert -RuleName 'Malware Prevention Alert' -Since '7d' -Query @{ term = @{ 'host.os.family' = 'windows' } } | Group-Object Host</code><para>A week of one rule's alerts on Windows hosts, counted per host.</para></example>
    [Cmdlet(VerbsCommon.Get, "ElasticSecurityAlert")]
    [OutputType(typeof(SocAlert))]
    public sealed class GetElasticSecurityAlertCommand : ElasticSourceCommandBase
    {
        internal const string SourceName = "Elastic Security";

        /// <summary>Only alerts in these triage statuses: open, acknowledged, closed (a 7.x signal's in-progress counts as acknowledged).</summary>
        [Parameter(Position = 0)]
        [ValidateSet("open", "acknowledged", "closed")]
        public string[]? Status { get; set; }

        /// <summary>Only alerts created in this window: '15m', '2h', '7d', a TimeSpan or a DateTime.</summary>
        [Parameter]
        public object? Since { get; set; }

        /// <summary>Only alerts of these severities: low, medium, high, critical.</summary>
        [Parameter]
        [ValidateSet("low", "medium", "high", "critical")]
        public string[]? Severity { get; set; }

        /// <summary>Only alerts of rules with these names (exact).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? RuleName { get; set; }

        /// <summary>The Kibana space id, as in the /s/&lt;space&gt;/ of its URLs (default: default).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KibanaSpaceCompleter))]
        public string Space { get; set; } = "default";

        /// <summary>Query DSL for anything else (the value of "query"), as a hashtable, JSON string or object; combined with the other filters.</summary>
        [Parameter]
        public object? Query { get; set; }

        /// <summary>Include building-block alerts (hidden in the Kibana UI by default).</summary>
        [Parameter]
        public SwitchParameter IncludeBuildingBlock { get; set; }

        /// <summary>Stop after this many alerts.</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long First { get; set; }

        /// <summary>Alerts per request, 1 to 10000 (default 1000).</summary>
        [Parameter]
        [ValidateRange(1, 10000)]
        public int PageSize { get; set; } = 1000;

        /// <summary>How long Elasticsearch keeps the point in time between two pages of the alerts index (default 2m).</summary>
        [Parameter]
        [ValidatePattern(@"^\d+(ms|s|m|h|d)$")]
        public string KeepAlive { get; set; } = "2m";

        protected override void ProcessRecord()
        {
            if (!SecurityAlertQuery.IsValidSpace(Space))
                ThrowArgumentError(ErrorPrefix + "SecurityInvalidSpace", $"-Space '{Space}' is not a Kibana space id: ids are lowercase letters, digits, '_' and '-' (the part after /s/ in the space's URLs).", Space);
            var since = ParseTime(Since, nameof(Since));
            if (Checkpoint != null) since = Resume(since, $"Get-ElasticSecurityAlert {Space}");

            SecurityAlertQuery query;
            try
            {
                query = new SecurityAlertQuery
                {
                    Statuses = Status?.ToList() ?? new System.Collections.Generic.List<string>(),
                    Severities = Severity?.ToList() ?? new System.Collections.Generic.List<string>(),
                    RuleNames = RuleName?.ToList() ?? new System.Collections.Generic.List<string>(),
                    Since = since,
                    Query = Query is null ? null : JsonBody.ToJsonObject(Query, "-Query"),
                    IncludeBuildingBlocks = IncludeBuildingBlock,
                };
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidQuery", ErrorCategory.InvalidArgument, Query));
                return;
            }

            var kibana = ResolvedConnection.Kibana;
            if (kibana is null) WriteVerbose($"This connection has no Kibana (Connect-Elastic -KibanaUri): reading the alerts index {KibanaClient.AlertsIndex(Space)} directly.");
            else CheckSpace(kibana);

            var mapper = new ElasticAlertMapper(SecurityAlertQuery.TimeField, null, SourceName);
            var reader = new SecurityAlertReader(Client, kibana);
            var progress = new ProgressReporter(this, 0x5E1B, "Get-ElasticSecurityAlert " + Space);
            long count = 0;
            try
            {
                foreach (var page in Stream(ct => reader.ReadAsync(Space, query, PageSize, First > 0 ? First : (long?)null, KeepAlive, ct)))
                {
                    count += WritePage(MapPage(mapper, page));
                    progress.Report($"{count} alerts", count);
                }
                WriteVerbose($"Get-ElasticSecurityAlert wrote {count} alert(s) of the space '{Space}' ({reader.KibanaPages} page(s) through Kibana, {reader.IndexPages} through the alerts index)." + SkippedNote());
            }
            catch (SocApiException ex)
            {
                SourceFailed = true;
                ReportStreamFailure(ex, ErrorPrefix + "Security", Space, count, "alerts");
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                SourceFailed = true;
                throw;
            }
            finally
            {
                progress.Complete();
            }
        }

        /// <summary>Kibana answers a space that does not exist with no alerts: a typo must not pass for a quiet day.</summary>
        private void CheckSpace(KibanaClient kibana)
        {
            if (Space == "default") return;
            bool exists;
            try
            {
                exists = Run(ct => kibana.SpaceExistsAsync(Space, ct));
            }
            catch (SocApiException ex)
            {
                SourceFailed = true;
                ThrowApiError(ex, ErrorPrefix + "Security", Space);
                return;
            }
            if (!exists)
            {
                SourceFailed = true;
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"Kibana at {ResolvedConnection.KibanaUri} has no space '{Space}'. -Space takes a space id (the part after /s/ in the space's URLs), not its display name."),
                    ErrorPrefix + "SecuritySpaceNotFound", ErrorCategory.ObjectNotFound, Space));
            }
        }

        private SocAlert[] MapPage(ElasticAlertMapper mapper, SearchPage page)
        {
            var alerts = new SocAlert[page.Hits.GetArrayLength()];
            var i = 0;
            foreach (var hit in page.Hits.EnumerateArray()) alerts[i++] = SecurityAlertFields.Map(mapper, hit, Space);
            return alerts;
        }
    }
}
