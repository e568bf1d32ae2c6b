using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSSocAutomation.Core;

namespace PSSocAutomation.Iris
{
    /// <summary>What IRIS needs out of a piped alert: its original document, indicators, hosts and key fields.</summary>
    internal static class IrisInput
    {
        /// <summary>The document to keep as IRIS alert_source_content: a SocAlert's original, an Original property, or the object itself.</summary>
        public static JsonNode? SourceContent(object? input)
        {
            var value = PipelineInput.Unwrap(input);
            if (value is null) return null;
            if (value is SocAlert alert) return JsonNode.Parse(alert.OriginalJson());
            var original = PipelineInput.Prop(value, "Original", "_source");
            var document = original ?? value;
            try
            {
                if (document is string json) return JsonBody.ParseText(json, "The alert's original document");
                return JsonNode.Parse(JsonBody.ToUtf8(document));
            }
            catch (ArgumentException)
            {
                return null; // A secure string or a reference loop: keep the alert, drop the copy.
            }
        }

        /// <summary>Indicators from an Indicators property: strings, or objects/hashtables with Value and Type (IRIS or common names).</summary>
        public static IEnumerable<IrisIndicatorDraft> Indicators(object? value)
        {
            value = PipelineInput.Unwrap(value);
            if (value is null) yield break;
            if (value is string || value is IDictionary || !(value is IEnumerable))
            {
                var single = Indicator(value);
                if (single != null) yield return single;
                yield break;
            }
            foreach (var item in (IEnumerable)value)
            {
                var indicator = Indicator(PipelineInput.Unwrap(item));
                if (indicator != null) yield return indicator;
            }
        }

        private static IrisIndicatorDraft? Indicator(object? item)
        {
            switch (item)
            {
                case null: return null;
                case string s: return string.IsNullOrWhiteSpace(s) ? null : new IrisIndicatorDraft(s.Trim());
            }
            var v = PipelineInput.TextProp(item, "Value", "ioc_value", "Indicator", "Ioc");
            if (string.IsNullOrWhiteSpace(v)) return null;
            var draft = new IrisIndicatorDraft(v!.Trim(), PipelineInput.TextProp(item, "Type", "ioc_type", "Kind", "IndicatorType"), PipelineInput.TextProp(item, "Description", "ioc_description", "Context"));
            var tags = PipelineInput.Prop(item, "Tags", "ioc_tags");
            foreach (var tag in Strings(tags)) draft.Tags.Add(tag);
            draft.Enrichment = JsonObjectOf(PipelineInput.Prop(item, "Enrichment", "ioc_enrichment"));
            return draft;
        }

        /// <summary>Hosts from a Host property: a name, several names, or objects with name/hostname and ip.</summary>
        public static IEnumerable<IrisHostDraft> Hosts(object? value)
        {
            value = PipelineInput.Unwrap(value);
            switch (value)
            {
                case null: yield break;
                case string s:
                    if (!string.IsNullOrWhiteSpace(s)) yield return new IrisHostDraft(s.Trim());
                    yield break;
                case IEnumerable e when !(value is IDictionary):
                    foreach (var item in e)
                        foreach (var inner in Hosts(item)) yield return inner;
                    yield break;
            }
            var name = PipelineInput.TextProp(value, "Name", "HostName", "hostname", "asset_name");
            var ip = PipelineInput.TextProp(value, "Ip", "asset_ip", "Address");
            if (string.IsNullOrWhiteSpace(name)) name = ip;
            if (string.IsNullOrWhiteSpace(name)) yield break;
            var host = new IrisHostDraft(name!.Trim(), ip, PipelineInput.TextProp(value, "AssetType", "asset_type"))
            {
                Description = PipelineInput.TextProp(value, "Description", "asset_description"),
                Domain = PipelineInput.TextProp(value, "Domain", "asset_domain"),
                Enrichment = JsonObjectOf(PipelineInput.Prop(value, "Enrichment", "asset_enrichment")),
            };
            foreach (var tag in Strings(PipelineInput.Prop(value, "Tags", "asset_tags"))) host.Tags.Add(tag);
            yield return host;
        }

        /// <summary>An object, hashtable or JSON text as a JSON object; null for anything else.</summary>
        public static JsonObject? JsonObjectOf(object? value)
        {
            value = PipelineInput.Unwrap(value);
            if (value is null || value is string s && s.Trim().Length == 0) return null;
            try
            {
                return JsonBody.ToJsonObject(value, "The enrichment");
            }
            catch (ArgumentException)
            {
                return null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        public static IEnumerable<string> Strings(object? value)
        {
            value = PipelineInput.Unwrap(value);
            switch (value)
            {
                case null: yield break;
                case string s:
                    foreach (var part in s.Split(',')) if (part.Trim().Length > 0) yield return part.Trim();
                    yield break;
                case IEnumerable e:
                    foreach (var item in e)
                        foreach (var text in Strings(item)) yield return text;
                    yield break;
                default:
                    var t = PipelineInput.Text(value);
                    if (t != null) yield return t;
                    yield break;
            }
        }

        /// <summary>The fields a case description shows for an alert: a SocAlert's own, or an object's top-level scalar properties.</summary>
        public static IEnumerable<KeyValuePair<string, string?>> KeyFields(object? input)
        {
            var value = PipelineInput.Unwrap(input);
            if (value is null) yield break;
            if (value is SocAlert a)
            {
                yield return Field("Severity", a.Severity == AlertSeverity.Unknown ? a.SourceSeverity : a.Severity + (a.SourceSeverity != null && !string.Equals(a.SourceSeverity, a.Severity.ToString(), StringComparison.OrdinalIgnoreCase) ? " (" + a.SourceSeverity + ")" : string.Empty));
                yield return Field("Time", a.Time?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                yield return Field("Status", a.Status);
                yield return Field("Rule", a.Rule);
                yield return Field("Host", a.Host);
                yield return Field("User", a.User);
                yield return Field("Source", a.Source);
                yield return Field("Index", a.Index);
                yield return Field("Alert id", a.Id);
                yield break;
            }
            var pso = value as PSObject ?? PSObject.AsPSObject(value);
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
