using System.Text.Json;

namespace PSSocAutomation.Core
{
    /// <summary>A field's value as alert sources mean it: text or a scalar, with a one-item array taken as its item (Kibana's "fields").</summary>
    public static class JsonFields
    {
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
