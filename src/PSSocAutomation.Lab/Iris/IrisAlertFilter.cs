using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// GET /alerts/filter (alerts_routes.py alerts_list_route, alerts_db.py get_filtered_alerts), with each parameter
/// honoured only from the release that added it; a parameter the emulated release does not know is ignored, as IRIS
/// ignores unknown query parameters.
/// </summary>
internal static class IrisAlertFilter
{
    /// <summary>Raised where PostgreSQL or SQLAlchemy would fail the query: IRIS answers "Filtering error".</summary>
    private sealed class FilterFailed : Exception;

    public static IrisReply Handle(IrisRequest r)
    {
        var v = r.Version;
        var page = (int)Math.Clamp(r.QueryInt("page") ?? 1, int.MinValue, int.MaxValue);
        var perPage = (int)Math.Clamp(r.QueryInt("per_page") ?? 10, int.MinValue, int.MaxValue);

        List<long>? alertIds = null;
        if (r.Query("alert_ids") is { Length: > 0 } idsText)
        {
            var parsed = idsText.Split(',').Select(Py.ParseInt).ToList();
            if (parsed.Any(p => p is null)) return IrisEnvelope.Error("Invalid alert id");
            alertIds = parsed.Select(p => p!.Value).ToList();
        }
        var assetNames = r.Query("alert_assets") is { Length: > 0 } a ? a.Split(',') : null;
        var iocValues = r.Query("alert_iocs") is { Length: > 0 } i ? i.Split(',') : null;

        var store = r.Store;
        var conditions = new List<Func<IrisAlert, bool>>();
        try
        {
            if (v.AlertSourceDatesOnEventTime)
            {
                AddBetween(conditions, r.Query("creation_start_date"), r.Query("creation_end_date"), x => x.CreationTime);
                AddBetween(conditions, r.Query("source_start_date"), r.Query("source_end_date"), x => x.SourceEventTime);
            }
            else
            {
                // Before 2.4.14 the "source" date names filtered the creation time.
                AddBetween(conditions, r.Query("source_start_date"), r.Query("source_end_date"), x => x.CreationTime);
            }
            if (r.Query("alert_title") is string title) conditions.Add(x => Like(x.Title, title, true));
            if (r.Query("alert_description") is string description) conditions.Add(x => Like(x.Description, description, true));
            if (r.QueryInt("alert_status_id") is long status) conditions.Add(x => x.StatusId == status);
            if (r.QueryInt("alert_severity_id") is long severity) conditions.Add(x => x.SeverityId == severity);
            if (v.AtLeast(2, 3, 0) && r.QueryInt("alert_resolution_id") is long resolution) conditions.Add(x => x.ResolutionStatusId == resolution);
            if (v.AlertSourceReferenceFilter && r.Query("source_reference") is string reference) conditions.Add(x => Like(x.SourceRef, reference, false));
            if (r.QueryInt("alert_owner_id") is long owner) conditions.Add(owner == -1 ? x => x.OwnerId is null : x => x.OwnerId == owner);
            if (r.Query("alert_source") is string source) conditions.Add(x => Like(x.Source, source, true));
            if (r.Query("alert_tags") is string tags) conditions.Add(x => Like(x.Tags, tags, true));
            if (r.Query("alert_customer_id") is string client)
            {
                // Not type=int: the raw text reaches SQL, where a non-number fails the whole query.
                var customer = Py.ParseInt(client) ?? throw new FilterFailed();
                conditions.Add(x => x.CustomerId == customer);
            }
            if (alertIds is not null) conditions.Add(x => alertIds.Contains(x.AlertId));
            if (r.QueryInt("alert_classification_id") is long classification) conditions.Add(x => x.ClassificationId == classification);
            if (r.QueryInt("case_id") is long caseId) conditions.Add(x => x.CaseIds.Contains((int)caseId));
            if (assetNames is not null) conditions.Add(x => x.AssetIds.Any(id => store.Assets.TryGetValue(id, out var asset) && assetNames.Contains(asset.Name)));
            if (iocValues is not null) conditions.Add(x => x.IocIds.Any(id => store.Iocs.TryGetValue(id, out var ioc) && iocValues.Contains(ioc.Value)));
            if (v.AlertCustomConditions && r.Query("custom_conditions") is string custom) conditions.AddRange(CustomConditions(store, custom, v));
            if (v.AlertListScopedToCustomers && !r.User.IsAdministrator)
            {
                var visible = r.User.CustomerIds;
                conditions.Add(x => visible.Contains(x.CustomerId));
            }

            var matching = store.Alerts.Values.Where(x => conditions.All(c => c(x)));
            // Always ordered by alert_source_event_time; PostgreSQL puts NULLs first when descending, last when ascending.
            var ordered = (r.Query("sort") ?? "desc") == "desc"
                ? matching.OrderBy(x => x.SourceEventTime is null ? 0 : 1).ThenByDescending(x => x.SourceEventTime).ThenByDescending(x => x.AlertId)
                : matching.OrderBy(x => x.SourceEventTime is null ? 1 : 0).ThenBy(x => x.SourceEventTime).ThenBy(x => x.AlertId);
            var pageData = IrisPaging.Page(ordered.ToList(), page, perPage);

            var fields = v.AlertCustomConditions && r.Query("fields") is { Length: > 0 } f ? f.Split(',').Select(s => s.Trim()).ToArray() : null;
            var alerts = new JsonArray();
            foreach (var alert in pageData.Items)
            {
                var dump = IrisSchemas.Alert(store, alert);
                // An unknown name in fields makes IRIS fall back to the full dump.
                if (fields is not null && fields.All(dump.ContainsKey))
                    foreach (var key in dump.Select(p => p.Key).Where(k => !fields.Contains(k)).ToList()) dump.Remove(key);
                alerts.Add(dump);
            }
            return IrisEnvelope.Success("", new JsonObject
            {
                ["total"] = pageData.Total,
                ["alerts"] = alerts,
                ["last_page"] = pageData.Pages,
                ["current_page"] = pageData.Page,
                ["next_page"] = pageData.Next,
            });
        }
        catch (FilterFailed)
        {
            return IrisEnvelope.Error("Filtering error");
        }
    }

