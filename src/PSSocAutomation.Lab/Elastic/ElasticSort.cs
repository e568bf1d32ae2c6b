using System.Globalization;
using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

internal enum SortKind
{
    Field,
    Score,
    Doc,
    ShardDoc,
}

/// <summary>One sort clause: a field, _score, _doc or _shard_doc, with order, missing, unmapped_type and mode.</summary>
internal sealed class SortSpec
{
    public SortKind Kind { get; init; }
    public string Field { get; init; } = string.Empty;
    public bool Descending { get; init; }
    /// <summary>"_last" (default), "_first", or a value standing in for documents without one.</summary>
    public JsonElement? Missing { get; init; }
    public string? UnmappedType { get; init; }
    public string? Mode { get; init; }

    public bool MissingFirst => Missing is { ValueKind: JsonValueKind.String } m && m.GetString() == "_first";
    public bool MissingCustom => Missing is { } m && !(m.ValueKind == JsonValueKind.String && m.GetString() is "_first" or "_last");

    public string Key => $"{Kind}:{Field}:{(Descending ? "desc" : "asc")}:{Missing?.GetRawText()}:{UnmappedType}:{Mode}";

    public static SortSpec ShardDocTiebreaker => new() { Kind = SortKind.ShardDoc };

    /// <summary>The sort option in every form ES takes: "f", {"f":"desc"}, {"f":{"order":..}}, or an array of those.</summary>
    public static List<SortSpec> Parse(JsonElement value, ElasticRequestBody body, JsonPath at)
    {
        var specs = new List<SortSpec>();
        if (value.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in value.EnumerateArray()) specs.Add(ParseOne(item, body, at.Index(i++)));
        }
        else
        {
            specs.Add(ParseOne(value, body, at));
        }
        return specs;
    }

    private static SortSpec ParseOne(JsonElement value, ElasticRequestBody body, JsonPath at)
    {
        if (value.ValueKind == JsonValueKind.String) return Named(value.GetString()!, null);
        if (value.ValueKind != JsonValueKind.Object)
            throw body.Error(at, $"[sort] unknown token [{ElasticRequestBody.TokenName(value)}]");
        var properties = value.EnumerateObject().ToList();
        if (properties.Count != 1)
            throw body.Error(at, "[sort] expected a single field name per sort object, found [" + string.Join(", ", properties.Select(p => p.Name)) + "]");
        var name = properties[0].Name;
        var options = properties[0].Value;
        if (options.ValueKind == JsonValueKind.String) return Named(name, Order(options.GetString()!));
        if (options.ValueKind != JsonValueKind.Object)
            throw body.Error(at.Property(name), $"[sort] unknown token [{ElasticRequestBody.TokenName(options)}] after [{name}]");
        bool? descending = null;
        JsonElement? missing = null;
        string? unmapped = null, mode = null;
        foreach (var option in options.EnumerateObject())
        {
            switch (option.Name)
            {
                case "order": descending = Order(option.Value.GetString() ?? "asc"); break;
                case "missing": missing = option.Value.Clone(); break;
                case "unmapped_type": unmapped = option.Value.GetString(); break;
                case "mode": mode = option.Value.GetString(); break;
                case "format" or "numeric_type" or "nested":
                    break;
                default:
                    throw body.Error(at.Property(name).Property(option.Name), $"[field_sort] unknown field [{option.Name}]");
            }
        }
        var spec = Named(name, descending);
        return new SortSpec { Kind = spec.Kind, Field = name, Descending = spec.Descending, Missing = missing, UnmappedType = unmapped, Mode = mode };
    }

    private static bool Order(string order) => order.ToLowerInvariant() switch
    {
        "asc" => false,
        "desc" => true,
        _ => throw ElasticException.IllegalArgument($"No enum constant org.elasticsearch.search.sort.SortOrder.{order.ToUpperInvariant()}"),
    };

    private static SortSpec Named(string name, bool? descending) => name switch
    {
        "_score" => new SortSpec { Kind = SortKind.Score, Field = name, Descending = descending ?? true },
        "_doc" => new SortSpec { Kind = SortKind.Doc, Field = name, Descending = descending ?? false },
        "_shard_doc" => new SortSpec { Kind = SortKind.ShardDoc, Field = name, Descending = descending ?? false },
        _ => new SortSpec { Kind = SortKind.Field, Field = name, Descending = descending ?? false },
    };

    /// <summary>The sort= URL parameter: "field", "field:asc", comma separated.</summary>
    public static List<SortSpec> ParseUrl(string value)
    {
        var specs = new List<SortSpec>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            specs.Add(colon > 0 ? Named(part[..colon], Order(part[(colon + 1)..])) : Named(part, null));
        }
        return specs;
    }

    /// <summary>What ES checks on each shard before sorting: the field must be mapped (or unmapped_type given) and not text.</summary>
    public void Validate(IndexSnapshot target)
    {
        if (Kind != SortKind.Field) return;
        var resolved = target.Index.Mapping.Resolve(Field);
        if (resolved is null)
        {
            if (UnmappedType is not null) return;
            var error = new ElasticErrorCause("query_shard_exception", $"No mapping found for [{Field}] in order to sort on");
            error.With("index_uuid", target.Index.Uuid).With("index", target.Index.Name);
            throw new ElasticShardException(400, error);
        }
        if (resolved.Value.Kind == FieldKind.Text) throw Fielddata.Error(target, Field);
    }
}

