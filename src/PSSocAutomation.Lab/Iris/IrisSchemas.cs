using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// The dumps of IRIS's marshmallow schemas and hand-built dicts: one method per shape a route returns, field names as
/// iris-web writes them (CaseSchema's case_* names, CaseDetailsSchema's raw column names, AlertSchema's nesting ...).
/// Callers hold the store lock.
/// </summary>
internal static class IrisSchemas
{
    public static JsonNode? Raw(JsonElement? e) => e is JsonElement v ? JsonNode.Parse(v.GetRawText()) : null;

    private static JsonNode? Time(DateTime? t) => t is DateTime v ? Py.IsoFormat(v) : null;

    private static JsonNode? Date(DateTime? t) => t is DateTime v ? Py.DateIso(v) : null;

    public static JsonObject History(IReadOnlyList<IrisHistoryEntry> history)
    {
        var o = new JsonObject();
        foreach (var h in history)
            o[Py.FloatRepr(h.Timestamp)] = new JsonObject { ["user"] = h.User, ["user_id"] = h.UserId, ["action"] = h.Action };
        return o;
    }

    public static JsonObject? UserBrief(IrisUser? user) => user is null ? null : new JsonObject
    {
        ["id"] = user.Id, ["user_name"] = user.Name, ["user_login"] = user.Login, ["user_email"] = user.Email,
    };

    public static JsonObject UserListItem(IrisUser user) => new()
    {
        ["user_id"] = user.Id,
        ["user_uuid"] = user.Uuid.ToString(),
        ["user_name"] = user.Name,
        ["user_login"] = user.Login,
        ["user_email"] = user.Email,
        ["user_active"] = user.Active,
        ["user_is_service_account"] = user.IsServiceAccount,
    };

    /// <summary>CustomerSchema dump (nested in alerts, returned by /manage/customers/add).</summary>
    public static JsonObject Customer(IrisCustomer c) => new()
    {
        ["customer_name"] = c.Name,
        ["client_uuid"] = c.Uuid.ToString(),
        ["customer_sla"] = c.Sla,
        ["last_update_date"] = Py.IsoFormat(c.LastUpdateDate),
        ["customer_id"] = c.CustomerId,
        ["customer_description"] = c.Description,
        ["custom_attributes"] = Raw(c.CustomAttributes),
        ["creation_date"] = Py.IsoFormat(c.CreationDate),
    };

    /// <summary>get_client_list row.</summary>
    public static JsonObject CustomerListItem(IrisCustomer c) => new()
    {
        ["customer_name"] = c.Name,
        ["customer_id"] = c.CustomerId,
        ["customer_uuid"] = c.Uuid.ToString(),
        ["customer_description"] = c.Description,
        ["customer_sla"] = c.Sla,
        ["custom_attributes"] = Raw(c.CustomAttributes),
    };

    // ---- cases ----

    /// <summary>CaseSchema dump: create, update, close, reopen, escalate and merge all answer with it.</summary>
    public static JsonObject Case(IrisCase c) => new()
    {
        ["case_name"] = c.Name,
        ["case_customer"] = c.CustomerId,
        ["case_uuid"] = c.Uuid.ToString(),
        ["case_description"] = c.Description,
        ["case_id"] = c.CaseId,
        ["open_date"] = Py.DateIso(c.OpenDate),
        ["status_id"] = c.StatusId,
        ["modification_history"] = History(c.History),
        ["case_soc_id"] = c.SocId,
        ["state_id"] = c.StateId,
        ["close_date"] = Date(c.CloseDate),
        ["classification_id"] = c.ClassificationId,
        ["closing_note"] = c.ClosingNote,
        ["owner_id"] = c.OwnerId,
        ["user_id"] = c.UserId,
        ["custom_attributes"] = Raw(c.CustomAttributes),
        ["reviewer_id"] = c.ReviewerId,
        ["review_status_id"] = c.ReviewStatusId,
        ["severity_id"] = c.SeverityId,
    };

    private static JsonObject? State(int? stateId) => IrisLookups.CaseState(stateId) is { } s ? IrisLookups.CaseState(s) : null;

