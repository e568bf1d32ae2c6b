namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// A page of hits in a pooled array: a 10,000-hit page would otherwise be a large-object-heap list per request, and
/// with a million documents in the heap every full collection those trigger is expensive.
/// </summary>
internal sealed class HitList : IDisposable
{
    private SearchHit[] _items = Array.Empty<SearchHit>();

    public int Count { get; private set; }

    public SearchHit this[int index] => _items[index];

    public void Add(SearchHit hit)
    {
        if (Count == _items.Length)
        {
            var grown = System.Buffers.ArrayPool<SearchHit>.Shared.Rent(Math.Max(16, _items.Length * 2));
            Array.Copy(_items, grown, Count);
            Return();
            _items = grown;
        }
        _items[Count++] = hit;
    }

    public float MaxScore()
    {
        var max = float.NaN;
        for (var i = 0; i < Count; i++)
        {
            if (float.IsNaN(max) || _items[i].Score > max) max = _items[i].Score;
        }
        return max;
    }

    private void Return()
    {
        if (_items.Length == 0) return;
        Array.Clear(_items, 0, Count);
        System.Buffers.ArrayPool<SearchHit>.Shared.Return(_items);
    }

    public void Dispose()
    {
        Return();
        _items = Array.Empty<SearchHit>();
        Count = 0;
    }
}

/// <summary>What a search found, ready to be written.</summary>
internal sealed class SearchResult : IDisposable
{
    public required IndexSnapshot[] Targets { get; init; }
    public HitList Hits { get; } = new();

    public void Dispose() => Hits.Dispose();
    public bool WriteSort { get; set; }
    /// <summary>-1 when not tracked.</summary>
    public long Total { get; set; } = -1;
    public bool TotalIsLowerBound { get; set; }
    public float MaxScore { get; set; } = float.NaN;
    public List<AggregationResult>? Aggregations { get; set; }
    public List<ElasticException.ShardFailure> Failures { get; } = new();
}

/// <summary>
/// Runs a search over index snapshots: binds the query to each index, checks what each shard would check, then
/// either walks a cached sort order from the search_after position (field sorts: the PIT path) or scores every match
/// (relevance sorts). Index-level failures become _shards.failures, or an error when no index answered.
/// </summary>
internal static class SearchExecutor
{
    public static SearchResult Execute(SearchRequest request, IndexSnapshot[] targets, PointInTime? pit, ElasticStore store, DateTimeOffset now)
    {
        var result = new SearchResult { Targets = targets };
        var matchers = new DocMatcher?[targets.Length];
        var postFilters = new DocMatcher?[targets.Length];
        var specs = EffectiveSort(request, pit);
        for (var t = 0; t < targets.Length; t++)
        {
            var target = targets[t];
            try
            {
                var window = request.From + request.Size;
                if (window > target.Index.MaxResultWindow)
                    throw new ElasticShardException(400, new ElasticErrorCause("illegal_argument_exception",
                        $"Result window is too large, from + size must be less than or equal to: [{target.Index.MaxResultWindow}] but was [{window}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting."));
                if (request.SearchAfter is not null)
                {
                    if (specs.Count == 0)
                        throw new ElasticShardException(400, new ElasticErrorCause("illegal_argument_exception", "Sort must contain at least one field."));
                    if (request.SearchAfter.Length != specs.Count)
                        throw new ElasticShardException(400, new ElasticErrorCause("illegal_argument_exception",
                            $"search_after has {request.SearchAfter.Length} value(s) but sort has {specs.Count}."));
                }
                var context = new QueryContext(target, now);
                var matcher = request.Query.Bind(context);
                var post = request.PostFilter?.Bind(context);
                foreach (var spec in specs) spec.Validate(target);
                foreach (var agg in request.Aggregations) agg.Validate(target);
                matchers[t] = matcher;
                postFilters[t] = post;
            }
            catch (ElasticShardException e)
            {
                result.Failures.Add(new ElasticException.ShardFailure(target.Index.Name, 0, e.Reason));
                if (result.Failures.Count == targets.Length)
                    throw ElasticException.SearchPhase(e.Status, result.Failures);
            }
        }

        var byScore = specs.Count == 0 || specs.Any(s => s.Kind == SortKind.Score);
        result.WriteSort = specs.Count > 0;
        var needAggDocs = request.Aggregations.Count > 0;
        var aggScores = request.Aggregations.Any(a => a.NeedsScores);
        if (byScore || request.MinScore is not null) ScoreAll(request, targets, matchers, postFilters, specs, result, aggScores);
        else WalkSortedOrder(request, targets, matchers, postFilters, specs, pit, store, result);

        if (needAggDocs)
        {
            var docs = CollectMatches(request, targets, matchers, aggScores);
            var context = new AggregationContext(targets, now);
            try
            {
                result.Aggregations = request.Aggregations.Select(a => a.Compute(context, docs)).ToList();
            }
            catch (ElasticShardException e)
            {
                throw ElasticException.SearchPhase(e.Status, targets.Select(t => new ElasticException.ShardFailure(t.Index.Name, 0, e.Reason)).ToList());
            }
        }
        return result;
    }

