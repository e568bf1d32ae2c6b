using System.Text.Json;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Reads a dotted field ("kibana.alert.rule.name") from a document whether the source nests it
    /// ({"kibana":{"alert":...}}) or flattens it ({"kibana.alert.rule.name": ...}), as Kibana alert documents do.
    /// </summary>
    public static class JsonFields
    {
        public static bool TryGet(JsonElement root, string path, out JsonElement value)
        {
            value = default;
            if (root.ValueKind != JsonValueKind.Object) return false;
            if (root.TryGetProperty(path, out value)) return true;
            var dot = path.IndexOf('.');
            while (dot > 0)
            {
                if (root.TryGetProperty(path.Substring(0, dot), out var child) && TryGet(child, path.Substring(dot + 1), out value)) return true;
                dot = path.IndexOf('.', dot + 1);
            }
            return false;
        }

        /// <summary>The first of <paramref name="paths"/> present with a non-null value, as text (arrays give their first item).</summary>
        public static string? FirstString(JsonElement root, params string[] paths)
        {
            foreach (var path in paths)
            {
                if (!TryGet(root, path, out var value)) continue;
                var text = AsString(value);
                if (!string.IsNullOrEmpty(text)) return text;
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
    }
}
