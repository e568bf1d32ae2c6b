using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// POST /alerts/escalate/&lt;id&gt; (alert → new case) and /alerts/merge/&lt;id&gt; (alert → existing case), with IRIS's
/// partial-failure behaviour: the alert's status is committed before the case work starts, and the case is saved
/// before case_tags and the import lists are read, so a bad body leaves an escalated alert (and possibly an orphan case).
/// </summary>
internal static class IrisAlertEscalation
{
    public static IrisReply Escalate(IrisRequest r)
    {
        var store = r.Store;
        if (!store.Alerts.TryGetValue(r.RouteInt("alert_id"), out var alert)) return IrisEnvelope.Error("Alert not found");
        var body = r.Json();
        if (body is null) return IrisEnvelope.Error("No JSON data provided");
        var data = body as JsonObject ?? throw new IrisPythonException($"'{Py.TypeName(body)}' object has no attribute 'get'");

        var iocList = data["iocs_import_list"];
        var assetList = data["assets_import_list"];
        var note = Py.Str(data["note"]);
        var caseTags = data["case_tags"];
        var caseTitle = data["case_title"];
        var template = data["case_template_id"];

        return IrisAlertRoutes.Guarded(() =>
        {
            if (r.Version.AlertCustomerChecks && !store.HasCustomerAccess(r.User, alert.CustomerId))
                return IrisEnvelope.Error("User not entitled to escalate alerts for the client", status: 403);

            alert = alert with { StatusId = IrisLookups.AlertEscalated };
            store.Alerts[alert.AlertId] = alert;

            var prefix = TemplateOf(store, template)?.TitlePrefix ?? string.Empty;
            var name = Py.Truthy(caseTitle) ? $"{prefix} {PyText(caseTitle)}" : $"[ALERT]{prefix} {alert.Title}";
            var escalationNote = string.IsNullOrEmpty(note) ? string.Empty : $"\n\n### Escalation note\n\n{note}\n\n";
            var now = Py.UtcNow();
            var created = store.AddCase(new IrisCase
            {
                CaseId = 0,
                Uuid = Guid.NewGuid(),
                Name = name,
                Description = $"*Alert escalated by {r.User.Name}*\n\n{escalationNote}### Alert description\n\n{alert.Description}" +
                              $"\n\n### IRIS alert link\n\n[#{alert.AlertId}](/alerts?alert_ids={alert.AlertId})",
                // soc_id is the IRIS alert id, not the SIEM reference.
                SocId = alert.AlertId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                CustomerId = alert.CustomerId,
                ClassificationId = alert.ClassificationId,
                SeverityId = 4,
                StateId = IrisLookups.StateOpen,
                OwnerId = r.User.Id,
                UserId = r.User.Id,
                OpenDate = now.Date,
                InitialDate = now,
            }, r.User, historyAction: null);

            var tags = Py.Str(caseTags) ?? throw new IrisPythonException(Py.NoSplit(caseTags));
            var c = created with { Tags = IrisCaseRoutes.SplitTags(tags), SeverityId = alert.SeverityId, AlertIds = [alert.AlertId] };
            store.UpdateCase(c);
            alert = alert with { CaseIds = [.. alert.CaseIds, c.CaseId] };
            store.Alerts[alert.AlertId] = alert;

            Import(store, r.User, alert, c.CaseId, iocList, assetList);

            c = store.UpdateCase(c with { History = store.History(c.History, r.User, "created") });
            alert = alert with { History = store.History(alert.History, r.User, $"Alert escalated to case #{c.CaseId}") };
            store.Alerts[alert.AlertId] = alert;
            return IrisEnvelope.Success("", IrisSchemas.Case(c));
        });
    }

