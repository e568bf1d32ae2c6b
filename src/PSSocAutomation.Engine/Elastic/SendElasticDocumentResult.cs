using System;

namespace PSSocAutomation.Elastic
{
    /// <summary>What one Send-ElasticDocument run did, written once at the end.</summary>
    public sealed class SendElasticDocumentResult
    {
        public string Index { get; internal set; } = string.Empty;
        public long Received { get; internal set; }
        public long Created { get; internal set; }
        public long Updated { get; internal set; }
        /// <summary>Documents whose id was already in the index (a re-run): not written again, not an error.</summary>
        public long AlreadyExisted { get; internal set; }
        public long Failed { get; internal set; }
        /// <summary>Documents not sent: skipped by -WhatIf/-Confirm, or rejected before sending (no id, not serializable).</summary>
        public long Skipped { get; internal set; }
        /// <summary>Items Elasticsearch rejected with 429 and that were sent again.</summary>
        public long Retried { get; internal set; }
        public int Batches { get; internal set; }
        public TimeSpan Elapsed { get; internal set; }
    }
}
