using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Reads what a cmdlet was piped, whatever it is: a normalized <see cref="SocAlert"/>, a raw search hit, a hashtable or
    /// a PSCustomObject, by property name, case-insensitively. Every sink binds to alerts this one way.
    /// </summary>
    public static class PipelineInput
    {
        /// <summary>The object inside a PowerShell wrapper; a PSCustomObject stays wrapped (its properties live on the wrapper).</summary>
        public static object? Unwrap(object? value) => value is PSObject pso && !(pso.BaseObject is PSCustomObject) ? pso.BaseObject : value;

        public static object? Prop(object? input, params string[] names)
        {
            if (input is null) return null;
            var pso = input as PSObject ?? PSObject.AsPSObject(input);
            if (pso.BaseObject is IDictionary dictionary)
            {
                foreach (var name in names)
                    foreach (DictionaryEntry entry in dictionary)
                        if (string.Equals(Convert.ToString(entry.Key, CultureInfo.InvariantCulture), name, StringComparison.OrdinalIgnoreCase) && entry.Value != null)
                            return Unwrap(entry.Value);
                return null;
            }
            foreach (var name in names)
            {
                PSPropertyInfo? property;
                try { property = pso.Properties[name]; }
                catch (ExtendedTypeSystemException) { continue; }
                if (property is null) continue;
                object? value;
                try { value = property.Value; }
                catch (GetValueException) { continue; }
                catch (ExtendedTypeSystemException) { continue; }
                if (value != null) return Unwrap(value);
            }
            return null;
        }

        public static string? Text(object? value)
        {
            value = Unwrap(value);
            switch (value)
            {
                case null: return null;
                case string s: return s.Length == 0 ? null : s;
                case DateTime dt: return dt.ToString("o", CultureInfo.InvariantCulture);
                case DateTimeOffset dto: return dto.ToString("o", CultureInfo.InvariantCulture);
                case IEnumerable e when !(value is IDictionary):
                    foreach (var item in e) return Text(item);
                    return null;
                default:
                    var text = Convert.ToString(value, CultureInfo.InvariantCulture);
                    return string.IsNullOrEmpty(text) ? null : text;
            }
        }

        public static string? TextProp(object? input, params string[] names) => Text(Prop(input, names));

        /// <summary>Texts from one value: a string (split at commas, as tags are often typed), a list of them, or any scalar.</summary>
        public static IEnumerable<string> Strings(object? value)
        {
            value = Unwrap(value);
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
                    var t = Text(value);
                    if (t != null) yield return t;
                    yield break;
            }
        }

        /// <summary>
        /// A time as alert sources and analysts give it: DateTime, DateTimeOffset, ISO text (UTC assumed without an
        /// offset), epoch milliseconds, or a JSON value of those. Null when there is none; text that is no time throws.
        /// </summary>
        public static DateTimeOffset? Time(object? value) =>
            TryTime(value, out var time) ? time : throw new ArgumentException($"'{Text(value)}' is not a time (expected ISO-8601, e.g. 2024-09-20T12:00:00Z).");

        /// <summary>Like <see cref="Time"/>, but a value that is no time gives null (a document's field is not the user's mistake).</summary>
        public static DateTimeOffset? TimeOrNull(object? value) => TryTime(value, out var time) ? time : null;

        private static bool TryTime(object? value, out DateTimeOffset? time)
        {
            time = null;
            value = Unwrap(value);
            switch (value)
            {
                case null: return true;
                case DateTimeOffset dto: time = dto; return true;
                case DateTime dt: time = dt.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : new DateTimeOffset(dt); return true;
                case long l: time = DateTimeOffset.FromUnixTimeMilliseconds(l); return true;
                case int i: time = DateTimeOffset.FromUnixTimeMilliseconds(i); return true;
                case double d: time = DateTimeOffset.FromUnixTimeMilliseconds((long)d); return true;
                case JsonElement json:
                    time = JsonFields.TimeOrNull(json);
                    return time != null || json.ValueKind == JsonValueKind.Null || json.ValueKind == JsonValueKind.Array && json.GetArrayLength() == 0;
                case string s:
                    if (!JsonFields.TryParseTime(s, out var parsed)) return false;
                    time = parsed;
                    return true;
                case IEnumerable e:
                    foreach (var item in e) return TryTime(item, out time);
                    return true;
                default:
                    return TryTime(Convert.ToString(value, CultureInfo.InvariantCulture), out time);
            }
        }
    }
}
