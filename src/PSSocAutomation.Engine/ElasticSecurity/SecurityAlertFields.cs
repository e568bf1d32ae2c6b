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

        private readonly SocAlert _alert;
        private bool _read;
        private string? _ruleId, _ruleUuid, _workflowStatus;
        private double? _riskScore;
        private DateTimeOffset? _originalTime;
        private bool _legacy;

        /// <summary>
        /// Where the alert is now; the rest is read from its kept document the first time it is asked for, as the
        /// alert's own fields are, so streaming alerts nobody reads these of costs nothing for them.
        /// </summary>
        public SecurityAlertFields(string? index, string? documentId, string space, SocAlert alert)
        {
            Index = index;
            DocumentId = documentId;
            Space = space;
            _alert = alert;
        }

        public string? Index { get; }
        /// <summary>The alert's _id: what Set-ElasticAlertStatus sends.</summary>
        public string? DocumentId { get; }
        public string Space { get; }
        /// <summary>The rule's rule_id (stable across exports); RuleUuid is the rule object's id.</summary>
        public string? RuleId { get { Read(); return _ruleId; } }
        public string? RuleUuid { get { Read(); return _ruleUuid; } }
        public double? RiskScore { get { Read(); return _riskScore; } }
        /// <summary>When the source event happened (the alert's own time is when the rule ran).</summary>
        public DateTimeOffset? OriginalTime { get { Read(); return _originalTime; } }
        /// <summary>The status as stored: open, acknowledged, closed (or a 7.x signal's in-progress).</summary>
        public string? WorkflowStatus { get { Read(); return _workflowStatus; } }
        /// <summary>A 7.x-era signal (signal.status, no kibana.alert.workflow_status).</summary>
        public bool Legacy { get { Read(); return _legacy; } }

        private void Read()
        {
            if (_read) return;
            using (var parsed = JsonDocument.Parse(_alert.OriginalUtf8))
            {
                var document = parsed.RootElement;
                _ruleId = Text(document, RuleIdPaths);
                _ruleUuid = Text(document, RuleUuidPaths);
                _riskScore = First(document, RiskPaths) is JsonElement r && r.ValueKind == JsonValueKind.Number ? r.GetDouble() : (double?)null;
                _originalTime = First(document, OriginalTimePaths) is JsonElement t ? JsonFields.TimeOrNull(t) : null;
                _workflowStatus = Text(document, StatusPaths);
                _legacy = First(document, new[] { "kibana.alert.workflow_status" }) is null && _workflowStatus != null;
            }
            _read = true;
        }

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
            alert.SourceFields = new SecurityAlertFields(alert.Index, alert.DocumentId, space, alert);
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
