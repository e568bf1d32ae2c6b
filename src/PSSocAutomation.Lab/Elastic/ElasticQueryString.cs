using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// The query_string query (and the q= URL parameter): Lucene's classic syntax — field:value, "phrases", AND/OR/NOT,
/// && || !, +/-, (groups), field:(groups), [a TO b] {a TO b}, field:>=n, wildcards, _exists_:field, ^boost. Its
/// syntax errors surface at the shard, as search_phase_execution_exception with a parse_exception inside.
/// </summary>
internal sealed class QueryStringQuery : ElasticQuery
{
    public required string Query { get; init; }
    public string? DefaultField { get; init; }
    public string[]? Fields { get; init; }
    public bool DefaultOperatorAnd { get; init; }
    public bool? Lenient { get; init; }

    public override DocMatcher Bind(QueryContext context)
    {
        QsNode node;
        try
        {
            node = new QsParser(Query, DefaultOperatorAnd).Parse();
        }
        catch (QsSyntaxException e)
        {
            var cannot = $"Cannot parse '{Query}': {e.Message}";
            throw context.ShardError($"Failed to parse query [{Query}]",
                new ElasticErrorCause("parse_exception", cannot) { CausedBy = new ElasticErrorCause("parse_exception", e.Message) });
        }
        var defaults = Fields is { Length: > 0 } ? Fields : new[] { DefaultField ?? "*" };
        var lenient = Lenient ?? defaults.Any(f => f.Contains('*'));
        var converter = new QsConverter(context, defaults, DefaultOperatorAnd, lenient);
        return converter.Convert(node).Bind(context);
    }

    private sealed class QsConverter
    {
        private readonly QueryContext _context;
        private readonly string[] _defaults;
        private readonly bool _and;
        private readonly bool _lenient;

        public QsConverter(QueryContext context, string[] defaults, bool and, bool lenient)
        {
            _context = context;
            _defaults = defaults;
            _and = and;
            _lenient = lenient;
        }

        public ElasticQuery Convert(QsNode node)
        {
            switch (node)
            {
                case QsBool b:
                {
                    var query = new BoolQuery { Boost = b.Boost };
                    foreach (var (occur, child) in b.Clauses)
                    {
                        var converted = Convert(child);
                        (occur switch { QsOccur.Must => query.Must, QsOccur.MustNot => query.MustNot, _ => query.Should }).Add(converted);
                    }
                    // A purely negative query matches everything but the excluded, as ES fixes it up.
                    if (query.Must.Count == 0 && query.Should.Count == 0 && query.MustNot.Count > 0) query.Must.Add(new MatchAllQuery());
                    return query;
                }
                case QsMatchAll:
                    return new MatchAllQuery { Boost = node.Boost };
                case QsTerm t:
                    if (t.Field == "_exists_") return new ExistsQuery { Field = t.Text, Boost = t.Boost };
                    return OverFields(t.Field, t.Boost, field => TermOn(field, t));
                case QsPhrase p:
                    return OverFields(p.Field, p.Boost, field => new MatchPhraseQuery
                    {
                        Field = field, Value = Json(p.Text), Slop = p.Slop, Lenient = _lenient,
                    });
                case QsRange r:
                    return OverFields(r.Field, r.Boost, field =>
                    {
                        var range = new RangeQuery { Field = field };
                        if (r.Lower is not null) { if (r.IncludeLower) range.Gte = Json(r.Lower); else range.Gt = Json(r.Lower); }
                        if (r.Upper is not null) { if (r.IncludeUpper) range.Lte = Json(r.Upper); else range.Lt = Json(r.Upper); }
                        return range;
                    });
                default:
                    throw new InvalidOperationException("unknown query_string node");
            }
        }

        private ElasticQuery TermOn(string field, QsTerm t)
        {
            if (t.Text == "*") return new ExistsQuery { Field = field };
            if (t.Wildcard)
            {
                var resolved = _context.Mapping.Resolve(field);
                if (resolved is { Kind: not (FieldKind.Text or FieldKind.Keyword) })
                    return _lenient ? new MatchNoneQuery() : new PatternQuery { Kind = "wildcard", Field = field, Value = t.Text };
                var simplePrefix = t.Text.EndsWith('*') && t.Text.IndexOfAny(new[] { '*', '?' }) == t.Text.Length - 1;
                return simplePrefix
                    ? new PatternQuery { Kind = "prefix", Field = field, Value = resolved?.Kind == FieldKind.Text ? t.Text[..^1].ToLowerInvariant() : t.Text[..^1] }
                    : new PatternQuery { Kind = "wildcard", Field = field, Value = t.Text };
            }
            return new MatchQuery { Field = field, Value = Json(t.Text), Lenient = _lenient, Operator = _and ? "and" : "or" };
        }

