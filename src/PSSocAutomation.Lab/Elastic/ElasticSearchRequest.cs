using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>A _search (or _count) request: the body and the URL parameters, parsed and checked like ES.</summary>
internal sealed class SearchRequest
{
    public const int DefaultTrackTotalHitsUpTo = 10_000;

    public ElasticQuery Query { get; set; } = ElasticQuery.MatchAll;
    public ElasticQuery? PostFilter { get; set; }
    public int Size { get; set; } = 10;
    public int From { get; set; }
    public List<SortSpec>? Sort { get; set; }
    public SourceFilter Source { get; set; } = SourceFilter.All;
    public FieldsOption? Fields { get; set; }
    /// <summary>0 = not tracked (track_total_hits:false), int.MaxValue = exact, otherwise count up to this.</summary>
    public int TrackTotalHitsUpTo { get; set; } = DefaultTrackTotalHitsUpTo;
    public bool TrackTotalHitsSet { get; set; }
    public JsonElement[]? SearchAfter { get; set; }
    public string? PitId { get; set; }
    public TimeSpan? PitKeepAlive { get; set; }
    public List<AggregationSpec> Aggregations { get; set; } = new();
    public float? MinScore { get; set; }
    public bool Version { get; set; }
    public bool SeqNoPrimaryTerm { get; set; }
    public bool TrackScores { get; set; }
    public bool RestTotalHitsAsInt { get; set; }
    public bool TypedKeys { get; set; }
    public bool IgnoreUnavailable { get; set; }
    public bool AllowNoIndices { get; set; } = true;

    /// <summary>Body keys ES has that the Lab does not implement: refused by name rather than ignored.</summary>
    private static readonly HashSet<string> UnsupportedKeys = new(StringComparer.Ordinal)
    {
        "collapse", "highlight", "rescore", "suggest", "script_fields", "runtime_mappings", "indices_boost", "knn", "rank",
        "retriever", "slice", "ext", "sub_searches",
    };

    public static readonly HashSet<string> SearchParameters = new(StringComparer.Ordinal)
    {
        "q", "df", "default_operator", "analyzer", "analyze_wildcard", "lenient", "size", "from", "sort", "_source", "_source_includes",
        "_source_excludes", "_source_include", "_source_exclude", "track_total_hits", "rest_total_hits_as_int", "typed_keys",
        "ignore_unavailable", "allow_no_indices", "expand_wildcards", "ignore_throttled", "pretty", "human", "error_trace",
        "filter_path", "timeout", "terminate_after", "track_scores", "version", "seq_no_primary_term", "search_type",
        "request_cache", "preference", "routing", "allow_partial_search_results", "batched_reduce_size",
        "ccs_minimize_roundtrips", "max_concurrent_shard_requests", "pre_filter_shard_size", "stats", "stored_fields",
        "docvalue_fields", "explain", "suggest_field", "suggest_mode", "suggest_size", "suggest_text", "min_compatible_shard_node",
        "include_named_queries_score", "force_synthetic_source", "scroll",
    };

    public static SearchRequest Parse(ElasticRequestBody body, IQueryCollection query, bool forCount = false)
    {
        var request = new SearchRequest();
        if (body.Root is { } root)
        {
            if (root.ValueKind != JsonValueKind.Object)
                throw ElasticException.Parsing($"Expected [START_OBJECT] but found [{ElasticRequestBody.TokenName(root)}]", (1, 1));
            if (forCount) request.ParseCountBody(root, body);
            else request.ParseBody(root, body);
        }
        request.ApplyUrl(query, forCount);
        request.Check();
        return request;
    }

    private void ParseCountBody(JsonElement root, ElasticRequestBody body)
    {
        foreach (var p in root.EnumerateObject())
        {
            if (p.Name == "query") Query = new ElasticQueryParser(body).Parse(p.Value, JsonPath.Root.Property("query"));
            else throw body.Error(JsonPath.Root.Property(p.Name), $"request does not support [{p.Name}]");
        }
    }

