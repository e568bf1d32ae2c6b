using System.Text.Json;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// A search hit as a normalized alert. Field names cover plain alert indices (alert_id, message, severity,
    /// timestamp), ECS events, and Kibana detection alerts (kibana.alert.*, flattened or nested); the hit's _source is
    /// kept whole.
    /// </summary>
    public sealed class ElasticAlertMapper
    {
        private static readonly string[] IdFields = { "alert_id", "kibana.alert.uuid", "signal.id", "event.id", "id" };
        private static readonly string[] TitleFields = { "kibana.alert.rule.name", "signal.rule.name", "title", "message", "rule.name", "alert_type", "event.action" };
        private static readonly string[] DescriptionFields = { "kibana.alert.reason", "signal.reason", "message", "description", "rule.description" };
        private static readonly string[] SeverityFields = { "kibana.alert.severity", "signal.rule.severity", "severity", "event.severity", "kibana.alert.risk_score", "signal.rule.risk_score", "log.level" };
        private static readonly string[] StatusFields = { "kibana.alert.workflow_status", "signal.status", "status", "event.outcome" };
        private static readonly string[] HostFields = { "host.name", "host.hostname", "host.ip" };
        private static readonly string[] UserFields = { "user.name", "user.email", "source.user.name" };
        private static readonly string[] RuleFields = { "kibana.alert.rule.name", "signal.rule.name", "rule.name", "alert_type" };

        public ElasticAlertMapper(string timeField, string? idField = null, string source = "Elasticsearch")
        {
            TimeField = timeField;
            IdField = idField;
            Source = source;
        }

        public string TimeField { get; }
        public string? IdField { get; }
        public string Source { get; }

        public SocAlert Map(JsonElement hit)
        {
            var index = Str(hit, "_index");
            var docId = Str(hit, "_id");
            var hasSource = hit.TryGetProperty("_source", out var source) && source.ValueKind == JsonValueKind.Object;
            // Kibana recommends "fields" for alert documents; use them when _source was not asked for.
            var fields = hit.TryGetProperty("fields", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
            var doc = hasSource ? source : fields;
            var raw = doc.ValueKind == JsonValueKind.Object ? System.Text.Encoding.UTF8.GetBytes(doc.GetRawText()) : System.Text.Encoding.UTF8.GetBytes("{}");

            var id = (IdField != null ? JsonFields.FirstString(doc, IdField) : JsonFields.FirstString(doc, IdFields)) ?? docId ?? string.Empty;
            var alert = new SocAlert(Source, id, raw)
            {
                Index = index,
                DocumentId = docId,
                Title = JsonFields.FirstString(doc, TitleFields) ?? id,
                Description = JsonFields.FirstString(doc, DescriptionFields),
                Status = JsonFields.FirstString(doc, StatusFields),
                Host = JsonFields.FirstString(doc, HostFields),
                User = JsonFields.FirstString(doc, UserFields),
                Rule = JsonFields.FirstString(doc, RuleFields),
            };
            foreach (var field in SeverityFields)
            {
                if (!JsonFields.TryGet(doc, field, out var value)) continue;
                var scalar = JsonFields.AsScalar(value);
                if (scalar is null) continue;
                alert.SourceSeverity = System.Convert.ToString(scalar, System.Globalization.CultureInfo.InvariantCulture);
                alert.Severity = AlertSeverityScale.Parse(scalar);
                break;
            }
            if (JsonFields.TryGet(doc, TimeField, out var time) || JsonFields.TryGet(doc, "@timestamp", out time) || JsonFields.TryGet(doc, "timestamp", out time))
                alert.Time = SocAlert.ParseTime(time);
            return alert;
        }

        private static string? Str(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
