using System.Globalization;
using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// _source filtering: true/false, "field", ["a","b.*"], {"includes":[..],"excludes":[..]}. Patterns match full dotted
/// paths; including an object includes everything below it, and excludes win. Unfiltered sources are copied as raw
/// bytes, which is what keeps big pages fast.
/// </summary>
internal sealed class SourceFilter
{
    public static readonly SourceFilter All = new(true, Array.Empty<string>(), Array.Empty<string>());
    public static readonly SourceFilter Nothing = new(false, Array.Empty<string>(), Array.Empty<string>());

    public SourceFilter(bool fetch, string[] includes, string[] excludes)
    {
        Fetch = fetch;
        Includes = includes;
        Excludes = excludes;
    }

    public bool Fetch { get; }
    public string[] Includes { get; }
    public string[] Excludes { get; }
    public bool IsIdentity => Fetch && Includes.Length == 0 && Excludes.Length == 0;

    public static SourceFilter Parse(JsonElement value, ElasticRequestBody body, JsonPath at)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True: return All;
            case JsonValueKind.False: return Nothing;
            case JsonValueKind.String: return new SourceFilter(true, new[] { value.GetString()! }, Array.Empty<string>());
            case JsonValueKind.Array: return new SourceFilter(true, Strings(value, body, at), Array.Empty<string>());
            case JsonValueKind.Object:
                string[] includes = Array.Empty<string>(), excludes = Array.Empty<string>();
                foreach (var p in value.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "includes" or "include":
                            includes = p.Value.ValueKind == JsonValueKind.String ? new[] { p.Value.GetString()! } : Strings(p.Value, body, at.Property(p.Name));
                            break;
                        case "excludes" or "exclude":
                            excludes = p.Value.ValueKind == JsonValueKind.String ? new[] { p.Value.GetString()! } : Strings(p.Value, body, at.Property(p.Name));
                            break;
                        default:
                            throw body.Error(at.Property(p.Name), $"Unknown key for a {ElasticRequestBody.TokenName(p.Value)} in [{p.Name}].");
                    }
                }
                return new SourceFilter(true, includes, excludes);
            default:
                throw body.Error(at, $"Expected one of [VALUE_BOOLEAN, START_OBJECT] but found [{ElasticRequestBody.TokenName(value)}]");
        }
    }

    private static string[] Strings(JsonElement array, ElasticRequestBody body, JsonPath at)
    {
        if (array.ValueKind != JsonValueKind.Array)
            throw body.Error(at, $"Expected [VALUE_STRING] or [START_ARRAY] but found [{ElasticRequestBody.TokenName(array)}]");
        return array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw body.Error(at, $"Unknown key for a {ElasticRequestBody.TokenName(e)} in [_source].")).ToArray();
    }

    /// <summary>_source, _source_includes and _source_excludes URL parameters.</summary>
    public static SourceFilter? FromUrl(string? source, string? includes, string? excludes)
    {
        if (source is null && includes is null && excludes is null) return null;
        if (source is "false") return Nothing;
        var inc = new List<string>();
        if (source is not null and not "true") inc.AddRange(source.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (includes is not null) inc.AddRange(includes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var exc = excludes?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? Array.Empty<string>();
        return new SourceFilter(true, inc.ToArray(), exc);
    }

    public void Write(Utf8JsonWriter writer, byte[] source)
    {
        if (IsIdentity)
        {
            writer.WriteRawValue(source, skipInputValidation: true);
            return;
        }
        // Streamed from the stored bytes: a filtered 10,000-hit page should not build 10,000 trees.
        var reader = new Utf8JsonReader(source);
        reader.Read();
        writer.WriteStartObject();
        var frames = new List<Frame> { new(null, false) { Written = true } };
        Filter(ref reader, writer, source, string.Empty, Includes.Length == 0, frames);
        writer.WriteEndObject();
    }

    /// <summary>A container entered but maybe not written yet: written only once something inside it is kept.</summary>
    private sealed class Frame
    {
        public Frame(string? name, bool isArray)
        {
            Name = name;
            IsArray = isArray;
        }

        public string? Name { get; }
        public bool IsArray { get; }
        public bool Written { get; set; }
    }

    private void Filter(ref Utf8JsonReader reader, Utf8JsonWriter writer, byte[] source, string path, bool included, List<Frame> frames)
    {
        var isArray = reader.TokenType == JsonTokenType.StartArray;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) return;
            string? name = null;
            var childPath = path;
            if (!isArray)
            {
                name = reader.GetString()!;
                childPath = path.Length == 0 ? name : path + "." + name;
                reader.Read();
                if (Excludes.Length > 0 && Excludes.Any(x => ElasticWildcard.Matches(x, childPath)))
                {
                    reader.Skip();
                    continue;
                }
            }
            var childIncluded = included || (name is not null && Includes.Any(i => ElasticWildcard.Matches(i, childPath)));
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                if (!childIncluded && !(isArray || Includes.Any(i => ElasticWildcard.CouldMatchBelow(i, childPath))))
                {
                    reader.Skip();
                    continue;
                }
                var frame = new Frame(name, reader.TokenType == JsonTokenType.StartArray);
                frames.Add(frame);
                // An included container is kept even when empty; one only searched for matches is not.
                if (childIncluded) Materialize(writer, frames);
                Filter(ref reader, writer, source, childPath, childIncluded, frames);
                frames.RemoveAt(frames.Count - 1);
                if (frame.Written)
                {
                    if (frame.IsArray) writer.WriteEndArray();
                    else writer.WriteEndObject();
                }
                continue;
            }
            if (!childIncluded) continue;
            Materialize(writer, frames);
            if (name is not null) writer.WritePropertyName(name);
            var length = reader.TokenType == JsonTokenType.String ? reader.ValueSpan.Length + 2 : reader.ValueSpan.Length;
            writer.WriteRawValue(source.AsSpan((int)reader.TokenStartIndex, length), skipInputValidation: true);
        }
    }

    private static void Materialize(Utf8JsonWriter writer, List<Frame> frames)
    {
        foreach (var frame in frames)
        {
            if (frame.Written) continue;
            if (frame.Name is not null) writer.WritePropertyName(frame.Name);
            if (frame.IsArray) writer.WriteStartArray();
            else writer.WriteStartObject();
            frame.Written = true;
        }
    }
}