/// <summary>ES's refusal to sort or aggregate on a text field.</summary>
internal static class Fielddata
{
    public static ElasticShardException Error(IndexSnapshot target, string field) =>
        new(400, new ElasticErrorCause("illegal_argument_exception",
            $"Fielddata is disabled on [{field}] in [{target.Index.Name}]. Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [{field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory."));
}

/// <summary>
/// The sort keys of a candidate list, one column per sort clause, indexed by position in <see cref="SortedOrder.Refs"/>.
/// Missing values are substituted the way ES does (Long.MAX_VALUE for ascending numbers ...), so the values written in
/// each hit's "sort" are the ones ES would write and can be sent back in search_after.
/// </summary>
internal abstract class SortColumn
{
    protected SortColumn(SortSpec spec) => Spec = spec;

    public SortSpec Spec { get; }

    public abstract int Compare(int a, int b);
    public abstract object? ParseAfter(JsonElement value);
    public abstract int CompareAfter(int a, object? after);
    public abstract void Write(Utf8JsonWriter writer, int a);

    protected ElasticException AfterError(JsonElement value) =>
        ElasticException.IllegalArgument($"Failed to parse search_after value for field [{Spec.Field}].",
            new ElasticErrorCause("number_format_exception", $"For input string: \"{(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())}\""));

    public static SortColumn Create(SortSpec spec, IndexSnapshot[] targets, long[] refs, float[]? scores)
    {
        switch (spec.Kind)
        {
            case SortKind.Score:
                return new ScoreColumn(spec, scores ?? new float[refs.Length]);
            case SortKind.Doc:
            case SortKind.ShardDoc:
                return new DocColumn(spec, refs);
        }
        var fields = targets.Select(t => t.Index.Mapping.Resolve(spec.Field)).ToArray();
        var kinds = fields.Where(f => f is not null).Select(f => f!.Value.Kind).ToList();
        if (kinds.Count == 0) kinds.Add(UnmappedKind(spec.UnmappedType));
        if (kinds.Contains(FieldKind.Keyword) || kinds.Contains(FieldKind.Text))
            return StringColumn.Build(spec, targets, fields, refs);
        if (kinds.Contains(FieldKind.Double))
            return DoubleColumn.Build(spec, targets, fields, refs, fields.Any(f => f?.Field.IsFloat == true) && fields.All(f => f is null || f.Value.Kind != FieldKind.Double || f.Value.Field.IsFloat));
        return LongColumn.Build(spec, targets, fields, refs, kinds.Contains(FieldKind.Date));
    }

