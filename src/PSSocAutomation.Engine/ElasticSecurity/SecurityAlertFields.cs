using System;
using System.Collections.Generic;
using System.Text.Json;
using PSSocAutomation.Core;
using PSSocAutomation.Elastic;

namespace PSSocAutomation.ElasticSecurity
{
    /// <summary>
    /// What an Elastic Security detection alert has beyond the common core: where it lives (index, _id, space), its
    /// rule's ids, its risk score, the source event's time and its triage status as stored, read from kibana.alert.*
    /// or, for 7.x-era signals, signal.*.
    /// </summary>
    public sealed class SecurityAlertFields : AlertSourceFields
    {
        private static readonly string[] RuleIdPaths = { "kibana.alert.rule.rule_id", "signal.rule.rule_id" };
        private static readonly string[] RuleUuidPaths = { "kibana.alert.rule.uuid", "signal.rule.id" };
        private static readonly string[] RiskPaths = { "kibana.alert.risk_score", "signal.rule.risk_score" };
        private static readonly string[] OriginalTimePaths = { "kibana.alert.original_time", "signal.original_time" };
        private static readonly string[] StatusPaths = { "kibana.alert.workflow_status", "signal.status" };

        public SecurityAlertFields(string? index, string? documentId, string space, JsonElement document)
        {
            Index = index;
            DocumentId = documentId;
            Space = space;
            RuleId = Text(document, RuleIdPaths);
            RuleUuid = Text(document, RuleUuidPaths);
            var risk = First(document, RiskPaths);
            RiskScore = risk is JsonElement r && r.ValueKind == JsonValueKind.Number ? r.GetDouble() : (double?)null;
            OriginalTime = First(document, OriginalTimePaths) is JsonElement t ? JsonFields.TimeOrNull(t) : null;
            WorkflowStatus = Text(document, StatusPaths);
            Legacy = First(document, new[] { "kibana.alert.workflow_status" }) is null && WorkflowStatus != null;
        }

        public string? Index { get; }
        /// <summary>The alert's _id: what Set-ElasticAlertStatus sends.</summary>
        public string? DocumentId { get; }
        public string Space { get; }
        /// <summary>The rule's rule_id (stable across exports); RuleUuid is the rule object's id.</summary>
        public string? RuleId { get; }
        public string? RuleUuid { get; }
        public double? RiskScore { get; }
        /// <summary>When the source event happened (the alert's own time is when the rule ran).</summary>
        public DateTimeOffset? OriginalTime { get; }
        /// <summary>The status as stored: open, acknowledged, closed (or a 7.x signal's in-progress).</summary>
        public string? WorkflowStatus { get; }
        /// <summary>A 7.x-era signal (signal.status, no kibana.alert.workflow_status).</summary>
        public bool Legacy { get; }

        public override IEnumerable<KeyValuePair<string, object?>> Fields
        {
            get
            {
                if (Index != null) yield return new KeyValuePair<string, object?>(nameof(Index), Index);
                if (DocumentId != null) yield return new KeyValuePair<string, object?>(nameof(DocumentId), DocumentId);
                yield return new KeyValuePair<string, object?>(nameof(Space), Space);
                if (RuleId != null) yield return new KeyValuePair<string, object?>(nameof(RuleId), RuleId);
                if (RuleUuid != null) yield return new KeyValuePair<string, object?>(nameof(RuleUuid), RuleUuid);
                if (RiskScore != null) yield return new KeyValuePair<string, object?>(nameof(RiskScore), RiskScore);
                if (OriginalTime != null) yield return new KeyValuePair<string, object?>(nameof(OriginalTime), OriginalTime);
                if (WorkflowStatus != null) yield return new KeyValuePair<string, object?>(nameof(WorkflowStatus), WorkflowStatus);
                if (Legacy) yield return new KeyValuePair<string, object?>(nameof(Legacy), true);
            }
        }

        /// <summary>The alert for a hit of the alerts index or of signals/search, with these fields beside it.</summary>
        public static SocAlert Map(ElasticAlertMapper mapper, JsonElement hit, string space)
        {
            var alert = mapper.Map(hit);
            var document = hit.TryGetProperty("_source", out var source) && source.ValueKind == JsonValueKind.Object ? source
                : hit.TryGetProperty("fields", out var fields) ? fields : default;
            alert.SourceFields = new SecurityAlertFields(alert.Index, alert.DocumentId, space, document);
            return alert;
        }

        private static JsonElement? First(JsonElement document, string[] paths)
        {
            if (document.ValueKind != JsonValueKind.Object) return null;
            foreach (var path in paths)
                if (JsonFields.FirstAt(document, path) is JsonElement value && value.ValueKind != JsonValueKind.Null) return value;
            return null;
        }

        private static string? Text(JsonElement document, string[] paths) => First(document, paths) is JsonElement v ? JsonFields.AsString(v) : null;

        public override string ToString() => Space + ":" + DocumentId;
    }
}
