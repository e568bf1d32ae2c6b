using System.Text;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>What a query is bound against: one index snapshot, the request's "now", and lazily its scoring statistics.</summary>
internal sealed class QueryContext
{
    private ScoringStats? _stats;

    public QueryContext(IndexSnapshot snapshot, DateTimeOffset now)
    {
        Snapshot = snapshot;
        Now = now;
    }

    public IndexSnapshot Snapshot { get; }
    public ElasticMapping Mapping => Snapshot.Index.Mapping;
    public DateTimeOffset Now { get; }
    public ScoringStats Stats => _stats ??= new ScoringStats(Snapshot);

    /// <summary>A query the shard cannot build (a word for a long field, a bad query_string ...).</summary>
    public ElasticShardException ShardError(string reason, ElasticErrorCause? cause = null)
    {
        var error = new ElasticErrorCause("query_shard_exception", reason) { CausedBy = cause };
        error.With("index_uuid", Snapshot.Index.Uuid).With("index", Snapshot.Index.Name);
        return new ElasticShardException(400, error);
    }
}

/// <summary>
/// BM25 as Lucene 9 computes it (k1 1.2, b 0.75; keyword fields have no length norm), with statistics gathered from
/// the snapshot on first use. Only searches that rank by score pay for it.
/// </summary>
internal sealed class ScoringStats
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private readonly IndexSnapshot _snapshot;
    private readonly Dictionary<int, (int Docs, double AverageLength)> _fields = new();
    private readonly Dictionary<(int, string), int> _docFreq = new();

    public ScoringStats(IndexSnapshot snapshot) => _snapshot = snapshot;

    public float Score(int field, string term, bool text, int termFrequency, int length, float boost)
    {
        var (docs, average) = FieldStats(field, text);
        var df = DocFreq(field, term, text);
        var idf = Math.Log(1 + (docs - df + 0.5) / (df + 0.5));
        var norm = text && average > 0 ? K1 * (1 - B + B * length / average) : K1;
        return (float)(boost * idf * termFrequency / (termFrequency + norm));
    }

    private (int, double) FieldStats(int field, bool text)
    {
        if (_fields.TryGetValue(field, out var stats)) return stats;
        var docs = 0;
        long lengths = 0;
        var tokens = new List<string>();
        for (var i = 0; i < _snapshot.Count; i++)
        {
            var doc = _snapshot.Docs[i];
            if (!doc.VisibleAt(_snapshot.Generation)) continue;
            var values = doc.ValuesOf(field);
            if (values.IsEmpty) continue;
            docs++;
            if (!text) continue;
            foreach (var v in values)
            {
                tokens.Clear();
                ElasticAnalyzer.Tokenize(doc.GetString(v), tokens);
                lengths += tokens.Count;
            }
        }
        stats = (docs, docs == 0 ? 1 : (double)lengths / docs);
        _fields[field] = stats;
        return stats;
    }

    private int DocFreq(int field, string term, bool text)
    {
        if (_docFreq.TryGetValue((field, term), out var n)) return n;
        var tokens = new List<string>();
        for (var i = 0; i < _snapshot.Count; i++)
        {
            var doc = _snapshot.Docs[i];
            if (!doc.VisibleAt(_snapshot.Generation)) continue;
            foreach (var v in doc.ValuesOf(field))
            {
                bool hit;
                if (text)
                {
                    tokens.Clear();
                    ElasticAnalyzer.Tokenize(doc.GetString(v), tokens);
                    hit = tokens.Contains(term);
                }
                else
                {
                    hit = doc.GetString(v) == term;
                }
                if (hit)
                {
                    n++;
                    break;
                }
            }
        }
        _docFreq[(field, term)] = n;
        return n;
    }
}

/// <summary>A query bound to one index: says whether a document matches and, for ranking, how well.</summary>
internal abstract class DocMatcher
{
    public abstract bool Matches(StoredDocument doc);

    /// <summary>Only asked of documents that match.</summary>
    public abstract float Score(StoredDocument doc);