    private static void AddBetween(List<Func<IrisAlert, bool>> conditions, string? startText, string? endText, Func<IrisAlert, DateTime?> value)
    {
        // Both ends are needed, and an end IRIS cannot parse drops the condition rather than failing.
        if (startText is null || endText is null) return;
        if (ParseDate(startText) is not DateTime start || ParseDate(endText) is not DateTime end) return;
        conditions.Add(x => value(x) is DateTime t && t >= start && t <= end);
    }

    /// <summary>
    /// parse_bf_date_format: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]", ISO "T" forms, 10-digit epoch seconds or
    /// 13-digit epoch milliseconds (read as UTC).
    /// </summary>
    public static DateTime? ParseDate(string text)
    {
        text = text.Trim();
        if (text.All(char.IsAsciiDigit) && text.Length is 10 or 13)
        {
            var n = long.Parse(text, CultureInfo.InvariantCulture);
            return DateTime.SpecifyKind(DateTime.UnixEpoch.AddTicks(text.Length == 10 ? n * TimeSpan.TicksPerSecond : n * TimeSpan.TicksPerMillisecond), DateTimeKind.Unspecified);
        }
        string[] formats =
        [
            "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss",
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        ];
        if (DateTime.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return Py.Micro(t);
        return IrisValidation.ParseDateTime(text);
    }

    /// <summary>SQL LIKE / ILIKE with the value wrapped in %…%: the client's own % and _ stay wildcards.</summary>
    private static bool Like(string? column, string pattern, bool ignoreCase) =>
        column is not null && LikeRegex("%" + pattern + "%", ignoreCase).IsMatch(column);

    private static Regex LikeRegex(string pattern, bool ignoreCase)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length) sb.Append(Regex.Escape(pattern[++i].ToString()));
            else if (c == '%') sb.Append(".*");
            else if (c == '_') sb.Append('.');
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.Singleline | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None));
    }

    // ---- custom_conditions (2.4.17) ----

    private static IEnumerable<Func<IrisAlert, bool>> CustomConditions(IrisStore store, string json, IrisVersion v)
    {
        JsonNode? parsed;
        try { parsed = JsonNode.Parse(json); }
        catch (JsonException) { throw new FilterFailed(); }
        if (parsed is not JsonArray list) throw new FilterFailed();

        var result = new List<Func<IrisAlert, bool>>();
        foreach (var item in list)
        {
            if (item is not JsonObject condition) throw new FilterFailed();
            var field = Py.Str(condition["field"]) ?? throw new FilterFailed();
            var op = Py.Str(condition["operator"]) ?? throw new FilterFailed();
            var value = condition["value"];
            if (op == "not_like" && !v.NotLikeOperator) throw new FilterFailed();
            if (op is not ("eq" or "not" or "in" or "not_in" or "like" or "not_like")) throw new FilterFailed();

            var dot = field.IndexOf('.');
            if (dot < 0)
            {
                if (!AlertColumns.Contains(field)) throw new FilterFailed();
                result.Add(x => Compare(AlertRow(x)[field], op, value));
            }
            else
            {
                var relation = field[..dot];
                var column = field[(dot + 1)..];
                if (!RelationColumns.TryGetValue(relation, out var columns) || !columns.Contains(column)) throw new FilterFailed();
                result.Add(x => RelatedRows(store, x, relation).Any(row => Compare(row[column], op, value)));
            }
        }
        // Evaluate every condition once up front so a type error fails the query the way PostgreSQL would,
        // even when no row would have reached it.
        foreach (var condition in result) foreach (var alert in store.Alerts.Values.Take(1)) condition(alert);
        return result;
    }

    private static readonly HashSet<string> AlertColumns =
    [
        "alert_id", "alert_uuid", "alert_title", "alert_description", "alert_source", "alert_source_ref", "alert_source_link",
        "alert_severity_id", "alert_status_id", "alert_source_event_time", "alert_creation_time", "alert_note", "alert_tags",
        "alert_owner_id", "alert_customer_id", "alert_classification_id", "alert_resolution_status_id",
    ];

    private static readonly Dictionary<string, HashSet<string>> RelationColumns = new()
    {
        ["owner"] = ["id", "user", "name", "email"],
        ["severity"] = ["severity_id", "severity_name", "severity_description"],
        ["status"] = ["status_id", "status_name", "status_description"],
        ["customer"] = ["client_id", "name", "description", "sla"],
        ["resolution_status"] = ["resolution_status_id", "resolution_status_name", "resolution_status_description"],
        ["cases"] = ["case_id", "name", "soc_id", "client_id", "state_id", "severity_id", "status_id"],
        ["comments"] = ["comment_id", "comment_text"],
        ["assets"] = ["asset_id", "asset_uuid", "asset_name", "asset_type_id", "asset_ip", "asset_domain", "asset_description", "asset_tags"],
        ["iocs"] = ["ioc_id", "ioc_uuid", "ioc_value", "ioc_type_id", "ioc_tlp_id", "ioc_description", "ioc_tags"],
    };

    private static Dictionary<string, object?> AlertRow(IrisAlert x) => new()
    {
        ["alert_id"] = (long)x.AlertId, ["alert_uuid"] = x.Uuid.ToString(), ["alert_title"] = x.Title,
        ["alert_description"] = x.Description, ["alert_source"] = x.Source, ["alert_source_ref"] = x.SourceRef,
        ["alert_source_link"] = x.SourceLink, ["alert_severity_id"] = (long)x.SeverityId, ["alert_status_id"] = (long)x.StatusId,
        ["alert_source_event_time"] = x.SourceEventTime, ["alert_creation_time"] = x.CreationTime, ["alert_note"] = x.Note,
        ["alert_tags"] = x.Tags, ["alert_owner_id"] = (long?)x.OwnerId, ["alert_customer_id"] = (long)x.CustomerId,
        ["alert_classification_id"] = (long?)x.ClassificationId, ["alert_resolution_status_id"] = (long?)x.ResolutionStatusId,
    };

    private static IEnumerable<Dictionary<string, object?>> RelatedRows(IrisStore store, IrisAlert x, string relation)
    {
        switch (relation)
        {
            case "owner":
                if (store.User(x.OwnerId) is { } u) yield return new() { ["id"] = (long)u.Id, ["user"] = u.Login, ["name"] = u.Name, ["email"] = u.Email };
                break;
            case "severity":
                if (IrisLookups.Severity(x.SeverityId) is { } s)
                    yield return new() { ["severity_id"] = (long)s.Id, ["severity_name"] = s.Name, ["severity_description"] = s.Description };
                break;
            case "status":
                if (IrisLookups.AlertStatus(x.StatusId) is { } st)
                    yield return new() { ["status_id"] = (long)st.Id, ["status_name"] = st.Name, ["status_description"] = st.Description };
                break;
            case "customer":
                if (store.Customer(x.CustomerId) is { } c)
                    yield return new() { ["client_id"] = (long)c.CustomerId, ["name"] = c.Name, ["description"] = c.Description, ["sla"] = c.Sla };
                break;
            case "resolution_status":
                if (IrisLookups.Resolution(x.ResolutionStatusId) is { } rs)
                    yield return new() { ["resolution_status_id"] = (long)rs.Id, ["resolution_status_name"] = rs.Name, ["resolution_status_description"] = rs.Description };
                break;
            case "cases":
                foreach (var id in x.CaseIds)
                    if (store.Cases.TryGetValue(id, out var k))
                        yield return new()
                        {
                            ["case_id"] = (long)k.CaseId, ["name"] = k.Name, ["soc_id"] = k.SocId, ["client_id"] = (long)k.CustomerId,
                            ["state_id"] = (long?)k.StateId, ["severity_id"] = (long?)k.SeverityId, ["status_id"] = (long)k.StatusId,
                        };
                break;
            case "assets":
                foreach (var id in x.AssetIds)
                    if (store.Assets.TryGetValue(id, out var a))
                        yield return new()
                        {
                            ["asset_id"] = (long)a.AssetId, ["asset_uuid"] = a.Uuid.ToString(), ["asset_name"] = a.Name, ["asset_type_id"] = (long)a.TypeId,
                            ["asset_ip"] = a.Ip, ["asset_domain"] = a.Domain, ["asset_description"] = a.Description, ["asset_tags"] = a.Tags,
                        };
                break;
            case "iocs":
                foreach (var id in x.IocIds)
                    if (store.Iocs.TryGetValue(id, out var i))
                        yield return new()
                        {
                            ["ioc_id"] = (long)i.IocId, ["ioc_uuid"] = i.Uuid.ToString(), ["ioc_value"] = i.Value, ["ioc_type_id"] = (long?)i.TypeId,
                            ["ioc_tlp_id"] = (long?)i.TlpId, ["ioc_description"] = i.Description, ["ioc_tags"] = i.Tags,
                        };
                break;
        }
    }

    /// <summary>One SQL comparison: NULL never equals anything (only "eq null" means IS NULL), and mismatched types fail.</summary>
    private static bool Compare(object? column, string op, JsonNode? value)
    {
        switch (op)
        {
            case "eq":
                return Py.Kind(value) == PyKind.None ? column is null : column is not null && Equal(column, value);
            case "not":
                return Py.Kind(value) == PyKind.None ? column is not null : column is not null && !Equal(column, value);
            case "in":
            case "not_in":
                if (value is not JsonArray items) throw new FilterFailed();
                if (column is null) return false;
                var found = items.Any(item => Py.Kind(item) != PyKind.None && Equal(column, item));
                return op == "in" ? found : !found;
            default:
                if (column is not string text || Py.Kind(value) != PyKind.Str) throw new FilterFailed();
                var like = Like(text, Py.Str(value)!, true);
                return op == "like" ? like : !like;
        }
    }

    private static bool Equal(object column, JsonNode? value)
    {
        switch (column)
        {
            case long n:
                return Py.Kind(value) switch
                {
                    PyKind.Int => Py.IntOf(value) == n,
                    PyKind.Float => Py.Element(value!).GetDouble() == n,
                    PyKind.Str => Py.ParseInt(Py.Str(value)!) is long parsed ? parsed == n : throw new FilterFailed(),
                    _ => throw new FilterFailed(),
                };
            case DateTime t:
                return Py.Kind(value) == PyKind.Str && ParseDate(Py.Str(value)!) is DateTime d ? d == t : throw new FilterFailed();
            case string s:
                return Py.Kind(value) == PyKind.Str ? string.Equals(s, Py.Str(value), StringComparison.Ordinal) : throw new FilterFailed();
            default:
                return false;
        }
    }
}
