using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// A parsed query, independent of any index. <see cref="Bind"/> turns it into a matcher for one index's mapping:
/// the same term query is a byte comparison on a keyword field, a token lookup on a text field and a number range
/// on a date, exactly as each ES field type builds its own Lucene query.
/// </summary>
internal abstract class ElasticQuery
{
    public float Boost { get; set; } = 1f;

    public abstract DocMatcher Bind(QueryContext context);

    public static readonly ElasticQuery MatchAll = new MatchAllQuery();

    protected static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    /// <summary>A value for a numeric, date or boolean field, or a shard error worded like ES's.</summary>
    protected static long ToLong(QueryContext context, JsonElement value, ResolvedField field)
    {
        var text = Text(value);
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var l)) return l;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l)) return l;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            if (d != Math.Floor(d)) throw context.ShardError($"failed to create query: Value [{text}] has a decimal part",
                new ElasticErrorCause("illegal_argument_exception", $"Value [{text}] has a decimal part"));
            return (long)d;
        }
        throw NumberError(context, text);
    }

    protected static double ToDouble(QueryContext context, JsonElement value, ResolvedField field)
    {
        var text = Text(value);
        if (value.ValueKind == JsonValueKind.Number) return value.GetDouble();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        throw NumberError(context, text);
    }

    private static ElasticShardException NumberError(QueryContext context, string text) =>
        context.ShardError($"failed to create query: For input string: \"{text}\"",
            new ElasticErrorCause("number_format_exception", $"For input string: \"{text}\""));

    protected static long ToBoolean(QueryContext context, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.True) return 1;
        if (value.ValueKind == JsonValueKind.False) return 0;
        var text = Text(value);
        return text switch
        {
            "true" => 1,
            "false" or "" => 0,
            _ => throw context.ShardError($"failed to create query: Can't parse boolean value [{text}], expected [true] or [false]",
                new ElasticErrorCause("illegal_argument_exception", $"Can't parse boolean value [{text}], expected [true] or [false]")),
        };
    }

    protected static long ToDate(QueryContext context, JsonElement value, bool roundUp, string? format, TimeZoneInfo? zone)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt64(out var l) ? l : (long)value.GetDouble();
        }
        var text = Text(value);
        if (ElasticDates.TryParseMath(text, context.Now, roundUp, format, zone, out var millis, out var error)) return millis;
        throw context.ShardError($"failed to create query: {error}",
            new ElasticErrorCause("parse_exception", error ?? $"failed to parse date field [{text}]")
            {
                CausedBy = new ElasticErrorCause("illegal_argument_exception", $"failed to parse date field [{text}] with format [{format ?? ElasticDates.DefaultFormat}]"),
            });
    }

    /// <summary>An exact-value query on any field type: term, and match/match_phrase on non-text fields.</summary>
    protected static DocMatcher ExactValue(QueryContext context, ResolvedField field, JsonElement value, bool ignoreCase, float boost, bool constantScore)
    {
        switch (field.Kind)
        {
            case FieldKind.Keyword:
                return new KeywordTermMatcher(context, field, Text(value), ignoreCase, boost);
            case FieldKind.Text:
                var token = ignoreCase ? Text(value).ToLowerInvariant() : Text(value);
                return new TextTokenMatcher(context, field.Id, new[] { token }, boost, constantScore);
            case FieldKind.Long:
                var l = ToLong(context, value, field);
                return new LongRangeMatcher(field.Id, l, l, boost);
            case FieldKind.Double:
                var d = ToDouble(context, value, field);
                if (field.Field.IsFloat) d = (float)d;
                return new DoubleRangeMatcher(field.Id, d, true, d, true, boost);
            case FieldKind.Date:
                return new LongRangeMatcher(field.Id, ToDate(context, value, false, field.Field.Format, null),
                    ToDate(context, value, true, field.Field.Format, null), boost);
            default:
                var b = ToBoolean(context, value);
                return new LongRangeMatcher(field.Id, b, b, boost);
        }
    }

    /// <summary>minimum_should_match: "2", "-1", "75%", "-25%" against the number of optional clauses.</summary>
    public static int ResolveMinimumShouldMatch(string? spec, int optional, int fallback)
    {
        if (string.IsNullOrWhiteSpace(spec)) return fallback;
        spec = spec.Trim();
        int result;
        if (spec.EndsWith('%'))
        {
            var percent = int.Parse(spec[..^1], CultureInfo.InvariantCulture);
            var count = (int)Math.Floor(optional * Math.Abs(percent) / 100.0);
            result = percent < 0 ? optional - count : count;
        }
        else
        {
            var n = int.Parse(spec, CultureInfo.InvariantCulture);
            result = n < 0 ? optional + n : n;
        }
        return Math.Clamp(result, 0, optional);
    }
}

