using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>_search, _count and the point-in-time open/close APIs.</summary>
internal sealed class ElasticSearchEndpoints
{
    private static readonly string[] CountParameters =
    {
        "q", "df", "default_operator", "analyzer", "analyze_wildcard", "lenient", "ignore_unavailable", "allow_no_indices", "expand_wildcards",
        "min_score", "routing", "preference", "terminate_after", "ignore_throttled",
    };

    private static readonly string[] PitParameters =
    {
        "keep_alive", "ignore_unavailable", "expand_wildcards", "preference", "routing", "allow_partial_search_results",
        "max_concurrent_shard_requests",
    };

    private readonly ElasticLab _lab;

    public ElasticSearchEndpoints(ElasticLab lab) => _lab = lab;

    public async Task SearchAsync(HttpContext context, string? index)
    {
        ElasticHttp.CheckParameters(context, SearchRequest.SearchParameters);
        var started = Stopwatch.GetTimestamp();
        using var body = ElasticRequestBody.Parse(await ElasticHttp.ReadBodyAsync(context).ConfigureAwait(false));
        var request = SearchRequest.Parse(body, context.Request.Query);
        var now = _lab.Now;
        PointInTime? pit = null;
        IndexSnapshot[] targets;
        if (request.PitId is { } pitId)
        {
            var problems = new List<string>();
            if (index is not null) problems.Add("[indices] cannot be used with point in time. Do not specify any index with point in time.");
            if (context.Request.Query.ContainsKey("routing")) problems.Add("[routing] cannot be used with point in time");
            if (context.Request.Query.ContainsKey("preference")) problems.Add("[preference] cannot be used with point in time");
            if (problems.Count > 0) throw ElasticException.Validation(problems.ToArray());
            pit = _lab.Pits.Get(pitId, now);
            var keepAlive = request.PitKeepAlive ?? pit.KeepAlive;
            if (!PointInTimeRegistry.Validate(keepAlive, out var tooLong)) throw ElasticException.IllegalArgument(tooLong!);
            pit.Extend(keepAlive, now);
            targets = pit.Snapshots;
        }
        else
        {
            targets = _lab.Store.Resolve(index, request.IgnoreUnavailable, request.AllowNoIndices).Select(i => i.Snapshot).ToArray();
        }
        using var result = SearchExecutor.Execute(request, targets, pit, _lab.Store, now);
        var returnedPitId = pit is null ? null : _lab.RotatePitIds ? _lab.Pits.Rotate(pit) : pit.Id;
        var took = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await ElasticResponse.WriteAsync(context, 200, sink => SearchResponseWriter.WriteAsync(sink, request, result, took, returnedPitId)).ConfigureAwait(false);
    }

    public async Task CountAsync(HttpContext context, string? index)
    {
        ElasticHttp.CheckParameters(context, CountParameters);
        using var body = ElasticRequestBody.Parse(await ElasticHttp.ReadBodyAsync(context).ConfigureAwait(false));
        var request = SearchRequest.Parse(body, context.Request.Query, forCount: true);
        request.Size = 0;
        request.TrackTotalHitsUpTo = int.MaxValue;
        var targets = _lab.Store.Resolve(index, request.IgnoreUnavailable, request.AllowNoIndices).Select(i => i.Snapshot).ToArray();
        using var result = SearchExecutor.Execute(request, targets, null, _lab.Store, _lab.Now);
        await ElasticResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("count", Math.Max(0, result.Total));
            SearchResponseWriter.WriteShards(writer, targets.Length, result.Failures);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    public async Task OpenPitAsync(HttpContext context, string index)
    {
        ElasticHttp.CheckParameters(context, PitParameters);
        using var body = ElasticRequestBody.Parse(await ElasticHttp.ReadBodyAsync(context).ConfigureAwait(false));
        if (body.Root is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("index_filter", out _))
            throw ElasticException.IllegalArgument("[index_filter] is not supported by the PSSocAutomation Lab");
        var keepAliveText = ElasticHttp.Param(context, "keep_alive");
        if (keepAliveText is null) throw ElasticException.Validation("[keep_alive] is not specified");
        var keepAlive = ElasticTimeValue.Parse(keepAliveText, "keep_alive");
        if (!PointInTimeRegistry.Validate(keepAlive, out var tooLong)) throw ElasticException.IllegalArgument(tooLong!);
        var indices = _lab.Store.Resolve(index, ElasticHttp.Flag(context, "ignore_unavailable"));
        var pit = _lab.Pits.Open(indices.Select(i => i.Snapshot).ToArray(), keepAlive, _lab.Now);
        await ElasticResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("id", pit.Id);
            SearchResponseWriter.WriteShards(writer, pit.Snapshots.Length);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    public async Task ClosePitAsync(HttpContext context)
    {
        ElasticHttp.CheckParameters(context, Array.Empty<string>());
        using var body = ElasticRequestBody.Parse(await ElasticHttp.ReadBodyAsync(context).ConfigureAwait(false));
        if (body.Root is not { } root)
            throw new ElasticException(400, new ElasticErrorCause("parse_exception", "request body is required"));
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String)
            throw ElasticException.Validation("point in time id must be specified");
        var id = idElement.GetString()!;
        var snapshots = _lab.Pits.Close(id, _lab.Now);
        var freed = snapshots ?? 0;
        // ES reports a close that freed nothing as 404, but still with succeeded:true.
        await ElasticResponse.WriteAsync(context, freed > 0 ? 200 : 404, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("succeeded", true);
            writer.WriteNumber("num_freed", freed);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
