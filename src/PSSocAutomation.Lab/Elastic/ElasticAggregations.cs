using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>A document that matched the query, with its score; <see cref="Ref"/> is (target &lt;&lt; 32 | ordinal).</summary>
internal readonly record struct MatchedDoc(long Ref, StoredDocument Doc, float Score)
{
    public int Target => (int)(Ref >> 32);
}

/// <summary>What aggregations see: the search's targets and "now", and a way to bind filter queries per index.</summary>
internal sealed class AggregationContext
{
    private readonly Dictionary<(int, ElasticQuery), DocMatcher> _bound = new();

    public AggregationContext(IndexSnapshot[] targets, DateTimeOffset now)
    {
        Targets = targets;
        Now = now;
    }

    public IndexSnapshot[] Targets { get; }
    public DateTimeOffset Now { get; }

    public DocMatcher Bind(int target, ElasticQuery query)
    {
        if (!_bound.TryGetValue((target, query), out var matcher))
        {
            matcher = query.Bind(new QueryContext(Targets[target], Now));
            _bound[(target, query)] = matcher;
        }
        return matcher;
    }

    public ResolvedField?[] Resolve(string field) => Targets.Select(t => t.Index.Mapping.Resolve(field)).ToArray();
}

/// <summary>One aggregation of the request, with its sub-aggregations.</summary>
internal abstract class AggregationSpec
{
    public required string Name { get; init; }
    public List<AggregationSpec> SubAggregations { get; } = new();
    public string? MetaJson { get; set; }

    public abstract bool AcceptsSubAggregations { get; }

    /// <summary>Per-index checks ES makes on each shard (fielddata on text, top_hits window ...).</summary>
    public virtual void Validate(IndexSnapshot target)
    {
        foreach (var sub in SubAggregations) sub.Validate(target);
    }

    public virtual bool NeedsScores => SubAggregations.Any(s => s.NeedsScores);

    public abstract AggregationResult Compute(AggregationContext context, List<MatchedDoc> docs);

    protected List<AggregationResult> ComputeSubs(AggregationContext context, List<MatchedDoc> docs) =>
        SubAggregations.Select(s => s.Compute(context, docs)).ToList();

    protected static void ValidateNotText(IndexSnapshot target, string field)
    {
        if (target.Index.Mapping.Resolve(field) is { Kind: FieldKind.Text }) throw Fielddata.Error(target, field);
    }
}

/// <summary>A computed aggregation, written under its name (or "type#name" with typed_keys).</summary>
internal abstract class AggregationResult
{
    protected AggregationResult(AggregationSpec spec)
    {
        Name = spec.Name;
        MetaJson = spec.MetaJson;
    }

    public string Name { get; }
    public string? MetaJson { get; }
    public abstract string TypeName { get; }

    /// <summary>A single number, for terms ordered by a sub-aggregation.</summary>
    public virtual double SortValue => double.NaN;

    public void Write(Utf8JsonWriter writer, bool typedKeys)
    {
        writer.WritePropertyName(typedKeys ? TypeName + "#" + Name : Name);
        writer.WriteStartObject();
        if (MetaJson is not null)
        {
            writer.WritePropertyName("meta");
            writer.WriteRawValue(MetaJson);
        }
        WriteBody(writer, typedKeys);
        writer.WriteEndObject();
    }

    protected abstract void WriteBody(Utf8JsonWriter writer, bool typedKeys);

    public static void WriteAll(Utf8JsonWriter writer, IEnumerable<AggregationResult> results, bool typedKeys)
    {
        foreach (var result in results) result.Write(writer, typedKeys);
    }
}

/// <summary>Parses "aggs"/"aggregations" into specs, with ES's complaints for malformed definitions.</summary>
internal static class AggregationParser
{
    private static readonly HashSet<string> KnownButUnsupported = new(StringComparer.Ordinal)
    {
        "adjacency_matrix", "auto_date_histogram", "avg_bucket", "boxplot", "bucket_script", "bucket_selector", "bucket_sort",
        "categorize_text", "children", "cumulative_sum", "date_range", "derivative", "diversified_sampler", "extended_stats",
        "filters", "geo_bounds", "geo_centroid", "geo_distance", "geohash_grid", "geotile_grid", "global", "histogram",
        "ip_prefix", "ip_range", "matrix_stats", "max_bucket", "median_absolute_deviation", "min_bucket", "moving_fn",
        "multi_terms", "nested", "parent", "percentile_ranks", "percentiles", "random_sampler", "range", "rare_terms",
        "reverse_nested", "sampler", "scripted_metric", "serial_diff", "significant_terms", "significant_text", "stats_bucket",
        "string_stats", "sum_bucket", "t_test", "top_metrics", "variable_width_histogram", "weighted_avg", "rate",
    };

