using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// What a sink needs out of whatever it was piped, read the same way for every sink: a normalized
    /// <see cref="SocAlert"/> (its own properties), a finding or search hit, a PSCustomObject, a hashtable, or a string
    /// (taken as the title). Every property-name fallback lives here, so New-IrisCase, New-IrisAlert and the sinks after
    /// them (Jira, Slack, the audit log) agree on what "the alert's title" is.
    /// </summary>
    /// <remarks>
    /// Properties are read when asked for, not up front: a sink that never looks at the time never fails on a bad one.
    /// Parameters a cmdlet binds by property name still win; this is what a sink falls back to (and what a hashtable,
    /// which PowerShell does not bind by property name, can only give this way).
    /// </remarks>
    public sealed class AlertInput
    {
        private AlertInput(object? value)
        {
            Value = value;
            Alert = value as SocAlert;
        }

        /// <summary>The view of a piped object (a PSObject is unwrapped, a PSCustomObject keeps its properties).</summary>
        public static AlertInput Of(object? input) => new AlertInput(PipelineInput.Unwrap(input));

        /// <summary>The piped object, unwrapped; null when nothing was piped.</summary>
        public object? Value { get; }

        /// <summary>The normalized alert, when that is what was piped.</summary>
        public SocAlert? Alert { get; }

        private string? Text => Value as string;

        /// <summary>The source's id for the alert: the de-duplication key of every sink.</summary>
        public string? Id => Alert != null ? Empty(Alert.Id) : Text != null ? null : PipelineInput.TextProp(Value, "Id", "alert_id", "_id");

        public string? Title => Alert != null ? Empty(Alert.Title) : Text != null ? Empty(Text.Trim()) :
            PipelineInput.TextProp(Value, "Title", "message", "rule", "rule_name", "alert_type", "name");

        public string? Description => Alert != null ? Alert.Description : Text != null ? null : PipelineInput.TextProp(Value, "Description", "message", "reason");

        /// <summary>Where the alert comes from (Elasticsearch, Kibana, SecurityHub ...).</summary>
        public string? Source => Alert != null ? Alert.Source : Text != null ? null : PipelineInput.TextProp(Value, "Source", "alert_source");

        /// <summary>A link back to the alert in its source.</summary>
        public string? Link => Alert != null ? Alert.Link : Text != null ? null : PipelineInput.TextProp(Value, "Link", "SourceLink", "url");

        /// <summary>The severity as the input has it: an <see cref="AlertSeverity"/> for a normalized alert, else the source's label or score.</summary>
        public object? Severity => Alert != null ? Alert.Severity : Text != null ? null : PipelineInput.Prop(Value, "Severity");

        /// <summary>When it happened. Text that is no time is the user's mistake: <see cref="ArgumentException"/>.</summary>
        public DateTimeOffset? Time => Alert != null ? Alert.Time : Text != null ? null : PipelineInput.Time(PipelineInput.Prop(Value, "Time", "EventTime", "timestamp", "@timestamp"));

        /// <summary>The host as given: a name, several names, or objects with Name, Ip ... (sinks that keep host details read those).</summary>
        public object? Host => Alert != null ? Alert.Host : Text != null ? null : PipelineInput.Prop(Value, "Host", "HostName", "Hosts");

        /// <summary>The (first) host's name.</summary>
        public string? HostName
        {
            get
            {
                var host = Host;
                if (host is null || host is string) return PipelineInput.Text(host);
                if (host is IEnumerable list && !(host is IDictionary))
                {
                    foreach (var item in list) return Of(item).HostName;
                    return null;
                }
                return PipelineInput.TextProp(host, "Name", "HostName", "hostname") ?? PipelineInput.TextProp(host, "Ip", "Address");
            }
        }

        public string? User => Alert != null ? Alert.User : Text != null ? null : PipelineInput.TextProp(Value, "User", "UserName", "user_name");

        /// <summary>The observables: a normalized alert's own, or an Indicators property read by <see cref="ReadIndicators"/>.</summary>
        public IReadOnlyList<AlertIndicator> Indicators =>
            Alert != null ? (IReadOnlyList<AlertIndicator>)new List<AlertIndicator>(Alert.Indicators) : Text != null ? Array.Empty<AlertIndicator>() : ReadIndicators(PipelineInput.Prop(Value, "Indicators", "Indicator", "iocs"));

        /// <summary>The resources: a normalized alert's own, or a Resources property (ids or ARNs, or objects with Id and Type).</summary>
        public IReadOnlyList<AlertResource> Resources =>
            Alert != null ? (IReadOnlyList<AlertResource>)new List<AlertResource>(Alert.Resources) : Text != null ? Array.Empty<AlertResource>() : ReadResources(PipelineInput.Prop(Value, "Resources", "Resource"));

        public IReadOnlyList<string> Tags =>
            Alert != null ? (IReadOnlyList<string>)new List<string>(Alert.Tags) : Text != null ? Array.Empty<string>() : new List<string>(PipelineInput.Strings(PipelineInput.Prop(Value, "Tags")));

        /// <summary>The source's document: a normalized alert's original, an Original or _source property, or the object itself.</summary>
        public object? Original => Alert != null ? Alert.Original : PipelineInput.Prop(Value, "Original", "_source") ?? Value;

        /// <summary>
        /// <see cref="Original"/> as JSON, for sinks that store it (IRIS source content, the audit log); null when it cannot
        /// be JSON (a secure string inside, a reference loop): the alert goes on without the copy.
        /// </summary>
        public JsonNode? OriginalJson()
        {
            if (Value is null) return null;
            if (Alert != null) return JsonNode.Parse(Alert.OriginalJson());
            var document = PipelineInput.Prop(Value, "Original", "_source") ?? Value;
            try
            {
                if (document is string json) return JsonBody.ParseText(json, "The alert's original document");
                return JsonNode.Parse(JsonBody.ToUtf8(document));
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        /// <summary>
        /// The fields a human summary of the alert shows (a case description, a ticket, a message): a normalized alert's
        /// own and its source's, or an object's top-level scalar properties (at most 30).
        /// </summary>
        public IEnumerable<KeyValuePair<string, string?>> KeyFields()
        {
            if (Value is null || Text != null) yield break;
            if (Alert is SocAlert a)
            {
                yield return Field("Severity", a.Severity == AlertSeverity.Unknown ? a.SourceSeverity : a.Severity + (a.SourceSeverity != null && !string.Equals(a.SourceSeverity, a.Severity.ToString(), StringComparison.OrdinalIgnoreCase) ? " (" + a.SourceSeverity + ")" : string.Empty));
                yield return Field("Time", a.Time?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                yield return Field("Status", a.Status);
                yield return Field("Rule", a.Rule);
                yield return Field("Host", a.Host);
                yield return Field("User", a.User);
                yield return Field("Source", a.Source);
                if (a.SourceFields != null)
                    foreach (var field in a.SourceFields.Fields)
                    {
                        var text = Scalar(field.Value);
                        if (!string.Equals(text, a.Id, StringComparison.Ordinal)) yield return Field(field.Key, text);
                    }
                yield return Field("Alert id", a.Id);
                yield break;
            }
            var pso = Value as PSObject ?? PSObject.AsPSObject(Value);
            if (pso.BaseObject is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                {
                    var text = Scalar(entry.Value);
                    if (text != null) yield return Field(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty, text);
                }
                yield break;
            }
            var shown = 0;
            foreach (var property in pso.Properties)
            {
                if (!(property is PSNoteProperty) && !(property is PSProperty)) continue;
                object? v;
                try { v = property.Value; }
                catch (GetValueException) { continue; }
                catch (ExtendedTypeSystemException) { continue; }
                var text = Scalar(v);
                if (text is null) continue;
                if (++shown > 30) yield break;
                yield return Field(property.Name, text);
            }
        }

        /// <summary>
        /// Indicators as people and tools give them: <see cref="AlertIndicator"/>s, strings (one value each), or objects
        /// and hashtables with Value and Type (also IRIS's ioc_value/ioc_type and a few common names), one or many.
        /// </summary>
        public static IReadOnlyList<AlertIndicator> ReadIndicators(object? value)
        {
            var found = new List<AlertIndicator>();
            value = PipelineInput.Unwrap(value);
            if (value is null) return found;
            if (value is string || value is IDictionary || !(value is IEnumerable))
            {
                AddIndicator(found, value);
                return found;
            }
            foreach (var item in (IEnumerable)value) AddIndicator(found, PipelineInput.Unwrap(item));
            return found;
        }

        private static void AddIndicator(List<AlertIndicator> found, object? item)
        {
            switch (item)
            {
                case null: return;
                case AlertIndicator indicator: found.Add(indicator); return;
                case string s:
                    if (!string.IsNullOrWhiteSpace(s)) found.Add(new AlertIndicator(s));
                    return;
            }
            var v = PipelineInput.TextProp(item, "Value", "ioc_value", "Indicator", "Ioc");
            if (string.IsNullOrWhiteSpace(v)) return;
            var read = new AlertIndicator(v!, PipelineInput.TextProp(item, "Type", "ioc_type", "Kind", "IndicatorType"), PipelineInput.TextProp(item, "Field"))
            {
                Description = PipelineInput.TextProp(item, "Description", "ioc_description", "Context"),
                Enrichment = JsonBody.ObjectOrNull(PipelineInput.Prop(item, "Enrichment", "ioc_enrichment")),
            };
            foreach (var tag in PipelineInput.Strings(PipelineInput.Prop(item, "Tags", "ioc_tags"))) read.Tags.Add(tag);
            found.Add(read);
        }

        /// <summary>Resources as given: <see cref="AlertResource"/>s, ids or ARNs as text, or objects with Id (Arn, InstanceId, Name) and Type.</summary>
        public static IReadOnlyList<AlertResource> ReadResources(object? value)
        {
            var found = new List<AlertResource>();
            value = PipelineInput.Unwrap(value);
            if (value is null) return found;
            if (value is string || value is IDictionary || !(value is IEnumerable))
            {
                AddResource(found, value);
                return found;
            }
            foreach (var item in (IEnumerable)value) AddResource(found, PipelineInput.Unwrap(item));
            return found;
        }

        private static void AddResource(List<AlertResource> found, object? item)
        {
            switch (item)
            {
                case null: return;
                case AlertResource resource: found.Add(resource); return;
                case string s:
                    if (!string.IsNullOrWhiteSpace(s)) found.Add(new AlertResource(s.Trim()));
                    return;
            }
            var id = PipelineInput.TextProp(item, "Id", "Arn", "InstanceId", "Name");
            if (string.IsNullOrWhiteSpace(id)) return;
            found.Add(new AlertResource(id!.Trim(), PipelineInput.TextProp(item, "Type", "ResourceType")));
        }

        private static string? Empty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

        private static KeyValuePair<string, string?> Field(string name, string? value) => new KeyValuePair<string, string?>(name, value);

        private static string? Scalar(object? value)
        {
            value = PipelineInput.Unwrap(value);
            switch (value)
            {
                case null: return null;
                case string s: return s;
                case bool b: return b ? "true" : "false";
                case DateTime dt: return dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                case DateTimeOffset dto: return dto.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                case Enum e: return e.ToString();
                case IConvertible c: return c.ToString(CultureInfo.InvariantCulture);
                default: return null; // nested objects and arrays stay in the original document
            }
        }
    }
}
