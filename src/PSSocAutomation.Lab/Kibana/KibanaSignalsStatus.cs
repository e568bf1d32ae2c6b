using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Elastic;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Kibana;

/// <summary>
/// POST /api/detection_engine/signals/status: an _update_by_query over the space's alerts alias, by ids (matching
/// _id or kibana.alert.uuid) or by query. Modern alerts get the workflow fields, 7.x signals get signal.status; the
/// answer is ES's update-by-query body, and a version conflict under conflicts=abort is Kibana's 409 carrying that
/// body as a JSON string in its message.
/// </summary>
internal sealed class KibanaSignalsStatus
{
    private static readonly string[] Statuses = { "open", "closed", "acknowledged", "in-progress" };
    private static readonly string[] Conflicts = { "abort", "proceed" };
    private static readonly string[] Reasons =
    {
        "false_positive", "issue_resolved", "acceptable_risk", "expected_activity", "low_severity", "duplicate", "investigation_required",
    };

    private static readonly Version ReasonFrom = new(9, 2);

    /// <summary>ES's update_by_query scrolls in batches of 1,000.</summary>
    private const int BatchSize = 1000;

    private readonly KibanaLab _kibana;

    public KibanaSignalsStatus(KibanaLab kibana) => _kibana = kibana;

    public LabResponse Update(byte[] bytes, string space, string user)
    {
        var started = Stopwatch.GetTimestamp();
        var body = KibanaRequestBody.ParseObject(bytes);
        var status = KibanaRequestBody.Enum(body, "status", Statuses, null);
        var abort = KibanaRequestBody.Enum(body, "conflicts", Conflicts, "abort") == "abort";
        // Before 9.2 the schema knew no reason: whatever is sent is neither checked nor stored.
        var reason = _kibana.ParsedVersion >= ReasonFrom && body.ContainsKey("reason") ? KibanaRequestBody.Enum(body, "reason", Reasons, null) : null;
        var query = TargetQuery(body);

        List<(ElasticIndex Index, StoredDocument Doc)> matches;
        try
        {
            matches = _kibana.Elastic.MatchForKibana(KibanaLab.AlertsAlias(space), Encoding.UTF8.GetBytes(query.ToJsonString()));
        }
        catch (ElasticException e)
        {
            throw new KibanaException(KibanaErrors.Security(e.Status, e.Error.Type + ": " + e.Error.Reason));
        }

        var conflicted = _kibana.TakeConflict()
            ? matches.Select(m => m.Doc.Id).ToHashSet(StringComparer.Ordinal)
            : _kibana.ConflictWhen is { } when ? matches.Where(m => when(m.Doc.Id)).Select(m => m.Doc.Id).ToHashSet(StringComparer.Ordinal) : new HashSet<string>();
        if (conflicted.Count > 0 && abort)
        {
            // ES stops at the conflict; the Lab checks every id first, so an aborted request changed nothing.
            // ES lists each conflict under failures when it aborts (with proceed it only counts them).
            var conflicts = new JsonArray();
            foreach (var (index, doc) in matches.Where(m => conflicted.Contains(m.Doc.Id)))
                conflicts.Add(Failure(index.Name, doc.Id, "version_conflict_engine_exception",
                    $"[{doc.Id}]: version conflict, required seqNo [{doc.SeqNo}], primary term [1]. current document has seqNo [{doc.SeqNo + 1}] and primary term [1]", 409));
            var refused = Result(started, matches.Count, 0, conflicted.Count, conflicts);
            return KibanaErrors.Json(409, new JsonObject
            {
                ["statusCode"] = 409,
                ["error"] = "Conflict",
                ["message"] = KibanaErrors.ToJson(refused),
            });
        }

        var updated = 0;
        var failures = new JsonArray();
        var now = ElasticDates.Format(_kibana.Elastic.Now.ToUnixTimeMilliseconds());
        foreach (var (index, doc) in matches)
        {
            if (conflicted.Contains(doc.Id)) continue;
            if (JsonNode.Parse(doc.Source) is not JsonObject source) continue;
            Apply(source, status, reason, user, now);
            var written = index.Write(doc.Id, JsonSerializer.SerializeToUtf8Bytes(source), createOnly: false);
            if (written.Failed)
            {
                failures.Add(Failure(index.Name, doc.Id, written.Error!.Type, written.Error.Reason, written.Status));
                continue;
            }
            // Rewriting the same status is still a write to ES (the script sets it again): updated, not a noop.
            updated++;
        }
        return KibanaErrors.Json(200, Result(started, matches.Count, updated, conflicted.Count, failures));
    }