    public static List<AggregationSpec> Parse(JsonElement aggs, ElasticRequestBody body, JsonPath at)
    {
        if (aggs.ValueKind != JsonValueKind.Object)
            throw body.Error(at, $"Unexpected token {ElasticRequestBody.TokenName(aggs)} in [aggs].");
        var specs = new List<AggregationSpec>();
        foreach (var agg in aggs.EnumerateObject())
        {
            var aggAt = at.Property(agg.Name);
            if (agg.Name.IndexOfAny(new[] { '[', ']', '>' }) >= 0)
                throw body.Error(aggAt, $"Invalid aggregation name [{agg.Name}]. Aggregation names can contain any character except '[', ']', and '>'");
            if (agg.Value.ValueKind != JsonValueKind.Object)
                throw body.Error(aggAt, $"Aggregation definition for [{agg.Name} starts with a [{ElasticRequestBody.TokenName(agg.Value)}], expected a [START_OBJECT].");
            string? type = null;
            JsonElement definition = default;
            JsonElement? subs = null;
            string? meta = null;
            foreach (var p in agg.Value.EnumerateObject())
            {
                if (p.Name is "aggs" or "aggregations")
                {
                    if (subs is not null)
                        throw body.Error(aggAt.Property(p.Name), $"Found two sub aggregation definitions under [{agg.Name}]");
                    subs = p.Value;
                    continue;
                }
                if (p.Name == "meta")
                {
                    meta = p.Value.GetRawText();
                    continue;
                }
                if (type is not null)
                    throw body.Error(aggAt.Property(p.Name), $"Found two aggregation type definitions in [{agg.Name}]: [{type}] and [{p.Name}]");
                type = p.Name;
                definition = p.Value;
            }
            if (type is null) throw body.Error(aggAt, $"Missing definition for aggregation [{agg.Name}]");
            var typeAt = aggAt.Property(type);
            if (KnownButUnsupported.Contains(type))
                throw ElasticException.IllegalArgument($"[{type}] aggregations are not supported by the PSSocAutomation Lab");
            if (definition.ValueKind != JsonValueKind.Object)
                throw body.Error(typeAt, $"Expected [START_OBJECT] under [{type}], but got a [{ElasticRequestBody.TokenName(definition)}] in [{agg.Name}]");
            AggregationSpec spec = type switch
            {
                "terms" => TermsAggregation.Parse(agg.Name, definition, body, typeAt),
                "composite" => CompositeAggregation.Parse(agg.Name, definition, body, typeAt),
                "top_hits" => TopHitsAggregation.Parse(agg.Name, definition, body, typeAt),
                "max" or "min" or "avg" or "sum" or "value_count" or "cardinality" or "stats" => MetricAggregation.Parse(type, agg.Name, definition, body, typeAt),
                "filter" => FilterAggregation.Parse(agg.Name, definition, body, typeAt),
                "missing" => MissingAggregation.Parse(agg.Name, definition, body, typeAt),
                "date_histogram" => DateHistogramAggregation.Parse(agg.Name, definition, body, typeAt),
                _ => throw body.Error(typeAt, $"Unknown aggregation type [{type}]"),
            };
            spec.MetaJson = meta;
            if (subs is { } s)
            {
                if (!spec.AcceptsSubAggregations)
                    throw new ElasticException(400, new ElasticErrorCause("aggregation_initialization_exception",
                        $"Aggregator [{agg.Name}] of type [{type}] cannot accept sub-aggregations"));
                spec.SubAggregations.AddRange(Parse(s, body, aggAt.Property("aggs")));
            }
            specs.Add(spec);
        }
        return specs;
    }

    public static string RequiredField(JsonElement definition, ElasticRequestBody body, JsonPath at, string type, string name)
    {
        if (definition.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String) return f.GetString()!;
        if (definition.TryGetProperty("script", out _))
            throw ElasticException.IllegalArgument($"[script] in aggregation [{name}] is not supported by the PSSocAutomation Lab");
        throw ElasticException.IllegalArgument($"Required one of fields [field, script], but none were specified. ");
    }

    public static int Int(JsonElement value, ElasticRequestBody body, JsonPath at)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i)) return i;
        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out i)) return i;
        throw body.Error(at, $"[{at.Key}] failed to parse field [{at.Key}]");
    }
}

/// <summary>Keys of terms-like aggregations: the field's values as ES returns them (string, long, or double).</summary>
internal static class AggregationKeys
{
    public static void Collect(StoredDocument doc, ResolvedField field, List<object> into)
    {
        into.Clear();
        foreach (var v in doc.ValuesOf(field.Id))
        {
            if (field.IgnoreAbove != int.MaxValue && doc.ExceedsChars(v, field.IgnoreAbove)) continue;
            object key = field.Kind switch
            {
                FieldKind.Keyword or FieldKind.Text => doc.GetString(v),
                FieldKind.Double => v.Double,
                _ => v.Number,
            };
            if (!into.Contains(key)) into.Add(key);
        }
    }

