using System.Collections.Concurrent;
using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>How a field's values are indexed, which decides what term, range, sort and aggregations do with them.</summary>
internal enum FieldKind
{
    Text,
    Keyword,
    Long,
    Double,
    Date,
    Boolean,
}

/// <summary>One mapped leaf field. A dynamic string becomes text with a keyword sub-field, as in ES.</summary>
internal sealed class ElasticField
{
    public required int Id { get; init; }
    /// <summary>Full dotted path, e.g. "host.name".</summary>
    public required string Path { get; init; }
    public required FieldKind Kind { get; init; }
    /// <summary>The mapping type ES shows: text, keyword, long, integer, float, date, boolean, ip ...</summary>
    public required string Type { get; init; }
    /// <summary>Name of the keyword multi-field of a text field ("keyword"), or null.</summary>
    public string? SubKeyword { get; init; }
    public int SubIgnoreAbove { get; init; } = 256;
    public int IgnoreAbove { get; init; } = int.MaxValue;
    public string? Format { get; init; }
    /// <summary>The explicit mapping as the user sent it, echoed by GET _mapping; null for dynamic fields.</summary>
    public string? ExplicitJson { get; init; }

    public string Name => Path[(Path.LastIndexOf('.') + 1)..];

    /// <summary>Bounds of integer, short and byte; long for the rest.</summary>
    public (long Min, long Max) Range => Type switch
    {
        "integer" => (int.MinValue, int.MaxValue),
        "short" => (short.MinValue, short.MaxValue),
        "byte" => (sbyte.MinValue, sbyte.MaxValue),
        "unsigned_long" => (0, long.MaxValue),
        _ => (long.MinValue, long.MaxValue),
    };

    public bool IsFloat => Type is "float" or "half_float";
}

/// <summary>A field as a query names it: the field itself, or its keyword view ("message.keyword").</summary>
internal readonly record struct ResolvedField(ElasticField Field, bool KeywordView)
{
    public FieldKind Kind => KeywordView ? FieldKind.Keyword : Field.Kind;
    public int IgnoreAbove => KeywordView ? Field.SubIgnoreAbove : Field.IgnoreAbove;
    public string Name => KeywordView ? Field.Path + "." + Field.SubKeyword : Field.Path;
    public string Type => KeywordView ? "keyword" : Field.Type;
    public int Id => Field.Id;
}

internal sealed class ObjectMapping
{
    public ObjectMapping(string path) => Path = path;