/// <summary>
/// The fields option (and docvalue_fields): values from the mapping's point of view, always arrays, dates formatted,
/// keyword sub-fields included when a pattern names them.
/// </summary>
internal sealed class FieldsOption
{
    public FieldsOption(IReadOnlyList<(string Pattern, string? Format)> patterns) => Patterns = patterns;

    public IReadOnlyList<(string Pattern, string? Format)> Patterns { get; }

    public static FieldsOption Parse(JsonElement value, ElasticRequestBody body, JsonPath at)
    {
        var list = new List<(string, string?)>();
        if (value.ValueKind != JsonValueKind.Array)
            throw body.Error(at, $"[fields] failed to parse field [fields]");
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemAt = at.Index(i++);
            if (item.ValueKind == JsonValueKind.String) list.Add((item.GetString()!, null));
            else if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("field", out var f))
                list.Add((f.GetString()!, item.TryGetProperty("format", out var fmt) ? fmt.GetString() : null));
            else throw body.Error(itemAt, "[fields] failed to parse field [fields]");
        }
        return new FieldsOption(list);
    }

    public void Write(Utf8JsonWriter writer, IndexSnapshot target, StoredDocument doc)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        var started = false;
        foreach (var (pattern, format) in Patterns)
        {
            var fields = pattern.Contains('*')
                ? target.Index.Mapping.Match(pattern)
                : target.Index.Mapping.Resolve(pattern) is { } single ? new[] { single } : Array.Empty<ResolvedField>();
            foreach (var field in fields)
            {
                if (!written.Add(field.Name)) continue;
                var values = doc.ValuesOf(field.Id);
                if (values.IsEmpty) continue;
                var any = false;
                foreach (var v in values)
                {
                    if (field.IgnoreAbove != int.MaxValue && doc.ExceedsChars(v, field.IgnoreAbove)) continue;
                    if (!any)
                    {
                        if (!started)
                        {
                            writer.WriteStartObject("fields");
                            started = true;
                        }
                        writer.WriteStartArray(field.Name);
                        any = true;
                    }
                    WriteValue(writer, field, doc, v, format);
                }
                if (any) writer.WriteEndArray();
            }
        }
        if (started) writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, ResolvedField field, StoredDocument doc, FieldValue v, string? format)
    {
        switch (field.Kind)
        {
            case FieldKind.Text:
            case FieldKind.Keyword:
                writer.WriteStringValue(doc.GetString(v));
                break;
            case FieldKind.Long:
                writer.WriteNumberValue(v.Number);
                break;
            case FieldKind.Double:
                ElasticNumbers.Write(writer, v.Double, field.Field.IsFloat);
                break;
            case FieldKind.Date:
                writer.WriteStringValue(format switch
                {
                    "epoch_millis" => v.Number.ToString(CultureInfo.InvariantCulture),
                    "epoch_second" => (v.Number / 1000).ToString(CultureInfo.InvariantCulture),
                    _ => ElasticDates.Format(v.Number),
                });
                break;
            default:
                writer.WriteBooleanValue(v.Number != 0);
                break;
        }
    }
}