internal sealed class MatchAllQuery : ElasticQuery
{
    public override DocMatcher Bind(QueryContext context) => new MatchAllMatcher(Boost);
}

internal sealed class MatchNoneQuery : ElasticQuery
{
    public override DocMatcher Bind(QueryContext context) => MatchNoneMatcher.Instance;
}

/// <summary>Special fields every index answers: _id and _index.</summary>
internal static class MetaFields
{
    public static DocMatcher? Bind(QueryContext context, string field, IReadOnlyList<string> values, float boost) => field switch
    {
        "_id" => new IdsMatcher(values, boost),
        "_index" => values.Any(v => ElasticWildcard.Matches(v, context.Snapshot.Index.Name)) ? new MatchAllMatcher(boost) : MatchNoneMatcher.Instance,
        _ => null,
    };
}

internal sealed class TermQuery : ElasticQuery
{
    public required string Field { get; init; }
    public required JsonElement Value { get; init; }
    public bool CaseInsensitive { get; init; }

    public override DocMatcher Bind(QueryContext context)
    {
        if (MetaFields.Bind(context, Field, new[] { Text(Value) }, Boost) is { } meta) return meta;
        var field = context.Mapping.Resolve(Field);
        return field is null ? MatchNoneMatcher.Instance : ExactValue(context, field.Value, Value, CaseInsensitive, Boost, constantScore: false);
    }
}

internal sealed class TermsQuery : ElasticQuery
{
    public required string Field { get; init; }
    public required JsonElement[] Values { get; init; }

    public override DocMatcher Bind(QueryContext context)
    {
        if (MetaFields.Bind(context, Field, Values.Select(Text).ToArray(), Boost) is { } meta) return meta;
        if (context.Mapping.Resolve(Field) is not { } field || Values.Length == 0) return MatchNoneMatcher.Instance;
        return field.Kind switch
        {
            FieldKind.Keyword => new KeywordSetMatcher(field, Values.Select(Text), Boost),
            FieldKind.Text => new TextTokenMatcher(context, field.Id, Values.Select(Text), Boost, constantScore: true),
            FieldKind.Long => new LongSetMatcher(field.Id, Values.Select(v => ToLong(context, v, field)), Boost),
            FieldKind.Boolean => new LongSetMatcher(field.Id, Values.Select(v => ToBoolean(context, v)), Boost),
            _ => new ConstantScoreMatcher(new DisMaxMatcher(Values.Select(v => ExactValue(context, field, v, false, 1, true)).ToArray(), 0, 1), Boost),
        };
    }
}

internal sealed class MatchQuery : ElasticQuery
{
    public required string Field { get; init; }
    public required JsonElement Value { get; init; }
    public string Operator { get; init; } = "or";
    public string? MinimumShouldMatch { get; init; }
    public bool Lenient { get; init; }
    public bool ZeroTermsAll { get; init; }

