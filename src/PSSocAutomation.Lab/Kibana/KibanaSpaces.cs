using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Kibana;

/// <summary>
/// The spaces the Spaces API knows. Only that API consults them: Kibana's other routes take any /s/&lt;id&gt; prefix
/// and simply find nothing there, so GET /api/spaces/space/&lt;id&gt; is how a client tells a typo from an empty space.
/// </summary>
internal sealed class KibanaSpaces
{
    public const string DefaultId = "default";

    private readonly object _lock = new();
    private readonly List<(string Id, string Name)> _spaces = new();

    public KibanaSpaces() => Reset();

    public IReadOnlyList<string> Ids
    {
        get
        {
            lock (_lock) return _spaces.Select(s => s.Id).ToList();
        }
    }

    public void Add(string id, string? name)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        lock (_lock)
        {
            var at = _spaces.FindIndex(s => s.Id == id);
            if (at >= 0) _spaces[at] = (id, name ?? _spaces[at].Name);
            else _spaces.Add((id, name ?? id));
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _spaces.Clear();
            _spaces.Add((DefaultId, "Default"));
        }
    }

    /// <summary>The space as GET /api/spaces/space/&lt;id&gt; shows it, or null when there is none.</summary>
    public JsonObject? Describe(string id)
    {
        lock (_lock)
        {
            var at = _spaces.FindIndex(s => s.Id == id);
            return at < 0 ? null : Describe(_spaces[at]);
        }
    }

    public JsonArray DescribeAll()
    {
        lock (_lock) return new JsonArray(_spaces.Select(s => (JsonNode)Describe(s)).ToArray());
    }

    private static JsonObject Describe((string Id, string Name) space)
    {
        var json = new JsonObject
        {
            ["id"] = space.Id,
            ["name"] = space.Name,
        };
        if (space.Id == DefaultId)
        {
            json["description"] = "This is your default space!";
            json["color"] = "#00bfb3";
            json["_reserved"] = true;
        }
        json["disabledFeatures"] = new JsonArray();
        return json;
    }
}