    public string Path { get; }
    /// <summary>"true", "false", "strict", "runtime", or null to inherit.</summary>
    public string? Dynamic { get; set; }
    public bool Enabled { get; set; } = true;
    public string Type { get; set; } = "object";
    public bool ExplicitType { get; set; }
    public SortedDictionary<string, object> Properties { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// An index's mapping. Writers (one at a time, under the index lock) add fields as documents bring them; searches
/// read concurrently, so lookups go through concurrent maps and a copy-on-write field array.
/// </summary>
internal sealed class ElasticMapping
{
    private readonly object _sync = new();
    private readonly ConcurrentDictionary<string, ElasticField> _byPath = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ObjectMapping> _objects = new(StringComparer.Ordinal);
    private readonly List<string> _objectLog = new();
    private ElasticField[] _fields = Array.Empty<ElasticField>();

    public ElasticMapping()
    {
        Root = new ObjectMapping(string.Empty);
        _objects[string.Empty] = Root;
    }

    public ObjectMapping Root { get; }
    public bool DateDetection { get; set; } = true;

    public IReadOnlyList<ElasticField> Fields => Volatile.Read(ref _fields);

    public ElasticField? Leaf(string path) => _byPath.TryGetValue(path, out var f) ? f : null;

    public ObjectMapping? Object(string path) => _objects.TryGetValue(path, out var o) ? o : null;

    /// <summary>The field a query names: a leaf, or "x.keyword" for a text field x with that multi-field.</summary>
    public ResolvedField? Resolve(string path)
    {
        if (_byPath.TryGetValue(path, out var field)) return new ResolvedField(field, false);
        var dot = path.LastIndexOf('.');
        if (dot > 0 && _byPath.TryGetValue(path[..dot], out var parent) && parent.SubKeyword == path[(dot + 1)..])
            return new ResolvedField(parent, true);
        return null;
    }

    /// <summary>Every field (and keyword view) whose full name matches a simple wildcard pattern.</summary>
    public IEnumerable<ResolvedField> Match(string pattern)
    {
        foreach (var field in Fields)
        {
            if (ElasticWildcard.Matches(pattern, field.Path)) yield return new ResolvedField(field, false);
            if (field.SubKeyword is not null && ElasticWildcard.Matches(pattern, field.Path + "." + field.SubKeyword))
                yield return new ResolvedField(field, true);
        }
    }

    /// <summary>Leaf fields under an object path ("host" → host.name, host.ip ...).</summary>
    public IEnumerable<ElasticField> Under(string objectPath)
    {
        var prefix = objectPath + ".";
        return Fields.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>The dynamic setting in force for new fields inside <paramref name="objectPath"/>.</summary>
    public string DynamicFor(string objectPath)
    {
        for (var path = objectPath; ; )
        {
            if (_objects.TryGetValue(path, out var o) && o.Dynamic is not null) return o.Dynamic;
            if (path.Length == 0) return "true";
            var dot = path.LastIndexOf('.');
            path = dot < 0 ? string.Empty : path[..dot];
        }
    }

    public (int Fields, int Objects) Checkpoint()
    {
        lock (_sync) return (_fields.Length, _objectLog.Count);
    }

    /// <summary>Forget what a rejected document added: ES applies no mapping update for a document it refuses.</summary>
    public void Rollback((int Fields, int Objects) checkpoint)
    {
        lock (_sync)
        {
            if (_fields.Length > checkpoint.Fields)
            {
                foreach (var field in _fields[checkpoint.Fields..])
                {
                    _byPath.TryRemove(field.Path, out _);
                    ParentOf(field.Path).Properties.Remove(field.Name);
                }
                Volatile.Write(ref _fields, _fields[..checkpoint.Fields]);
            }
            for (var i = _objectLog.Count - 1; i >= checkpoint.Objects; i--)
            {
                var path = _objectLog[i];
                _objects.TryRemove(path, out _);
                ParentOf(path).Properties.Remove(path[(path.LastIndexOf('.') + 1)..]);
                _objectLog.RemoveAt(i);
            }
        }
    }

    private ObjectMapping ParentOf(string path)
    {
        var dot = path.LastIndexOf('.');
        return _objects[dot < 0 ? string.Empty : path[..dot]];
    }

    public ElasticField AddField(string path, FieldKind kind, string type, string? subKeyword = null, int ignoreAbove = int.MaxValue,
        int subIgnoreAbove = 256, string? format = null, string? explicitJson = null)
    {
        lock (_sync)
        {
            var parent = EnsureObject(ParentPath(path));
            var field = new ElasticField
            {
                Id = _fields.Length, Path = path, Kind = kind, Type = type, SubKeyword = subKeyword, IgnoreAbove = ignoreAbove,
                SubIgnoreAbove = subIgnoreAbove, Format = format, ExplicitJson = explicitJson,
            };
            parent.Properties[field.Name] = field;
            _byPath[path] = field;
            var grown = new ElasticField[_fields.Length + 1];
            _fields.CopyTo(grown, 0);
            grown[^1] = field;
            Volatile.Write(ref _fields, grown);
            return field;
        }
    }

    public static string ParentPath(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? string.Empty : path[..dot];
    }

    public ObjectMapping EnsureObject(string path)
    {
        if (_objects.TryGetValue(path, out var existing)) return existing;
        lock (_sync)
        {
            if (_objects.TryGetValue(path, out existing)) return existing;
            var parent = EnsureObject(ParentPath(path));
            var created = new ObjectMapping(path);
            parent.Properties[path[(path.LastIndexOf('.') + 1)..]] = created;
            _objects[path] = created;
            _objectLog.Add(path);
            return created;
        }
    }

    /// <summary>Explicit mappings from PUT /index or PUT /index/_mapping: {"dynamic":..,"properties":{..}}.</summary>
    public void Apply(JsonElement mappings)
    {
        if (mappings.ValueKind != JsonValueKind.Object)
            throw new ElasticException(400, new ElasticErrorCause("mapper_parsing_exception", "Failed to parse mapping: mappings must be an object"));
        lock (_sync)
        {
            foreach (var property in mappings.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "properties":
                        ApplyProperties(string.Empty, property.Value);
                        break;
                    case "dynamic":
                        Root.Dynamic = DynamicValue(property.Value);
                        break;
                    case "date_detection":
                        DateDetection = property.Value.ValueKind != JsonValueKind.False &&
                            !(property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() == "false");
                        break;
                    case "_source":
                    case "_meta":
                    case "numeric_detection":
                        break;
                    default:
                        throw new ElasticException(400, new ElasticErrorCause("mapper_parsing_exception",
                            $"Failed to parse mapping: Root mapping definition has unsupported parameters:  [{property.Name} : {property.Value.GetRawText()}]"));
                }
            }
        }
    }

    private static string DynamicValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetString() ?? "true",
    };

    private void ApplyProperties(string prefix, JsonElement properties)
    {
        foreach (var property in properties.EnumerateObject())
        {
            var path = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            var definition = property.Value;
            var type = definition.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type is null or "object" or "nested" || definition.TryGetProperty("properties", out _))
            {
                if (_byPath.ContainsKey(path))
                    throw ElasticException.IllegalArgument($"can't merge a non object mapping [{path}] with an object mapping");
                var obj = EnsureObject(path);
                if (type is not null)
                {
                    obj.Type = type;
                    obj.ExplicitType = true;
                }
                if (definition.TryGetProperty("dynamic", out var d)) obj.Dynamic = DynamicValue(d);
                if (definition.TryGetProperty("enabled", out var e)) obj.Enabled = e.ValueKind != JsonValueKind.False;
                if (definition.TryGetProperty("properties", out var inner)) ApplyProperties(path, inner);
                continue;
            }
            var kind = type switch
            {
                "text" or "match_only_text" => FieldKind.Text,
                "keyword" or "constant_keyword" or "wildcard" or "ip" or "version" => FieldKind.Keyword,
                "long" or "integer" or "short" or "byte" or "unsigned_long" => FieldKind.Long,
                "double" or "float" or "half_float" or "scaled_float" => FieldKind.Double,
                "date" or "date_nanos" => FieldKind.Date,
                "boolean" => FieldKind.Boolean,
                _ => throw new ElasticException(400, new ElasticErrorCause("mapper_parsing_exception",
                    $"Failed to parse mapping: No handler for type [{type}] declared on field [{property.Name}]")),
            };
            if (_byPath.TryGetValue(path, out var existing))
            {
                if (existing.Type != type)
                    throw ElasticException.IllegalArgument($"mapper [{path}] cannot be changed from type [{existing.Type}] to [{type}]");
                continue;
            }
            string? sub = null;
            var subIgnore = 256;
            if (definition.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Object)
            {
                foreach (var multi in fields.EnumerateObject())
                {
                    if (multi.Value.TryGetProperty("type", out var mt) && mt.GetString() == "keyword")
                    {
                        sub = multi.Name;
                        subIgnore = multi.Value.TryGetProperty("ignore_above", out var ia) && ia.TryGetInt32(out var n) ? n : int.MaxValue;
                        break;
                    }
                }
            }
            var ignoreAbove = definition.TryGetProperty("ignore_above", out var ignore) && ignore.TryGetInt32(out var limit) ? limit : int.MaxValue;
            var format = definition.TryGetProperty("format", out var f) ? f.GetString() : null;
            AddField(path, kind, type!, sub, ignoreAbove, subIgnore, format, definition.GetRawText());
        }
    }