    private static FieldKind UnmappedKind(string? type) => type switch
    {
        "keyword" or "text" or null => FieldKind.Keyword,
        "double" or "float" or "half_float" or "scaled_float" => FieldKind.Double,
        "date" => FieldKind.Date,
        _ => FieldKind.Long,
    };

    public static StoredDocument Doc(IndexSnapshot[] targets, long reference) => targets[(int)(reference >> 32)].Docs[(int)reference];
}

internal sealed class LongColumn : SortColumn
{
    private readonly bool _dates;

    private LongColumn(SortSpec spec, long[] values, bool dates) : base(spec)
    {
        Values = values;
        _dates = dates;
    }

    public long[] Values { get; }

    public static LongColumn Build(SortSpec spec, IndexSnapshot[] targets, ResolvedField?[] fields, long[] refs, bool dates)
    {
        // ES: missing sorts last via Long.MAX_VALUE ascending / Long.MIN_VALUE descending, first the other way round.
        var lowMissing = spec.MissingFirst ^ spec.Descending;
        var missing = lowMissing ? long.MinValue : long.MaxValue;
        var column = new LongColumn(spec, new long[refs.Length], dates);
        if (spec.MissingCustom) missing = (long)column.ParseAfter(spec.Missing!.Value)!;
        var useMax = spec.Mode == "max" || (spec.Mode is null && spec.Descending);
        for (var i = 0; i < refs.Length; i++)
        {
            var target = (int)(refs[i] >> 32);
            var field = fields[target];
            if (field is null)
            {
                column.Values[i] = missing;
                continue;
            }
            var doc = targets[target].Docs[(int)refs[i]];
            var values = doc.ValuesOf(field.Value.Id);
            if (values.IsEmpty)
            {
                column.Values[i] = missing;
                continue;
            }
            long pick = values[0].Number;
            if (field.Value.Kind == FieldKind.Double) pick = (long)values[0].Double;
            foreach (var v in values)
            {
                var n = field.Value.Kind == FieldKind.Double ? (long)v.Double : v.Number;
                pick = spec.Mode switch
                {
                    "sum" or "avg" or "median" => pick,
                    _ => useMax ? Math.Max(pick, n) : Math.Min(pick, n),
                };
            }
            if (spec.Mode is "sum" or "avg")
            {
                long sum = 0;
                foreach (var v in values) sum += v.Number;
                pick = spec.Mode == "sum" ? sum : sum / values.Length;
            }
            column.Values[i] = pick;
        }
        return column;
    }

    public override int Compare(int a, int b) => Spec.Descending ? Values[b].CompareTo(Values[a]) : Values[a].CompareTo(Values[b]);

    public override object? ParseAfter(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                if (value.TryGetInt64(out var l)) return l;
                return (long)value.GetDouble();
            case JsonValueKind.String:
                var text = value.GetString()!;
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l)) return l;
                if (_dates && ElasticDates.TryParseValue(text, out l)) return l;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return (long)d;
                throw AfterError(value);
            case JsonValueKind.True: return 1L;
            case JsonValueKind.False: return 0L;
            default: throw AfterError(value);
        }
    }

    public override int CompareAfter(int a, object? after)
    {
        var c = Values[a].CompareTo((long)after!);
        return Spec.Descending ? -c : c;
    }

    public override void Write(Utf8JsonWriter writer, int a) => writer.WriteNumberValue(Values[a]);
}

internal sealed class DoubleColumn : SortColumn
{
    private readonly double[] _values;
    private readonly bool _float;

    private DoubleColumn(SortSpec spec, double[] values, bool isFloat) : base(spec)
    {
        _values = values;
        _float = isFloat;
    }

