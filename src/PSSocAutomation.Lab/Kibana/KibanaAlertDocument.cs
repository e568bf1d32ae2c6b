using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Kibana;

/// <summary>
/// Reads and writes one field of a stored alert's _source. Alerts-as-data documents keep kibana.* as top-level dotted
/// keys, 7.x signals and hand-written test alerts nest objects; ES treats both spellings as the same field, so a
/// lookup tries the dotted key at every level and a write goes where the field already is (or where its siblings are).
/// </summary>
internal static class KibanaAlertDocument
{
    public static string? GetString(JsonObject source, string path) => Find(source, path) is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    public static bool Has(JsonObject source, string path) => Find(source, path) is not null;

    private static JsonNode? Find(JsonObject node, string path)
    {
        if (node.TryGetPropertyValue(path, out var direct)) return direct;
        // "kibana.alert.uuid" may be {"kibana":{"alert.uuid":..}}, {"kibana.alert":{"uuid":..}} and so on.
        for (var dot = path.IndexOf('.'); dot > 0; dot = path.IndexOf('.', dot + 1))
        {
            if (node[path[..dot]] is JsonObject inner && Find(inner, path[(dot + 1)..]) is { } found) return found;
        }
        return null;
    }

    /// <summary>
    /// Sets the field where it lives; a new field goes beside the deepest existing object on its path, dotted from
    /// there (a top-level "kibana.alert.workflow_reason" next to the other dotted kibana keys).
    /// </summary>
    public static void Set(JsonObject source, string path, JsonNode? value)
    {
        if (!TrySetExisting(source, path, value))
        {
            var node = source;
            var rest = path;
            for (var dot = rest.IndexOf('.'); dot > 0; dot = rest.IndexOf('.'))
            {
                if (node[rest[..dot]] is not JsonObject inner) break;
                node = inner;
                rest = rest[(dot + 1)..];
            }
            node[rest] = value;
        }
    }

    private static bool TrySetExisting(JsonObject node, string path, JsonNode? value)
    {
        if (node.ContainsKey(path))
        {
            node[path] = value;
            return true;
        }
        for (var dot = path.IndexOf('.'); dot > 0; dot = path.IndexOf('.', dot + 1))
        {
            if (node[path[..dot]] is JsonObject inner && TrySetExisting(inner, path[(dot + 1)..], value)) return true;
        }
        return false;
    }
}