    public static int Compare(object? a, object? b)
    {
        if (a is null || b is null) return a is null ? (b is null ? 0 : -1) : 1;
        return (a, b) switch
        {
            (string x, string y) => string.CompareOrdinal(x, y),
            (long x, long y) => x.CompareTo(y),
            _ => Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture)),
        };
    }

    public static void WriteKey(Utf8JsonWriter writer, object? key, FieldKind kind, bool isFloat)
    {
        switch (key)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case long l: writer.WriteNumberValue(l); break;
            case double d: ElasticNumbers.Write(writer, d, isFloat); break;
        }
    }

    /// <summary>key_as_string: what ES adds to date and boolean keys.</summary>
    public static string? KeyAsString(object key, FieldKind kind) => kind switch
    {
        FieldKind.Date => ElasticDates.Format((long)key),
        FieldKind.Boolean => (long)key != 0 ? "true" : "false",
        _ => null,
    };

    /// <summary>The field type that decides key types when indices disagree: strings win, then reals, then whole numbers.</summary>
    public static (FieldKind Kind, bool IsFloat)? KindOf(ResolvedField?[] fields)
    {
        var mapped = fields.Where(f => f is not null).Select(f => f!.Value).ToList();
        if (mapped.Count == 0) return null;
        if (mapped.Any(f => f.Kind is FieldKind.Keyword or FieldKind.Text)) return (FieldKind.Keyword, false);
        if (mapped.Any(f => f.Kind == FieldKind.Double)) return (FieldKind.Double, mapped.Where(f => f.Kind == FieldKind.Double).All(f => f.Field.IsFloat));
        if (mapped.All(f => f.Kind == FieldKind.Date)) return (FieldKind.Date, false);
        if (mapped.All(f => f.Kind == FieldKind.Boolean)) return (FieldKind.Boolean, false);
        return (FieldKind.Long, false);
    }
}

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

/// <summary>composite: every combination of source values, sorted, paged with after / after_key.</summary>
internal sealed class CompositeAggregation : AggregationSpec
{
    public required List<CompositeSource> Sources { get; init; }
    public int Size { get; init; } = 10;
    public JsonElement? After { get; init; }

    public override bool AcceptsSubAggregations => true;

    internal sealed class CompositeSource
    {
        public required string Name { get; init; }
        public required string Type { get; init; }
        public required string Field { get; init; }
        public bool Descending { get; init; }
        public bool MissingBucket { get; init; }
        public DateInterval? Interval { get; init; }
        public double HistogramInterval { get; init; }
    }

    public static CompositeAggregation Parse(string name, JsonElement d, ElasticRequestBody body, JsonPath at)
    {
        var sources = new List<CompositeSource>();
        var size = 10;
        JsonElement? after = null;
        foreach (var p in d.EnumerateObject())
        {
            var pAt = at.Property(p.Name);
            switch (p.Name)
            {
                case "size": size = AggregationParser.Int(p.Value, body, pAt); break;
                case "after": after = p.Value.Clone(); break;
                case "sources":
                    if (p.Value.ValueKind != JsonValueKind.Array) throw body.Error(pAt, "[composite] failed to parse field [sources]");
                    var i = 0;
                    foreach (var source in p.Value.EnumerateArray())
                    {
                        var sAt = pAt.Index(i++);
                        var entries = source.EnumerateObject().ToList();
                        if (entries.Count != 1) throw body.Error(sAt, "[composite] failed to parse field [sources]");
                        var sourceName = entries[0].Name;
                        var typed = entries[0].Value.EnumerateObject().ToList();
                        if (typed.Count != 1) throw body.Error(sAt.Property(sourceName), "[composite] failed to parse field [sources]");
                        var type = typed[0].Name;
                        var def = typed[0].Value;
                        if (type is not ("terms" or "date_histogram" or "histogram"))
                        {
                            if (type == "geotile_grid") throw ElasticException.IllegalArgument("[geotile_grid] composite sources are not supported by the PSSocAutomation Lab");
                            throw body.Error(sAt.Property(sourceName).Property(type), $"Unknown ValuesSource type [{type}]");
                        }
                        var field = def.TryGetProperty("field", out var f) ? f.GetString()! : throw ElasticException.IllegalArgument(
                            $"Required one of fields [field, script], but none were specified. ");
                        var order = def.TryGetProperty("order", out var o) ? o.GetString() : "asc";
                        sources.Add(new CompositeSource
                        {
                            Name = sourceName, Type = type, Field = field, Descending = order == "desc",
                            MissingBucket = def.TryGetProperty("missing_bucket", out var mb) && mb.ValueKind == JsonValueKind.True,
                            Interval = type == "date_histogram" ? DateInterval.Parse(def, name) : null,
                            HistogramInterval = type == "histogram" && def.TryGetProperty("interval", out var hi) ? hi.GetDouble() : 0,
                        });
                    }
                    break;
                default:
                    throw body.Error(pAt, $"[composite] unknown field [{p.Name}]");
            }
        }
        if (sources.Count == 0) throw ElasticException.IllegalArgument($"Composite [sources] cannot be null or empty");
        if (after is { } a)
        {
            var names = a.ValueKind == JsonValueKind.Object ? a.EnumerateObject().Select(x => x.Name).ToList() : new List<string>();
            if (names.Count != sources.Count)
                throw ElasticException.IllegalArgument($"[after] has {names.Count} value(s) but [sources] has {sources.Count}");
            foreach (var s in sources)
            {
                if (!names.Contains(s.Name)) throw ElasticException.IllegalArgument($"Missing value for [after.{s.Name}]");
            }
        }
        return new CompositeAggregation { Name = name, Sources = sources, Size = size, After = after };
    }