    /// <summary>ES adds the _shard_doc tiebreaker to PIT searches that sort, unless search_after was built without it.</summary>
    private static List<SortSpec> EffectiveSort(SearchRequest request, PointInTime? pit)
    {
        var specs = request.Sort?.ToList() ?? new List<SortSpec>();
        if (pit is not null && specs.Count > 0 && specs[^1].Kind != SortKind.ShardDoc &&
            (request.SearchAfter is null || request.SearchAfter.Length == specs.Count + 1))
        {
            specs.Add(SortSpec.ShardDocTiebreaker);
        }
        return specs;
    }

    /// <summary>Field sorts: binary search to the search_after position in the cached order, then collect forward.</summary>
    private static void WalkSortedOrder(SearchRequest request, IndexSnapshot[] targets, DocMatcher?[] matchers, DocMatcher?[] postFilters,
        List<SortSpec> specs, PointInTime? pit, ElasticStore store, SearchResult result)
    {
        var order = pit is not null ? pit.OrderFor(specs) : store.OrderFor(targets, specs);
        var start = 0;
        if (request.SearchAfter is { } after)
        {
            var values = new object?[after.Length];
            for (var i = 0; i < after.Length; i++) values[i] = order.Columns[i].ParseAfter(after[i]);
            start = order.UpperBound(values);
        }
        var skipped = 0;
        if (request.Size > 0)
        {
            var perm = order.Perm;
            var refs = order.Refs;
            for (var i = start; i < perm.Length; i++)
            {
                var position = perm[i];
                var reference = refs[position];
                var t = (int)(reference >> 32);
                var matcher = matchers[t];
                if (matcher is null) continue;
                var doc = targets[t].Docs[(int)reference];
                if (!matcher.Matches(doc)) continue;
                if (postFilters[t] is { } post && !post.Matches(doc)) continue;
                if (skipped < request.From)
                {
                    skipped++;
                    continue;
                }
                var score = request.TrackScores ? matcher.Score(doc) : float.NaN;
                result.Hits.Add(new SearchHit(targets[t], doc, score, order, position));
                if (result.Hits.Count >= request.Size) break;
            }
        }
        if (request.TrackScores && result.Hits.Count > 0) result.MaxScore = result.Hits.MaxScore();
        if (request.TrackTotalHitsUpTo > 0) CountTotal(request, targets, matchers, postFilters, result);
    }

    private static void CountTotal(SearchRequest request, IndexSnapshot[] targets, DocMatcher?[] matchers, DocMatcher?[] postFilters, SearchResult result)
    {
        var upTo = request.TrackTotalHitsUpTo;
        long count = 0;
        for (var t = 0; t < targets.Length; t++)
        {
            var matcher = matchers[t];
            if (matcher is null) continue;
            var snapshot = targets[t];
            if (matcher.MatchesEverything && postFilters[t] is null)
            {
                count += snapshot.LiveCount;
                continue;
            }
            for (var i = 0; i < snapshot.Count && count <= upTo; i++)
            {
                var doc = snapshot.Docs[i];
                if (!doc.VisibleAt(snapshot.Generation) || !matcher.Matches(doc)) continue;
                if (postFilters[t] is { } post && !post.Matches(doc)) continue;
                count++;
            }
        }
        SetTotal(result, count, upTo);
    }