    /// <summary>CaseDetailsSchema dump (/manage/cases/filter): raw column names plus nested relations.</summary>
    public static JsonObject CaseDetails(IrisStore store, IrisCase c) => new()
    {
        ["case_id"] = c.CaseId,
        ["case_uuid"] = c.Uuid.ToString(),
        ["name"] = c.Name,
        ["description"] = c.Description,
        ["soc_id"] = c.SocId,
        ["client_id"] = c.CustomerId,
        ["open_date"] = Py.DateIso(c.OpenDate),
        ["close_date"] = Date(c.CloseDate),
        ["initial_date"] = Py.IsoFormat(c.InitialDate),
        ["closing_note"] = c.ClosingNote,
        ["user_id"] = c.UserId,
        ["owner_id"] = c.OwnerId,
        ["status_id"] = c.StatusId,
        ["state_id"] = c.StateId,
        ["severity_id"] = c.SeverityId,
        ["classification_id"] = c.ClassificationId,
        ["reviewer_id"] = c.ReviewerId,
        ["review_status_id"] = c.ReviewStatusId,
        ["custom_attributes"] = Raw(c.CustomAttributes),
        ["modification_history"] = History(c.History),
        ["client"] = store.Customer(c.CustomerId) is { } client ? Customer(client) : null,
        ["owner"] = UserBrief(store.User(c.OwnerId)),
        ["user"] = UserBrief(store.User(c.UserId)),
        ["reviewer"] = UserBrief(store.User(c.ReviewerId)),
        ["review_status"] = null,
        ["classification"] = IrisLookups.Classification(c.ClassificationId) is { } cl ? IrisLookups.Classification(cl) : null,
        ["state"] = State(c.StateId),
        ["severity"] = IrisLookups.Severity(c.SeverityId) is { } sev ? IrisLookups.Severity(sev) : null,
        ["tags"] = new JsonArray(c.Tags.Select((t, i) => (JsonNode?)new JsonObject { ["tag_title"] = t, ["id"] = i + 1 }).ToArray()),
        ["alerts"] = new JsonArray(c.AlertIds.Select(a => (JsonNode?)a).ToArray()),
        ["status_name"] = Outcome(c.StatusId),
        ["protagonists"] = Raw(c.Protagonists) ?? new JsonArray(),
    };

    private static string Outcome(int statusId) =>
        statusId >= 0 && statusId < IrisLookups.CaseOutcomes.Count ? IrisLookups.CaseOutcomes[statusId] : "unknown";

    /// <summary>get_case_details_rt: the flat dict GET /manage/cases/&lt;id&gt; answers.</summary>
    public static JsonObject CaseDetailsRt(IrisStore store, IrisCase c)
    {
        var opener = store.User(c.UserId);
        var owner = store.User(c.OwnerId);
        var reviewer = store.User(c.ReviewerId);
        return new JsonObject
        {
            ["case_id"] = c.CaseId,
            ["case_uuid"] = c.Uuid.ToString(),
            ["case_name"] = c.Name,
            ["case_description"] = c.Description,
            ["case_soc_id"] = c.SocId,
            ["customer_name"] = store.Customer(c.CustomerId)?.Name,
            ["customer_id"] = c.CustomerId,
            ["open_date"] = Py.DateIso(c.OpenDate),
            ["close_date"] = Date(c.CloseDate),
            ["open_by_user"] = opener?.Name,
            ["open_by_user_id"] = c.UserId,
            ["owner"] = owner?.Name,
            ["owner_id"] = c.OwnerId,
            ["status_id"] = c.StatusId,
            ["status_name"] = Outcome(c.StatusId),
            ["state_id"] = c.StateId,
            ["state_name"] = IrisLookups.CaseState(c.StateId)?.Name,
            ["custom_attributes"] = Raw(c.CustomAttributes),
            ["modification_history"] = History(c.History),
            ["initial_date"] = Py.IsoFormat(c.InitialDate),
            ["classification"] = IrisLookups.Classification(c.ClassificationId)?.Name,
            ["classification_id"] = c.ClassificationId,
            ["reviewer"] = reviewer?.Name,
            ["reviewer_id"] = c.ReviewerId,
            ["case_tags"] = string.Join(',', c.Tags),
            ["protagonists"] = Raw(c.Protagonists) ?? new JsonArray(),
        };
    }

