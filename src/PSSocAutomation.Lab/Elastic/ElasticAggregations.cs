using System.Globalization;
using System.Text.Json;

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