    public override void Validate(IndexSnapshot target)
    {
        foreach (var s in Sources) ValidateNotText(target, s.Field);
        base.Validate(target);
    }

    public override AggregationResult Compute(AggregationContext context, List<MatchedDoc> docs)
    {
        var fields = Sources.Select(s => context.Resolve(s.Field)).ToArray();
        var kinds = fields.Select(f => AggregationKeys.KindOf(f) ?? (FieldKind.Keyword, false)).ToArray();
        var groups = new Dictionary<CompositeKey, List<MatchedDoc>>();
        var perSource = Sources.Select(_ => new List<object?>()).ToArray();
        var scratch = new List<object>();
        foreach (var doc in docs)
        {
            var skip = false;
            for (var s = 0; s < Sources.Count && !skip; s++)
            {
                perSource[s].Clear();
                var field = fields[s][doc.Target];
                scratch.Clear();
                if (field is not null) AggregationKeys.Collect(doc.Doc, field.Value, scratch);
                foreach (var key in scratch) perSource[s].Add(SourceKey(Sources[s], key, kinds[s].Kind));
                if (perSource[s].Count == 0)
                {
                    if (Sources[s].MissingBucket) perSource[s].Add(null);
                    else skip = true;
                }
            }
            if (skip) continue;
            foreach (var combination in Combinations(perSource))
            {
                var key = new CompositeKey(combination);
                if (!groups.TryGetValue(key, out var list)) groups[key] = list = new List<MatchedDoc>();
                list.Add(doc);
            }
        }
        var ordered = groups.Keys.ToList();
        ordered.Sort(CompareKeys);
        if (After is { } after)
        {
            var afterKey = new CompositeKey(Sources.Select((s, i) => AfterValue(after.GetProperty(s.Name), s, kinds[i].Kind)).ToArray());
            ordered = ordered.Where(k => CompareKeys(k, afterKey) > 0).ToList();
        }
        var page = ordered.Take(Size).Select(k => (Key: k, Docs: groups[k])).ToList();
        var buckets = page.Select(b => (b.Key, b.Docs, Subs: ComputeSubs(context, b.Docs))).ToList();
        return new CompositeResult(this, kinds, buckets);
    }

    private static object? SourceKey(CompositeSource source, object value, FieldKind kind)
    {
        if (source.Interval is { } interval) return interval.Round(Convert.ToInt64(value, CultureInfo.InvariantCulture));
        if (source.Type == "histogram")
        {
            var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            return Math.Floor(d / source.HistogramInterval) * source.HistogramInterval;
        }
        return kind == FieldKind.Keyword && value is not string ? Convert.ToString(value, CultureInfo.InvariantCulture) : value;
    }

    private static object? AfterValue(JsonElement value, CompositeSource source, FieldKind kind)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (source.Type == "histogram") return value.GetDouble();
        if (source.Interval is not null || kind is FieldKind.Long or FieldKind.Date or FieldKind.Boolean)
        {
            if (value.ValueKind == JsonValueKind.Number) return value.TryGetInt64(out var l) ? l : (long)value.GetDouble();
            var text = value.GetString()!;
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)) return parsed;
            if (ElasticDates.TryParseValue(text, out parsed)) return parsed;
            if (text is "true" or "false") return text == "true" ? 1L : 0L;
            throw ElasticException.IllegalArgument($"Failed to parse [after] value [{text}] for source [{source.Name}]");
        }
        if (kind == FieldKind.Double) return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.Parse(value.GetString()!, CultureInfo.InvariantCulture);
        return value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
    }

    private int CompareKeys(CompositeKey x, CompositeKey y)
    {
        for (var i = 0; i < Sources.Count; i++)
        {
            var a = x.Values[i];
            var b = y.Values[i];
            int c;
            if (a is null || b is null)
            {
                // Missing buckets come first ascending and last descending, ES's default missing_order.
                c = a is null ? (b is null ? 0 : -1) : 1;
            }
            else
            {
                c = AggregationKeys.Compare(a, b);
            }
            if (c != 0) return Sources[i].Descending ? -c : c;
        }
        return 0;
    }

    private static IEnumerable<object?[]> Combinations(List<object?>[] perSource)
    {
        var indices = new int[perSource.Length];
        while (true)
        {
            yield return perSource.Select((values, s) => values[indices[s]]).ToArray();
            var k = perSource.Length - 1;
            while (k >= 0 && ++indices[k] == perSource[k].Count)
            {
                indices[k] = 0;
                k--;
            }
            if (k < 0) yield break;
        }
    }

    private readonly struct CompositeKey : IEquatable<CompositeKey>
    {
        public CompositeKey(object?[] values) => Values = values;
        public object?[] Values { get; }

        public bool Equals(CompositeKey other) => Values.SequenceEqual(other.Values);
        public override bool Equals(object? obj) => obj is CompositeKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var v in Values) hash.Add(v);
            return hash.ToHashCode();
        }
    }

    private sealed class CompositeResult : AggregationResult
    {
        private readonly CompositeAggregation _spec;
        private readonly (FieldKind Kind, bool IsFloat)[] _kinds;
        private readonly List<(CompositeKey Key, List<MatchedDoc> Docs, List<AggregationResult> Subs)> _buckets;

        public CompositeResult(CompositeAggregation spec, (FieldKind, bool)[] kinds, List<(CompositeKey, List<MatchedDoc>, List<AggregationResult>)> buckets) : base(spec)
        {
            _spec = spec;
            _kinds = kinds;
            _buckets = buckets;
        }

        public override string TypeName => "composite";

        protected override void WriteBody(Utf8JsonWriter writer, bool typedKeys)
        {
            if (_buckets.Count > 0)
            {
                writer.WritePropertyName("after_key");
                WriteKey(writer, _buckets[^1].Key);
            }
            writer.WriteStartArray("buckets");
            foreach (var (key, docs, subs) in _buckets)
            {
                writer.WriteStartObject();
                writer.WritePropertyName("key");
                WriteKey(writer, key);
                writer.WriteNumber("doc_count", docs.Count);
                WriteAll(writer, subs, typedKeys);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }

        private void WriteKey(Utf8JsonWriter writer, CompositeKey key)
        {
            writer.WriteStartObject();
            for (var i = 0; i < _spec.Sources.Count; i++)
            {
                writer.WritePropertyName(_spec.Sources[i].Name);
                var source = _spec.Sources[i];
                if (source.Type == "histogram" && key.Values[i] is double d) ElasticNumbers.Write(writer, d, false);
                else AggregationKeys.WriteKey(writer, key.Values[i], _kinds[i].Kind, _kinds[i].IsFloat);
            }
            writer.WriteEndObject();
        }
    }
}