    public virtual bool MatchesEverything => false;
}

internal sealed class MatchAllMatcher : DocMatcher
{
    private readonly float _boost;
    public MatchAllMatcher(float boost) => _boost = boost;
    public override bool Matches(StoredDocument doc) => true;
    public override float Score(StoredDocument doc) => _boost;
    public override bool MatchesEverything => true;
}

internal sealed class MatchNoneMatcher : DocMatcher
{
    public static readonly MatchNoneMatcher Instance = new();
    public override bool Matches(StoredDocument doc) => false;
    public override float Score(StoredDocument doc) => 0;
}

/// <summary>Base for queries ES runs with a constant score: range, exists, ids, prefix, wildcard, terms.</summary>
internal abstract class ConstantMatcher : DocMatcher
{
    protected ConstantMatcher(float boost) => Boost = boost;
    protected float Boost { get; }
    public override float Score(StoredDocument doc) => Boost;
}

/// <summary>Exact keyword value, compared as UTF-8 bytes straight from the source.</summary>
internal sealed class KeywordTermMatcher : DocMatcher
{
    private readonly int _field;
    private readonly string _value;
    private readonly byte[] _utf8;
    private readonly int _ignoreAbove;
    private readonly bool _ignoreCase;
    private readonly float _boost;
    private readonly QueryContext _context;
    private float _score = float.NaN;

    public KeywordTermMatcher(QueryContext context, ResolvedField field, string value, bool ignoreCase, float boost)
    {
        _context = context;
        _field = field.Id;
        _value = value;
        _utf8 = Encoding.UTF8.GetBytes(value);
        _ignoreAbove = field.IgnoreAbove;
        _ignoreCase = ignoreCase;
        _boost = boost;
    }

    public override bool Matches(StoredDocument doc)
    {
        foreach (var v in doc.ValuesOf(_field))
        {
            if (_ignoreAbove != int.MaxValue && doc.ExceedsChars(v, _ignoreAbove)) continue;
            if (_ignoreCase ? string.Equals(doc.GetString(v), _value, StringComparison.OrdinalIgnoreCase) : doc.GetUtf8(v).SequenceEqual(_utf8))
                return true;
        }
        return false;
    }

    public override float Score(StoredDocument doc)
    {
        if (float.IsNaN(_score)) _score = _context.Stats.Score(_field, _value, false, 1, 1, _boost);
        return _score;
    }
}

/// <summary>Any of a set of keyword values (terms query).</summary>
internal sealed class KeywordSetMatcher : ConstantMatcher
{
    private readonly int _field;
    private readonly HashSet<string> _values;
    private readonly int _ignoreAbove;

    public KeywordSetMatcher(ResolvedField field, IEnumerable<string> values, float boost) : base(boost)
    {
        _field = field.Id;
        _values = new HashSet<string>(values, StringComparer.Ordinal);
        _ignoreAbove = field.IgnoreAbove;
    }

    public override bool Matches(StoredDocument doc)
    {
        foreach (var v in doc.ValuesOf(_field))
        {
            if (_ignoreAbove != int.MaxValue && doc.ExceedsChars(v, _ignoreAbove)) continue;
            if (_values.Contains(doc.GetString(v))) return true;
        }
        return false;
    }
}

/// <summary>Term or terms against the analyzed tokens of a text field (the query value itself is not analyzed).</summary>
internal sealed class TextTokenMatcher : DocMatcher
{
    private readonly QueryContext _context;
    private readonly int _field;
    private readonly HashSet<string> _tokens;
    private readonly float _boost;
    private readonly bool _constant;

    public TextTokenMatcher(QueryContext context, int field, IEnumerable<string> tokens, float boost, bool constantScore)
    {
        _context = context;
        _field = field;
        _tokens = new HashSet<string>(tokens, StringComparer.Ordinal);
        _boost = boost;
        _constant = constantScore;
    }

    public override bool Matches(StoredDocument doc)
    {
        foreach (var token in TextTokens.Of(doc, _field))
        {
            if (_tokens.Contains(token)) return true;
        }
        return false;
    }