    private static void SetTotal(SearchResult result, long count, int upTo)
    {
        if (count > upTo)
        {
            result.Total = upTo;
            result.TotalIsLowerBound = true;
        }
        else
        {
            result.Total = count;
        }
    }

    /// <summary>Relevance (or min_score) searches: every match scored, then sorted with the requested clauses.</summary>
    private static void ScoreAll(SearchRequest request, IndexSnapshot[] targets, DocMatcher?[] matchers, DocMatcher?[] postFilters,
        List<SortSpec> specs, SearchResult result, bool aggScores)
    {
        var refs = new List<long>();
        var scores = new List<float>();
        var maxScore = float.NaN;
        for (var t = 0; t < targets.Length; t++)
        {
            var matcher = matchers[t];
            if (matcher is null) continue;
            var snapshot = targets[t];
            for (var i = 0; i < snapshot.Count; i++)
            {
                var doc = snapshot.Docs[i];
                if (!doc.VisibleAt(snapshot.Generation) || !matcher.Matches(doc)) continue;
                var score = matcher.Score(doc);
                if (request.MinScore is { } min && score < min) continue;
                if (postFilters[t] is { } post && !post.Matches(doc)) continue;
                refs.Add(((long)t << 32) | (uint)i);
                scores.Add(score);
                if (float.IsNaN(maxScore) || score > maxScore) maxScore = score;
            }
        }
        if (request.TrackTotalHitsUpTo > 0) SetTotal(result, refs.Count, request.TrackTotalHitsUpTo);
        var sortByScore = specs.Count == 0 || specs[0].Kind == SortKind.Score;
        if (request.Size == 0 || refs.Count == 0) return;
        var effective = specs.Count > 0 ? specs : new List<SortSpec> { new() { Kind = SortKind.Score, Field = "_score", Descending = true } };
        var scoreArray = scores.ToArray();
        var order = request.SearchAfter is null
            ? SortedOrder.BuildTop(targets, effective, refs.ToArray(), scoreArray, request.From + request.Size)
            : SortedOrder.Build(targets, effective, refs.ToArray(), scoreArray);
        var start = 0;
        if (request.SearchAfter is { } after)
        {
            var values = new object?[after.Length];
            for (var i = 0; i < after.Length; i++) values[i] = order.Columns[i].ParseAfter(after[i]);
            start = order.UpperBound(values);
        }
        var showScores = sortByScore || request.TrackScores || specs.Any(s => s.Kind == SortKind.Score);
        for (var i = start + request.From; i < order.Perm.Length && result.Hits.Count < request.Size; i++)
        {
            var position = order.Perm[i];
            var reference = order.Refs[position];
            var t = (int)(reference >> 32);
            result.Hits.Add(new SearchHit(targets[t], targets[t].Docs[(int)reference], showScores ? scoreArray[position] : float.NaN, order, position));
        }
        if (showScores) result.MaxScore = maxScore;
    }

    /// <summary>Aggregations see every match of the query (post_filter does not apply to them, min_score does).</summary>
    private static List<MatchedDoc> CollectMatches(SearchRequest request, IndexSnapshot[] targets, DocMatcher?[] matchers, bool scores)
    {
        var docs = new List<MatchedDoc>();
        for (var t = 0; t < targets.Length; t++)
        {
            var matcher = matchers[t];
            if (matcher is null) continue;
            var snapshot = targets[t];
            for (var i = 0; i < snapshot.Count; i++)
            {
                var doc = snapshot.Docs[i];
                if (!doc.VisibleAt(snapshot.Generation) || !matcher.Matches(doc)) continue;
                var score = scores || request.MinScore is not null ? matcher.Score(doc) : 0f;
                if (request.MinScore is { } min && score < min) continue;
                docs.Add(new MatchedDoc(((long)t << 32) | (uint)i, doc, score));
            }
        }
        return docs;
    }
}