/// <summary>top_hits: the best (or first by sort) documents of a bucket, written like search hits.</summary>
internal sealed class TopHitsAggregation : AggregationSpec
{
    private const int MaxInnerResultWindow = 100;

    public int From { get; init; }
    public int Size { get; init; } = 3;
    public List<SortSpec>? Sort { get; init; }
    public SourceFilter Source { get; init; } = SourceFilter.All;
    public FieldsOption? Fields { get; init; }
    public bool Version { get; init; }
    public bool SeqNoPrimaryTerm { get; init; }
    public bool TrackScores { get; init; }

    public override bool AcceptsSubAggregations => false;
    public override bool NeedsScores => Sort is null || Sort.Count == 0 || TrackScores || Sort.Any(s => s.Kind == SortKind.Score);

    public static TopHitsAggregation Parse(string name, JsonElement d, ElasticRequestBody body, JsonPath at)
    {
        int from = 0, size = 3;
        List<SortSpec>? sort = null;
        var source = SourceFilter.All;
        FieldsOption? fields = null;
        bool version = false, seqNo = false, trackScores = false;
        foreach (var p in d.EnumerateObject())
        {
            var pAt = at.Property(p.Name);
            switch (p.Name)
            {
                case "from": from = AggregationParser.Int(p.Value, body, pAt); break;
                case "size": size = AggregationParser.Int(p.Value, body, pAt); break;
                case "sort": sort = SortSpec.Parse(p.Value, body, pAt); break;
                case "_source": source = SourceFilter.Parse(p.Value, body, pAt); break;
                case "fields" or "docvalue_fields": fields = FieldsOption.Parse(p.Value, body, pAt); break;
                case "version": version = p.Value.ValueKind == JsonValueKind.True; break;
                case "seq_no_primary_term": seqNo = p.Value.ValueKind == JsonValueKind.True; break;
                case "track_scores": trackScores = p.Value.ValueKind == JsonValueKind.True; break;
                case "explain" or "stored_fields": break;
                case "highlight" or "script_fields":
                    throw ElasticException.IllegalArgument($"[{p.Name}] in top_hits is not supported by the PSSocAutomation Lab");
                default:
                    throw body.Error(pAt, $"Unknown key for a {ElasticRequestBody.TokenName(p.Value)} in [{name}]: [{p.Name}].");
            }
        }
        return new TopHitsAggregation
        {
            Name = name, From = from, Size = size, Sort = sort, Source = source, Fields = fields, Version = version, SeqNoPrimaryTerm = seqNo,
            TrackScores = trackScores,
        };
    }

    public override void Validate(IndexSnapshot target)
    {
        if (From + Size > MaxInnerResultWindow)
            throw new ElasticShardException(400, new ElasticErrorCause("illegal_argument_exception",
                $"Top hits result window is too large, the top hits aggregator [{Name}]'s from + size must be less than or equal to: [{MaxInnerResultWindow}] but was [{From + Size}]. This limit can be set by changing the [index.max_inner_result_window] index level setting."));
        if (Sort is not null)
        {
            foreach (var s in Sort) s.Validate(target);
        }
    }

