using System;
using System.Globalization;
using System.Text.Json;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// The one alert shape that flows through the pipeline, whatever the source: every sink binds to these properties
    /// by name. The source's own document is kept whole (as JSON, turned into an object only when someone looks).
    /// </summary>
    public sealed class SocAlert : IJsonBody
    {
        private readonly byte[] _originalJson;
        private object? _original;

        public SocAlert(string source, string id, byte[] originalJson)
        {
            Source = source;
            Id = id;
            _originalJson = originalJson;
        }

        /// <summary>Where it came from: "Elasticsearch", "Kibana", "SecurityHub" ...</summary>
        public string Source { get; }
        /// <summary>The source's id for the alert (alert_id, kibana.alert.uuid, the finding id ...).</summary>
        public string Id { get; }
        public string Title { get; set; } = string.Empty;
        public string? Description { get; set; }
        public AlertSeverity Severity { get; set; }
        /// <summary>The source's own severity text or score, before mapping.</summary>
        public string? SourceSeverity { get; set; }
        public DateTimeOffset? Time { get; set; }
        public string? Status { get; set; }
        public string? Host { get; set; }
        public string? User { get; set; }
        public string? Rule { get; set; }
        /// <summary>A link back to the alert in its source, when the source has one.</summary>
        public string? Link { get; set; }
        /// <summary>Elasticsearch index (or the source's container: account/region for AWS).</summary>
        public string? Index { get; set; }
        /// <summary>The source's document id (_id) when it differs from <see cref="Id"/>.</summary>
        public string? DocumentId { get; set; }

        /// <summary>The source document, whole, as a PowerShell object.</summary>
        public object? Original => _original ??= JsonToPSObject.Parse(_originalJson);

        /// <summary>The source document as JSON text.</summary>
        public string OriginalJson() => System.Text.Encoding.UTF8.GetString(_originalJson);

        internal ReadOnlyMemory<byte> OriginalUtf8 => _originalJson;

        /// <summary>Sinks that store the alert (Elastic audit, IRIS source content) store the original document.</summary>
        public void WriteJson(Utf8JsonWriter writer)
        {
            using var doc = JsonDocument.Parse(_originalJson);
            doc.RootElement.WriteTo(writer);
        }

        public override string ToString() => $"[{Severity}] {Title} ({Source} {Id})";

        /// <summary>Parse a time the way alert sources write it: ISO-8601 with or without offset (UTC assumed), or epoch millis.</summary>
        public static DateTimeOffset? ParseTime(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var millis))
                return DateTimeOffset.FromUnixTimeMilliseconds(millis);
            if (value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in value.EnumerateArray()) return ParseTime(item);
                return null;
            }
            if (value.ValueKind != JsonValueKind.String) return null;
            var text = value.GetString();
            if (text != null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                return parsed;
            return null;
        }
    }
}