    public static IrisReply Merge(IrisRequest r)
    {
        var store = r.Store;
        var body = r.Json();
        if (body is null) return IrisEnvelope.Error("No JSON data provided");
        var data = body as JsonObject ?? throw new IrisPythonException($"'{Py.TypeName(body)}' object has no attribute 'get'");
        var target = data["target_case_id"];
        if (Py.Kind(target) == PyKind.None) return IrisEnvelope.Error("No target case id provided");
        if (!store.Alerts.TryGetValue(r.RouteInt("alert_id"), out var alert)) return IrisEnvelope.Error("Alert not found");
        if (Py.Kind(target) is PyKind.List or PyKind.Dict or PyKind.Bool || (Py.Kind(target) == PyKind.Str && Py.IntOf(target) is null))
            throw new IrisPythonException("invalid input syntax for type integer");
        if (Py.SqlInt(target) is not long targetId || !store.Cases.TryGetValue((int)Math.Clamp(targetId, 0, int.MaxValue), out var c))
            return IrisEnvelope.Error("Target case not found");

        var iocList = data["iocs_import_list"];
        var assetList = data["assets_import_list"];
        var note = Py.Str(data["note"]);
        var caseTags = data["case_tags"];

        return IrisAlertRoutes.Guarded(() =>
        {
            if (r.Version.AlertCustomerChecks && !store.HasCustomerAccess(r.User, alert.CustomerId))
                return IrisEnvelope.Error("User not entitled to merge alerts for the client", status: 403);
            if (r.Version.AlertCustomerChecks && !store.HasCustomerAccess(r.User, c.CustomerId))
                return IrisEnvelope.Error("User not entitled to merge alerts for the case", status: 403);

            alert = alert with { StatusId = IrisLookups.AlertMerged };
            store.Alerts[alert.AlertId] = alert;

            if (!string.IsNullOrEmpty(note)) c = c with { Description = c.Description + $"\n\n### Escalation note\n\n{note}\n\n" };
            // Unlike escalate, merge checks case_tags before splitting it.
            if (Py.Truthy(caseTags))
            {
                var tags = Py.Str(caseTags) ?? throw new IrisPythonException(Py.NoSplit(caseTags));
                c = c with { Tags = [.. c.Tags, .. IrisCaseRoutes.SplitTags(tags).Where(t => !c.Tags.Contains(t))] };
            }
            if (!c.AlertIds.Contains(alert.AlertId)) c = c with { AlertIds = [.. c.AlertIds, alert.AlertId] };
            store.UpdateCase(c);
            if (!alert.CaseIds.Contains(c.CaseId)) alert = alert with { CaseIds = [.. alert.CaseIds, c.CaseId] };
            store.Alerts[alert.AlertId] = alert;

            Import(store, r.User, alert, c.CaseId, iocList, assetList);

            alert = alert with { History = store.History(alert.History, r.User, $"Alert merged into existing case #{c.CaseId}") };
            store.Alerts[alert.AlertId] = alert;
            return IrisEnvelope.Success("", IrisSchemas.Case(store.Cases[c.CaseId]));
        });
    }

    /// <summary>
    /// The import lists hold ioc_uuid / asset_uuid strings of the alert's own objects. IOCs are linked to the case
    /// (reusing the oldest IOC row with the same value and type); assets are copied into the case with the same uuid,
    /// analysis status "Unspecified", and links to the IOCs imported alongside.
    /// </summary>
    private static void Import(IrisStore store, IrisUser user, IrisAlert alert, int caseId, JsonNode? iocList, JsonNode? assetList)
    {
        var iocLinks = new List<int>();
        foreach (var wanted in Iterate(iocList))
        {
            foreach (var iocId in alert.IocIds)
            {
                if (!store.Iocs.TryGetValue(iocId, out var ioc) || ioc.Uuid.ToString() != wanted) continue;
                var row = store.FindIoc(ioc.Value, ioc.TypeId) ?? ioc;
                store.LinkIoc(row.IocId, caseId);
                iocLinks.Add(row.IocId);
            }
        }
        foreach (var wanted in Iterate(assetList))
        {
            foreach (var assetId in alert.AssetIds)
            {
                if (!store.Assets.TryGetValue(assetId, out var asset) || asset.Uuid.ToString() != wanted) continue;
                var now = Py.UtcNow();
                store.AddAsset(asset with
                {
                    AssetId = 0, CaseId = caseId, UserId = user.Id, AnalysisStatusId = 1, DateAdded = now, DateUpdate = now,
                    IocIds = iocLinks.ToList(),
                });
            }
        }
    }

    /// <summary>`for x in value`: lists give items, strings give characters, dicts give keys, None and numbers raise.</summary>
    private static IEnumerable<string> Iterate(JsonNode? value) => Py.Kind(value) switch
    {
        PyKind.List => ((JsonArray)value!).Select(v => Py.Str(v) ?? v?.ToJsonString() ?? "None").ToList(),
        PyKind.Str => Py.Str(value)!.Select(ch => ch.ToString()).ToList(),
        PyKind.Dict => ((JsonObject)value!).Select(p => p.Key).ToList(),
        _ => throw new IrisPythonException($"'{Py.TypeName(value)}' object is not iterable"),
    };

    private static IrisCaseTemplate? TemplateOf(IrisStore store, JsonNode? template)
    {
        if (!Py.Truthy(template) || Py.IntOf(template) is not long id) return null;
        return store.Templates.TryGetValue((int)Math.Clamp(id, 0, int.MaxValue), out var t) ? t : null;
    }

    private static string PyText(JsonNode? node) => Py.Str(node) ?? node?.ToJsonString() ?? "None";
}
