using System.Globalization;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// /alerts/add, /alerts/&lt;id&gt;, /alerts/update/&lt;id&gt;, /alerts/delete/&lt;id&gt; (alerts_routes.py). Every failure inside these
/// routes is `response_error(str(e))`: a marshmallow error reads as the Python repr of its dict, other errors as
/// their own text, always with data [].
/// </summary>
internal static class IrisAlertRoutes
{
    /// <summary>AlertSchema's loadable columns, in the model's column order (which is the order errors are listed in).</summary>
    private static readonly Field[] AlertFields =
    [
        new("alert_title", FieldType.String, Required: true, Nullable: false),
        new("alert_description", FieldType.String),
        new("alert_source", FieldType.String),
        new("alert_source_ref", FieldType.String),
        new("alert_source_link", FieldType.String),
        new("alert_source_content", FieldType.Raw),
        new("alert_severity_id", FieldType.Integer, Required: true, Nullable: false),
        new("alert_status_id", FieldType.Integer, Required: true, Nullable: false),
        new("alert_context", FieldType.Raw),
        new("alert_source_event_time", FieldType.DateTime, Nullable: false),
        new("alert_creation_time", FieldType.DateTime),
        new("alert_note", FieldType.String),
        new("alert_tags", FieldType.String),
        new("alert_owner_id", FieldType.Integer),
        new("modification_history", FieldType.Raw),
        new("alert_customer_id", FieldType.Integer, Required: true, Nullable: false),
        new("alert_classification_id", FieldType.Integer),
        new("alert_resolution_status_id", FieldType.Integer),
    ];

    public static void Map(IrisRouter routes)
    {
        routes.Api("GET", "/alerts/filter", IrisPermissions.AlertsRead, Gated(IrisAlertFilter.Handle));
        routes.Api("POST", "/alerts/add", IrisPermissions.AlertsWrite, Gated(Add));
        routes.Api("GET", "/alerts/{alert_id:int}", IrisPermissions.AlertsRead, Gated(Get));
        routes.Api("POST", "/alerts/update/{alert_id:int}", IrisPermissions.AlertsWrite, Gated(Update));
        routes.Api("POST", "/alerts/delete/{alert_id:int}", IrisPermissions.AlertsDelete, Gated(Delete));
        routes.Api("POST", "/alerts/escalate/{alert_id:int}", IrisPermissions.AlertsWrite, Gated(IrisAlertEscalation.Escalate));
        routes.Api("POST", "/alerts/merge/{alert_id:int}", IrisPermissions.AlertsWrite, Gated(IrisAlertEscalation.Merge));
    }

    /// <summary>IRIS 2.0 has no alerts blueprint at all.</summary>
    private static Func<IrisRequest, IrisReply> Gated(Func<IrisRequest, IrisReply> handler) => r =>
        r.Version.HasAlerts ? handler(r) : IrisEnvelope.NotFound(r.Http.Request);

    /// <summary>Runs a route body the way the alert routes do: any exception becomes 400 with str(e) as the message.</summary>
    public static IrisReply Guarded(Func<IrisReply> body)
    {
        try
        {
            return body();
        }
        catch (IrisValidationException e)
        {
            return IrisEnvelope.Error(e.Errors.ToPythonRepr());
        }
        catch (IrisPythonException e)
        {
            return IrisEnvelope.Error(e.Message);
        }
    }

    private static IrisReply Add(IrisRequest r)
    {
        var body = r.Json();
        if (!Py.Truthy(body)) return IrisEnvelope.Error("No JSON data provided");
        return Guarded(() => IrisEnvelope.Success("", IrisSchemas.Alert(r.Store, Create(r.Store, r.User, r.Version, body))));
    }

