using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// Reads a source document once, maps new fields the way ES dynamic mapping does, and pulls out every value a query,
/// sort or aggregation needs. Refuses what ES refuses (a word in a long field, an object where a value was mapped)
/// with ES's document_parsing_exception. Runs under the index's write lock.
/// </summary>
internal sealed class ElasticDocumentParser
{
    private static readonly HashSet<string> MetadataFields = new(StringComparer.Ordinal)
    {
        "_id", "_index", "_source", "_routing", "_version", "_seq_no", "_primary_term", "_ignored", "_field_names", "_tier",
    };

    private readonly ElasticMapping _mapping;
    private readonly string _id;
    private readonly byte[] _source;
    private readonly List<FieldValue> _values = new(16);
    private List<string>? _strings;

    private ElasticDocumentParser(ElasticMapping mapping, string id, byte[] source)
    {
        _mapping = mapping;
        _id = id;
        _source = source;
    }

    public static (FieldValue[] Values, string[]? Strings) Parse(ElasticMapping mapping, string id, byte[] source)
    {
        var parser = new ElasticDocumentParser(mapping, id, source);
        var checkpoint = mapping.Checkpoint();
        try
        {
            parser.Run();
        }
        catch
        {
            mapping.Rollback(checkpoint);
            throw;
        }
        return (parser.SortedValues(), parser._strings?.ToArray());
    }

