using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

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