    /// <summary>
    /// The /alerts/add body, in IRIS's order: IOCs load first, then assets, then the alert itself; the customer
    /// entitlement is checked after validation; foreign keys fail only at commit, as SQL errors.
    /// No de-duplication: the same alert_source_ref twice makes two alerts.
    /// </summary>
    public static IrisAlert Create(IrisStore store, IrisUser user, IrisVersion version, JsonNode? body)
    {
        if (body is not JsonObject original)
            throw new IrisPythonException(body is JsonArray ? "pop expected at most 1 argument, got 2" : $"'{Py.TypeName(body)}' object has no attribute 'pop'");
        var data = (JsonObject)original.DeepClone();
        data.Remove("alert_iocs", out var iocsNode);
        data.Remove("alert_assets", out var assetsNode);
        var iocs = IrisValidation.LoadIocs(original.ContainsKey("alert_iocs") ? iocsNode : new JsonArray());
        var assets = IrisValidation.LoadAssets(original.ContainsKey("alert_assets") ? assetsNode : new JsonArray());

        IrisValidation.SplitTags(data, "alert_tags");
        var errors = new IrisErrors();
        var loaded = IrisValidation.Load(data, AlertFields, errors);
        if (errors.Any) throw new IrisValidationException(errors);

        var customerId = loaded.Long("alert_customer_id")!.Value;
        if (version.AlertCustomerChecks && !store.HasCustomerAccess(user, customerId))
            throw new IrisPythonException("User not entitled to create alerts for the client");

        CheckForeignKeys(store, loaded);
        foreach (var ioc in iocs)
        {
            if (ioc.TypeId is int t && IrisLookups.IocType(t) is null) throw IrisValidation.ForeignKey("ioc", "ioc_type_id", t, "ioc_type");
            if (ioc.TlpId is int tlp && IrisLookups.Tlp(tlp) is null) throw IrisValidation.ForeignKey("ioc", "ioc_tlp_id", tlp, "tlp");
        }

        var now = Py.UtcNow();
        var iocIds = iocs.Select(i => store.AddIoc(new IrisIoc
        {
            IocId = 0, Uuid = Guid.NewGuid(), Value = i.Value, TypeId = i.TypeId, TlpId = i.TlpId, Description = i.Description,
            Tags = i.Tags, Enrichment = i.Enrichment, CustomAttributes = i.CustomAttributes,
        }).IocId).ToList();
        var assetIds = assets.Select(a => store.AddAsset(new IrisAsset
        {
            AssetId = 0, Uuid = Guid.NewGuid(), Name = a.Name, TypeId = a.TypeId, Description = a.Description, Ip = a.Ip,
            Domain = a.Domain, Info = a.Info, Tags = a.Tags, Enrichment = a.Enrichment, AnalysisStatusId = a.AnalysisStatusId,
            CompromiseStatusId = a.CompromiseStatusId, CustomAttributes = a.CustomAttributes,
        }).AssetId).ToList();

        var alert = store.AddAlert(new IrisAlert
        {
            AlertId = 0,
            Uuid = Guid.NewGuid(),
            Title = loaded.Str("alert_title")!,
            Description = loaded.Str("alert_description"),
            Source = loaded.Str("alert_source"),
            SourceRef = loaded.Str("alert_source_ref"),
            SourceLink = loaded.Str("alert_source_link"),
            SourceContent = loaded.Raw("alert_source_content"),
            SeverityId = loaded.Int("alert_severity_id")!.Value,
            StatusId = loaded.Int("alert_status_id")!.Value,
            Context = loaded.Raw("alert_context"),
            // The column defaults to now(); alert_creation_time is always overwritten with utcnow().
            SourceEventTime = loaded.Time("alert_source_event_time") ?? now,
            CreationTime = now,
            Note = loaded.Str("alert_note"),
            Tags = loaded.Str("alert_tags"),
            OwnerId = loaded.Int("alert_owner_id"),
            CustomerId = (int)customerId,
            ClassificationId = loaded.Int("alert_classification_id"),
            ResolutionStatusId = loaded.Int("alert_resolution_status_id"),
            IocIds = iocIds,
            AssetIds = assetIds,
        });
        alert = alert with { History = store.History(alert.History, user, "Alert created") };
        store.Alerts[alert.AlertId] = alert;
        return alert;
    }