    public static DoubleColumn Build(SortSpec spec, IndexSnapshot[] targets, ResolvedField?[] fields, long[] refs, bool isFloat)
    {
        var lowMissing = spec.MissingFirst ^ spec.Descending;
        var column = new DoubleColumn(spec, new double[refs.Length], isFloat);
        var missing = lowMissing ? double.NegativeInfinity : double.PositiveInfinity;
        if (spec.MissingCustom) missing = (double)column.ParseAfter(spec.Missing!.Value)!;
        var useMax = spec.Mode == "max" || (spec.Mode is null && spec.Descending);
        for (var i = 0; i < refs.Length; i++)
        {
            var target = (int)(refs[i] >> 32);
            var field = fields[target];
            var doc = targets[target].Docs[(int)refs[i]];
            var values = field is null ? ReadOnlySpan<FieldValue>.Empty : doc.ValuesOf(field.Value.Id);
            if (values.IsEmpty)
            {
                column._values[i] = missing;
                continue;
            }
            var kind = field!.Value.Kind;
            double Of(FieldValue v) => kind == FieldKind.Double ? v.Double : v.Number;
            var pick = Of(values[0]);
            double sum = 0;
            foreach (var v in values)
            {
                var d = Of(v);
                sum += d;
                pick = useMax ? Math.Max(pick, d) : Math.Min(pick, d);
            }
            if (spec.Mode == "sum") pick = sum;
            else if (spec.Mode == "avg") pick = sum / values.Length;
            column._values[i] = pick;
        }
        return column;
    }

    public override int Compare(int a, int b) => Spec.Descending ? _values[b].CompareTo(_values[a]) : _values[a].CompareTo(_values[b]);

    public override object? ParseAfter(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number) return value.GetDouble();
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString();
            if (text == "Infinity") return double.PositiveInfinity;
            if (text == "-Infinity") return double.NegativeInfinity;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        }
        throw AfterError(value);
    }

    public override int CompareAfter(int a, object? after)
    {
        var c = _values[a].CompareTo((double)after!);
        return Spec.Descending ? -c : c;
    }

    public override void Write(Utf8JsonWriter writer, int a) => ElasticNumbers.Write(writer, _values[a], _float);
}

internal sealed class StringColumn : SortColumn
{
    private readonly string?[] _values;

    private StringColumn(SortSpec spec, string?[] values) : base(spec) => _values = values;

    public static StringColumn Build(SortSpec spec, IndexSnapshot[] targets, ResolvedField?[] fields, long[] refs)
    {
        var column = new StringColumn(spec, new string?[refs.Length]);
        var missing = spec.MissingCustom ? (string?)column.ParseAfter(spec.Missing!.Value) : null;
        var useMax = spec.Mode == "max" || (spec.Mode is null && spec.Descending);
        for (var i = 0; i < refs.Length; i++)
        {
            var target = (int)(refs[i] >> 32);
            var field = fields[target];
            string? pick = null;
            if (field is not null)
            {
                var doc = targets[target].Docs[(int)refs[i]];
                foreach (var v in doc.ValuesOf(field.Value.Id))
                {
                    if (field.Value.IgnoreAbove != int.MaxValue && doc.ExceedsChars(v, field.Value.IgnoreAbove)) continue;
                    var s = field.Value.Kind is FieldKind.Keyword or FieldKind.Text ? doc.GetString(v) : v.Number.ToString(CultureInfo.InvariantCulture);
                    if (pick is null || (useMax ? string.CompareOrdinal(s, pick) > 0 : string.CompareOrdinal(s, pick) < 0)) pick = s;
                }
            }
            column._values[i] = pick ?? missing;
        }
        return column;
    }

    public override int Compare(int a, int b) => CompareValues(_values[a], _values[b]);

