using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>Where a value sits in a request body, as a chain of property names and array indices.</summary>
internal sealed class JsonPath
{
    public static readonly JsonPath Root = new(null, null);

    private JsonPath(JsonPath? parent, object? key)
    {
        Parent = parent;
        Key = key;
    }

    public JsonPath? Parent { get; }
    public object? Key { get; }

    public JsonPath Property(string name) => new(this, name);
    public JsonPath Index(int index) => new(this, index);

    public List<object> Keys()
    {
        var keys = new List<object>();
        for (var p = this; p?.Key is not null; p = p.Parent) keys.Add(p.Key);
        keys.Reverse();
        return keys;
    }
}

/// <summary>
/// A parsed JSON request body that can say where a value was: ES reports [line:col] in parsing errors, and clients
/// show that position to the user.
/// </summary>
internal sealed class ElasticRequestBody : IDisposable
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 256 };
    private readonly byte[] _bytes;
    private readonly JsonDocument? _document;

    private ElasticRequestBody(byte[] bytes, JsonDocument? document)
    {
        _bytes = bytes;
        _document = document;
    }

    /// <summary>Null when the request had no body.</summary>
    public JsonElement? Root => _document?.RootElement;

    public static ElasticRequestBody Parse(byte[] bytes)
    {
        if (IsBlank(bytes)) return new ElasticRequestBody(bytes, null);
        try
        {
            return new ElasticRequestBody(bytes, JsonDocument.Parse(bytes, Options));
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
    }

    public static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        }
        return true;
    }

    /// <summary>ES wraps the JSON parser's complaint in x_content_parse_exception with its position.</summary>
    public static ElasticException Malformed(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut].TrimEnd();
        var line = (int)(e.LineNumber ?? 0) + 1;
        var col = (int)(e.BytePositionInLine ?? 0) + 1;
        return ElasticException.XContentParse((line, col), message,
            new ElasticErrorCause("json_parse_exception", message));
    }

    public (int Line, int Col) Locate(JsonPath path) => Locate(_bytes, path.Keys());

    /// <summary>1-based line and column of the value at <paramref name="keys"/> (the root when empty).</summary>
    public static (int Line, int Col) Locate(ReadOnlySpan<byte> json, IReadOnlyList<object> keys)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        var frames = new List<(bool IsArray, object? Key, int Next)>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        frames[^1] = (false, reader.GetString(), 0);
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        continue;
                }
                if (frames.Count > 0 && frames[^1].IsArray)
                {
                    var f = frames[^1];
                    frames[^1] = (true, f.Next, f.Next + 1);
                }
                if (Matches(frames, keys)) return Position(json, reader.TokenStartIndex);
                if (reader.TokenType == JsonTokenType.StartObject) frames.Add((false, null, 0));
                else if (reader.TokenType == JsonTokenType.StartArray) frames.Add((true, null, 0));
            }
        }
        catch (JsonException)
        {
            // A location is a courtesy: a body we cannot walk again still gets its error, at 1:1.
        }
        return (1, 1);
    }

    private static bool Matches(List<(bool IsArray, object? Key, int Next)> frames, IReadOnlyList<object> keys)
    {
        if (frames.Count != keys.Count) return false;
        for (var i = 0; i < keys.Count; i++)
        {
            if (!Equals(frames[i].Key, keys[i])) return false;
        }
        return true;
    }

    public static (int Line, int Col) Position(ReadOnlySpan<byte> json, long offset)
    {
        var line = 1;
        var lineStart = 0L;
        for (var i = 0; i < offset && i < json.Length; i++)
        {
            if (json[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return (line, (int)(offset - lineStart) + 1);
    }

    /// <summary>Jackson's token names, which ES puts into "Unknown key for a VALUE_STRING in [x]." messages.</summary>
    public static string TokenName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "START_OBJECT",
        JsonValueKind.Array => "START_ARRAY",
        JsonValueKind.String => "VALUE_STRING",
        JsonValueKind.Number => "VALUE_NUMBER",
        JsonValueKind.True or JsonValueKind.False => "VALUE_BOOLEAN",
        JsonValueKind.Null => "VALUE_NULL",
        _ => "VALUE_EMBEDDED_OBJECT",
    };

    public ElasticException Error(JsonPath path, string reason, ElasticErrorCause? causedBy = null) =>
        ElasticException.Parsing(reason, Locate(path), causedBy);

    public void Dispose() => _document?.Dispose();
}
