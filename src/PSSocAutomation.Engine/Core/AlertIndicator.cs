using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// An observable an alert points at: an address, a domain, a URL, a file hash. Sinks turn them into IOCs (IRIS),
    /// ticket fields (Jira) or lines of a message (Slack); enrichment cmdlets look them up.
    /// </summary>
    public sealed class AlertIndicator
    {
        private IList<string>? _tags;

        /// <param name="value">The observable itself, e.g. 203.0.113.7.</param>
        /// <param name="type">
        /// What it is, in the module's words: ip, domain, url, md5, sha1, sha256, sha512, email, filename, user; or a
        /// sink's own type name given by the user (an IRIS type such as ip-dst passes through). Null: infer from the value.
        /// </param>
        /// <param name="field">Where the source had it (source.ip, file.hash.sha256), when it came from a document.</param>
        public AlertIndicator(string value, string? type = null, string? field = null)
        {
            if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException("An indicator needs a value.", nameof(value));
            Value = value.Trim();
            Type = string.IsNullOrWhiteSpace(type) ? null : type!.Trim();
            Field = field;
        }

        public string Value { get; }
        public string? Type { get; }
        public string? Field { get; }
        /// <summary>The alert it came from (its Id), when Get-AlertIndicator read it from one.</summary>
        public string? AlertId { get; set; }
        /// <summary>Where that alert came from (Elasticsearch, Kibana, DFIR-IRIS ...).</summary>
        public string? AlertSource { get; set; }
        public string? Description { get; set; }
        public IList<string> Tags => _tags ??= new List<string>();
        /// <summary>What enrichment found, by provider (VirusTotal, AbuseIPDB ...).</summary>
        public JsonObject? Enrichment { get; set; }

        internal bool HasTags => _tags != null && _tags.Count > 0;

        public override string ToString() => Type is null ? Value : Type + ":" + Value;
    }
}