    private static void CheckForeignKeys(IrisStore store, Loaded loaded)
    {
        if (loaded.Long("alert_severity_id") is long sev && IrisLookups.Severity(sev) is null)
            throw IrisValidation.ForeignKey("alerts", "alert_severity_id", sev, "severities");
        if (loaded.Long("alert_status_id") is long st && IrisLookups.AlertStatus(st) is null)
            throw IrisValidation.ForeignKey("alerts", "alert_status_id", st, "alert_status");
        if (loaded.Long("alert_customer_id") is long cu && store.Customer(cu) is null)
            throw IrisValidation.ForeignKey("alerts", "alert_customer_id", cu, "client");
        if (loaded.Long("alert_classification_id") is long cl && IrisLookups.Classification(cl) is null)
            throw IrisValidation.ForeignKey("alerts", "alert_classification_id", cl, "case_classification");
        if (loaded.Long("alert_owner_id") is long ow && ow != -1 && store.User(ow) is null)
            throw IrisValidation.ForeignKey("alerts", "alert_owner_id", ow, "user");
        if (loaded.Long("alert_resolution_status_id") is long rs && IrisLookups.Resolution(rs) is null)
            throw IrisValidation.ForeignKey("alerts", "alert_resolution_status_id", rs, "alert_resolution_status");
    }

    private static IrisReply Get(IrisRequest r)
    {
        if (!r.Store.Alerts.TryGetValue(r.RouteInt("alert_id"), out var alert)) return IrisEnvelope.Error("Alert not found");
        // An alert of a customer the user is not linked to does not exist, as far as the user can tell.
        if (r.Version.AlertCustomerChecks && !r.Store.HasCustomerAccess(r.User, alert.CustomerId)) return IrisEnvelope.Error("Alert not found");
        var dump = IrisSchemas.Alert(r.Store, alert);
        dump["related_alerts"] = new JsonObject();
        return IrisEnvelope.Success("", dump);
    }

    private static IrisReply Update(IrisRequest r)
    {
        var body = r.Json();
        if (!Py.Truthy(body)) return IrisEnvelope.Error("No JSON data provided");
        if (!r.Store.Alerts.TryGetValue(r.RouteInt("alert_id"), out var alert)) return IrisEnvelope.Error("Alert not found");
        if (r.Version.AlertCustomerChecks && !r.Store.HasCustomerAccess(r.User, alert.CustomerId))
            return IrisEnvelope.Error("User not entitled to update alerts for the client", status: 403);

        return Guarded(() =>
        {
            var data = body as JsonObject ?? throw new IrisPythonException($"'{Py.TypeName(body)}' object has no attribute 'items'");
            var changes = new List<string>();
            foreach (var (key, value) in data)
            {
                var before = OldValue(alert, key);
                var after = PyStr(value);
                if (before != after) changes.Add(key is "alert_content" or "alert_note" ? $"\"{key}\"" : $"\"{key}\" from \"{before ?? "None"}\" to \"{after}\"");
            }

            IrisValidation.SplitTags(data, "alert_tags");
            var errors = new IrisErrors();
            var loaded = IrisValidation.Load(data, AlertFields, errors, partial: true);
            if (errors.Any) throw new IrisValidationException(errors);
            CheckForeignKeys(r.Store, loaded);

            var updated = alert with
            {
                Title = loaded.Str("alert_title") ?? alert.Title,
                Description = loaded.Has("alert_description") ? loaded.Str("alert_description") : alert.Description,
                Source = loaded.Has("alert_source") ? loaded.Str("alert_source") : alert.Source,
                SourceRef = loaded.Has("alert_source_ref") ? loaded.Str("alert_source_ref") : alert.SourceRef,
                SourceLink = loaded.Has("alert_source_link") ? loaded.Str("alert_source_link") : alert.SourceLink,
                SourceContent = loaded.Has("alert_source_content") ? loaded.Raw("alert_source_content") : alert.SourceContent,
                SeverityId = loaded.Int("alert_severity_id") ?? alert.SeverityId,
                StatusId = loaded.Int("alert_status_id") ?? alert.StatusId,
                Context = loaded.Has("alert_context") ? loaded.Raw("alert_context") : alert.Context,
                SourceEventTime = loaded.Time("alert_source_event_time") ?? alert.SourceEventTime,
                CreationTime = loaded.Time("alert_creation_time") ?? alert.CreationTime,
                Note = loaded.Has("alert_note") ? loaded.Str("alert_note") : alert.Note,
                Tags = loaded.Has("alert_tags") ? loaded.Str("alert_tags") : alert.Tags,
                OwnerId = loaded.Has("alert_owner_id") ? loaded.Int("alert_owner_id") : alert.OwnerId,
                // Still writable in 2.4.20 (GHSA-8hwq-v6vm-9grr was fixed later).
                CustomerId = loaded.Int("alert_customer_id") ?? alert.CustomerId,
                ClassificationId = loaded.Has("alert_classification_id") ? loaded.Int("alert_classification_id") : alert.ClassificationId,
                ResolutionStatusId = loaded.Has("alert_resolution_status_id") ? loaded.Int("alert_resolution_status_id") : alert.ResolutionStatusId,
            };
            // Whoever updates an unowned alert without naming an owner becomes its owner; -1 unassigns.
            data.TryGetPropertyValue("alert_owner_id", out var ownerNode);
            if (Py.Kind(ownerNode) == PyKind.None && updated.OwnerId is null) updated = updated with { OwnerId = r.User.Id };
            if (Py.IntOf(ownerNode) == -1 && Py.Kind(ownerNode) is PyKind.Int or PyKind.Str) updated = updated with { OwnerId = null };

            var action = changes.Count > 0 ? "updated alert: " + string.Join(',', changes) : "updated alert";
            updated = updated with { History = r.Store.History(updated.History, r.User, action) };
            r.Store.Alerts[updated.AlertId] = updated;
            return IrisEnvelope.Success("", IrisSchemas.Alert(r.Store, updated));
        });
    }

