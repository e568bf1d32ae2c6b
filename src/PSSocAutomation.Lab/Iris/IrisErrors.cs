using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// A marshmallow ValidationError's messages: field → [messages], or list index → nested errors (many=True loads).
/// Insertion order is kept because IRIS shows these either as JSON ("Data error") or as str(dict) (alerts).
/// </summary>
internal sealed class IrisErrors
{
    private readonly List<KeyValuePair<object, object>> _entries = new();

    public bool Any => _entries.Count > 0;

    public static IrisErrors Of(string field, string message)
    {
        var errors = new IrisErrors();
        errors.Add(field, message);
        return errors;
    }

    public void Add(string field, string message)
    {
        var i = _entries.FindIndex(e => e.Key is string k && k == field);
        if (i >= 0 && _entries[i].Value is List<string> list) list.Add(message);
        else _entries.Add(new(field, new List<string> { message }));
    }

    public void Nest(int index, IrisErrors inner) => _entries.Add(new(index, inner));

    public JsonObject ToJson()
    {
        var o = new JsonObject();
        foreach (var (key, value) in _entries)
        {
            o[Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture)!] = value switch
            {
                IrisErrors nested => nested.ToJson(),
                List<string> list => new JsonArray(list.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
                _ => null,
            };
        }
        return o;
    }

    public string ToPythonRepr() =>
        "{" + string.Join(", ", _entries.Select(e => Py.Repr(e.Key) + ": " + Py.Repr(e.Value))) + "}";
}

/// <summary>A marshmallow ValidationError escaping a load.</summary>
internal sealed class IrisValidationException(IrisErrors errors) : Exception("Data error")
{
    public IrisErrors Errors { get; } = errors;
    public override string ToString() => Errors.ToPythonRepr();
}

/// <summary>
/// A non-validation Python exception inside IRIS (AttributeError, TypeError, a database error). Alert routes
/// answer str(e) with 400; most other routes let it become a 500 page.
/// </summary>
internal sealed class IrisPythonException(string message) : Exception(message);