    private void ParseBody(JsonElement root, ElasticRequestBody body)
    {
        var queries = new ElasticQueryParser(body);
        foreach (var p in root.EnumerateObject())
        {
            var at = JsonPath.Root.Property(p.Name);
            var v = p.Value;
            switch (p.Name)
            {
                case "query": Query = queries.Parse(v, at); break;
                case "post_filter": PostFilter = queries.Parse(v, at); break;
                case "size": Size = Int(v, body, at, "size"); break;
                case "from": From = Int(v, body, at, "from"); break;
                case "sort": Sort = SortSpec.Parse(v, body, at); break;
                case "_source": Source = SourceFilter.Parse(v, body, at); break;
                case "fields":
                case "docvalue_fields":
                    var parsed = FieldsOption.Parse(v, body, at);
                    Fields = Fields is null ? parsed : new FieldsOption(Fields.Patterns.Concat(parsed.Patterns).ToList());
                    break;
                case "track_total_hits":
                    TrackTotalHitsSet = true;
                    TrackTotalHitsUpTo = v.ValueKind switch
                    {
                        JsonValueKind.True => int.MaxValue,
                        JsonValueKind.False => 0,
                        JsonValueKind.Number => v.GetInt32() < 0 ? int.MaxValue : v.GetInt32(),
                        _ => throw body.Error(at, $"[track_total_hits] expected a boolean or an integer but got [{ElasticRequestBody.TokenName(v)}]"),
                    };
                    break;
                case "search_after":
                    if (v.ValueKind != JsonValueKind.Array) throw body.Error(at, "[search_after] values must be an array");
                    SearchAfter = v.EnumerateArray().Select(e => e.Clone()).ToArray();
                    break;
                case "pit":
                    ParsePit(v, body, at);
                    break;
                case "aggs":
                case "aggregations":
                    Aggregations.AddRange(AggregationParser.Parse(v, body, at));
                    break;
                case "min_score": MinScore = v.GetSingle(); break;
                case "version": Version = v.ValueKind == JsonValueKind.True; break;
                case "seq_no_primary_term": SeqNoPrimaryTerm = v.ValueKind == JsonValueKind.True; break;
                case "track_scores": TrackScores = v.ValueKind == JsonValueKind.True; break;
                case "timeout" or "terminate_after" or "explain" or "stats" or "stored_fields" or "profile":
                    if (p.Name == "profile" && v.ValueKind == JsonValueKind.True)
                        throw ElasticException.IllegalArgument("[profile] is not supported by the PSSocAutomation Lab");
                    break;
                default:
                    if (UnsupportedKeys.Contains(p.Name))
                        throw ElasticException.IllegalArgument($"[{p.Name}] is not supported by the PSSocAutomation Lab");
                    throw body.Error(at, $"Unknown key for a {ElasticRequestBody.TokenName(v)} in [{p.Name}].");
            }
        }
    }

    private void ParsePit(JsonElement v, ElasticRequestBody body, JsonPath at)
    {
        if (v.ValueKind != JsonValueKind.Object) throw body.Error(at, $"[pit] point_in_time doesn't support values of type: {ElasticRequestBody.TokenName(v)}");
        foreach (var p in v.EnumerateObject())
        {
            switch (p.Name)
            {
                case "id": PitId = p.Value.GetString(); break;
                case "keep_alive": PitKeepAlive = ElasticTimeValue.Parse(p.Value.GetString() ?? string.Empty, "keep_alive"); break;
                default: throw body.Error(at.Property(p.Name), $"[point_in_time] unknown field [{p.Name}]");
            }
        }
        if (string.IsNullOrEmpty(PitId)) throw body.Error(at, "[point_in_time] failed to parse field [id]");
    }