    private void Run()
    {
        var reader = new Utf8JsonReader(_source, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read())
                throw Failure("failed to parse, document is empty", null);
            if (reader.TokenType != JsonTokenType.StartObject)
                throw Failure("[1:1] failed to parse", new ElasticErrorCause("not_x_content_exception",
                    "Compressor detection can only be called on some xcontent bytes or compressed xcontent bytes"));
            ParseObject(ref reader, string.Empty);
            while (reader.Read())
            {
                // Anything after the root object is malformed JSON; reading on makes the reader say so.
            }
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0) + 1;
            var col = (int)(e.BytePositionInLine ?? 0) + 1;
            var message = e.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) message = message[..cut];
            throw Failure($"[{line}:{col}] failed to parse", new ElasticErrorCause("x_content_parse_exception", $"[{line}:{col}] {message}"));
        }
    }

    /// <summary>"[line:col]" of an offset; only computed on the way to an error.</summary>
    private string At(long offset)
    {
        var (line, col) = ElasticRequestBody.Position(_source, offset);
        return $"[{line}:{col}]";
    }

    private static ElasticException Failure(string reason, ElasticErrorCause? cause) =>
        new(400, new ElasticErrorCause("document_parsing_exception", reason) { CausedBy = cause });

    private void ParseObject(ref Utf8JsonReader reader, string prefix)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            if (prefix.Length == 0 && name.Length > 0 && name[0] == '_' && MetadataFields.Contains(name))
                throw Failure($"{At(reader.TokenStartIndex)} Field [{name}] is a metadata field and cannot be added inside a document. Use the index API request parameters.", null);
            if (name.Length == 0 || name[0] == '.' || name[^1] == '.' || name.Contains("..", StringComparison.Ordinal))
            {
                if (name.Length == 0 || name.Trim('.').Length == 0 || name.Contains("..", StringComparison.Ordinal))
                    throw Failure($"{At(reader.TokenStartIndex)} field name cannot contain only whitespace or dots: ['{name}']", null);
                name = name.Trim('.');
            }
            reader.Read();
            var path = prefix.Length == 0 ? name : string.Concat(prefix, ".", name);
            ParseValue(ref reader, path);
        }
    }

    private void ParseValue(ref Utf8JsonReader reader, string path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                ParseObjectValue(ref reader, path);
                break;
            case JsonTokenType.StartArray:
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) ParseValue(ref reader, path);
                break;
            case JsonTokenType.Null:
                break;
            default:
                ParseLeaf(ref reader, path);
                break;
        }
    }

    private void ParseObjectValue(ref Utf8JsonReader reader, string path)
    {
        if (_mapping.Leaf(path) is { } leaf)
        {
            var start = reader.TokenStartIndex;
            reader.Skip();
            var preview = Encoding.UTF8.GetString(_source, (int)start, (int)(reader.BytesConsumed - start));
            throw ValueFailure(start, leaf, preview, new ElasticErrorCause("illegal_argument_exception",
                $"Cannot parse an object as a value of field [{path}] of type [{leaf.Type}]"));
        }
        var obj = _mapping.Object(path);
        if (obj is null)
        {
            var dynamic = _mapping.DynamicFor(ElasticMapping.ParentPath(path));
            if (dynamic == "strict") throw StrictFailure(reader.TokenStartIndex, path);
            if (dynamic is "false" or "runtime")
            {
                reader.Skip();
                return;
            }
            obj = _mapping.EnsureObject(path);
        }
        if (!obj.Enabled)
        {
            reader.Skip();
            return;
        }
        ParseObject(ref reader, path);
    }

    private ElasticException StrictFailure(long offset, string path)
    {
        var (line, col) = ElasticRequestBody.Position(_source, offset);
        var parent = ElasticMapping.ParentPath(path);
        var name = path[(path.LastIndexOf('.') + 1)..];
        return new ElasticException(400, new ElasticErrorCause("strict_dynamic_mapping_exception",
            $"[{line}:{col}] mapping set to strict, dynamic introduction of [{name}] within [{(parent.Length == 0 ? "_doc" : parent)}] is not allowed"));
    }

    private ElasticException ValueFailure(long offset, ElasticField field, string preview, ElasticErrorCause cause)
    {
        var (line, col) = ElasticRequestBody.Position(_source, offset);
        return Failure($"[{line}:{col}] failed to parse field [{field.Path}] of type [{field.Type}] in document with id '{_id}'. Preview of field's value: '{preview}'", cause);
    }

    private void ParseLeaf(ref Utf8JsonReader reader, string path)
    {
        var field = _mapping.Leaf(path);
        if (field is null)
        {
            if (_mapping.Object(path) is not null)
            {
                var (line, col) = ElasticRequestBody.Position(_source, reader.TokenStartIndex);
                throw Failure($"[{line}:{col}] object mapping for [{path}] tried to parse field [{path[(path.LastIndexOf('.') + 1)..]}] as object, but found a concrete value", null);
            }
            var dynamic = _mapping.DynamicFor(ElasticMapping.ParentPath(path));
            if (dynamic == "strict") throw StrictFailure(reader.TokenStartIndex, path);
            if (dynamic is "false" or "runtime") return;
            field = CreateDynamic(ref reader, path);
        }
        AddValue(ref reader, field);
    }

    private ElasticField CreateDynamic(ref Utf8JsonReader reader, string path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var text = reader.GetString()!;
                if (_mapping.DateDetection && ElasticDates.TryDetect(text, out _))
                    return _mapping.AddField(path, FieldKind.Date, "date");
                return _mapping.AddField(path, FieldKind.Text, "text", subKeyword: "keyword");
            case JsonTokenType.Number:
                // ES maps a JSON integer to long and any other number to float.
                return reader.TryGetInt64(out _)
                    ? _mapping.AddField(path, FieldKind.Long, "long")
                    : _mapping.AddField(path, FieldKind.Double, "float");
            default:
                return _mapping.AddField(path, FieldKind.Boolean, "boolean");
        }
    }

    private void AddValue(ref Utf8JsonReader reader, ElasticField field)
    {
        var offset = reader.TokenStartIndex;
        switch (field.Kind)
        {
            case FieldKind.Text:
            case FieldKind.Keyword:
                AddString(ref reader, field);
                return;
            case FieldKind.Long:
                _values.Add(new FieldValue(field.Id, FieldValue.Scalar, ReadLong(ref reader, field, offset)));
                return;
            case FieldKind.Double:
                var d = ReadDouble(ref reader, field, offset);
                if (field.IsFloat) d = (float)d;
                _values.Add(new FieldValue(field.Id, FieldValue.Scalar, BitConverter.DoubleToInt64Bits(d)));
                return;
            case FieldKind.Date:
                _values.Add(new FieldValue(field.Id, FieldValue.Scalar, ReadDate(ref reader, field, offset)));
                return;
            case FieldKind.Boolean:
                _values.Add(new FieldValue(field.Id, FieldValue.Scalar, ReadBoolean(ref reader, field, offset) ? 1 : 0));
                return;
        }
    }

    private void AddString(ref Utf8JsonReader reader, ElasticField field)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            // The reader's span is inside _source: keep the position, not a copy.
            _values.Add(new FieldValue(field.Id, reader.ValueSpan.Length, reader.TokenStartIndex + 1));
            return;
        }
        var text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            _ => Encoding.UTF8.GetString(reader.ValueSpan),
        };
        _strings ??= new List<string>();
        _strings.Add(text);
        _values.Add(new FieldValue(field.Id, FieldValue.Unescaped, _strings.Count - 1));
    }

    private static string Preview(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan);

    private long ReadLong(ref Utf8JsonReader reader, ElasticField field, long offset)
    {
        double d;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out var l)) return CheckRange(l, field, offset);
            d = reader.GetDouble();
        }
        else if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString()!.Trim();
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return CheckRange(l, field, offset);
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out d))
                throw ValueFailure(offset, field, text, new ElasticErrorCause("illegal_argument_exception", $"For input string: \"{text}\""));
        }
        else
        {
            var preview = Preview(ref reader);
            throw ValueFailure(offset, field, preview, new ElasticErrorCause("illegal_argument_exception",
                $"Current token ({(reader.TokenType == JsonTokenType.True ? "VALUE_TRUE" : "VALUE_FALSE")}) not numeric, can not use numeric value accessors"));
        }
        if (double.IsNaN(d) || double.IsInfinity(d) || d > long.MaxValue || d < long.MinValue)
            throw ValueFailure(offset, field, Preview(ref reader), new ElasticErrorCause("illegal_argument_exception",
                $"Value [{Preview(ref reader)}] is out of range for a {field.Type}"));
        return CheckRange((long)d, field, offset);
    }

    private long CheckRange(long value, ElasticField field, long offset)
    {
        var (min, max) = field.Range;
        if (value < min || value > max)
            throw ValueFailure(offset, field, value.ToString(CultureInfo.InvariantCulture), new ElasticErrorCause("illegal_argument_exception",
                $"Value [{value}] is out of range for {(field.Type == "integer" ? "an integer" : "a " + field.Type)}"));
        return value;
    }

    private double ReadDouble(ref Utf8JsonReader reader, ElasticField field, long offset)
    {
        double d;
        if (reader.TokenType == JsonTokenType.Number) d = reader.GetDouble();
        else if (reader.TokenType == JsonTokenType.String &&
                 double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d)) { }
        else
        {
            var preview = Preview(ref reader);
            throw ValueFailure(offset, field, preview, new ElasticErrorCause("number_format_exception", $"For input string: \"{preview}\""));
        }
        if (double.IsNaN(d) || double.IsInfinity(d))
            throw ValueFailure(offset, field, Preview(ref reader), new ElasticErrorCause("illegal_argument_exception",
                $"[{field.Type}] supports only finite values, but got [{Preview(ref reader)}]"));
        return d;
    }

    private long ReadDate(ref Utf8JsonReader reader, ElasticField field, long offset)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out var l)) return l;
            return (long)reader.GetDouble();
        }
        var text = Preview(ref reader);
        long millis = 0;
        var ok = reader.TokenType == JsonTokenType.String && (field.Format is null
            ? ElasticDates.TryParseDefault(text, null, out millis)
            : ElasticDates.TryParseWithFormat(text, field.Format, null, out millis));
        if (!ok)
            throw ValueFailure(offset, field, text, new ElasticErrorCause("illegal_argument_exception",
                $"failed to parse date field [{text}] with format [{field.Format ?? ElasticDates.DefaultFormat}]")
            {
                CausedBy = new ElasticErrorCause("date_time_parse_exception", $"Failed to parse with all enclosed parsers"),
            });
        return millis;
    }

    private bool ReadBoolean(ref Utf8JsonReader reader, ElasticField field, long offset)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            case JsonTokenType.String:
                var text = reader.GetString()!;
                if (text == "true") return true;
                if (text is "false" or "") return false;
                throw ValueFailure(offset, field, text, new ElasticErrorCause("illegal_argument_exception",
                    $"Failed to parse value [{text}] as only [true] or [false] are allowed."));
            default:
                var preview = Preview(ref reader);
                throw ValueFailure(offset, field, preview, new ElasticErrorCause("illegal_argument_exception",
                    $"Failed to parse value [{preview}] as only [true] or [false] are allowed."));
        }
    }

    /// <summary>Values ordered by field id; a stable sort keeps an array's values in source order.</summary>
    private FieldValue[] SortedValues()
    {
        var values = _values.ToArray();
        for (var i = 1; i < values.Length; i++)
        {
            var current = values[i];
            var j = i - 1;
            while (j >= 0 && values[j].Field > current.Field)
            {
                values[j + 1] = values[j];
                j--;
            }
            values[j + 1] = current;
        }
        return values;
    }
}
