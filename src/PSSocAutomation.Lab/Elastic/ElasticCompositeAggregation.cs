using System.Globalization;
using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

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