    private int CompareValues(string? x, string? y)
    {
        if (x is null || y is null)
        {
            if (x is null && y is null) return 0;
            // Missing stays last (or first) whatever the order, as ES's sortMissingLast does for strings.
            var nullFirst = Spec.MissingFirst;
            return x is null ? (nullFirst ? -1 : 1) : (nullFirst ? 1 : -1);
        }
        var c = string.CompareOrdinal(x, y);
        return Spec.Descending ? -c : c;
    }

    public override object? ParseAfter(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };

    public override int CompareAfter(int a, object? after) => CompareValues(_values[a], (string?)after);

    public override void Write(Utf8JsonWriter writer, int a)
    {
        if (_values[a] is { } s) writer.WriteStringValue(s);
        else writer.WriteNullValue();
    }
}

internal sealed class ScoreColumn : SortColumn
{
    private readonly float[] _scores;

    public ScoreColumn(SortSpec spec, float[] scores) : base(spec) => _scores = scores;


    public override int Compare(int a, int b) => Spec.Descending ? _scores[b].CompareTo(_scores[a]) : _scores[a].CompareTo(_scores[b]);

    public override object? ParseAfter(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetSingle()
        : value.ValueKind == JsonValueKind.String && float.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f
        : throw AfterError(value);

    public override int CompareAfter(int a, object? after)
    {
        var c = _scores[a].CompareTo((float)after!);
        return Spec.Descending ? -c : c;
    }

    public override void Write(Utf8JsonWriter writer, int a) => ElasticNumbers.Write(writer, _scores[a], isFloat: true);
}

/// <summary>_doc (the document number in its index) and _shard_doc (index position &lt;&lt; 32 | document, like ES's shard index and doc id).</summary>
internal sealed class DocColumn : SortColumn
{
    private readonly long[] _refs;

    public DocColumn(SortSpec spec, long[] refs) : base(spec) => _refs = refs;

    private long Value(int a) => Spec.Kind == SortKind.ShardDoc ? _refs[a] : (int)_refs[a];

    public override int Compare(int a, int b) => Spec.Descending ? _refs[b].CompareTo(_refs[a]) : _refs[a].CompareTo(_refs[b]);

    public override object? ParseAfter(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var l) ? l
        : value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l) ? l
        : throw AfterError(value);

    public override int CompareAfter(int a, object? after)
    {
        var c = Value(a).CompareTo((long)after!);
        return Spec.Descending ? -c : c;
    }

    public override void Write(Utf8JsonWriter writer, int a)
    {
        if (Spec.Kind == SortKind.ShardDoc) writer.WriteNumberValue(_refs[a]);
        else writer.WriteNumberValue((int)_refs[a]);
    }
}

/// <summary>
/// Candidates in sort order. Built once per point in time (or per index generation) over every visible document, so
/// each search_after page is a binary search plus a short forward scan, never a sort.
/// </summary>
internal sealed class SortedOrder
{
    private SortedOrder(long[] refs, int[] perm, SortColumn[] columns)
    {
        Refs = refs;
        Perm = perm;
        Columns = columns;
    }

    /// <summary>(target index &lt;&lt; 32 | ordinal) of each candidate, in index/ordinal order.</summary>
    public long[] Refs { get; }
    /// <summary>Positions in <see cref="Refs"/>, sorted.</summary>
    public int[] Perm { get; }
    public SortColumn[] Columns { get; }

    public static long[] VisibleRefs(IndexSnapshot[] targets)
    {
        var total = 0;
        foreach (var t in targets) total += t.LiveCount;
        var refs = new long[total];
        var n = 0;
        for (var t = 0; t < targets.Length; t++)
        {
            var snapshot = targets[t];
            for (var i = 0; i < snapshot.Count; i++)
            {
                if (!snapshot.Docs[i].VisibleAt(snapshot.Generation)) continue;
                if (n == refs.Length) Array.Resize(ref refs, refs.Length * 2 + 1);
                refs[n++] = ((long)t << 32) | (uint)i;
            }
        }
        if (n != refs.Length) Array.Resize(ref refs, n);
        return refs;
    }