        private ElasticQuery OverFields(string? field, float boost, Func<string, ElasticQuery> build)
        {
            var patterns = field is null ? _defaults : new[] { field };
            var names = new List<string>();
            foreach (var pattern in patterns)
            {
                var caret = pattern.IndexOf('^');
                var name = caret >= 0 ? pattern[..caret] : pattern;
                if (!name.Contains('*'))
                {
                    names.Add(name);
                    continue;
                }
                // "*" means every field a term query can run on; lenient, so a word never fails against a number.
                foreach (var f in _context.Mapping.Match(name))
                {
                    if (name == "*" && f.Kind is not (FieldKind.Text or FieldKind.Keyword) && !_lenient) continue;
                    names.Add(f.Name);
                }
            }
            if (names.Count == 0) return new MatchNoneQuery();
            if (names.Count == 1)
            {
                var single = build(names[0]);
                single.Boost *= boost;
                return single;
            }
            return new DisMaxQuery { Queries = names.Select(build).ToList(), Boost = boost };
        }

        private static JsonElement Json(string text) => JsonSerializer.SerializeToElement(text);
    }
}

internal enum QsOccur
{
    Should,
    Must,
    MustNot,
}

internal abstract class QsNode
{
    public float Boost { get; set; } = 1;
}

internal sealed class QsBool : QsNode
{
    public List<(QsOccur Occur, QsNode Node)> Clauses { get; } = new();
}

internal sealed class QsMatchAll : QsNode;

internal sealed class QsTerm : QsNode
{
    public string? Field { get; init; }
    public required string Text { get; init; }
    public bool Wildcard { get; init; }
}

internal sealed class QsPhrase : QsNode
{
    public string? Field { get; init; }
    public required string Text { get; init; }
    public int Slop { get; set; }
}

internal sealed class QsRange : QsNode
{
    public string? Field { get; init; }
    public string? Lower { get; init; }
    public string? Upper { get; init; }
    public bool IncludeLower { get; init; }
    public bool IncludeUpper { get; init; }
}

internal sealed class QsSyntaxException : Exception
{
    public QsSyntaxException(string message) : base(message) { }
}

/// <summary>Recursive descent over Lucene's classic grammar, combining clauses the way its addClause does.</summary>
internal sealed class QsParser
{
    private const string Specials = "()[]{}:^~\"";
    private readonly string _text;
    private readonly bool _defaultAnd;
    private int _pos;

    public QsParser(string text, bool defaultAnd)
    {
        _text = text;
        _defaultAnd = defaultAnd;
    }

    public QsNode Parse()
    {
        var node = ParseQuery(null, inGroup: false);
        SkipSpace();
        if (_pos < _text.Length) throw Unexpected();
        return node;
    }

    private enum Conjunction
    {
        None,
        And,
        Or,
    }

    private enum Modifier
    {
        None,
        Required,
        Not,
    }

    private QsNode ParseQuery(string? field, bool inGroup)
    {
        var clauses = new List<(QsOccur Occur, QsNode Node)>();
        while (true)
        {
            SkipSpace();
            if (_pos >= _text.Length) break;
            if (_text[_pos] == ')')
            {
                if (inGroup) break;
                throw Unexpected();
            }
            var conjunction = Conjunction.None;
            if (clauses.Count > 0)
            {
                if (Keyword("AND") || Symbol("&&")) conjunction = Conjunction.And;
                else if (Keyword("OR") || Symbol("||")) conjunction = Conjunction.Or;
                SkipSpace();
                if (conjunction != Conjunction.None && (_pos >= _text.Length || _text[_pos] == ')')) throw Unexpected();
            }
            var modifier = Modifier.None;
            if (_pos < _text.Length && _text[_pos] == '+')
            {
                modifier = Modifier.Required;
                _pos++;
            }
            else if (_pos < _text.Length && _text[_pos] == '-')
            {
                modifier = Modifier.Not;
                _pos++;
            }
            else if (_pos < _text.Length && _text[_pos] == '!' && !Symbol("!="))
            {
                modifier = Modifier.Not;
                _pos++;
            }
            else if (Keyword("NOT"))
            {
                modifier = Modifier.Not;
            }
            SkipSpace();
            if (_pos >= _text.Length) throw Unexpected();
            var node = ParseClause(field);
            AddClause(clauses, conjunction, modifier, node);
        }
        if (clauses.Count == 0)
        {
            if (inGroup) throw Unexpected();
            return new QsBool();
        }
        if (clauses.Count == 1 && clauses[0].Occur != QsOccur.MustNot) return clauses[0].Node;
        var result = new QsBool();
        result.Clauses.AddRange(clauses);
        return result;
    }

