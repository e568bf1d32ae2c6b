using System;
using System.Management.Automation;
using System.Text.Json;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// <para type="synopsis">Explodes an aggregation response into one object per bucket, or one alert per top hit.</para>
    /// <para type="description">Takes a search response from Invoke-ElasticSearch (or a hashtable or JSON string of one) and writes each bucket of its aggregation. With -TopHits, it explodes each bucket's top_hits aggregation instead and writes each hit as a normalized alert, keeping the hit's document whole. Together they are the two "explode" steps of a terms + top_hits "unique alerts" query.</para>
    /// </summary>
    /// <example><code>$uniqueAlertsQuery = @{ size = 0; aggs = @{ unique_alerts = @{ terms = @{ field = 'alert_id.keyword' }; aggs = @{ top_alerts_hits = @{ top_hits = @{ size = 1; sort = @(@{ '@timestamp' = 'desc' }) } } } } } }
    /// Invoke-ElasticSearch -Index alerts -Body $uniqueAlertsQuery | Expand-AlertBucket -Aggregation unique_alerts -TopHits top_alerts_hits</code><para>One alert per alert_id: a terms aggregation with a top_hits aggregation in each bucket, exploded into the latest document of each bucket as a normalized alert.</para></example>
    /// <example><code>$response | Expand-AlertBucket | ForEach-Object { "$($_.key): $($_.doc_count)" }</code><para>Prints each bucket's key and document count from the first aggregation that has buckets.</para></example>
    [Cmdlet(VerbsData.Expand, "AlertBucket")]
    [OutputType(typeof(PSObject), typeof(SocAlert))]
    public sealed class ExpandAlertBucketCommand : SocCmdlet
    {
        /// <summary>The search response, its aggregations, one aggregation, or one bucket (object, hashtable or JSON string).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        public object InputObject { get; set; } = null!;

        /// <summary>The aggregation whose buckets to explode; default: the first aggregation that has buckets.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Aggregation { get; set; }

        /// <summary>Explode this top_hits aggregation inside each bucket, writing one normalized alert per hit.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? TopHits { get; set; }

        /// <summary>The time field of the hits, for the alerts' Time (default @timestamp, then timestamp).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TimeField { get; set; } = "@timestamp";

        /// <summary>The field that holds the alert's id (default: alert_id, kibana.alert.uuid, event.id, then _id).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? IdField { get; set; }

        protected override void ProcessRecord()
        {
            JsonDocument doc;
            try
            {
                var input = PipelineInput.Unwrap(InputObject);
                doc = input is string text ? JsonDocument.Parse(text) : JsonDocument.Parse(JsonBody.ToUtf8(InputObject));
            }
            catch (Exception ex) when (ex is JsonException || ex is ArgumentException)
            {
                WriteError(new ErrorRecord(new ArgumentException("Expand-AlertBucket needs a search response (from Invoke-ElasticSearch), a hashtable or a JSON string: " + ex.Message, ex), "ElasticInvalidAggregationInput", ErrorCategory.InvalidData, InputObject));
                return;
            }
            using (doc)
            {
                var mapper = new ElasticAlertMapper(TimeField, IdField);
                try
                {
                    foreach (var bucket in AggregationBuckets.Buckets(doc.RootElement, Aggregation))
                    {
                        if (TopHits is null)
                        {
                            WriteObject(JsonToPSObject.Convert(bucket));
                            continue;
                        }
                        foreach (var hit in AggregationBuckets.TopHits(bucket, TopHits)) WriteObject(mapper.Map(hit));
                    }
                }
                catch (ArgumentException ex)
                {
                    WriteError(new ErrorRecord(ex, "ElasticAggregationNotFound", ErrorCategory.ObjectNotFound, Aggregation ?? TopHits));
                }
            }
        }
    }
}