    public static SortedOrder Build(IndexSnapshot[] targets, IReadOnlyList<SortSpec> specs, long[] refs, float[]? scores)
    {
        var columns = specs.Select(s => SortColumn.Create(s, targets, refs, scores)).ToArray();
        var perm = new int[refs.Length];
        for (var i = 0; i < perm.Length; i++) perm[i] = i;
        if (columns.Length > 0 && columns[0] is LongColumn first &&
            (columns.Length == 1 || (columns.Length == 2 && columns[1] is DocColumn { Spec.Descending: false })))
        {
            SortByLongKey(first, perm);
        }
        else if (columns.Length > 0)
        {
            Array.Sort(perm, (a, b) =>
            {
                foreach (var column in columns)
                {
                    var c = column.Compare(a, b);
                    if (c != 0) return c;
                }
                return a.CompareTo(b);
            });
        }
        return new SortedOrder(refs, perm, columns);
    }

    /// <summary>
    /// Only the first <paramref name="k"/> candidates in order: a page or a top_hits over a million matches needs its
    /// best few, not a full sort. Positions still index the full candidate list. No search_after on such an order.
    /// </summary>
    public static SortedOrder BuildTop(IndexSnapshot[] targets, IReadOnlyList<SortSpec> specs, long[] refs, float[]? scores, int k)
    {
        if (k >= refs.Length / 2) return Build(targets, specs, refs, scores);
        var columns = specs.Select(s => SortColumn.Create(s, targets, refs, scores)).ToArray();
        var comparer = Comparer<int>.Create((a, b) =>
        {
            foreach (var column in columns)
            {
                var c = column.Compare(a, b);
                if (c != 0) return c;
            }
            return a.CompareTo(b);
        });
        // The k best so far, worst on top (the heap's minimum is the largest position in sort order).
        var heap = new PriorityQueue<int, int>(k + 1, Comparer<int>.Create((a, b) => comparer.Compare(b, a)));
        for (var i = 0; i < refs.Length && k > 0; i++)
        {
            if (heap.Count < k) heap.Enqueue(i, i);
            else if (heap.TryPeek(out var worst, out _) && comparer.Compare(i, worst) < 0) heap.EnqueueDequeue(i, i);
        }
        var perm = new int[heap.Count];
        for (var n = 0; heap.TryDequeue(out var position, out _); n++) perm[n] = position;
        Array.Sort(perm, comparer);
        return new SortedOrder(refs, perm, columns);
    }

    /// <summary>The common case, a date or number then the implicit tiebreaker: a primitive key sort, ties in index order.</summary>
    private static void SortByLongKey(LongColumn column, int[] perm)
    {
        var keys = new long[perm.Length];
        for (var i = 0; i < keys.Length; i++) keys[i] = column.Spec.Descending ? ~column.Values[i] : column.Values[i];
        Array.Sort(keys, perm);
        var start = 0;
        for (var i = 1; i <= keys.Length; i++)
        {
            if (i < keys.Length && keys[i] == keys[start]) continue;
            if (i - start > 1) Array.Sort(perm, start, i - start);
            start = i;
        }
    }

    /// <summary>First sorted position strictly after the search_after values.</summary>
    public int UpperBound(object?[] after)
    {
        int lo = 0, hi = Perm.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (CompareToAfter(Perm[mid], after) <= 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private int CompareToAfter(int position, object?[] after)
    {
        for (var c = 0; c < after.Length && c < Columns.Length; c++)
        {
            var r = Columns[c].CompareAfter(position, after[c]);
            if (r != 0) return r;
        }
        return 0;
    }

    public void WriteSortValues(Utf8JsonWriter writer, int position)
    {
        writer.WriteStartArray("sort");
        foreach (var column in Columns) column.Write(writer, position);
        writer.WriteEndArray();
    }
}
