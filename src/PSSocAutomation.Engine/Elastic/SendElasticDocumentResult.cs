using System;

namespace PSSocAutomation.Elastic
{
    /// <summary>What one Send-ElasticDocument run did, written once at the end.</summary>
    public sealed class SendElasticDocumentResult
    {
        public string Index { get; internal set; } = string.Empty;
        /// <summary>Every document piped in; it equals Created + Updated + AlreadyExisted + ExistedAfterRetry + Failed + Skipped + NotSent.</summary>
        public long Received { get; internal set; }
        public long Created { get; internal set; }
        public long Updated { get; internal set; }
        /// <summary>Documents whose id was already in the index (a re-run): not written again, not an error.</summary>
        public long AlreadyExisted { get; internal set; }
        /// <summary>
        /// Documents whose create met their id in a request sent again after an attempt whose answer was lost (or that
        /// met 502/503/504): in the index, written either by that attempt of this run or by an earlier run. Elasticsearch
        /// answers both with the same 409, so they are counted apart from Created and AlreadyExisted.
        /// </summary>
        public long ExistedAfterRetry { get; internal set; }
        public long Failed { get; internal set; }
        /// <summary>Documents not sent: skipped by -WhatIf/-Confirm, or rejected before sending (no id, not serializable).</summary>
        public long Skipped { get; internal set; }
        /// <summary>Documents received after a _bulk request failed as a whole, which stopped the sending: none of them was sent.</summary>
        public long NotSent { get; internal set; }
        /// <summary>Documents sent more than once: items Elasticsearch refused with 429, and the documents of requests sent again.</summary>
        public long Retried { get; internal set; }
        /// <summary>_bulk requests sent again (a lost answer, 502/503/504, a 429, or a round for items refused with 429).</summary>
        public long RetriedRequests { get; internal set; }
        public int Batches { get; internal set; }
        public TimeSpan Elapsed { get; internal set; }
    }
}
