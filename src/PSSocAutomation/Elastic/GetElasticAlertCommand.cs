using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// <para type="synopsis">Streams alerts from Elasticsearch indices as normalized alerts.</para>
    /// <para type="description">Get-ElasticAlert runs a query (optionally limited to a time window) and writes every matching document as a normalized alert (Id, Title, Severity, Time, Status, Host, User, and the original document whole). It pages with a point in time and search_after, so there is no 10,000-hit limit and memory stays flat; the next page is fetched, and its alerts made, while the pipeline works on this one (once the pipeline has read a field of an alert, the next pages' fields are read then too), and the point in time is closed at the end or on Ctrl+C. -UniqueBy gives one alert per distinct value of a field, the latest by -TimeField, through a paged composite aggregation, so no value is lost however many there are. A page that fails for good after the first one ends the script (as throw does) once the alerts before it were written, saying how many came; a failure before any alert came is a non-terminating error. -Checkpoint makes a scheduled run resume: it reads from the saved watermark less -Overlap (alerts indexed late), skips the alerts earlier runs delivered, and saves the new watermark only when the whole pipeline completes without a terminating error, so a run that dies half-way is read again by the next one (the sinks absorb what repeats). A second run on the same checkpoint waits up to -CheckpointTimeoutSec, then stops with an error. Put the sinks in the same pipeline as the source: output collected into a variable first is delivered, as far as the checkpoint knows, once it is collected.</para>
    /// </summary>
    /// <example><code>Get-ElasticAlert -Index alerts -Since 15m</code><para>The alerts of the index alerts from the last fifteen minutes, oldest first, as normalized alerts.</para></example>
    /// <example><code>Get-ElasticAlert -Index alerts -UniqueBy alert_id -TimeField timestamp | New-IrisCase -Customer ACME</code><para>One alert per distinct alert_id (the latest by the field timestamp), each opened as a DFIR-IRIS case for the customer ACME; a case that exists already is not opened twice.</para></example>
    /// <example><code>Get-ElasticAlert -Index alerts -Since '1d' -Checkpoint ~/soc/alerts.checkpoint -Overlap 10m | New-IrisAlert -Customer ACME</code><para>Run every five minutes: each run sends IRIS what arrived since the last completed run, including alerts indexed up to ten minutes late; the first run starts a day back.</para></example>
    /// <example><code>Get-ElasticAlert -Index 'logs-*' -Query @{ term = @{ 'event.kind' = 'alert' } } -Sort '@timestamp:desc' -First 100</code><para>The hundred newest documents of the logs-* indices whose event.kind is alert, with a query written as a hashtable.</para></example>
    [Cmdlet(VerbsCommon.Get, "ElasticAlert")]
    [OutputType(typeof(SocAlert))]
    public sealed class GetElasticAlertCommand : ElasticSourceCommandBase
    {
        /// <summary>Index, alias, data stream, comma list or wildcard pattern to read alerts from.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ValidateIndexName]
        [ArgumentCompleter(typeof(ElasticIndexCompleter))]
        public string Index { get; set; } = string.Empty;

        /// <summary>Query DSL (the value of "query") as a hashtable, JSON string or object; combined with -Since as filters.</summary>
        [Parameter(Position = 1)]
        public object? Query { get; set; }

        /// <summary>Only alerts newer than this: '15m', '2h', '7d', a TimeSpan or a DateTime.</summary>
        [Parameter]
        public object? Since { get; set; }

        /// <summary>The time field for -Since, the default sort and -UniqueBy's "latest" (default @timestamp).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TimeField { get; set; } = "@timestamp";

        /// <summary>Sort as 'field', 'field:asc' or 'field:desc'; default: -TimeField ascending.</summary>
        [Parameter]
        public string[]? Sort { get; set; }

        /// <summary>Only these fields of each document (_source includes; wildcards allowed). The alert id's field is asked for too (-IdField, else alert_id, kibana.alert.uuid, signal.id, event.id, id), so Id stays the alert's id.</summary>
        [Parameter]
        public string[]? Fields { get; set; }

        /// <summary>Stop after this many alerts.</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long First { get; set; }

        /// <summary>One alert per distinct value of this field (the latest by -TimeField); a text field uses its .keyword sub-field.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? UniqueBy { get; set; }

        /// <summary>The field that holds the alert's id (default: alert_id, kibana.alert.uuid, event.id, then the document _id).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? IdField { get; set; }

        /// <summary>Hits (or -UniqueBy buckets) per request, 1 to 10000 (default 1000).</summary>
        [Parameter]
        [ValidateRange(1, 10000)]
        public int PageSize { get; set; } = 1000;

        /// <summary>How long Elasticsearch keeps the point in time between two pages (default 2m).</summary>
        [Parameter]
        [ValidatePattern(@"^\d+(ms|s|m|h|d)$")]
        public string KeepAlive { get; set; } = "2m";

        protected override void ProcessRecord()
        {
            var since = ParseTime(Since, nameof(Since));
            if (Checkpoint != null) since = Resume(since);

            ElasticAlertQuery query;
            try
            {
                query = new ElasticAlertQuery
                {
                    TimeField = TimeField,
                    Query = Query is null ? null : JsonBody.ToJsonObject(Query, "-Query"),
                    Since = since,
                    Sort = Sort?.ToList() ?? new List<string>(),
                    Fields = WithIdFields(Fields),
                };
                query.BuildSort();
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "ElasticInvalidQuery", ErrorCategory.InvalidArgument, Query));
                return;
            }

            var mapper = new ElasticAlertMapper(TimeField, IdField);
            var progress = new ProgressReporter(this, 0x5E1A, "Get-ElasticAlert " + Index);
            long count = 0;
            try
            {
                if (UniqueBy != null)
                {
                    foreach (var alert in StreamUnique(query, mapper))
                    {
                        WriteObject(alert);
                        progress.Report($"{++count} unique alerts", count);
                        if (First > 0 && count >= First) break;
                    }
                }
                else
                {
                    var body = query.BuildSearchBody();
                    var limit = First > 0 ? First : (long?)null;
                    // Mapped where each page is fetched, beside the pipeline (its fields too, once the pipeline has read one).
                    foreach (var alerts in Stream(ct => Client.StreamAsync(Index, body, PageSize, limit, KeepAlive, page => mapper.MapPage(page.Hits), ct)))
                    {
                        count += WritePage(alerts);
                        progress.Report($"{count} alerts", count);
                    }
                }
                WriteVerbose($"Get-ElasticAlert wrote {count} alert(s) from {Index}." + SkippedNote());
            }
            catch (SocApiException ex)
            {
                SourceFailed = true;
                ReportStreamFailure(ex, ErrorPrefix, Index, count, UniqueBy != null ? "unique alerts" : "alerts");
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                // A downstream stop (Select-Object -First) is no failure of this source: the pipeline's outcome decides.
                SourceFailed = true;
                throw;
            }
            finally
            {
                progress.Complete();
            }
        }

        /// <summary>-Checkpoint follows one ordered read of one index: it takes the window that read starts from.</summary>
        private TimeWindow? Resume(TimeWindow? since)
        {
            if (ResumeCheckpoint != null)
                ThrowArgumentError("ElasticCheckpointOneIndex", "-Checkpoint follows one read: pipe one index (or give -Index) when resuming from a checkpoint.", Index);
            if (UniqueBy != null || Sort != null)
                ThrowArgumentError("ElasticCheckpointWithSort", "-Checkpoint reads alerts oldest first by -TimeField, so that the watermark only moves forward; it cannot be combined with -Sort or -UniqueBy.", Checkpoint);
            return Resume(since, $"Get-ElasticAlert {Index} {TimeField}");
        }

        /// <summary>
        /// -Fields plus the alert id's field(s), unless one is already listed, so that restricting _source never turns
        /// the Id into the document _id (the id field then shows in Original too).
        /// </summary>
        private List<string> WithIdFields(string[]? fields)
        {
            var list = fields?.ToList() ?? new List<string>();
            if (list.Count == 0) return list;
            var idPaths = ElasticAlertMapper.IdPaths(IdField);
            if (!idPaths.Any(id => list.Any(f => new WildcardPattern(f, WildcardOptions.None).IsMatch(id))))
                list.AddRange(idPaths);
            return list;
        }

        private IEnumerable<SocAlert> StreamUnique(ElasticAlertQuery query, ElasticAlertMapper mapper)
        {
            string? field;
            try
            {
                field = Run(ct => Client.ResolveAggregatableFieldAsync(Index, UniqueBy!, ct));
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "ElasticUniqueByField", ErrorCategory.InvalidArgument, UniqueBy));
                yield break;
            }
            if (field is null)
            {
                WriteWarning($"No index matching '{Index}' maps the field '{UniqueBy}', so there is nothing to group on.");
                yield break;
            }
            if (field != UniqueBy) WriteVerbose($"'{UniqueBy}' is a text field; grouping on '{field}'.");
            var body = query.BuildUniqueBody(field, Math.Min(PageSize, 1000));
            foreach (var bucket in Stream(ct => Client.StreamCompositeBucketsAsync(Index, body, ElasticAlertQuery.UniqueAggregation, ct)))
            {
                if (!bucket.TryGetProperty(ElasticAlertQuery.LatestAggregation, out var latest)) continue;
                foreach (var hit in latest.GetProperty("hits").GetProperty("hits").EnumerateArray())
                {
                    yield return mapper.Map(hit);
                    break;
                }
            }
        }
    }
}
