using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace PSSocAutomation.Iris
{
    /// <summary>Tolerant readers for IRIS JSON: ids arrive as numbers or numeric strings, and absent, null and [] all mean "none".</summary>
    internal static class IrisJson
    {
        public static bool Has(JsonElement e, string name, out JsonElement value)
        {
            value = default;
            return e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null && value.ValueKind != JsonValueKind.Undefined;
        }

        public static string? Str(JsonElement e, string name)
        {
            if (!Has(e, name, out var v)) return null;
            switch (v.ValueKind)
            {
                case JsonValueKind.String: return v.GetString();
                case JsonValueKind.Number:
                case JsonValueKind.True:
                case JsonValueKind.False: return v.GetRawText();
                default: return null;
            }
        }

        public static string? FirstStr(JsonElement e, params string[] names)
        {
            foreach (var name in names)
            {
                var s = Str(e, name);
                if (s != null) return s;
            }
            return null;
        }

        public static int? Int(JsonElement e, string name)
        {
            if (!Has(e, name, out var v)) return null;
            return AsInt(v);
        }

        public static int? FirstInt(JsonElement e, params string[] names)
        {
            foreach (var name in names)
            {
                var i = Int(e, name);
                if (i != null) return i;
            }
            return null;
        }

        public static int? AsInt(JsonElement v)
        {
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
            if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)) return s;
            return null;
        }

        /// <summary>A name from a nested object: {"severity": {"severity_name": "High"}}.</summary>
        public static string? Nested(JsonElement e, string obj, params string[] names)
        {
            if (!Has(e, obj, out var inner) || inner.ValueKind != JsonValueKind.Object) return null;
            return FirstStr(inner, names);
        }

        public static int? NestedInt(JsonElement e, string obj, params string[] names)
        {
            if (!Has(e, obj, out var inner) || inner.ValueKind != JsonValueKind.Object) return null;
            return FirstInt(inner, names);
        }

        public static IEnumerable<JsonElement> Array(JsonElement e, string name)
        {
            if (Has(e, name, out var v) && v.ValueKind == JsonValueKind.Array)
                foreach (var item in v.EnumerateArray()) yield return item;
        }

        /// <summary>IRIS datetimes are naive UTC ("2023-05-12T14:06:14.930955"); dates "2024-01-10" or "01/10/2024" on some routes.</summary>
        public static DateTime? Time(JsonElement e, string name)
        {
            var s = Str(e, name);
            if (string.IsNullOrEmpty(s)) return null;
            var formats = new[] { "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd", "MM/dd/yyyy" };
            if (DateTime.TryParseExact(s, formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var exact))
                return DateTime.SpecifyKind(exact, DateTimeKind.Utc);
            if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                return parsed.UtcDateTime;
            return null;
        }

        /// <summary>Naive UTC, as IRIS stores and expects it: "2023-03-26T03:00:30" (microseconds when there are any).</summary>
        public static string FormatTime(DateTimeOffset time)
        {
            var utc = time.UtcDateTime;
            var micro = utc.Ticks % TimeSpan.TicksPerSecond / 10;
            var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
            return micro == 0 ? text : text + "." + micro.ToString("D6", CultureInfo.InvariantCulture);
        }
    }
}