    public override DocMatcher Bind(QueryContext context)
    {
        if (MetaFields.Bind(context, Field, new[] { Text(Value) }, Boost) is { } meta) return meta;
        if (context.Mapping.Resolve(Field) is not { } field) return MatchNoneMatcher.Instance;
        if (field.Kind != FieldKind.Text)
        {
            try
            {
                return ExactValue(context, field, Value, false, Boost, constantScore: false);
            }
            catch (ElasticShardException) when (Lenient)
            {
                return MatchNoneMatcher.Instance;
            }
        }
        var terms = ElasticAnalyzer.Tokenize(Text(Value)).Distinct().ToArray();
        if (terms.Length == 0) return ZeroTermsAll ? new MatchAllMatcher(Boost) : MatchNoneMatcher.Instance;
        var required = string.Equals(Operator, "and", StringComparison.OrdinalIgnoreCase)
            ? terms.Length
            : ElasticQuery.ResolveMinimumShouldMatch(MinimumShouldMatch, terms.Length, 1);
        return new MatchTextMatcher(context, field.Id, terms, required, Boost);
    }
}

internal sealed class MatchPhraseQuery : ElasticQuery
{
    public required string Field { get; init; }
    public required JsonElement Value { get; init; }
    public int Slop { get; init; }
    public bool Lenient { get; init; }

    public override DocMatcher Bind(QueryContext context)
    {
        if (context.Mapping.Resolve(Field) is not { } field) return MatchNoneMatcher.Instance;
        if (field.Kind != FieldKind.Text)
        {
            try
            {
                return ExactValue(context, field, Value, false, Boost, constantScore: false);
            }
            catch (ElasticShardException) when (Lenient)
            {
                return MatchNoneMatcher.Instance;
            }
        }
        var terms = ElasticAnalyzer.Tokenize(Text(Value)).ToArray();
        if (terms.Length == 0) return MatchNoneMatcher.Instance;
        return terms.Length == 1
            ? new TextTokenMatcher(context, field.Id, terms, Boost, constantScore: false)
            : new PhraseMatcher(context, field.Id, terms, Slop, Boost);
    }
}

/// <summary>multi_match best_fields / phrase: the best field's score, over field names that may hold '*' and '^boost'.</summary>
internal sealed class MultiMatchQuery : ElasticQuery
{
    public required string[] Fields { get; init; }
    public required JsonElement Value { get; init; }
    public string Type { get; init; } = "best_fields";
    public string Operator { get; init; } = "or";
    public string? MinimumShouldMatch { get; init; }
    public float TieBreaker { get; init; }
    public bool Lenient { get; init; }

