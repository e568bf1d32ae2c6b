using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Lab.Elastic;

internal sealed class Bucket
{
    public required object? Key { get; init; }
    public required List<MatchedDoc> Docs { get; init; }
    public List<AggregationResult> Subs { get; set; } = new();
    public long DocCount => Docs.Count;
}

internal sealed class TermsAggregation : AggregationSpec
{
    public required string Field { get; init; }
    public int Size { get; init; } = 10;
    public int MinDocCount { get; init; } = 1;
    public List<(string Key, bool Descending)> Order { get; init; } = new();
    public JsonElement? Missing { get; init; }
    public HashSet<string>? IncludeValues { get; init; }
    public HashSet<string>? ExcludeValues { get; init; }
    public Regex? Include { get; init; }
    public Regex? Exclude { get; init; }

    public override bool AcceptsSubAggregations => true;

    public static TermsAggregation Parse(string name, JsonElement d, ElasticRequestBody body, JsonPath at)
    {
        var field = AggregationParser.RequiredField(d, body, at, "terms", name);
        int size = 10, minDocCount = 1;
        var order = new List<(string, bool)>();
        JsonElement? missing = null;
        HashSet<string>? includeValues = null, excludeValues = null;
        Regex? include = null, exclude = null;
        foreach (var p in d.EnumerateObject())
        {
            var pAt = at.Property(p.Name);
            switch (p.Name)
            {
                case "field": break;
                case "size":
                    size = AggregationParser.Int(p.Value, body, pAt);
                    if (size <= 0) throw ElasticException.IllegalArgument($"[size] must be greater than 0. Found [{size}] in [{name}]");
                    break;
                case "min_doc_count": minDocCount = AggregationParser.Int(p.Value, body, pAt); break;
                case "order":
                    foreach (var o in p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().ToList() : new List<JsonElement> { p.Value })
                    {
                        foreach (var entry in o.EnumerateObject())
                        {
                            var direction = entry.Value.GetString()?.ToLowerInvariant();
                            if (direction is not ("asc" or "desc"))
                                throw body.Error(pAt, $"Unknown terms order direction [{entry.Value.GetRawText()}] in terms aggregation [{name}]");
                            order.Add((entry.Name == "_term" ? "_key" : entry.Name, direction == "desc"));
                        }
                    }
                    break;
                case "missing": missing = p.Value.Clone(); break;
                case "include":
                    if (p.Value.ValueKind == JsonValueKind.Array) includeValues = p.Value.EnumerateArray().Select(Text).ToHashSet(StringComparer.Ordinal);
                    else if (p.Value.ValueKind == JsonValueKind.String) include = new Regex("^(?:" + p.Value.GetString() + ")$", RegexOptions.CultureInvariant);
                    else throw ElasticException.IllegalArgument($"[include] partitions are not supported by the PSSocAutomation Lab");
                    break;
                case "exclude":
                    if (p.Value.ValueKind == JsonValueKind.Array) excludeValues = p.Value.EnumerateArray().Select(Text).ToHashSet(StringComparer.Ordinal);
                    else exclude = new Regex("^(?:" + p.Value.GetString() + ")$", RegexOptions.CultureInvariant);
                    break;
                case "shard_size" or "shard_min_doc_count" or "show_term_doc_count_error" or "execution_hint" or "collect_mode" or "format" or "value_type":
                    break;
                case "script":
                    throw ElasticException.IllegalArgument($"[script] in aggregation [{name}] is not supported by the PSSocAutomation Lab");
                default:
                    throw body.Error(pAt, $"[terms] unknown field [{p.Name}]");
            }
        }
        if (order.Count == 0)
        {
            order.Add(("_count", true));
        }
        if (!order.Any(o => o.Item1 == "_key")) order.Add(("_key", false));
        return new TermsAggregation
        {
            Name = name, Field = field, Size = size, MinDocCount = minDocCount, Order = order, Missing = missing,
            IncludeValues = includeValues, ExcludeValues = excludeValues, Include = include, Exclude = exclude,
        };
    }

    private static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

    public override void Validate(IndexSnapshot target)
    {
        ValidateNotText(target, Field);
        foreach (var (key, _) in Order)
        {
            if (key is "_count" or "_key") continue;
            var path = key.Split('.')[0].Split('>')[0];
            if (!SubAggregations.Any(s => s.Name == path))
                throw new ElasticShardException(400, new ElasticErrorCause("aggregation_execution_exception",
                    $"Invalid aggregation order path [{key}]. The provided aggregation [{path}] either does not exist, or is a pipeline aggregation and cannot be used to sort the buckets."));
        }
        base.Validate(target);
    }