    public override AggregationResult Compute(AggregationContext context, List<MatchedDoc> docs)
    {
        var sorted = Sort is { Count: > 0 };
        var specs = sorted ? Sort! : new List<SortSpec> { new() { Kind = SortKind.Score, Field = "_score", Descending = true } };
        var refs = docs.Select(d => d.Ref).ToArray();
        var scores = docs.Select(d => d.Score).ToArray();
        var order = SortedOrder.BuildTop(context.Targets, specs, refs, scores, From + Size);
        var hits = new List<SearchHit>();
        var scoreIsShown = !sorted || TrackScores;
        for (var i = From; i < order.Perm.Length && hits.Count < Size; i++)
        {
            var position = order.Perm[i];
            var reference = order.Refs[position];
            var target = context.Targets[(int)(reference >> 32)];
            var score = scoreIsShown ? scores[position] : float.NaN;
            hits.Add(new SearchHit(target, target.Docs[(int)reference], score, order, position));
        }
        var maxScore = scoreIsShown && docs.Count > 0 ? scores.Max() : float.NaN;
        return new TopHitsResult(this, hits, docs.Count, maxScore, sorted);
    }

    private sealed class TopHitsResult : AggregationResult
    {
        private readonly TopHitsAggregation _spec;
        private readonly List<SearchHit> _hits;
        private readonly long _total;
        private readonly float _maxScore;
        private readonly bool _sorted;

        public TopHitsResult(TopHitsAggregation spec, List<SearchHit> hits, long total, float maxScore, bool sorted) : base(spec)
        {
            _spec = spec;
            _hits = hits;
            _total = total;
            _maxScore = maxScore;
            _sorted = sorted;
        }

        public override string TypeName => "top_hits";

        protected override void WriteBody(Utf8JsonWriter writer, bool typedKeys)
        {
            writer.WriteStartObject("hits");
            writer.WriteStartObject("total");
            writer.WriteNumber("value", _total);
            writer.WriteString("relation", "eq");
            writer.WriteEndObject();
            writer.WritePropertyName("max_score");
            if (float.IsNaN(_maxScore)) writer.WriteNullValue();
            else ElasticNumbers.Write(writer, _maxScore, isFloat: true);
            writer.WriteStartArray("hits");
            var options = new HitOptions(_spec.Source, _spec.Fields, _sorted, _spec.Version, _spec.SeqNoPrimaryTerm);
            foreach (var hit in _hits) ElasticHitWriter.Write(writer, hit, options);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }
}

/// <summary>max, min, avg, sum, value_count, cardinality and stats over one field.</summary>
internal sealed class MetricAggregation : AggregationSpec
{
    public required string Type { get; init; }
    public required string Field { get; init; }
    public JsonElement? Missing { get; init; }

    public override bool AcceptsSubAggregations => false;

    public static MetricAggregation Parse(string type, string name, JsonElement d, ElasticRequestBody body, JsonPath at)
    {
        var field = AggregationParser.RequiredField(d, body, at, type, name);
        JsonElement? missing = null;
        foreach (var p in d.EnumerateObject())
        {
            switch (p.Name)
            {
                case "field": break;
                case "missing": missing = p.Value.Clone(); break;
                case "precision_threshold" or "format" or "value_type" or "execution_hint": break;
                case "script": throw ElasticException.IllegalArgument($"[script] in aggregation [{name}] is not supported by the PSSocAutomation Lab");
                default: throw body.Error(at.Property(p.Name), $"[{type}] unknown field [{p.Name}]");
            }
        }
        return new MetricAggregation { Name = name, Type = type, Field = field, Missing = missing };
    }

    public override void Validate(IndexSnapshot target)
    {
        ValidateNotText(target, Field);
        if (Type is "max" or "min" or "avg" or "sum" or "stats" && target.Index.Mapping.Resolve(Field) is { Kind: FieldKind.Keyword } f)
            throw new ElasticShardException(400, new ElasticErrorCause("illegal_argument_exception",
                $"Field [{Field}] of type [{f.Type}] is not supported for aggregation [{Type}]"));
    }

    public override AggregationResult Compute(AggregationContext context, List<MatchedDoc> docs)
    {
        var fields = context.Resolve(Field);
        var kind = AggregationKeys.KindOf(fields);
        long count = 0;
        double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        var distinct = new HashSet<object>();
        var keys = new List<object>();
        foreach (var doc in docs)
        {
            var field = fields[doc.Target];
            var values = field is null ? ReadOnlySpan<FieldValue>.Empty : doc.Doc.ValuesOf(field.Value.Id);
            if (values.IsEmpty)
            {
                if (Missing is { } m && m.ValueKind == JsonValueKind.Number) Add(m.GetDouble());
                continue;
            }
            if (Type is "cardinality")
            {
                AggregationKeys.Collect(doc.Doc, field!.Value, keys);
                foreach (var k in keys) distinct.Add(k);
                continue;
            }
            foreach (var v in values)
            {
                if (field!.Value.IgnoreAbove != int.MaxValue && doc.Doc.ExceedsChars(v, field.Value.IgnoreAbove)) continue;
                Add(field.Value.Kind == FieldKind.Double ? v.Double : v.Number);
            }
        }
        return new MetricResult(this, kind?.Kind ?? FieldKind.Double, count, sum, min, max, distinct.Count);

        void Add(double value)
        {
            count++;
            sum += value;
            if (value < min) min = value;
            if (value > max) max = value;
        }
    }
}

internal sealed class MetricResult : AggregationResult
{
    private readonly string _type;
    private readonly FieldKind _kind;
    private readonly long _count;
    private readonly double _sum;
    private readonly double _min;
    private readonly double _max;
    private readonly long _distinct;