    /// <summary>{"properties":{...}} sorted by name like ES, or {} for an index with no fields yet.</summary>
    public void Write(Utf8JsonWriter writer)
    {
        lock (_sync)
        {
            writer.WriteStartObject();
            if (Root.Dynamic is not null) writer.WriteString("dynamic", Root.Dynamic);
            if (Root.Properties.Count > 0)
            {
                writer.WritePropertyName("properties");
                WriteProperties(writer, Root);
            }
            writer.WriteEndObject();
        }
    }

    private static void WriteProperties(Utf8JsonWriter writer, ObjectMapping obj)
    {
        writer.WriteStartObject();
        foreach (var (name, node) in obj.Properties)
        {
            writer.WritePropertyName(name);
            if (node is ElasticField field)
            {
                WriteField(writer, field);
                continue;
            }
            var child = (ObjectMapping)node;
            writer.WriteStartObject();
            if (child.ExplicitType && child.Type != "object") writer.WriteString("type", child.Type);
            if (child.Dynamic is not null) writer.WriteString("dynamic", child.Dynamic);
            if (!child.Enabled)
            {
                writer.WriteString("type", "object");
                writer.WriteBoolean("enabled", false);
            }
            if (child.Properties.Count > 0)
            {
                writer.WritePropertyName("properties");
                WriteProperties(writer, child);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    public static void WriteField(Utf8JsonWriter writer, ElasticField field)
    {
        if (field.ExplicitJson is not null)
        {
            writer.WriteRawValue(field.ExplicitJson);
            return;
        }
        writer.WriteStartObject();
        writer.WriteString("type", field.Type);
        if (field.SubKeyword is not null)
        {
            writer.WriteStartObject("fields");
            writer.WriteStartObject(field.SubKeyword);
            writer.WriteString("type", "keyword");
            writer.WriteNumber("ignore_above", field.SubIgnoreAbove);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>GET _mapping/field: {"full_name":..,"mapping":{leaf:{...}}} for one field or keyword view.</summary>
    public static void WriteFieldMapping(Utf8JsonWriter writer, ResolvedField field)
    {
        writer.WriteStartObject();
        writer.WriteString("full_name", field.Name);
        writer.WriteStartObject("mapping");
        if (field.KeywordView)
        {
            writer.WriteStartObject(field.Field.SubKeyword!);
            writer.WriteString("type", "keyword");
            writer.WriteNumber("ignore_above", field.Field.SubIgnoreAbove);
            writer.WriteEndObject();
        }
        else
        {
            writer.WritePropertyName(field.Field.Name);
            WriteField(writer, field.Field);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
