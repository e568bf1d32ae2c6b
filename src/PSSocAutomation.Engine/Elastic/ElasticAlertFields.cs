using System.Collections.Generic;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>Where an Elasticsearch hit came from: its index and document id (_id).</summary>
    public sealed class ElasticAlertFields : AlertSourceFields
    {
        public ElasticAlertFields(string? index, string? documentId)
        {
            Index = index;
            DocumentId = documentId;
        }

        /// <summary>The index (or data stream backing index) the hit was read from.</summary>
        public string? Index { get; }
        /// <summary>The hit's _id, the key to write back to the same document.</summary>
        public string? DocumentId { get; }

        public override IEnumerable<KeyValuePair<string, object?>> Fields
        {
            get
            {
                if (Index != null) yield return new KeyValuePair<string, object?>(nameof(Index), Index);
                if (DocumentId != null) yield return new KeyValuePair<string, object?>(nameof(DocumentId), DocumentId);
            }
        }

        public override string ToString() => Index + "/" + DocumentId;
    }
}