    public override AggregationResult Compute(AggregationContext context, List<MatchedDoc> docs)
    {
        var fields = context.Resolve(Field);
        var kind = AggregationKeys.KindOf(fields);
        if (kind is null && Missing is null) return new TermsResult(this, FieldKind.Keyword, false, new List<Bucket>(), 0, unmapped: true);
        var (fieldKind, isFloat) = kind ?? (FieldKind.Keyword, false);
        var missingKey = Missing is { } m ? MissingKey(m, fieldKind) : null;
        var groups = new Dictionary<object, List<MatchedDoc>>();
        var keys = new List<object>();
        foreach (var doc in docs)
        {
            var field = fields[doc.Target];
            keys.Clear();
            if (field is not null) AggregationKeys.Collect(doc.Doc, field.Value, keys);
            if (keys.Count == 0 && missingKey is not null) keys.Add(missingKey);
            foreach (var key in keys)
            {
                var normalized = Normalize(key, fieldKind);
                if (!groups.TryGetValue(normalized, out var list)) groups[normalized] = list = new List<MatchedDoc>();
                list.Add(doc);
            }
        }
        var buckets = groups
            .Where(g => g.Value.Count >= Math.Max(1, MinDocCount) && Included(g.Key))
            .Select(g => new Bucket { Key = g.Key, Docs = g.Value })
            .ToList();
        var bySub = Order.Any(o => o.Key is not ("_count" or "_key"));
        if (bySub)
        {
            foreach (var b in buckets) b.Subs = ComputeSubs(context, b.Docs);
        }
        buckets.Sort((x, y) =>
        {
            foreach (var (key, descending) in Order)
            {
                var c = key switch
                {
                    "_count" => x.DocCount.CompareTo(y.DocCount),
                    "_key" => AggregationKeys.Compare(x.Key, y.Key),
                    _ => SubValue(x, key).CompareTo(SubValue(y, key)),
                };
                if (c != 0) return descending ? -c : c;
            }
            return 0;
        });
        var kept = buckets.Take(Size).ToList();
        var other = buckets.Skip(Size).Sum(b => b.DocCount);
        if (!bySub)
        {
            foreach (var b in kept) b.Subs = ComputeSubs(context, b.Docs);
        }
        return new TermsResult(this, fieldKind, isFloat, kept, other, unmapped: false);
    }

    private static object Normalize(object key, FieldKind kind) =>
        kind == FieldKind.Keyword && key is not string ? Convert.ToString(key, CultureInfo.InvariantCulture)! :
        kind == FieldKind.Double && key is long l ? (double)l : key;

    private static object? MissingKey(JsonElement missing, FieldKind kind) => kind switch
    {
        FieldKind.Keyword or FieldKind.Text => missing.ValueKind == JsonValueKind.String ? missing.GetString() : missing.GetRawText(),
        FieldKind.Double => missing.ValueKind == JsonValueKind.Number ? missing.GetDouble() : double.Parse(missing.GetString()!, CultureInfo.InvariantCulture),
        FieldKind.Date => missing.ValueKind == JsonValueKind.Number ? missing.GetInt64() : ElasticDates.TryParseValue(missing.GetString(), out var ms) ? ms : 0L,
        FieldKind.Boolean => missing.ValueKind == JsonValueKind.True || missing.GetString() == "true" ? 1L : 0L,
        _ => missing.ValueKind == JsonValueKind.Number ? missing.GetInt64() : long.Parse(missing.GetString()!, CultureInfo.InvariantCulture),
    };

    private bool Included(object key)
    {
        var text = Convert.ToString(key, CultureInfo.InvariantCulture)!;
        if (IncludeValues is not null && !IncludeValues.Contains(text)) return false;
        if (ExcludeValues is not null && ExcludeValues.Contains(text)) return false;
        if (Include is not null && !Include.IsMatch(text)) return false;
        if (Exclude is not null && Exclude.IsMatch(text)) return false;
        return true;
    }