    public override float Score(StoredDocument doc)
    {
        if (_constant) return _boost;
        var tokens = TextTokens.Of(doc, _field);
        var score = 0f;
        foreach (var term in _tokens)
        {
            var tf = tokens.Count(t => t == term);
            if (tf > 0) score += _context.Stats.Score(_field, term, true, tf, tokens.Count, _boost);
        }
        return score;
    }
}

internal static class TextTokens
{
    public static List<string> Of(StoredDocument doc, int field)
    {
        var tokens = new List<string>();
        foreach (var v in doc.ValuesOf(field)) ElasticAnalyzer.Tokenize(doc.GetString(v), tokens);
        return tokens;
    }
}

/// <summary>The match query on text: analyzed query tokens, OR with minimum_should_match, or AND.</summary>
internal sealed class MatchTextMatcher : DocMatcher
{
    private readonly QueryContext _context;
    private readonly int _field;
    private readonly string[] _terms;
    private readonly int _required;
    private readonly float _boost;

    public MatchTextMatcher(QueryContext context, int field, string[] terms, int required, float boost)
    {
        _context = context;
        _field = field;
        _terms = terms;
        _required = Math.Max(1, required);
        _boost = boost;
    }

    public override bool Matches(StoredDocument doc)
    {
        var tokens = TextTokens.Of(doc, _field);
        var found = 0;
        foreach (var term in _terms)
        {
            if (tokens.Contains(term) && ++found >= _required) return true;
        }
        return false;
    }

    public override float Score(StoredDocument doc)
    {
        var tokens = TextTokens.Of(doc, _field);
        var score = 0f;
        foreach (var term in _terms)
        {
            var tf = tokens.Count(t => t == term);
            if (tf > 0) score += _context.Stats.Score(_field, term, true, tf, tokens.Count, _boost);
        }
        return score;
    }
}

/// <summary>match_phrase: the tokens in order, with at most <c>slop</c> extra positions between them, within one value.</summary>
internal sealed class PhraseMatcher : DocMatcher
{
    private readonly QueryContext _context;
    private readonly int _field;
    private readonly string[] _terms;
    private readonly int _slop;
    private readonly float _boost;

    public PhraseMatcher(QueryContext context, int field, string[] terms, int slop, float boost)
    {
        _context = context;
        _field = field;
        _terms = terms;
        _slop = slop;
        _boost = boost;
    }

    public override bool Matches(StoredDocument doc)
    {
        foreach (var v in doc.ValuesOf(_field))
        {
            if (Contains(ElasticAnalyzer.Tokenize(doc.GetString(v)))) return true;
        }
        return false;
    }

    private bool Contains(List<string> tokens)
    {
        for (var start = 0; start < tokens.Count; start++)
        {
            if (tokens[start] != _terms[0]) continue;
            var position = start;
            var gaps = 0;
            var ok = true;
            for (var k = 1; k < _terms.Length && ok; k++)
            {
                var next = tokens.IndexOf(_terms[k], position + 1);
                if (next < 0)
                {
                    ok = false;
                    break;
                }
                gaps += next - position - 1;
                position = next;
                ok = gaps <= _slop;
            }
            if (ok) return true;
        }
        return false;
    }

    public override float Score(StoredDocument doc)
    {
        var tokens = TextTokens.Of(doc, _field);
        var score = 0f;
        foreach (var term in _terms.Distinct())
        {
            var tf = tokens.Count(t => t == term);
            if (tf > 0) score += _context.Stats.Score(_field, term, true, tf, tokens.Count, _boost);
        }
        return score;
    }
}

/// <summary>long, date and boolean values between two inclusive bounds (exclusive bounds are moved by one first).</summary>
internal sealed class LongRangeMatcher : ConstantMatcher
{
    private readonly int _field;
    private readonly long _min;
    private readonly long _max;

    public LongRangeMatcher(int field, long min, long max, float boost) : base(boost)
    {
        _field = field;
        _min = min;
        _max = max;
    }

