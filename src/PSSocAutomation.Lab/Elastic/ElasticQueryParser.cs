using System.Globalization;
using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// Query DSL JSON to <see cref="ElasticQuery"/>, refusing what ES refuses with ES's parsing_exception wording and
/// [line:col] positions (unknown query [x], query malformed, multiple fields in term ...).
/// </summary>
internal sealed class ElasticQueryParser
{
    /// <summary>Queries ES has that the Lab does not run: an honest refusal beats a silently wrong answer.</summary>
    private static readonly HashSet<string> KnownButUnsupported = new(StringComparer.Ordinal)
    {
        "boosting", "combined_fields", "distance_feature", "function_score", "fuzzy", "geo_bounding_box", "geo_distance", "geo_grid",
        "geo_polygon", "geo_shape", "has_child", "has_parent", "intervals", "knn", "match_bool_prefix", "match_phrase_prefix",
        "more_like_this", "nested", "parent_id", "percolate", "pinned", "rank_feature", "rule", "script", "script_score", "semantic",
        "shape", "simple_query_string", "span_containing", "span_field_masking", "span_first", "span_multi", "span_near", "span_not",
        "span_or", "span_term", "span_within", "sparse_vector", "terms_set", "text_expansion", "weighted_tokens", "wrapper",
    };

    private readonly ElasticRequestBody _body;

    public ElasticQueryParser(ElasticRequestBody body) => _body = body;

    public ElasticQuery Parse(JsonElement element, JsonPath path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw _body.Error(path, "[_na] query malformed, must start with start_object");
        var list = element.EnumerateObject().ToList();
        if (list.Count == 0)
        {
            var (line, col) = _body.Locate(path);
            throw ElasticException.Parsing($"query malformed, empty clause found at [{line}:{col}]", (line, col));
        }
        if (list.Count > 1)
            throw _body.Error(path.Property(list[1].Name), $"[{list[0].Name}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]");
        var name = list[0].Name;
        var body = list[0].Value;
        var at = path.Property(name);
        if (KnownButUnsupported.Contains(name))
            throw ElasticException.IllegalArgument($"[{name}] queries are not supported by the PSSocAutomation Lab");
        if (!IsKnown(name))
        {
            var (line, col) = _body.Locate(at);
            throw ElasticException.Parsing($"unknown query [{name}]", (line, col),
                new ElasticErrorCause("named_object_not_found_exception", $"[{line}:{col}] unknown field [{name}]"));
        }
        if (body.ValueKind != JsonValueKind.Object)
            throw _body.Error(at, $"[{name}] query malformed, no start_object after query name");
        return name switch
        {
            "match_all" => Simple(name, body, at, new MatchAllQuery()),
            "match_none" => Simple(name, body, at, new MatchNoneQuery()),
            "term" => Term(body, at),
            "terms" => Terms(body, at),
            "match" => Match(body, at),
            "match_phrase" => MatchPhrase(body, at),
            "multi_match" => MultiMatch(body, at),
            "range" => Range(body, at),
            "exists" => Exists(body, at),
            "ids" => Ids(body, at),
            "prefix" or "wildcard" or "regexp" => Pattern(name, body, at),
            "bool" => Bool(body, at),
            "constant_score" => ConstantScore(body, at),
            "dis_max" => DisMax(body, at),
            "query_string" => QueryString(body, at),
            _ => throw new InvalidOperationException(name),
        };
    }

    private static bool IsKnown(string name) => name is "match_all" or "match_none" or "term" or "terms" or "match" or "match_phrase"
        or "multi_match" or "range" or "exists" or "ids" or "prefix" or "wildcard" or "regexp" or "bool" or "constant_score" or "dis_max"
        or "query_string";

    private ElasticQuery Simple(string name, JsonElement body, JsonPath at, ElasticQuery query)
    {
        foreach (var p in body.EnumerateObject())
        {
            if (p.Name == "boost") query.Boost = Float(p.Value, at.Property(p.Name));
            else if (p.Name != "_name") throw Unsupported(name, p.Name, at);
        }
        return query;
    }