    /// <summary>Lucene's rule: AND makes both neighbours required, OR (with default AND) makes the left one optional.</summary>
    private void AddClause(List<(QsOccur Occur, QsNode Node)> clauses, Conjunction conjunction, Modifier modifier, QsNode node)
    {
        if (clauses.Count > 0 && conjunction == Conjunction.And && clauses[^1].Occur != QsOccur.MustNot)
            clauses[^1] = (QsOccur.Must, clauses[^1].Node);
        if (clauses.Count > 0 && _defaultAnd && conjunction == Conjunction.Or && clauses[^1].Occur != QsOccur.MustNot)
            clauses[^1] = (QsOccur.Should, clauses[^1].Node);
        var prohibited = modifier == Modifier.Not;
        var required = _defaultAnd
            ? !prohibited && conjunction != Conjunction.Or
            : modifier == Modifier.Required || (conjunction == Conjunction.And && !prohibited);
        clauses.Add((prohibited ? QsOccur.MustNot : required ? QsOccur.Must : QsOccur.Should, node));
    }

    private QsNode ParseClause(string? field)
    {
        SkipSpace();
        var c = _text[_pos];
        QsNode node;
        if (c == '(')
        {
            _pos++;
            node = ParseQuery(field, inGroup: true);
            SkipSpace();
            if (_pos >= _text.Length || _text[_pos] != ')') throw Unexpected();
            _pos++;
        }
        else if (c == '"')
        {
            node = ParsePhrase(field);
        }
        else if (c is '[' or '{')
        {
            node = ParseRange(field);
        }
        else
        {
            var (term, wildcard) = ReadTerm();
            if (term.Length == 0) throw Unexpected();
            if (_pos < _text.Length && _text[_pos] == ':')
            {
                _pos++;
                SkipSpace();
                if (_pos >= _text.Length) throw Unexpected();
                if (term == "*" && _pos < _text.Length && _text[_pos] == '*' && (_pos + 1 == _text.Length || char.IsWhiteSpace(_text[_pos + 1]) || _text[_pos + 1] == ')'))
                {
                    _pos++;
                    node = new QsMatchAll();
                }
                else
                {
                    node = ParseFieldValue(term);
                }
            }
            else if (term is ">" or ">=" or "<" or "<=")
            {
                throw Unexpected();
            }
            else
            {
                node = new QsTerm { Field = field, Text = term, Wildcard = wildcard };
            }
        }
        ParseSuffixes(node);
        return node;
    }

    private QsNode ParseFieldValue(string field)
    {
        var c = _text[_pos];
        if (c == '(')
        {
            _pos++;
            var group = ParseQuery(field, inGroup: true);
            SkipSpace();
            if (_pos >= _text.Length || _text[_pos] != ')') throw Unexpected();
            _pos++;
            return group;
        }
        if (c == '"') return ParsePhrase(field);
        if (c is '[' or '{') return ParseRange(field);
        if (c is '>' or '<')
        {
            var inclusive = _pos + 1 < _text.Length && _text[_pos + 1] == '=';
            _pos += inclusive ? 2 : 1;
            var (bound, _) = ReadTerm();
            if (bound.Length == 0) throw Unexpected();
            return c == '>'
                ? new QsRange { Field = field, Lower = bound, IncludeLower = inclusive }
                : new QsRange { Field = field, Upper = bound, IncludeUpper = inclusive };
        }
        var (term, wildcard) = ReadTerm();
        if (term.Length == 0) throw Unexpected();
        return new QsTerm { Field = field, Text = term, Wildcard = wildcard };
    }