    private static double SubValue(Bucket bucket, string path)
    {
        var name = path.Split('.')[0].Split('>')[0];
        var sub = bucket.Subs.FirstOrDefault(s => s.Name == name);
        if (sub is null) return double.NaN;
        if (sub is MetricResult metric && path.Contains('.')) return metric.Stat(path[(path.IndexOf('.') + 1)..]);
        if (sub is SingleBucketResult single) return single.DocCount;
        return sub.SortValue;
    }

    private sealed class TermsResult : AggregationResult
    {
        private readonly FieldKind _kind;
        private readonly bool _isFloat;
        private readonly List<Bucket> _buckets;
        private readonly long _other;
        private readonly bool _unmapped;

        public TermsResult(TermsAggregation spec, FieldKind kind, bool isFloat, List<Bucket> buckets, long other, bool unmapped) : base(spec)
        {
            _kind = kind;
            _isFloat = isFloat;
            _buckets = buckets;
            _other = other;
            _unmapped = unmapped;
        }

        public override string TypeName => _unmapped ? "umterms" : _kind switch
        {
            FieldKind.Keyword or FieldKind.Text => "sterms",
            FieldKind.Double => "dterms",
            _ => "lterms",
        };

        protected override void WriteBody(Utf8JsonWriter writer, bool typedKeys)
        {
            writer.WriteNumber("doc_count_error_upper_bound", 0);
            writer.WriteNumber("sum_other_doc_count", _other);
            writer.WriteStartArray("buckets");
            foreach (var bucket in _buckets)
            {
                writer.WriteStartObject();
                writer.WritePropertyName("key");
                AggregationKeys.WriteKey(writer, bucket.Key, _kind, _isFloat);
                if (AggregationKeys.KeyAsString(bucket.Key!, _kind) is { } asString) writer.WriteString("key_as_string", asString);
                writer.WriteNumber("doc_count", bucket.DocCount);
                WriteAll(writer, bucket.Subs, typedKeys);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
    }
}

/// <summary>filter and missing: one bucket, doc_count plus sub-aggregations.</summary>
internal abstract class SingleBucketAggregation : AggregationSpec
{
    public override bool AcceptsSubAggregations => true;

    protected abstract bool Selects(AggregationContext context, MatchedDoc doc);

    public override AggregationResult Compute(AggregationContext context, List<MatchedDoc> docs)
    {
        var selected = docs.Where(d => Selects(context, d)).ToList();
        return new SingleBucketResult(this, TypeName, selected.Count, ComputeSubs(context, selected));
    }

    protected abstract string TypeName { get; }
}

internal sealed class SingleBucketResult : AggregationResult
{
    private readonly string _type;
    private readonly List<AggregationResult> _subs;

    public SingleBucketResult(AggregationSpec spec, string type, long docCount, List<AggregationResult> subs) : base(spec)
    {
        _type = type;
        DocCount = docCount;
        _subs = subs;
    }

    public long DocCount { get; }
    public override string TypeName => _type;
    public override double SortValue => DocCount;

    protected override void WriteBody(Utf8JsonWriter writer, bool typedKeys)
    {
        writer.WriteNumber("doc_count", DocCount);
        WriteAll(writer, _subs, typedKeys);
    }
}

internal sealed class FilterAggregation : SingleBucketAggregation
{
    public required ElasticQuery Filter { get; init; }

    public static FilterAggregation Parse(string name, JsonElement d, ElasticRequestBody body, JsonPath at) =>
        new() { Name = name, Filter = new ElasticQueryParser(body).Parse(d, at) };

    protected override string TypeName => "filter";

    protected override bool Selects(AggregationContext context, MatchedDoc doc) => context.Bind(doc.Target, Filter).Matches(doc.Doc);
}

internal sealed class MissingAggregation : SingleBucketAggregation
{
    public required string Field { get; init; }

    public static MissingAggregation Parse(string name, JsonElement d, ElasticRequestBody body, JsonPath at) =>
        new() { Name = name, Field = AggregationParser.RequiredField(d, body, at, "missing", name) };

    protected override string TypeName => "missing";

    protected override bool Selects(AggregationContext context, MatchedDoc doc)
    {
        var field = context.Targets[doc.Target].Index.Mapping.Resolve(Field);
        if (field is null) return true;
        foreach (var v in doc.Doc.ValuesOf(field.Value.Id))
        {
            if (field.Value.IgnoreAbove == int.MaxValue || !doc.Doc.ExceedsChars(v, field.Value.IgnoreAbove)) return false;
        }
        return true;
    }
}