    private ElasticException Unsupported(string query, string key, JsonPath at) =>
        _body.Error(at.Property(key), $"[{query}] query does not support [{key}]");

    private float Float(JsonElement value, JsonPath at)
    {
        if (value.ValueKind == JsonValueKind.Number) return value.GetSingle();
        if (value.ValueKind == JsonValueKind.String && float.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var f)) return f;
        throw _body.Error(at, $"[boost] expected a number but got [{Kind(value)}]");
    }

    private static string Kind(JsonElement value) => ElasticRequestBody.TokenName(value);

    private string String(JsonElement value, JsonPath at, string what)
    {
        if (value.ValueKind is JsonValueKind.String) return value.GetString()!;
        if (value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) return value.ValueKind switch
        {
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => value.GetRawText(),
        };
        throw _body.Error(at, $"[{what}] unknown token [{Kind(value)}] after [{(at.Key as string) ?? what}]");
    }

    private bool Bool(JsonElement value) =>
        value.ValueKind == JsonValueKind.True || (value.ValueKind == JsonValueKind.String && value.GetString() == "true");

    /// <summary>The single field of term, match, prefix ... ES names both when there are two.</summary>
    private JsonProperty SingleField(string query, JsonElement body, JsonPath at)
    {
        JsonProperty? field = null;
        foreach (var p in body.EnumerateObject())
        {
            if (p.Name is "boost" or "_name" && p.Value.ValueKind != JsonValueKind.Object) continue;
            if (field is { } first)
                throw _body.Error(at.Property(p.Name), $"[{query}] query doesn't support multiple fields, found [{first.Name}] and [{p.Name}]");
            field = p;
        }
        return field ?? throw _body.Error(at, $"[{query}] query malformed, no field specified");
    }

    private ElasticQuery Term(JsonElement body, JsonPath at)
    {
        var field = SingleField("term", body, at);
        var fieldAt = at.Property(field.Name);
        JsonElement? value = null;
        var boost = 1f;
        var caseInsensitive = false;
        if (field.Value.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in field.Value.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "value": value = p.Value; break;
                    case "boost": boost = Float(p.Value, fieldAt.Property(p.Name)); break;
                    case "case_insensitive": caseInsensitive = Bool(p.Value); break;
                    case "_name": break;
                    default: throw _body.Error(fieldAt.Property(p.Name), $"[term] query does not support [{p.Name}]");
                }
            }
        }
        else if (field.Value.ValueKind == JsonValueKind.Array)
        {
            throw _body.Error(fieldAt, "[term] query does not support array of values");
        }
        else
        {
            value = field.Value;
        }
        if (value is not { } v || v.ValueKind == JsonValueKind.Null)
            throw _body.Error(fieldAt, "[term] query requires a value");
        if (v.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            throw _body.Error(fieldAt, "[term] query does not support array of values");
        return new TermQuery { Field = field.Name, Value = v.Clone(), CaseInsensitive = caseInsensitive, Boost = OuterBoost(body, at) * boost };
    }

    private float OuterBoost(JsonElement body, JsonPath at) =>
        body.TryGetProperty("boost", out var b) && b.ValueKind != JsonValueKind.Object ? Float(b, at.Property("boost")) : 1f;

    private ElasticQuery Terms(JsonElement body, JsonPath at)
    {
        string? fieldName = null;
        JsonElement[]? values = null;
        var boost = 1f;
        foreach (var p in body.EnumerateObject())
        {
            if (p.Name == "boost")
            {
                boost = Float(p.Value, at.Property(p.Name));
                continue;
            }
            if (p.Name == "_name") continue;
            if (p.Value.ValueKind == JsonValueKind.Object)
                throw ElasticException.IllegalArgument("[terms] lookup is not supported by the PSSocAutomation Lab");
            if (p.Value.ValueKind != JsonValueKind.Array)
                throw _body.Error(at.Property(p.Name), $"[terms] query does not support [{p.Name}]");
            if (fieldName is not null)
                throw _body.Error(at.Property(p.Name), $"[terms] query does not support multiple fields");
            fieldName = p.Name;
            values = p.Value.EnumerateArray().Select(v => v.Clone()).ToArray();
        }
        if (fieldName is null) throw _body.Error(at, "[terms] query requires a field");
        return new TermsQuery { Field = fieldName, Values = values!, Boost = boost };
    }

    private ElasticQuery Match(JsonElement body, JsonPath at)
    {
        var field = SingleField("match", body, at);
        var fieldAt = at.Property(field.Name);
        if (field.Value.ValueKind != JsonValueKind.Object)
        {
            if (field.Value.ValueKind is JsonValueKind.Array or JsonValueKind.Null)
                throw _body.Error(fieldAt, $"[match] unknown token [{Kind(field.Value)}] after [{field.Name}]");
            return new MatchQuery { Field = field.Name, Value = field.Value.Clone(), Boost = OuterBoost(body, at) };
        }
        JsonElement? query = null;
        string op = "or";
        string? msm = null;
        var lenient = false;
        var zeroAll = false;
        var boost = 1f;
        foreach (var p in field.Value.EnumerateObject())
        {
            switch (p.Name)
            {
                case "query": query = p.Value.Clone(); break;
                case "operator": op = String(p.Value, fieldAt.Property(p.Name), "match").ToLowerInvariant(); break;
                case "minimum_should_match": msm = String(p.Value, fieldAt.Property(p.Name), "match"); break;
                case "lenient": lenient = Bool(p.Value); break;
                case "zero_terms_query": zeroAll = String(p.Value, fieldAt.Property(p.Name), "match").Equals("all", StringComparison.OrdinalIgnoreCase); break;
                case "boost": boost = Float(p.Value, fieldAt.Property(p.Name)); break;
                case "analyzer" or "fuzziness" or "prefix_length" or "max_expansions" or "fuzzy_transpositions" or "fuzzy_rewrite"
                    or "auto_generate_synonyms_phrase_query" or "cutoff_frequency" or "_name":
                    break;
                default: throw _body.Error(fieldAt.Property(p.Name), $"[match] query does not support [{p.Name}]");
            }
        }
        if (query is null) throw _body.Error(fieldAt, "[match] requires query value");
        if (op is not ("and" or "or")) throw ElasticException.IllegalArgument($"No enum constant org.elasticsearch.index.query.Operator.{op.ToUpperInvariant()}");
        return new MatchQuery { Field = field.Name, Value = query.Value, Operator = op, MinimumShouldMatch = msm, Lenient = lenient, ZeroTermsAll = zeroAll, Boost = boost };
    }

    private ElasticQuery MatchPhrase(JsonElement body, JsonPath at)
    {
        var field = SingleField("match_phrase", body, at);
        var fieldAt = at.Property(field.Name);
        if (field.Value.ValueKind != JsonValueKind.Object)
            return new MatchPhraseQuery { Field = field.Name, Value = field.Value.Clone() };
        JsonElement? query = null;
        var slop = 0;
        var boost = 1f;
        foreach (var p in field.Value.EnumerateObject())
        {
            switch (p.Name)
            {
                case "query": query = p.Value.Clone(); break;
                case "slop": slop = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetInt32() : int.Parse(String(p.Value, fieldAt, "match_phrase"), CultureInfo.InvariantCulture); break;
                case "boost": boost = Float(p.Value, fieldAt.Property(p.Name)); break;
                case "analyzer" or "zero_terms_query" or "_name": break;
                default: throw _body.Error(fieldAt.Property(p.Name), $"[match_phrase] query does not support [{p.Name}]");
            }
        }
        if (query is null) throw _body.Error(fieldAt, "[match_phrase] requires query value");
        return new MatchPhraseQuery { Field = field.Name, Value = query.Value, Slop = slop, Boost = boost };
    }

    private ElasticQuery MultiMatch(JsonElement body, JsonPath at)
    {
        JsonElement? query = null;
        var fields = Array.Empty<string>();
        string type = "best_fields", op = "or";
        string? msm = null;
        float tie = 0, boost = 1;
        var lenient = false;
        foreach (var p in body.EnumerateObject())
        {
            var pAt = at.Property(p.Name);
            switch (p.Name)
            {
                case "query": query = p.Value.Clone(); break;
                case "fields":
                    fields = p.Value.ValueKind == JsonValueKind.Array
                        ? p.Value.EnumerateArray().Select(f => String(f, pAt, "multi_match")).ToArray()
                        : new[] { String(p.Value, pAt, "multi_match") };
                    break;
                case "type": type = String(p.Value, pAt, "multi_match"); break;
                case "operator": op = String(p.Value, pAt, "multi_match").ToLowerInvariant(); break;
                case "minimum_should_match": msm = String(p.Value, pAt, "multi_match"); break;
                case "tie_breaker": tie = Float(p.Value, pAt); break;
                case "boost": boost = Float(p.Value, pAt); break;
                case "lenient": lenient = Bool(p.Value); break;
                case "analyzer" or "fuzziness" or "prefix_length" or "max_expansions" or "slop" or "zero_terms_query" or "_name"
                    or "auto_generate_synonyms_phrase_query" or "fuzzy_transpositions":
                    break;
                default: throw _body.Error(pAt, $"[multi_match] query does not support [{p.Name}]");
            }
        }
        if (query is null) throw _body.Error(at, "No text specified for multi_match query");
        if (type is not ("best_fields" or "most_fields" or "phrase" or "cross_fields"))
            throw ElasticException.IllegalArgument($"[multi_match] query type [{type}] is not supported by the PSSocAutomation Lab");
        return new MultiMatchQuery
        {
            Fields = fields, Value = query.Value, Type = type, Operator = op, MinimumShouldMatch = msm, TieBreaker = tie, Lenient = lenient, Boost = boost,
        };
    }

    private ElasticQuery Range(JsonElement body, JsonPath at)
    {
        var field = SingleField("range", body, at);
        var fieldAt = at.Property(field.Name);
        if (field.Value.ValueKind != JsonValueKind.Object)
            throw _body.Error(fieldAt, $"[range] query malformed, after field missing start object");
        string? format = null, zone = null;
        JsonElement? gt = null, gte = null, lt = null, lte = null, from = null, to = null;
        bool includeLower = true, includeUpper = true;
        var boost = 1f;
        foreach (var p in field.Value.EnumerateObject())
        {
            var v = p.Value.ValueKind == JsonValueKind.Null ? (JsonElement?)null : p.Value.Clone();
            switch (p.Name)
            {
                case "gt": gt = v; break;
                case "gte": gte = v; break;
                case "lt": lt = v; break;
                case "lte": lte = v; break;
                case "from": from = v; break;
                case "to": to = v; break;
                case "include_lower": includeLower = Bool(p.Value); break;
                case "include_upper": includeUpper = Bool(p.Value); break;
                case "format": format = String(p.Value, fieldAt.Property(p.Name), "range"); break;
                case "time_zone": zone = String(p.Value, fieldAt.Property(p.Name), "range"); break;
                case "boost": boost = Float(p.Value, fieldAt.Property(p.Name)); break;
                case "relation" or "_name": break;
                default: throw _body.Error(fieldAt.Property(p.Name), $"[range] query does not support [{p.Name}]");
            }
        }
        var query = new RangeQuery { Field = field.Name, Format = format, TimeZone = zone, Boost = boost };
        if (from is not null)
        {
            if (includeLower) query.Gte = from; else query.Gt = from;
        }
        if (to is not null)
        {
            if (includeUpper) query.Lte = to; else query.Lt = to;
        }
        if (gt is not null) query.Gt = gt;
        if (gte is not null) query.Gte = gte;
        if (lt is not null) query.Lt = lt;
        if (lte is not null) query.Lte = lte;
        if (query.Gt is not null && query.Gte is not null) query.Gte = null;
        if (query.Lt is not null && query.Lte is not null) query.Lte = null;
        return query;
    }

    private ElasticQuery Exists(JsonElement body, JsonPath at)
    {
        string? field = null;
        var boost = 1f;
        foreach (var p in body.EnumerateObject())
        {
            switch (p.Name)
            {
                case "field": field = String(p.Value, at.Property(p.Name), "exists"); break;
                case "boost": boost = Float(p.Value, at.Property(p.Name)); break;
                case "_name": break;
                default: throw Unsupported("exists", p.Name, at);
            }
        }
        if (field is null) throw _body.Error(at, "[exists] must be provided with a [field]");
        return new ExistsQuery { Field = field, Boost = boost };
    }

    private ElasticQuery Ids(JsonElement body, JsonPath at)
    {
        var values = Array.Empty<string>();
        var boost = 1f;
        foreach (var p in body.EnumerateObject())
        {
            switch (p.Name)
            {
                case "values":
                    if (p.Value.ValueKind != JsonValueKind.Array) throw _body.Error(at.Property(p.Name), "[ids] failed to parse field [values]");
                    values = p.Value.EnumerateArray().Select(v => String(v, at.Property(p.Name), "ids")).ToArray();
                    break;
                case "boost": boost = Float(p.Value, at.Property(p.Name)); break;
                case "_name" or "type" or "types": break;
                default: throw Unsupported("ids", p.Name, at);
            }
        }
        return new IdsQuery { Values = values, Boost = boost };
    }

    private ElasticQuery Pattern(string kind, JsonElement body, JsonPath at)
    {
        var field = SingleField(kind, body, at);
        var fieldAt = at.Property(field.Name);
        string? value = null;
        var caseInsensitive = false;
        var boost = 1f;
        if (field.Value.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in field.Value.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "value":
                    case "wildcard" when kind == "wildcard":
                        value = String(p.Value, fieldAt.Property(p.Name), kind);
                        break;
                    case "case_insensitive": caseInsensitive = Bool(p.Value); break;
                    case "boost": boost = Float(p.Value, fieldAt.Property(p.Name)); break;
                    case "rewrite" or "flags" or "flags_value" or "max_determinized_states" or "_name": break;
                    default: throw _body.Error(fieldAt.Property(p.Name), $"[{kind}] query does not support [{p.Name}]");
                }
            }
        }
        else
        {
            value = String(field.Value, fieldAt, kind);
        }
        if (value is null) throw _body.Error(fieldAt, $"[{kind}] query requires a value");
        return new PatternQuery { Kind = kind, Field = field.Name, Value = value, CaseInsensitive = caseInsensitive, Boost = boost };
    }

    private ElasticQuery Bool(JsonElement body, JsonPath at)
    {
        var query = new BoolQuery();
        foreach (var p in body.EnumerateObject())
        {
            var pAt = at.Property(p.Name);
            switch (p.Name)
            {
                case "must": Clauses(p.Value, pAt, query.Must, "must"); break;
                case "filter": Clauses(p.Value, pAt, query.Filter, "filter"); break;
                case "should": Clauses(p.Value, pAt, query.Should, "should"); break;
                case "must_not" or "mustNot": Clauses(p.Value, pAt, query.MustNot, "must_not"); break;
                case "minimum_should_match": query.MinimumShouldMatch = String(p.Value, pAt, "bool"); break;
                case "boost": query.Boost = Float(p.Value, pAt); break;
                case "_name" or "adjust_pure_negative": break;
                default: throw _body.Error(pAt, $"[bool] query does not support [{p.Name}]");
            }
        }
        return query;
    }

    private void Clauses(JsonElement value, JsonPath at, List<ElasticQuery> into, string occur)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            into.Add(Parse(value, at));
            return;
        }
        if (value.ValueKind != JsonValueKind.Array)
            throw _body.Error(at, $"[bool] query does not support [{occur}]");
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            into.Add(Parse(item, at.Index(i++)));
        }
    }

    private ElasticQuery ConstantScore(JsonElement body, JsonPath at)
    {
        ElasticQuery? filter = null;
        var boost = 1f;
        foreach (var p in body.EnumerateObject())
        {
            switch (p.Name)
            {
                case "filter": filter = Parse(p.Value, at.Property(p.Name)); break;
                case "boost": boost = Float(p.Value, at.Property(p.Name)); break;
                case "_name": break;
                default: throw _body.Error(at.Property(p.Name), $"[constant_score] query does not support [{p.Name}]");
            }
        }
        if (filter is null) throw _body.Error(at, "[constant_score] requires a 'filter' element");
        return new ConstantScoreQuery { Filter = filter, Boost = boost };
    }

    private ElasticQuery DisMax(JsonElement body, JsonPath at)
    {
        var queries = new List<ElasticQuery>();
        float tie = 0, boost = 1;
        foreach (var p in body.EnumerateObject())
        {
            switch (p.Name)
            {
                case "queries": Clauses(p.Value, at.Property(p.Name), queries, "queries"); break;
                case "tie_breaker": tie = Float(p.Value, at.Property(p.Name)); break;
                case "boost": boost = Float(p.Value, at.Property(p.Name)); break;
                case "_name": break;
                default: throw _body.Error(at.Property(p.Name), $"[dis_max] query does not support [{p.Name}]");
            }
        }
        if (queries.Count == 0) throw _body.Error(at, "[dis_max] requires 'queries' field with at least one clause");
        return new DisMaxQuery { Queries = queries, TieBreaker = tie, Boost = boost };
    }

    private ElasticQuery QueryString(JsonElement body, JsonPath at)
    {
        string? text = null, defaultField = null;
        string[]? fields = null;
        var and = false;
        bool? lenient = null;
        var boost = 1f;
        foreach (var p in body.EnumerateObject())
        {
            var pAt = at.Property(p.Name);
            switch (p.Name)
            {
                case "query": text = String(p.Value, pAt, "query_string"); break;
                case "default_field": defaultField = String(p.Value, pAt, "query_string"); break;
                case "fields":
                    fields = p.Value.ValueKind == JsonValueKind.Array
                        ? p.Value.EnumerateArray().Select(f => String(f, pAt, "query_string")).ToArray()
                        : throw _body.Error(pAt, "[query_string] query does not support [fields]");
                    break;
                case "default_operator":
                    var op = String(p.Value, pAt, "query_string").ToLowerInvariant();
                    if (op is not ("and" or "or")) throw ElasticException.IllegalArgument($"No enum constant org.elasticsearch.index.query.Operator.{op.ToUpperInvariant()}");
                    and = op == "and";
                    break;
                case "lenient": lenient = Bool(p.Value); break;
                case "boost": boost = Float(p.Value, pAt); break;
                case "analyze_wildcard" or "allow_leading_wildcard" or "analyzer" or "quote_analyzer" or "auto_generate_synonyms_phrase_query" or "fuzziness"
                    or "fuzzy_max_expansions" or "fuzzy_prefix_length" or "fuzzy_transpositions" or "max_determinized_states"
                    or "minimum_should_match" or "phrase_slop" or "quote_field_suffix" or "rewrite" or "time_zone" or "type"
                    or "enable_position_increments" or "escape" or "tie_breaker" or "_name":
                    break;
                default: throw _body.Error(pAt, $"[query_string] query does not support [{p.Name}]");
            }
        }
        if (text is null) throw _body.Error(at, "[query_string] must be provided with a [query]");
        return new QueryStringQuery
        {
            Query = text, DefaultField = defaultField, Fields = fields, DefaultOperatorAnd = and, Lenient = lenient, Boost = boost,
        };
    }
}