    public override DocMatcher Bind(QueryContext context)
    {
        var parts = new List<DocMatcher>();
        var patterns = Fields.Length == 0 ? new[] { "*" } : Fields;
        var lenient = Lenient || patterns.Any(p => p.Contains('*'));
        foreach (var spec in patterns)
        {
            var caret = spec.IndexOf('^');
            var name = caret >= 0 ? spec[..caret] : spec;
            var boost = caret >= 0 && float.TryParse(spec[(caret + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var b) ? b : 1f;
            var fields = name.Contains('*')
                ? context.Mapping.Match(name).Where(f => f.Kind is FieldKind.Text or FieldKind.Keyword || !name.Equals("*")).Select(f => f.Name)
                : new[] { name };
            foreach (var field in fields)
            {
                ElasticQuery query = Type is "phrase" or "phrase_prefix"
                    ? new MatchPhraseQuery { Field = field, Value = Value, Lenient = lenient, Boost = boost }
                    : new MatchQuery { Field = field, Value = Value, Operator = Operator, MinimumShouldMatch = MinimumShouldMatch, Lenient = lenient, Boost = boost };
                parts.Add(query.Bind(context));
            }
        }
        return parts.Count == 0 ? MatchNoneMatcher.Instance : new DisMaxMatcher(parts.ToArray(), Type == "most_fields" ? 1f : TieBreaker, Boost);
    }
}

internal sealed class RangeQuery : ElasticQuery
{
    public required string Field { get; init; }
    public JsonElement? Gt { get; set; }
    public JsonElement? Gte { get; set; }
    public JsonElement? Lt { get; set; }
    public JsonElement? Lte { get; set; }
    public string? Format { get; init; }
    public string? TimeZone { get; init; }

    public override DocMatcher Bind(QueryContext context)
    {
        if (context.Mapping.Resolve(Field) is not { } field) return MatchNoneMatcher.Instance;
        switch (field.Kind)
        {
            case FieldKind.Long:
            case FieldKind.Boolean:
            {
                var min = long.MinValue;
                var max = long.MaxValue;
                if (Gte is { } gte) min = field.Kind == FieldKind.Boolean ? ToBoolean(context, gte) : Ceiling(context, gte, field);
                if (Gt is { } gt) min = Saturate((field.Kind == FieldKind.Boolean ? ToBoolean(context, gt) : FloorOf(context, gt, field)), +1);
                if (Lte is { } lte) max = field.Kind == FieldKind.Boolean ? ToBoolean(context, lte) : FloorOf(context, lte, field);
                if (Lt is { } lt) max = Saturate((field.Kind == FieldKind.Boolean ? ToBoolean(context, lt) : Ceiling(context, lt, field)), -1);
                return new LongRangeMatcher(field.Id, min, max, Boost);
            }
            case FieldKind.Date:
            {
                var zone = ElasticDates.ParseZone(TimeZone);
                var format = Format ?? field.Field.Format;
                var min = long.MinValue;
                var max = long.MaxValue;
                if (Gte is { } gte) min = ToDate(context, gte, false, format, zone);
                if (Gt is { } gt) min = Saturate(ToDate(context, gt, true, format, zone), +1);
                if (Lte is { } lte) max = ToDate(context, lte, true, format, zone);
                if (Lt is { } lt) max = Saturate(ToDate(context, lt, false, format, zone), -1);
                return new LongRangeMatcher(field.Id, min, max, Boost);
            }
            case FieldKind.Double:
            {
                double min = double.NegativeInfinity, max = double.PositiveInfinity;
                bool minInclusive = true, maxInclusive = true;
                if (Gte is { } gte) min = ToDouble(context, gte, field);
                if (Gt is { } gt)
                {
                    min = ToDouble(context, gt, field);
                    minInclusive = false;
                }
                if (Lte is { } lte) max = ToDouble(context, lte, field);
                if (Lt is { } lt)
                {
                    max = ToDouble(context, lt, field);
                    maxInclusive = false;
                }
                return new DoubleRangeMatcher(field.Id, min, minInclusive, max, maxInclusive, Boost);
            }
            default:
            {
                string? min = null, max = null;
                bool minInclusive = true, maxInclusive = true;
                if (Gte is { } gte) min = Text(gte);
                if (Gt is { } gt)
                {
                    min = Text(gt);
                    minInclusive = false;
                }
                if (Lte is { } lte) max = Text(lte);
                if (Lt is { } lt)
                {
                    max = Text(lt);
                    maxInclusive = false;
                }
                return new KeywordRangeMatcher(field.Id, min, minInclusive, max, maxInclusive, field.Kind == FieldKind.Text, Boost);
            }
        }
    }

    private static long Saturate(long value, int step) =>
        step > 0 ? (value == long.MaxValue ? value : value + 1) : (value == long.MinValue ? value : value - 1);

    private static long Ceiling(QueryContext context, JsonElement value, ResolvedField field)
    {
        var d = ToDouble(context, value, field);
        return d == Math.Floor(d) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var exact) ? exact : (long)Math.Ceiling(d);
    }

    private static long FloorOf(QueryContext context, JsonElement value, ResolvedField field)
    {
        var d = ToDouble(context, value, field);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var exact) ? exact : (long)Math.Floor(d);
    }
}

internal sealed class ExistsQuery : ElasticQuery
{
    public required string Field { get; init; }

    public override DocMatcher Bind(QueryContext context)
    {
        if (Field is "_id" or "_index" or "_source") return new MatchAllMatcher(Boost);
        var fields = new List<ResolvedField>();
        if (Field.Contains('*')) fields.AddRange(context.Mapping.Match(Field));
        else if (context.Mapping.Resolve(Field) is { } field) fields.Add(field);
        else fields.AddRange(context.Mapping.Under(Field).Select(f => new ResolvedField(f, false)));
        return fields.Count == 0 ? MatchNoneMatcher.Instance : new ExistsMatcher(fields.ToArray(), Boost);
    }
}

