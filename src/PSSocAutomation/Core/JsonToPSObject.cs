using System.Management.Automation;
using System.Text.Json;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// JSON to PowerShell objects, walking the parsed document once: objects become PSCustomObjects with note
    /// properties in document order, arrays object[], numbers long (or double), everything else as itself.
    /// Date strings stay strings: the API's text is what the analyst sees and sends back.
    /// </summary>
    public static class JsonToPSObject
    {
        public static object? Convert(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var pso = new PSObject();
                    var properties = pso.Properties;
                    foreach (var property in element.EnumerateObject())
                        properties.Add(new PSNoteProperty(property.Name, Convert(property.Value)));
                    return pso;
                case JsonValueKind.Array:
                    var items = new object?[element.GetArrayLength()];
                    var i = 0;
                    foreach (var item in element.EnumerateArray()) items[i++] = Convert(item);
                    return items;
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Number:
                    if (element.TryGetInt64(out var l)) return l;
                    if (element.TryGetDecimal(out var m) && m.ToString(System.Globalization.CultureInfo.InvariantCulture) == element.GetRawText()) return m;
                    return element.GetDouble();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    return null;
            }
        }

        public static object? Parse(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return Convert(doc.RootElement);
        }

        public static object? Parse(System.ReadOnlyMemory<byte> json)
        {
            using var doc = JsonDocument.Parse(json);
            return Convert(doc.RootElement);
        }
    }
}