    private QsNode ParsePhrase(string? field)
    {
        var start = _pos++;
        var text = new StringBuilder();
        while (_pos < _text.Length && _text[_pos] != '"')
        {
            if (_text[_pos] == '\\' && _pos + 1 < _text.Length) _pos++;
            text.Append(_text[_pos++]);
        }
        if (_pos >= _text.Length)
        {
            _pos = start;
            throw new QsSyntaxException($"Lexical error at line 1, column {_text.Length + 1}.  Encountered: <EOF> after : \"{_text[start..]}\"");
        }
        _pos++;
        return new QsPhrase { Field = field, Text = text.ToString() };
    }

    private QsNode ParseRange(string? field)
    {
        var includeLower = _text[_pos++] == '[';
        SkipSpace();
        var (lower, _) = ReadTerm(allowStar: true);
        SkipSpace();
        if (!Keyword("TO")) throw Unexpected();
        SkipSpace();
        var (upper, _) = ReadTerm(allowStar: true);
        SkipSpace();
        if (_pos >= _text.Length || (_text[_pos] != ']' && _text[_pos] != '}')) throw Unexpected();
        var includeUpper = _text[_pos++] == ']';
        if (lower.Length == 0 || upper.Length == 0) throw Unexpected();
        return new QsRange
        {
            Field = field, Lower = lower == "*" ? null : lower, Upper = upper == "*" ? null : upper,
            IncludeLower = includeLower, IncludeUpper = includeUpper,
        };
    }

    private void ParseSuffixes(QsNode node)
    {
        while (_pos < _text.Length && (_text[_pos] == '^' || _text[_pos] == '~'))
        {
            var mark = _text[_pos++];
            var start = _pos;
            while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.')) _pos++;
            var number = _text[start.._pos];
            if (mark == '^')
            {
                if (number.Length == 0) throw Unexpected();
                node.Boost *= float.Parse(number, CultureInfo.InvariantCulture);
            }
            else if (node is QsPhrase phrase && number.Length > 0)
            {
                phrase.Slop = (int)double.Parse(number, CultureInfo.InvariantCulture);
            }
            // A fuzzy term~2 is searched as the plain term: no edit distance in the Lab.
        }
    }

    private (string Term, bool Wildcard) ReadTerm(bool allowStar = false)
    {
        var sb = new StringBuilder();
        var wildcard = false;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\\' && _pos + 1 < _text.Length)
            {
                sb.Append(_text[_pos + 1]);
                _pos += 2;
                continue;
            }
            if (char.IsWhiteSpace(c) || Specials.Contains(c)) break;
            if (c is '*' or '?') wildcard = true;
            sb.Append(c);
            _pos++;
        }
        return (sb.ToString(), wildcard && !(allowStar && sb.ToString() == "*"));
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private bool Keyword(string word)
    {
        if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0) return false;
        var end = _pos + word.Length;
        if (end < _text.Length && !char.IsWhiteSpace(_text[end]) && _text[end] != '(' && _text[end] != '"') return false;
        _pos = end;
        return true;
    }

    private bool Symbol(string symbol)
    {
        if (string.CompareOrdinal(_text, _pos, symbol, 0, symbol.Length) != 0) return false;
        _pos += symbol.Length;
        return true;
    }

    /// <summary>Worded like Lucene's generated parser, which users paste into searches.</summary>
    private QsSyntaxException Unexpected()
    {
        if (_pos >= _text.Length)
            return new QsSyntaxException($"Encountered \"<EOF>\" at line 1, column {_text.Length}.\nWas expecting one of:\n    <BAREOPER> ...\n    \"(\" ...\n    \"*\" ...\n    <QUOTED> ...\n    <TERM> ...\n    <PREFIXTERM> ...\n    <WILDTERM> ...\n    <REGEXPTERM> ...\n    \"[\" ...\n    \"{{\" ...\n    <NUMBER> ...\n    ");
        var end = _pos;
        while (end < _text.Length && !char.IsWhiteSpace(_text[end])) end++;
        var token = _text[_pos..Math.Max(end, _pos + 1)];
        return new QsSyntaxException($"Encountered \" \"{token}\" \"{token} \"\" at line 1, column {_pos}.\nWas expecting one of:\n    <EOF> \n    <AND> ...\n    <OR> ...\n    <NOT> ...\n    \"+\" ...\n    \"-\" ...\n    ");
    }
}
