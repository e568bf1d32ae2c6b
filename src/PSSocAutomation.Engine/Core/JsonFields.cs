using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PSSocAutomation.Core
{
    /// <summary>A field's value as alert sources mean it: text or a scalar, with a one-item array taken as its item (Kibana's "fields").</summary>
    public static class JsonFields
    {
        /// <summary>
        /// The values at a dotted path, whether the document nests it (host → name) or keeps it flat ("kibana.alert.reason"
        /// as one key, as Kibana's alert documents do) or anything between; an array on the way gives what each item has.
        /// </summary>
        public static IEnumerable<JsonElement> At(JsonElement node, string path)
        {
            if (node.ValueKind != JsonValueKind.Object) yield break;
            foreach (var property in node.EnumerateObject())
            {
                if (string.Equals(property.Name, path, StringComparison.Ordinal))
                {
                    yield return property.Value;
                }
                else if (path.Length > property.Name.Length && path[property.Name.Length] == '.' && path.StartsWith(property.Name, StringComparison.Ordinal))
                {
                    var rest = path.Substring(property.Name.Length + 1);
                    if (property.Value.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var item in property.Value.EnumerateArray())
                            foreach (var v in At(item, rest)) yield return v;
                    }
                    else foreach (var v in At(property.Value, rest)) yield return v;
                }
            }
        }

        /// <summary>The first scalar at a dotted path (the first item of an array, as Kibana's "fields" give every value), or null.</summary>
        public static JsonElement? FirstAt(JsonElement node, string path)
        {
            foreach (var value in At(node, path))
            {
                if (value.ValueKind != JsonValueKind.Array) return value;
                foreach (var item in value.EnumerateArray()) return item;
            }
            return null;
        }

        public static string? AsString(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String: return value.GetString();
                case JsonValueKind.Number:
                case JsonValueKind.True:
                case JsonValueKind.False: return value.GetRawText();
                case JsonValueKind.Array:
                    foreach (var item in value.EnumerateArray()) return AsString(item);
                    return null;
                default: return null;
            }
        }

        /// <summary>A value as the JSON scalar it is (string, long, double, bool) for severity and similar mappings.</summary>
        public static object? AsScalar(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String: return value.GetString();
                case JsonValueKind.Number: return value.TryGetInt64(out var l) ? (object)l : value.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Array:
                    foreach (var item in value.EnumerateArray()) return AsScalar(item);
                    return null;
                default: return null;
            }
        }

        /// <summary>
        /// A document's time field: ISO-8601 text, epoch milliseconds (number or digits), or the first of an array.
        /// Null when absent or not a time: a document's odd field is not the user's mistake.
        /// </summary>
        public static DateTimeOffset? TimeOrNull(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Number:
                    return value.TryGetInt64(out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
                case JsonValueKind.Array:
                    foreach (var item in value.EnumerateArray()) return TimeOrNull(item);
                    return null;
                case JsonValueKind.String:
                    return TryParseTime(value.GetString(), out var time) ? time : null;
                default:
                    return null;
            }
        }

        /// <summary>The scalar the reader is on, as <see cref="AsString(JsonElement)"/> reads it: a string's text, a number's or literal's JSON text.</summary>
        public static string AsString(ref Utf8JsonReader reader) =>
#if NET
            reader.TokenType == JsonTokenType.String ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan);
#else
            reader.TokenType == JsonTokenType.String ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan.ToArray());
#endif

        /// <summary>The scalar the reader is on, as <see cref="AsScalar(JsonElement)"/> reads it: string, long, double or bool.</summary>
        public static object? AsScalar(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => reader.TryGetInt64(out var l) ? (object)l : reader.GetDouble(),
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => null,
        };

        /// <summary>The scalar the reader is on, as <see cref="TimeOrNull(JsonElement)"/> reads it: epoch milliseconds or ISO-8601 text.</summary>
        public static DateTimeOffset? TimeOrNull(ref Utf8JsonReader reader)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    return reader.TryGetInt64(out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
                case JsonTokenType.String:
                    return TryParseTime(reader.GetString(), out var time) ? time : (DateTimeOffset?)null;
                default:
                    return null;
            }
        }

        /// <summary>ISO-8601 (assumed UTC without an offset) or epoch milliseconds as digits.</summary>
        public static bool TryParseTime(string? text, out DateTimeOffset time)
        {
            time = default;
            if (text is null) return false;
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time)) return true;
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var millis)) { time = DateTimeOffset.FromUnixTimeMilliseconds(millis); return true; }
            return false;
        }
    }
}