    public override bool Matches(StoredDocument doc)
    {
        foreach (var v in doc.ValuesOf(_field))
        {
            if (v.Number >= _min && v.Number <= _max) return true;
        }
        return false;
    }
}

internal sealed class LongSetMatcher : ConstantMatcher
{
    private readonly int _field;
    private readonly HashSet<long> _values;

    public LongSetMatcher(int field, IEnumerable<long> values, float boost) : base(boost)
    {
        _field = field;
        _values = new HashSet<long>(values);
    }

    public override bool Matches(StoredDocument doc)
    {
        foreach (var v in doc.ValuesOf(_field))
        {
            if (_values.Contains(v.Number)) return true;
        }
        return false;
    }
}

internal sealed class DoubleRangeMatcher : ConstantMatcher
{
    private readonly int _field;
    private readonly double _min;
    private readonly bool _minInclusive;
    private readonly double _max;
    private readonly bool _maxInclusive;

    public DoubleRangeMatcher(int field, double min, bool minInclusive, double max, bool maxInclusive, float boost) : base(boost)
    {
        _field = field;
        _min = min;
        _minInclusive = minInclusive;
        _max = max;
        _maxInclusive = maxInclusive;
    }

    public override bool Matches(StoredDocument doc)
    {
        foreach (var v in doc.ValuesOf(_field))
        {
            var d = v.Double;
            if ((_minInclusive ? d >= _min : d > _min) && (_maxInclusive ? d <= _max : d < _max)) return true;
        }
        return false;
    }
}

/// <summary>Ranges on keyword fields compare UTF-16 ordinally, which is byte order for everything but surrogates.</summary>
internal sealed class KeywordRangeMatcher : ConstantMatcher
{
    private readonly int _field;
    private readonly string? _min;
    private readonly bool _minInclusive;
    private readonly string? _max;
    private readonly bool _maxInclusive;
    private readonly bool _tokens;

    public KeywordRangeMatcher(int field, string? min, bool minInclusive, string? max, bool maxInclusive, bool tokens, float boost) : base(boost)
    {
        _field = field;
        _min = min;
        _minInclusive = minInclusive;
        _max = max;
        _maxInclusive = maxInclusive;
        _tokens = tokens;
    }

    public override bool Matches(StoredDocument doc)
    {
        if (_tokens) return TextTokens.Of(doc, _field).Any(InRange);
        foreach (var v in doc.ValuesOf(_field))
        {
            if (InRange(doc.GetString(v))) return true;
        }
        return false;
    }

    private bool InRange(string s)
    {
        if (_min is not null)
        {
            var c = string.CompareOrdinal(s, _min);
            if (c < 0 || (c == 0 && !_minInclusive)) return false;
        }
        if (_max is not null)
        {
            var c = string.CompareOrdinal(s, _max);
            if (c > 0 || (c == 0 && !_maxInclusive)) return false;
        }
        return true;
    }
}

/// <summary>exists: any indexed value in any of the fields (a keyword view skips values over ignore_above).</summary>
internal sealed class ExistsMatcher : ConstantMatcher
{
    private readonly ResolvedField[] _fields;

    public ExistsMatcher(ResolvedField[] fields, float boost) : base(boost) => _fields = fields;

    public override bool Matches(StoredDocument doc)
    {
        foreach (var field in _fields)
        {
            foreach (var v in doc.ValuesOf(field.Id))
            {
                if (field.IgnoreAbove == int.MaxValue || !doc.ExceedsChars(v, field.IgnoreAbove)) return true;
            }
        }
        return false;
    }
}

internal sealed class IdsMatcher : ConstantMatcher
{
    private readonly HashSet<string> _ids;
    public IdsMatcher(IEnumerable<string> ids, float boost) : base(boost) => _ids = new HashSet<string>(ids, StringComparer.Ordinal);
    public override bool Matches(StoredDocument doc) => _ids.Contains(doc.Id);
}