    /// <summary>list_cases_dict row (/manage/cases/list): US dates, names resolved, and the caller's access level.</summary>
    public static JsonObject CaseListItem(IrisStore store, IrisCase c, IrisUser user) => new()
    {
        ["case_id"] = c.CaseId,
        ["case_uuid"] = c.Uuid.ToString(),
        ["case_name"] = c.Name,
        ["case_description"] = c.Description,
        ["case_soc_id"] = c.SocId,
        ["client_name"] = store.Customer(c.CustomerId)?.Name,
        ["case_open_date"] = c.OpenDate.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture),
        ["case_close_date"] = c.CloseDate?.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture) ?? string.Empty,
        ["opened_by"] = store.User(c.UserId)?.Login,
        ["opened_by_user_id"] = c.UserId,
        ["owner"] = store.User(c.OwnerId)?.Login,
        ["owner_id"] = c.OwnerId,
        ["classification_id"] = c.ClassificationId,
        ["classification"] = IrisLookups.Classification(c.ClassificationId)?.Name,
        ["state_id"] = c.StateId,
        ["state_name"] = IrisLookups.CaseState(c.StateId)?.Name,
        ["access_level"] = (int)store.AccessTo(user, c.CaseId),
    };

    // ---- alerts and their IOCs and assets ----

    public static JsonObject Ioc(IrisIoc i) => new()
    {
        ["ioc_tlp_id"] = i.TlpId,
        ["ioc_type_id"] = i.TypeId,
        ["user_id"] = i.UserId,
        ["ioc_id"] = i.IocId,
        ["ioc_misp"] = null,
        ["ioc_value"] = i.Value,
        ["ioc_uuid"] = i.Uuid.ToString(),
        ["ioc_description"] = i.Description,
        ["ioc_enrichment"] = Raw(i.Enrichment),
        ["custom_attributes"] = Raw(i.CustomAttributes),
        ["ioc_type"] = IrisLookups.IocType(i.TypeId) is { } t ? IrisLookups.IocType(t) : null,
        ["ioc_tags"] = i.Tags,
    };

    /// <summary>get_detailed_iocs row (/case/ioc/list): type and TLP flattened to names.</summary>
    public static JsonObject IocListItem(IrisStore store, IrisIoc i, int caseId)
    {
        var tlp = IrisLookups.Tlp(i.TlpId)!;
        return new JsonObject
        {
            ["ioc_id"] = i.IocId,
            ["ioc_uuid"] = i.Uuid.ToString(),
            ["ioc_value"] = i.Value,
            ["ioc_type_id"] = i.TypeId,
            ["ioc_type"] = IrisLookups.IocType(i.TypeId)?.Name,
            ["ioc_description"] = i.Description,
            ["ioc_tags"] = i.Tags,
            ["ioc_misp"] = null,
            ["tlp_name"] = tlp.Name,
            ["tlp_bscolor"] = tlp.BsColor,
            ["ioc_tlp_id"] = i.TlpId,
            ["link"] = new JsonArray(i.CaseIds.Where(c => c != caseId && store.Cases.ContainsKey(c))
                .Select(c => (JsonNode?)new JsonObject
                {
                    ["case_id"] = c,
                    ["case_name"] = store.Cases[c].Name,
                    ["client_name"] = store.Customer(store.Cases[c].CustomerId)?.Name,
                }).ToArray()),
            ["misp_link"] = null,
        };
    }

    public static JsonObject Asset(IrisAsset a) => new()
    {
        ["asset_enrichment"] = Raw(a.Enrichment),
        ["asset_ip"] = a.Ip,
        ["user_id"] = a.UserId,
        ["asset_uuid"] = a.Uuid.ToString(),
        ["asset_description"] = a.Description,
        ["asset_type"] = IrisLookups.AssetType(a.TypeId) is { } t ? IrisLookups.AssetType(t) : null,
        ["asset_id"] = a.AssetId,
        ["case_id"] = a.CaseId,
        ["asset_name"] = a.Name,
        ["analysis_status_id"] = a.AnalysisStatusId,
        ["date_added"] = Time(a.DateAdded),
        ["asset_domain"] = a.Domain,
        ["custom_attributes"] = Raw(a.CustomAttributes),
        ["asset_type_id"] = a.TypeId,
        ["asset_info"] = a.Info,
        ["date_update"] = Time(a.DateUpdate),
        ["asset_tags"] = a.Tags,
        ["asset_compromise_status_id"] = a.CompromiseStatusId,
    };

    /// <summary>get_assets row (/case/assets/list).</summary>
    public static JsonObject AssetListItem(IrisStore store, IrisAsset a)
    {
        var type = IrisLookups.AssetType(a.TypeId);
        var links = a.IocIds.Where(store.Iocs.ContainsKey)
            .Select(id => (JsonNode?)new JsonObject { ["ioc_id"] = id, ["ioc_value"] = store.Iocs[id].Value, ["asset_id"] = a.AssetId }).ToArray();
        return new JsonObject
        {
            ["asset_id"] = a.AssetId,
            ["asset_uuid"] = a.Uuid.ToString(),
            ["asset_name"] = a.Name,
            ["asset_description"] = a.Description,
            ["asset_domain"] = a.Domain,
            ["asset_ip"] = a.Ip,
            ["asset_info"] = a.Info,
            ["asset_compromise_status_id"] = a.CompromiseStatusId,
            ["asset_type"] = type?.Name,
            ["asset_type_id"] = a.TypeId,
            ["asset_tags"] = a.Tags,
            ["analysis_status"] = IrisLookups.AnalysisStatus(a.AnalysisStatusId)?.Name,
            ["analysis_status_id"] = a.AnalysisStatusId,
            ["date_added"] = Time(a.DateAdded),
            ["date_update"] = Time(a.DateUpdate),
            ["asset_icon_not_compromised"] = type is null ? null : "/static/assets/img/graph/" + type.IconNotCompromised,
            ["asset_icon_compromised"] = type is null ? null : "/static/assets/img/graph/" + type.IconCompromised,
            ["ioc_links"] = links.Length == 0 ? null : new JsonArray(links),
            ["link"] = new JsonArray(),
        };
    }

    /// <summary>AlertSchema dump: every column, the nested lookups, the alert's own IOCs and assets, and linked case ids.</summary>
    public static JsonObject Alert(IrisStore store, IrisAlert a) => new()
    {
        ["owner"] = UserBrief(store.User(a.OwnerId)),
        ["alert_note"] = a.Note,
        ["alert_source"] = a.Source,
        ["alert_title"] = a.Title,
        ["modification_history"] = History(a.History),
        ["assets"] = new JsonArray(a.AssetIds.Where(store.Assets.ContainsKey).Select(id => (JsonNode?)Asset(store.Assets[id])).ToArray()),
        ["classification"] = IrisLookups.Classification(a.ClassificationId) is { } cl ? IrisLookups.Classification(cl) : null,
        ["alert_id"] = a.AlertId,
        ["alert_source_link"] = a.SourceLink,
        ["severity"] = IrisLookups.Severity(a.SeverityId) is { } sev ? IrisLookups.Severity(sev) : null,
        ["iocs"] = new JsonArray(a.IocIds.Where(store.Iocs.ContainsKey).Select(id => (JsonNode?)Ioc(store.Iocs[id])).ToArray()),
        ["alert_context"] = Raw(a.Context),
        ["alert_classification_id"] = a.ClassificationId,
        ["alert_source_content"] = Raw(a.SourceContent),
        ["alert_tags"] = a.Tags,
        ["alert_severity_id"] = a.SeverityId,
        ["alert_source_ref"] = a.SourceRef,
        ["alert_status_id"] = a.StatusId,
        ["customer"] = store.Customer(a.CustomerId) is { } c ? Customer(c) : null,
        ["alert_owner_id"] = a.OwnerId,
        ["alert_description"] = a.Description,
        ["alert_creation_time"] = Py.IsoFormat(a.CreationTime),
        ["cases"] = new JsonArray(a.CaseIds.Select(id => (JsonNode?)id).ToArray()),
        ["alert_source_event_time"] = Time(a.SourceEventTime),
        ["alert_customer_id"] = a.CustomerId,
        ["status"] = IrisLookups.AlertStatus(a.StatusId) is { } st ? IrisLookups.AlertStatus(st) : null,
        ["comments"] = new JsonArray(),
        ["alert_uuid"] = a.Uuid.ToString(),
        ["alert_resolution_status_id"] = a.ResolutionStatusId,
        ["resolution_status"] = IrisLookups.Resolution(a.ResolutionStatusId) is { } r ? IrisLookups.Resolution(r) : null,
    };

    // ---- notes ----

    public static JsonObject Directory(IrisNoteDirectory d) => new()
    {
        ["id"] = d.Id, ["name"] = d.Name, ["parent_id"] = d.ParentId, ["case_id"] = d.CaseId,
    };

    public static JsonObject Note(IrisStore store, IrisNote n) => new()
    {
        ["note_id"] = n.NoteId,
        ["note_uuid"] = n.Uuid.ToString(),
        ["note_title"] = n.Title,
        ["note_content"] = n.Content,
        ["note_user"] = n.UserId,
        ["note_creationdate"] = Py.IsoFormat(n.CreationDate),
        ["note_lastupdate"] = Py.IsoFormat(n.LastUpdate),
        ["note_case_id"] = n.CaseId,
        ["directory_id"] = n.DirectoryId,
        ["custom_attributes"] = Raw(n.CustomAttributes),
        ["modification_history"] = new JsonObject(),
        ["comments"] = new JsonArray(),
        ["directory"] = store.Directories.TryGetValue(n.DirectoryId, out var d) ? Directory(d) : null,
    };

    /// <summary>/case/notes/directories/filter entry: the directory, its direct children and its notes (id and title).</summary>
    public static JsonObject DirectoryTree(IrisStore store, IrisNoteDirectory d) => new()
    {
        ["id"] = d.Id,
        ["name"] = d.Name,
        ["parent_id"] = d.ParentId,
        ["case_id"] = d.CaseId,
        ["subdirectories"] = new JsonArray(store.Directories.Values.Where(s => s.ParentId == d.Id)
            .Select(s => (JsonNode?)new JsonObject { ["id"] = s.Id, ["name"] = s.Name, ["parent_id"] = s.ParentId }).ToArray()),
        ["notes"] = new JsonArray(store.Notes.Values.Where(n => n.DirectoryId == d.Id)
            .Select(n => (JsonNode?)new JsonObject { ["id"] = n.NoteId, ["title"] = n.Title }).ToArray()),
    };

    public static JsonObject ObjectState(IrisStore store, int caseId, string kind)
    {
        var (state, updated) = store.States.TryGetValue((caseId, kind), out var s) ? s : (1, IrisLookups.InstallTime);
        return new JsonObject { ["object_state"] = state, ["object_last_update"] = Py.IsoFormat(updated) };
    }

    public static JsonObject CaseTemplate(IrisCaseTemplate t) => new()
    {
        ["id"] = t.Id,
        ["name"] = t.Name,
        ["display_name"] = t.DisplayName,
        ["description"] = t.Description,
        ["author"] = "administrator",
        ["title_prefix"] = t.TitlePrefix,
        ["summary"] = t.Summary,
        ["tags"] = new JsonArray(t.Tags.Select(x => (JsonNode?)x).ToArray()),
        ["tasks"] = new JsonArray(),
        ["note_directories"] = new JsonArray(),
        ["classification"] = string.Empty,
        ["created_by_user_id"] = IrisStore.AdministratorId,
        ["created_at"] = Py.IsoFormat(IrisLookups.InstallTime),
        ["updated_at"] = Py.IsoFormat(IrisLookups.InstallTime),
    };
}
