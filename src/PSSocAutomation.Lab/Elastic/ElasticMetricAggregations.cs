using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

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
