using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Kibana;

/// <summary>
/// A route's JSON body as hapi hands it to the validator: invalid JSON is the platform's 400 before any route code
/// runs; a missing body reaches the schema as null. Type checks are worded as Kibana's zod schemas word them.
/// </summary>
internal static class KibanaRequestBody
{
    public static JsonObject ParseObject(byte[] bytes)
    {
        JsonNode? node;
        try
        {
            node = bytes.Length == 0 || bytes.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') ? null : JsonNode.Parse(bytes);
        }
        catch (JsonException)
        {
            throw new KibanaException(KibanaErrors.Platform(400, "Invalid request payload JSON format"));
        }
        return node as JsonObject ?? throw KibanaException.BadBody($"Expected object, received {ZodType(node)}");
    }

    /// <summary>The type name zod puts in "Expected X, received Y".</summary>
    public static string ZodType(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        _ => "boolean",
    };

    public static string? String(JsonObject body, string key)
    {
        if (!body.TryGetPropertyValue(key, out var node) || node is null) return null;
        if (node.GetValueKind() != JsonValueKind.String) throw KibanaException.BadBody($"{key}: Expected string, received {ZodType(node)}");
        return node.GetValue<string>();
    }

    /// <summary>zod's enum failure: "Invalid enum value. Expected 'a' | 'b', received 'c'".</summary>
    public static string Enum(JsonObject body, string key, IReadOnlyList<string> values, string? fallback)
    {
        var value = String(body, key);
        if (value is null)
        {
            if (fallback is not null) return fallback;
            throw KibanaException.BadBody($"{key}: Required");
        }
        if (!values.Contains(value))
            throw KibanaException.BadBody($"{key}: Invalid enum value. Expected {string.Join(" | ", values.Select(v => "'" + v + "'"))}, received '{value}'");
        return value;
    }
}