    public MetricResult(MetricAggregation spec, FieldKind kind, long count, double sum, double min, double max, long distinct) : base(spec)
    {
        _type = spec.Type;
        _kind = kind;
        _count = count;
        _sum = sum;
        _min = min;
        _max = max;
        _distinct = distinct;
    }

    public override string TypeName => _type;

    public override double SortValue => Stat(_type);

    public double Stat(string name) => name switch
    {
        "max" => _count == 0 ? double.NegativeInfinity : _max,
        "min" => _count == 0 ? double.PositiveInfinity : _min,
        "avg" => _count == 0 ? double.NaN : _sum / _count,
        "sum" => _sum,
        "count" or "value_count" => _count,
        "cardinality" => _distinct,
        _ => double.NaN,
    };

    protected override void WriteBody(Utf8JsonWriter writer, bool typedKeys)
    {
        switch (_type)
        {
            case "value_count":
                writer.WriteNumber("value", _count);
                break;
            case "cardinality":
                writer.WriteNumber("value", _distinct);
                break;
            case "sum":
                writer.WritePropertyName("value");
                ElasticNumbers.Write(writer, _sum, false);
                WriteAsString(writer, "value_as_string", _sum, _count > 0);
                break;
            case "stats":
                writer.WriteNumber("count", _count);
                Nullable("min", _min);
                Nullable("max", _max);
                Nullable("avg", _sum / Math.Max(1, _count));
                writer.WritePropertyName("sum");
                ElasticNumbers.Write(writer, _sum, false);
                if (_kind == FieldKind.Date && _count > 0)
                {
                    WriteAsString(writer, "min_as_string", _min, true);
                    WriteAsString(writer, "max_as_string", _max, true);
                    WriteAsString(writer, "avg_as_string", _sum / _count, true);
                    WriteAsString(writer, "sum_as_string", _sum, true);
                }
                break;
            default:
                var value = _type switch { "max" => _max, "min" => _min, _ => _sum / Math.Max(1, _count) };
                Nullable("value", value);
                WriteAsString(writer, "value_as_string", value, _count > 0);
                break;
        }

        void Nullable(string name, double value)
        {
            writer.WritePropertyName(name);
            if (_count == 0) writer.WriteNullValue();
            else ElasticNumbers.Write(writer, value, false);
        }
    }

    /// <summary>Date fields get the formatted twin ES adds ("value_as_string").</summary>
    private void WriteAsString(Utf8JsonWriter writer, string name, double value, bool present)
    {
        if (present && _kind == FieldKind.Date) writer.WriteString(name, ElasticDates.Format((long)value));
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

/// <summary>A date_histogram interval: fixed (30m, 1h, 1d) or calendar (minute ... year) in a time zone.</summary>
internal sealed class DateInterval
{
    private readonly long _fixedMillis;
    private readonly char _calendarUnit;
    private readonly TimeZoneInfo? _zone;

    private DateInterval(long fixedMillis, char calendarUnit, TimeZoneInfo? zone)
    {
        _fixedMillis = fixedMillis;
        _calendarUnit = calendarUnit;
        _zone = zone;
    }

    public static DateInterval Parse(JsonElement d, string name)
    {
        var zone = d.TryGetProperty("time_zone", out var tz) ? ElasticDates.ParseZone(tz.GetString()) : null;
        if (d.TryGetProperty("calendar_interval", out var ci))
        {
            var unit = ci.GetString() switch
            {
                "1m" or "minute" => 'm',
                "1h" or "hour" => 'h',
                "1d" or "day" => 'd',
                "1w" or "week" => 'w',
                "1M" or "month" => 'M',
                "1q" or "quarter" => 'q',
                "1y" or "year" => 'y',
                var other => throw ElasticException.IllegalArgument($"The supplied interval [{other}] could not be parsed as a calendar interval."),
            };
            return new DateInterval(0, unit, zone);
        }
        var text = d.TryGetProperty("fixed_interval", out var fi) ? fi.GetString() : d.TryGetProperty("interval", out var iv) ? iv.GetString() : null;
        if (text is null) throw ElasticException.IllegalArgument($"Invalid interval specified, must be non-null and non-empty");
        var millis = ElasticTimeValue.TryParse(text, out var span) ? (long)span.TotalMilliseconds : 0;
        if (millis <= 0) throw ElasticException.IllegalArgument($"failed to parse setting [date_histogram.fixedInterval] with value [{text}] as a time value: unit is missing or unrecognized");
        return new DateInterval(millis, '\0', zone);
    }

    public long Round(long millis)
    {
        var offset = _zone?.GetUtcOffset(DateTimeOffset.FromUnixTimeMilliseconds(millis)) ?? TimeSpan.Zero;
        if (_fixedMillis > 0)
        {
            var local = millis + (long)offset.TotalMilliseconds;
            return Math.DivRem(local, _fixedMillis, out var rem) * _fixedMillis - (rem < 0 ? _fixedMillis : 0) - (long)offset.TotalMilliseconds;
        }
        var t = DateTimeOffset.FromUnixTimeMilliseconds(millis).ToOffset(offset);
        var start = _calendarUnit switch
        {
            'm' => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, t.Offset),
            'h' => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, t.Offset),
            'd' => new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, t.Offset),
            'w' => new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, t.Offset).AddDays(-(((int)t.DayOfWeek + 6) % 7)),
            'M' => new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, t.Offset),
            'q' => new DateTimeOffset(t.Year, (t.Month - 1) / 3 * 3 + 1, 1, 0, 0, 0, t.Offset),
            _ => new DateTimeOffset(t.Year, 1, 1, 0, 0, 0, t.Offset),
        };
        return start.ToUnixTimeMilliseconds();
    }

    public long Next(long bucket)
    {
        if (_fixedMillis > 0) return bucket + _fixedMillis;
        var offset = _zone?.GetUtcOffset(DateTimeOffset.FromUnixTimeMilliseconds(bucket)) ?? TimeSpan.Zero;
        var t = DateTimeOffset.FromUnixTimeMilliseconds(bucket).ToOffset(offset);
        var next = _calendarUnit switch
        {
            'm' => t.AddMinutes(1),
            'h' => t.AddHours(1),
            'd' => t.AddDays(1),
            'w' => t.AddDays(7),
            'M' => t.AddMonths(1),
            'q' => t.AddMonths(3),
            _ => t.AddYears(1),
        };
        return Round(next.ToUnixTimeMilliseconds());
    }
}