/// <summary>prefix, wildcard and regexp: a test on the whole keyword value, or on each token of a text field.</summary>
internal sealed class PatternMatcher : ConstantMatcher
{
    private readonly int _field;
    private readonly bool _tokens;
    private readonly int _ignoreAbove;
    private readonly Func<string, bool> _test;

    public PatternMatcher(ResolvedField field, Func<string, bool> test, float boost) : base(boost)
    {
        _field = field.Id;
        _tokens = field.Kind == FieldKind.Text;
        _ignoreAbove = field.IgnoreAbove;
        _test = test;
    }

    public override bool Matches(StoredDocument doc)
    {
        if (_tokens) return TextTokens.Of(doc, _field).Any(_test);
        foreach (var v in doc.ValuesOf(_field))
        {
            if (_ignoreAbove != int.MaxValue && doc.ExceedsChars(v, _ignoreAbove)) continue;
            if (_test(doc.GetString(v))) return true;
        }
        return false;
    }
}

/// <summary>bool: must and should add to the score, filter and must_not only select.</summary>
internal sealed class BoolMatcher : DocMatcher
{
    private readonly DocMatcher[] _must;
    private readonly DocMatcher[] _filter;
    private readonly DocMatcher[] _should;
    private readonly DocMatcher[] _mustNot;
    private readonly int _minimumShould;
    private readonly float _boost;

    public BoolMatcher(DocMatcher[] must, DocMatcher[] filter, DocMatcher[] should, DocMatcher[] mustNot, int minimumShould, float boost)
    {
        _must = must;
        _filter = filter;
        _should = should;
        _mustNot = mustNot;
        _minimumShould = minimumShould;
        _boost = boost;
    }

    public override bool MatchesEverything =>
        _mustNot.Length == 0 && _minimumShould == 0 && _must.All(m => m.MatchesEverything) && _filter.All(m => m.MatchesEverything);

    public override bool Matches(StoredDocument doc)
    {
        foreach (var m in _filter)
        {
            if (!m.Matches(doc)) return false;
        }
        foreach (var m in _must)
        {
            if (!m.Matches(doc)) return false;
        }
        foreach (var m in _mustNot)
        {
            if (m.Matches(doc)) return false;
        }
        if (_minimumShould > 0)
        {
            var found = 0;
            foreach (var m in _should)
            {
                if (m.Matches(doc) && ++found >= _minimumShould) return true;
            }
            return false;
        }
        return true;
    }

    public override float Score(StoredDocument doc)
    {
        var score = 0f;
        foreach (var m in _must) score += m.Score(doc);
        foreach (var m in _should)
        {
            if (m.Matches(doc)) score += m.Score(doc);
        }
        return score * _boost;
    }
}

internal sealed class ConstantScoreMatcher : DocMatcher
{
    private readonly DocMatcher _inner;
    private readonly float _boost;

    public ConstantScoreMatcher(DocMatcher inner, float boost)
    {
        _inner = inner;
        _boost = boost;
    }

    public override bool MatchesEverything => _inner.MatchesEverything;
    public override bool Matches(StoredDocument doc) => _inner.Matches(doc);
    public override float Score(StoredDocument doc) => _boost;
}

/// <summary>The best of several (multi_match best_fields, a query_string term over many fields).</summary>
internal sealed class DisMaxMatcher : DocMatcher
{
    private readonly DocMatcher[] _parts;
    private readonly float _tieBreaker;
    private readonly float _boost;

    public DisMaxMatcher(DocMatcher[] parts, float tieBreaker, float boost)
    {
        _parts = parts;
        _tieBreaker = tieBreaker;
        _boost = boost;
    }

    public override bool Matches(StoredDocument doc)
    {
        foreach (var p in _parts)
        {
            if (p.Matches(doc)) return true;
        }
        return false;
    }

    public override float Score(StoredDocument doc)
    {
        float best = 0, sum = 0;
        foreach (var p in _parts)
        {
            if (!p.Matches(doc)) continue;
            var s = p.Score(doc);
            sum += s;
            if (s > best) best = s;
        }
        return (best + _tieBreaker * (sum - best)) * _boost;
    }
}