    /// <summary>signal_ids become the query Kibana builds (ids or kibana.alert.uuid); otherwise the caller's query.</summary>
    private static JsonObject TargetQuery(JsonObject body)
    {
        if (body.TryGetPropertyValue("signal_ids", out var idsNode) && idsNode is not null)
        {
            if (idsNode is not JsonArray ids) throw KibanaException.BadBody($"signal_ids: Expected array, received {KibanaRequestBody.ZodType(idsNode)}");
            var values = new JsonArray();
            for (var i = 0; i < ids.Count; i++)
            {
                if (ids[i]?.GetValueKind() != JsonValueKind.String)
                    throw KibanaException.BadBody($"signal_ids.{i}: Expected string, received {KibanaRequestBody.ZodType(ids[i])}");
                values.Add(ids[i]!.GetValue<string>());
            }
            return new JsonObject
            {
                ["bool"] = new JsonObject
                {
                    ["should"] = new JsonArray(
                        new JsonObject { ["ids"] = new JsonObject { ["values"] = values.DeepClone() } },
                        new JsonObject { ["terms"] = new JsonObject { ["kibana.alert.uuid"] = values } }),
                    ["minimum_should_match"] = 1,
                },
            };
        }
        if (body.TryGetPropertyValue("query", out var query) && query is not null)
        {
            if (query is not JsonObject asked) throw KibanaException.BadBody($"query: Expected object, received {KibanaRequestBody.ZodType(query)}");
            return asked;
        }
        throw KibanaException.BadBody("Invalid input: signal_ids or query is required");
    }

    /// <summary>What Kibana's painless script does to one alert.</summary>
    private static void Apply(JsonObject source, string status, string? reason, string user, string now)
    {
        var modern = KibanaAlertDocument.Has(source, "kibana.alert.uuid") || KibanaAlertDocument.Has(source, "kibana.alert.workflow_status");
        if (!modern && source["signal"] is JsonObject)
        {
            KibanaAlertDocument.Set(source, "signal.status", status);
            return;
        }
        if (KibanaAlertDocument.GetString(source, "kibana.alert.workflow_status") != status)
            KibanaAlertDocument.Set(source, "kibana.alert.workflow_status_updated_at", now);
        KibanaAlertDocument.Set(source, "kibana.alert.workflow_status", status);
        KibanaAlertDocument.Set(source, "kibana.alert.workflow_user", user);
        if (reason is not null) KibanaAlertDocument.Set(source, "kibana.alert.workflow_reason", reason);
    }

    /// <summary>One entry of update_by_query's failures, as its bulk phase reports a document it could not write.</summary>
    private static JsonObject Failure(string index, string id, string type, string reason, int status) => new()
    {
        ["index"] = index,
        ["id"] = id,
        ["cause"] = new JsonObject { ["type"] = type, ["reason"] = reason, ["index"] = index },
        ["status"] = status,
    };

    /// <summary>The _update_by_query response, key for key as signals-status.response.json has it.</summary>
    private static JsonObject Result(long started, int total, int updated, int conflicts, JsonArray failures) => new()
    {
        ["took"] = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        ["timed_out"] = false,
        ["total"] = total,
        ["updated"] = updated,
        ["deleted"] = 0,
        ["batches"] = (total + BatchSize - 1) / BatchSize,
        ["version_conflicts"] = conflicts,
        ["noops"] = 0,
        ["retries"] = new JsonObject { ["bulk"] = 0, ["search"] = 0 },
        ["throttled_millis"] = 0,
        ["requests_per_second"] = -1,
        ["throttled_until_millis"] = 0,
        ["failures"] = failures,
    };
}