internal sealed class IdsQuery : ElasticQuery
{
    public required string[] Values { get; init; }
    public override DocMatcher Bind(QueryContext context) => new IdsMatcher(Values, Boost);
}

/// <summary>prefix, wildcard and regexp share their binding: keyword and text fields only, as in ES.</summary>
internal sealed class PatternQuery : ElasticQuery
{
    public required string Kind { get; init; }
    public required string Field { get; init; }
    public required string Value { get; init; }
    public bool CaseInsensitive { get; init; }

    public override DocMatcher Bind(QueryContext context)
    {
        if (Field == "_id")
        {
            var test = Test(Value, CaseInsensitive);
            return new ConstantScoreMatcher(new IdPatternMatcher(test), Boost);
        }
        if (context.Mapping.Resolve(Field) is not { } field) return MatchNoneMatcher.Instance;
        if (field.Kind is not (FieldKind.Keyword or FieldKind.Text))
        {
            var what = Kind == "prefix" ? "prefix" : Kind;
            throw context.ShardError($"failed to create query: Can only use {what} queries on keyword and text fields - not on [{Field}] which is of type [{field.Type}]",
                new ElasticErrorCause("illegal_argument_exception", $"Can only use {what} queries on keyword and text fields - not on [{Field}] which is of type [{field.Type}]"));
        }
        // Text fields hold lowercased tokens; ES normalizes wildcard and regexp terms the same way for them.
        var value = field.Kind == FieldKind.Text && Kind != "prefix" ? Value.ToLowerInvariant() : Value;
        return new PatternMatcher(field, Test(value, CaseInsensitive), Boost);
    }

    private Func<string, bool> Test(string value, bool ignoreCase)
    {
        switch (Kind)
        {
            case "prefix":
                var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                return s => s.StartsWith(value, comparison);
            case "wildcard":
                return s => ElasticWildcard.MatchesQuery(value, s, ignoreCase);
            default:
                var regex = new Regex("^(?:" + value + ")$", RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None),
                    TimeSpan.FromSeconds(1));
                return regex.IsMatch;
        }
    }

    private sealed class IdPatternMatcher : ConstantMatcher
    {
        private readonly Func<string, bool> _test;
        public IdPatternMatcher(Func<string, bool> test) : base(1) => _test = test;
        public override bool Matches(StoredDocument doc) => _test(doc.Id);
    }
}

internal sealed class BoolQuery : ElasticQuery
{
    public List<ElasticQuery> Must { get; } = new();
    public List<ElasticQuery> Filter { get; } = new();
    public List<ElasticQuery> Should { get; } = new();
    public List<ElasticQuery> MustNot { get; } = new();
    public string? MinimumShouldMatch { get; set; }

    public override DocMatcher Bind(QueryContext context)
    {
        var must = Must.Select(q => q.Bind(context)).ToArray();
        var filter = Filter.Select(q => q.Bind(context)).ToArray();
        var should = Should.Select(q => q.Bind(context)).ToArray();
        var mustNot = MustNot.Select(q => q.Bind(context)).ToArray();
        // With no must or filter clause, at least one should clause has to match; otherwise they only add score.
        var fallback = should.Length > 0 && must.Length == 0 && filter.Length == 0 ? 1 : 0;
        var minimum = ElasticQuery.ResolveMinimumShouldMatch(MinimumShouldMatch, should.Length, fallback);
        return new BoolMatcher(must, filter, should, mustNot, minimum, Boost);
    }
}

internal sealed class ConstantScoreQuery : ElasticQuery
{
    public required ElasticQuery Filter { get; init; }
    public override DocMatcher Bind(QueryContext context) => new ConstantScoreMatcher(Filter.Bind(context), Boost);
}

internal sealed class DisMaxQuery : ElasticQuery
{
    public required List<ElasticQuery> Queries { get; init; }
    public float TieBreaker { get; init; }
    public override DocMatcher Bind(QueryContext context) =>
        new DisMaxMatcher(Queries.Select(q => q.Bind(context)).ToArray(), TieBreaker, Boost);
}