internal sealed class DateHistogramAggregation : AggregationSpec
{
    public required string Field { get; init; }
    public required DateInterval Interval { get; init; }
    public int MinDocCount { get; init; }
    public bool Descending { get; init; }

    public override bool AcceptsSubAggregations => true;

    public static DateHistogramAggregation Parse(string name, JsonElement d, ElasticRequestBody body, JsonPath at)
    {
        var field = AggregationParser.RequiredField(d, body, at, "date_histogram", name);
        var minDocCount = d.TryGetProperty("min_doc_count", out var mdc) ? AggregationParser.Int(mdc, body, at.Property("min_doc_count")) : 0;
        var descending = d.TryGetProperty("order", out var o) && o.ValueKind == JsonValueKind.Object &&
            o.EnumerateObject().Any(p => p.Name == "_key" && p.Value.GetString() == "desc");
        return new DateHistogramAggregation { Name = name, Field = field, Interval = DateInterval.Parse(d, name), MinDocCount = minDocCount, Descending = descending };
    }

    public override void Validate(IndexSnapshot target)
    {
        if (target.Index.Mapping.Resolve(Field) is { } f && f.Kind is not (FieldKind.Date or FieldKind.Long))
            throw new ElasticShardException(400, new ElasticErrorCause("illegal_argument_exception",
                $"Field [{Field}] of type [{f.Type}] is not supported for aggregation [date_histogram]"));
        base.Validate(target);
    }

    public override AggregationResult Compute(AggregationContext context, List<MatchedDoc> docs)
    {
        var fields = context.Resolve(Field);
        var groups = new SortedDictionary<long, List<MatchedDoc>>();
        foreach (var doc in docs)
        {
            if (fields[doc.Target] is not { } field) continue;
            var seen = new HashSet<long>();
            foreach (var v in doc.Doc.ValuesOf(field.Id))
            {
                var key = Interval.Round(v.Number);
                if (!seen.Add(key)) continue;
                if (!groups.TryGetValue(key, out var list)) groups[key] = list = new List<MatchedDoc>();
                list.Add(doc);
            }
        }
        var buckets = new List<(long Key, List<MatchedDoc> Docs)>();
        if (groups.Count > 0)
        {
            if (MinDocCount == 0)
            {
                var last = groups.Keys.Last();
                for (var key = groups.Keys.First(); key <= last; key = Interval.Next(key))
                    buckets.Add((key, groups.TryGetValue(key, out var list) ? list : new List<MatchedDoc>()));
            }
            else
            {
                buckets.AddRange(groups.Where(g => g.Value.Count >= MinDocCount).Select(g => (g.Key, g.Value)));
            }
        }
        if (Descending) buckets.Reverse();
        return new HistogramResult(this, buckets.Select(b => (b.Key, b.Docs.Count, ComputeSubs(context, b.Docs))).ToList());
    }

    private sealed class HistogramResult : AggregationResult
    {
        private readonly List<(long Key, int Count, List<AggregationResult> Subs)> _buckets;

        public HistogramResult(AggregationSpec spec, List<(long, int, List<AggregationResult>)> buckets) : base(spec) => _buckets = buckets;

        public override string TypeName => "date_histogram";

        protected override void WriteBody(Utf8JsonWriter writer, bool typedKeys)
        {
            writer.WriteStartArray("buckets");
            foreach (var (key, count, subs) in _buckets)
            {
                writer.WriteStartObject();
                writer.WriteString("key_as_string", ElasticDates.Format(key));
                writer.WriteNumber("key", key);
                writer.WriteNumber("doc_count", count);
                WriteAll(writer, subs, typedKeys);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
    }
}