    private static IrisReply Delete(IrisRequest r)
    {
        var id = r.RouteInt("alert_id");
        if (!r.Store.Alerts.TryGetValue(id, out var alert)) return IrisEnvelope.Error("Alert not found");
        if (r.Version.AlertCustomerChecks && !r.Store.HasCustomerAccess(r.User, alert.CustomerId))
            return IrisEnvelope.Error("User not entitled to delete alerts for the client", status: 403);
        r.Store.Alerts.Remove(id);
        foreach (var iocId in alert.IocIds) if (r.Store.Iocs.TryGetValue(iocId, out var ioc) && ioc.CaseIds.Count == 0) r.Store.Iocs.Remove(iocId);
        foreach (var assetId in alert.AssetIds) if (r.Store.Assets.TryGetValue(assetId, out var asset) && asset.CaseId is null) r.Store.Assets.Remove(assetId);
        return IrisEnvelope.Success("", new JsonObject { ["alert_id"] = id });
    }

    /// <summary>str() of the stored attribute the way the update route prints it in the history (None when absent).</summary>
    private static string? OldValue(IrisAlert a, string key) => key switch
    {
        "alert_title" => a.Title,
        "alert_description" => a.Description,
        "alert_source" => a.Source,
        "alert_source_ref" => a.SourceRef,
        "alert_source_link" => a.SourceLink,
        "alert_severity_id" => a.SeverityId.ToString(CultureInfo.InvariantCulture),
        "alert_status_id" => a.StatusId.ToString(CultureInfo.InvariantCulture),
        "alert_source_event_time" => a.SourceEventTime is DateTime t ? t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : null,
        "alert_note" => a.Note,
        "alert_tags" => a.Tags,
        "alert_owner_id" => a.OwnerId?.ToString(CultureInfo.InvariantCulture),
        "alert_customer_id" => a.CustomerId.ToString(CultureInfo.InvariantCulture),
        "alert_classification_id" => a.ClassificationId?.ToString(CultureInfo.InvariantCulture),
        "alert_resolution_status_id" => a.ResolutionStatusId?.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string? PyStr(JsonNode? value) => Py.Kind(value) switch
    {
        PyKind.None => null,
        PyKind.Str => Py.Str(value),
        PyKind.Bool => Py.Truthy(value) ? "True" : "False",
        PyKind.Int => Py.IntOf(value)!.Value.ToString(CultureInfo.InvariantCulture),
        _ => value!.ToJsonString(),
    };
}