    private static int Int(JsonElement v, ElasticRequestBody body, JsonPath at, string name)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
        if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out i)) return i;
        var location = body.Locate(at);
        throw ElasticException.XContentParse(location, $"[{name}] failed to parse field [{name}]",
            new ElasticErrorCause("illegal_argument_exception", $"Current token ({ElasticRequestBody.TokenName(v)}) not numeric, can not use numeric value accessors"));
    }

    private void ApplyUrl(IQueryCollection query, bool forCount)
    {
        if (query.TryGetValue("q", out var q))
        {
            Query = new QueryStringQuery
            {
                Query = q.ToString(),
                DefaultField = query.TryGetValue("df", out var df) ? df.ToString() : null,
                DefaultOperatorAnd = query.TryGetValue("default_operator", out var op) && op.ToString().Equals("and", StringComparison.OrdinalIgnoreCase),
                Lenient = query.TryGetValue("lenient", out var lenient) ? UrlBool(lenient.ToString(), "lenient") : null,
            };
        }
        if (forCount)
        {
            IgnoreUnavailable = query.TryGetValue("ignore_unavailable", out var iu0) && UrlBool(iu0.ToString(), "ignore_unavailable");
            if (query.TryGetValue("allow_no_indices", out var ani0)) AllowNoIndices = UrlBool(ani0.ToString(), "allow_no_indices");
            return;
        }
        if (query.TryGetValue("size", out var size)) Size = UrlInt(size.ToString(), "size");
        if (query.TryGetValue("from", out var from)) From = UrlInt(from.ToString(), "from");
        if (query.TryGetValue("sort", out var sort)) Sort = SortSpec.ParseUrl(sort.ToString());
        if (SourceFilter.FromUrl(Get(query, "_source"), Get(query, "_source_includes") ?? Get(query, "_source_include"),
                Get(query, "_source_excludes") ?? Get(query, "_source_exclude")) is { } source) Source = source;
        if (query.TryGetValue("track_total_hits", out var tth))
        {
            TrackTotalHitsSet = true;
            var text = tth.ToString();
            TrackTotalHitsUpTo = text switch
            {
                "true" => int.MaxValue,
                "false" => 0,
                _ => UrlInt(text, "track_total_hits"),
            };
        }
        if (query.TryGetValue("rest_total_hits_as_int", out var asInt)) RestTotalHitsAsInt = UrlBool(asInt.ToString(), "rest_total_hits_as_int");
        if (query.TryGetValue("typed_keys", out var typed)) TypedKeys = UrlBool(typed.ToString(), "typed_keys");
        if (query.TryGetValue("ignore_unavailable", out var iu)) IgnoreUnavailable = UrlBool(iu.ToString(), "ignore_unavailable");
        if (query.TryGetValue("allow_no_indices", out var ani)) AllowNoIndices = UrlBool(ani.ToString(), "allow_no_indices");
        if (query.TryGetValue("track_scores", out var ts)) TrackScores = UrlBool(ts.ToString(), "track_scores");
        if (query.TryGetValue("version", out var version)) Version = UrlBool(version.ToString(), "version");
        if (query.TryGetValue("seq_no_primary_term", out var seq)) SeqNoPrimaryTerm = UrlBool(seq.ToString(), "seq_no_primary_term");
        if (query.ContainsKey("scroll"))
            throw ElasticException.IllegalArgument("[scroll] is not supported by the PSSocAutomation Lab; use a point in time with search_after");
        // The bare-number total is always exact, so ES turns on exact tracking for it.
        if (RestTotalHitsAsInt && !TrackTotalHitsSet) TrackTotalHitsUpTo = int.MaxValue;
    }

    private static string? Get(IQueryCollection query, string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;

    /// <summary>The error of the size=surprise_me fixture: illegal_argument_exception caused by number_format_exception.</summary>
    public static int UrlInt(string text, string name)
    {
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        throw ElasticException.IllegalArgument($"Failed to parse int parameter [{name}] with value [{text}]",
            new ElasticErrorCause("number_format_exception", $"For input string: \"{text}\""));
    }

    public static bool UrlBool(string text, string name) => text switch
    {
        "" or "true" => true,
        "false" => false,
        _ => throw ElasticException.IllegalArgument($"Failed to parse value [{text}] as only [true] or [false] are allowed."),
    };

    private void Check()
    {
        if (Size < 0) throw ElasticException.IllegalArgument($"[size] parameter cannot be negative, found [{Size}]");
        if (From < 0) throw ElasticException.IllegalArgument($"[from] parameter cannot be negative, found [{From}]");
        var problems = new List<string>();
        if (SearchAfter is not null && From > 0) problems.Add("[from] parameter must be set to 0 when [search_after] is used");
        if (PitId is null && Sort?.Any(s => s.Kind == SortKind.ShardDoc) == true) problems.Add("[_shard_doc] sort field cannot be used without [point in time]");
        if (problems.Count > 0) throw ElasticException.Validation(problems.ToArray());
    }
}
