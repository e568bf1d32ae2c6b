using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// /manage/cases/*: create, list, filter, get, update, close, reopen, delete
/// (iris-web manage_cases_routes.py and business/cases.py).
/// </summary>
internal static class IrisCaseRoutes
{
    private const string CreateFailed = "Error creating case - check server logs";
    private const string UpdateFailed = "Error updating case - check server logs";

    /// <summary>CaseSchema's loadable fields (declared ones, then the Cases columns it does not exclude).</summary>
    private static readonly Field[] CaseFields =
    [
        new("case_name", FieldType.String, Required: true, Nullable: false, Min: 2),
        new("case_description", FieldType.String, Required: true, Min: 2),
        new("case_soc_id", FieldType.String, Required: true),
        new("case_customer", FieldType.Integer, Required: true, Nullable: false),
        new("case_tags", FieldType.String),
        new("initial_date", FieldType.DateTime),
        new("classification_id", FieldType.Integer),
        new("reviewer_id", FieldType.Integer),
        new("case_id", FieldType.Integer),
        new("case_uuid", FieldType.String),
        new("open_date", FieldType.String),
        new("close_date", FieldType.String),
        new("closing_note", FieldType.String),
        new("user_id", FieldType.Integer),
        new("owner_id", FieldType.Integer),
        new("status_id", FieldType.Integer),
        new("state_id", FieldType.Integer),
        new("severity_id", FieldType.Integer),
        new("review_status_id", FieldType.Integer),
        new("custom_attributes", FieldType.Raw),
        new("modification_history", FieldType.Raw),
        new("protagonists", FieldType.Raw),
        new("case_organisations", FieldType.Raw),
    ];

    /// <summary>What Cases.__init__ accepts; any other loaded key makes Cases(**data) raise TypeError.</summary>
    private static readonly HashSet<string> CreateKeys =
        ["case_name", "case_description", "case_soc_id", "case_customer", "classification_id", "custom_attributes", "state_id"];

    public static void Map(IrisRouter routes)
    {
        routes.Api("POST", "/manage/cases/add", IrisPermissions.StandardUser, Add);
        routes.Api("GET", "/manage/cases/list", IrisPermissions.StandardUser, List);
        routes.Api("GET", "/manage/cases/filter", IrisPermissions.None, Filter);
        routes.Api("GET", "/manage/cases/{case_id:int}", IrisPermissions.None, Get);
        routes.Api("GET", "/manage/cases/details/{case_id:int}", IrisPermissions.None, DetailsModal);
        routes.Api("POST", "/manage/cases/update/{case_id:int}", IrisPermissions.StandardUser, Update);
        routes.Api("POST", "/manage/cases/close/{case_id:int}", IrisPermissions.StandardUser, Close);
        routes.Api("POST", "/manage/cases/reopen/{case_id:int}", IrisPermissions.StandardUser, Reopen);
        routes.Api("POST", "/manage/cases/delete/{case_id:int}", IrisPermissions.StandardUser, Delete);
    }

    /// <summary>
    /// CaseSchema.load: pre_load drops an empty classification_id and checks the customer (its failure is the only
    /// error reported), then every field is checked, then custom_attributes must be a dict.
    /// </summary>
    private static Loaded LoadCase(IrisStore store, JsonObject data, bool partial)
    {
        if (data.TryGetPropertyValue("classification_id", out var cls) && Py.Kind(cls) == PyKind.Str && Py.Str(cls) == string.Empty)
            data.Remove("classification_id");

        data.TryGetPropertyValue("case_customer", out var customer);
        IrisValidation.AssertInt(customer, "case_customer", allowNone: true);
        if (store.Customer(Py.SqlInt(customer)) is null)
            throw new IrisValidationException(IrisErrors.Of("case_customer", "Invalid client id"));

        var errors = new IrisErrors();
        var loaded = IrisValidation.Load(data, CaseFields, errors, partial);
        if (errors.Any) throw new IrisValidationException(errors);
        if (data.TryGetPropertyValue("custom_attributes", out var attributes)) IrisValidation.AssertDict(attributes, "custom_attributes");
        return loaded;
    }

    private static IrisReply Add(IrisRequest r)
    {
        var body = r.Json();
        var v = r.Version;
        if (body is not JsonObject original) return IrisEnvelope.Error(CreateFailed);
        var data = (JsonObject)original.DeepClone();
        data.Remove("case_template_id", out var template);

        try
        {
            var loaded = LoadCase(r.Store, data, partial: false);
            foreach (var key in loaded.Keys)
            {
                var accepted = CreateKeys.Contains(key) || (key == "severity_id" && !v.CaseCreateSeverityCrashes);
                if (!accepted) throw new IrisPythonException($"__init__() got an unexpected keyword argument '{key}'");
            }

            // state_id is accepted but overwritten with "Open" before the commit, so it is never checked.
            loaded.Remove("state_id");
            CheckForeignKeys(r.Store, loaded, v.CaseCreateSeverity);

            IrisCaseTemplate? applied = null;
            if (Py.Truthy(template))
            {
                // `len(case_template_id) > 0`: a JSON number has no len() and raises TypeError.
                if (Py.Kind(template) != PyKind.Str) throw new IrisPythonException($"object of type '{Py.TypeName(template)}' has no len()");
                var id = Py.IntOf(template);
                applied = id is long t && r.Store.Templates.TryGetValue((int)Math.Clamp(t, 0, int.MaxValue), out var found) ? found : null;
                if (applied is null)
                    return IrisEnvelope.Error(v.GenericCaseErrors ? CreateFailed : $"Invalid Case template ID {Py.Str(template)}");
            }

            var now = Py.UtcNow();
            var name = loaded.Str("case_name")!;
            if (applied is { TitlePrefix.Length: > 0 }) name = $"{applied.TitlePrefix} {name}";
            var created = r.Store.AddCase(new IrisCase
            {
                CaseId = 0,
                Uuid = Guid.NewGuid(),
                Name = name,
                Description = loaded.Str("case_description"),
                SocId = loaded.Str("case_soc_id"),
                CustomerId = loaded.Int("case_customer")!.Value,
                ClassificationId = loaded.Int("classification_id"),
                SeverityId = v.CaseCreateSeverity ? loaded.Int("severity_id") ?? 4 : 4,
                StateId = IrisLookups.StateOpen,
                OwnerId = r.User.Id,
                UserId = r.User.Id,
                OpenDate = now.Date,
                InitialDate = now,
                CustomAttributes = loaded.Raw("custom_attributes"),
                Tags = applied?.Tags ?? [],
            }, r.User, "created");
            return IrisEnvelope.Success("Case created", IrisSchemas.Case(created));
        }
        catch (IrisValidationException e)
        {
            // Up to 2.4.7 the route answered marshmallow's messages; from 2.4.8 the business layer swallows them.
            return v.GenericCaseErrors ? IrisEnvelope.Error(CreateFailed) : IrisEnvelope.Error("Data error", e.Errors.ToJson());
        }
        catch (IrisPythonException)
        {
            return IrisEnvelope.Error(CreateFailed);
        }
    }

    private static IrisReply List(IrisRequest r) => IrisEnvelope.Success("", new JsonArray(r.Store.Cases.Values
        .Where(c => r.Store.CanRead(r.User, c.CaseId))
        .Select(c => (JsonNode?)IrisSchemas.CaseListItem(r.Store, c, r.User)).ToArray()));

    private static IrisReply Get(IrisRequest r)
    {
        var id = r.RouteInt("case_id");
        if (!r.Store.CanRead(r.User, id)) return IrisEnvelope.CaseAccessDenied(r.User.Id, id);
        return IrisEnvelope.Success("", IrisSchemas.CaseDetailsRt(r.Store, r.Store.Cases[id]));
    }

    /// <summary>
    /// The UI's case-info modal: HTML, not JSON, even for an API key (the JSON form is /manage/cases/&lt;id&gt;).
    /// A refused case gets the HTML 403 page, not the JSON envelope.
    /// </summary>
    private static IrisReply DetailsModal(IrisRequest r)
    {
        var id = r.RouteInt("case_id");
        if (!r.Store.CanRead(r.User, id)) return IrisEnvelope.Html(403, "Access denied", $"You do not have access to case #{id}.");
        var c = r.Store.Cases[id];
        var page = "<div class=\"modal-header\"><h4 class=\"modal-title\">" + System.Net.WebUtility.HtmlEncode(c.Name) + "</h4></div>\n" +
                   "<div class=\"modal-body\"><p>" + System.Net.WebUtility.HtmlEncode(c.Description ?? string.Empty) + "</p></div>\n";
        return new IrisReply(200, "text/html; charset=utf-8", page);
    }

    private static IrisReply Filter(IrisRequest r)
    {
        if (!r.Version.HasCaseFilter) throw new IrisReplyException(IrisEnvelope.NotFound(r.Http.Request));

        var page = (int)Math.Clamp(r.QueryInt("page") ?? 1, int.MinValue, int.MaxValue);
        var perPage = (int)Math.Clamp(r.QueryInt("per_page") ?? 10, int.MinValue, int.MaxValue);
        var cases = r.Store.Cases.Values.Where(c => r.Store.CanRead(r.User, c.CaseId));

        if (r.Query("case_ids") is { Length: > 0 } idsText)
        {
            var ids = idsText.Split(',').Select(Py.ParseInt).ToList();
            if (ids.Any(i => i is null)) return IrisEnvelope.Error("Invalid case id");
            cases = cases.Where(c => ids.Contains(c.CaseId));
        }
        if (r.Query("case_customer_id") is string customer)
        {
            // Passed to SQL as text: a non-numeric value is a database error the route reports as a filtering error.
            if (Py.ParseInt(customer) is not long cid) return IrisEnvelope.Error("Filtering error");
            cases = cases.Where(c => c.CustomerId == cid);
        }
        if (r.Query("case_name") is string name) cases = cases.Where(c => c.Name.Contains(name, StringComparison.OrdinalIgnoreCase));
        if (r.Query("search[value]") is string search) cases = cases.Where(c => c.Name.Contains(search, StringComparison.Ordinal));
        if (r.Query("case_description") is string description) cases = cases.Where(c => c.Description?.Contains(description, StringComparison.OrdinalIgnoreCase) == true);
        if (r.QueryInt("case_classification_id") is long classification) cases = cases.Where(c => c.ClassificationId == classification);
        if (r.QueryInt("case_owner_id") is long owner) cases = cases.Where(c => c.OwnerId == owner);
        if (r.QueryInt("case_opening_user_id") is long opener) cases = cases.Where(c => c.UserId == opener);
        if (r.QueryInt("case_severity_id") is long severity) cases = cases.Where(c => c.SeverityId == severity);
        if (r.QueryInt("case_state_id") is long state) cases = cases.Where(c => c.StateId == state);
        if (r.Query("case_soc_id") is string socId) cases = cases.Where(c => c.SocId == socId);
        if (r.Query("start_open_date") is string startText && r.Query("end_open_date") is string endText)
        {
            if (IrisAlertFilter.ParseDate(startText) is not DateTime start || IrisAlertFilter.ParseDate(endText) is not DateTime end)
                return IrisEnvelope.Error("Filtering error");
            cases = cases.Where(c => c.OpenDate >= start && c.OpenDate <= end);
        }

        var descending = r.Query("sort_dir") == "desc";
        Func<IrisCase, IComparable?> key = r.Query("order_by") switch
        {
            "name" => c => c.Name,
            "soc_id" => c => c.SocId,
            "open_date" => c => c.OpenDate,
            "close_date" => c => c.CloseDate,
            "client_id" or "customer_name" => c => r.Store.Customer(c.CustomerId)?.Name,
            "owner" or "owner_id" => c => r.Store.User(c.OwnerId)?.Login,
            "opened_by" or "user_id" => c => r.Store.User(c.UserId)?.Login,
            "state" or "state_id" => c => c.StateId,
            "severity_id" => c => c.SeverityId,
            "classification_id" => c => c.ClassificationId,
            "status_id" => c => c.StatusId,
            _ => c => c.CaseId,
        };
        var ordered = descending ? cases.OrderByDescending(key).ThenByDescending(c => c.CaseId) : cases.OrderBy(key).ThenBy(c => c.CaseId);

        var draw = r.QueryInt("draw") ?? 1;
        var pageData = IrisPaging.Page(ordered.ToList(), page, perPage);
        return IrisEnvelope.Success("", new JsonObject
        {
            ["total"] = pageData.Total,
            ["cases"] = new JsonArray(pageData.Items.Select(c => (JsonNode?)IrisSchemas.CaseDetails(r.Store, c)).ToArray()),
            ["last_page"] = pageData.Pages,
            ["current_page"] = pageData.Page,
            ["next_page"] = pageData.Next,
            ["draw"] = draw,
        });
    }

    private static IrisReply Update(IrisRequest r)
    {
        var id = r.RouteInt("case_id");
        var v = r.Version;
        if (!r.Store.CanWrite(r.User, id)) return IrisEnvelope.CaseAccessDenied(r.User.Id, id);
        var body = r.Json();
        var current = r.Store.Cases[id];
        IrisReply Failed(IrisErrors? fields, string? message = null) => v.GenericCaseErrors
            ? IrisEnvelope.Error(UpdateFailed)
            : fields is not null ? IrisEnvelope.Error("Data error", fields.ToJson()) : IrisEnvelope.Error(message ?? UpdateFailed);

        if (body is not JsonObject original) return Failed(null);
        var data = (JsonObject)original.DeepClone();
        try
        {
            data.TryGetPropertyValue("case_customer", out var newCustomer);
            if (Py.Truthy(newCustomer) && !Py.SqlEquals(newCustomer, current.CustomerId) && !r.Store.HasCustomerAccess(r.User, Py.IntOf(newCustomer)))
                return Failed(null, "Invalid customer ID. Permission denied.");

            if (data.TryGetPropertyValue("case_name", out var nameNode))
            {
                var shortName = Py.Str(nameNode) ?? throw new IrisPythonException($"'{Py.TypeName(nameNode)}' object has no attribute 'replace'");
                data["case_name"] = $"#{id} - {shortName.Replace($"#{id} - ", string.Empty)}";
            }
            if (!Py.Truthy(newCustomer)) data["case_customer"] = current.CustomerId;
            // The route rewrites reviewer_id on every update: "" and absent both become None.
            data.TryGetPropertyValue("reviewer_id", out var reviewer);
            data["reviewer_id"] = Py.Kind(reviewer) == PyKind.Str && Py.Str(reviewer) == string.Empty ? null : reviewer?.DeepClone();

            var loaded = LoadCase(r.Store, data, partial: true);
            CheckForeignKeys(r.Store, loaded, checkSeverity: true);
            var updated = current with
            {
                Name = loaded.Str("case_name") ?? current.Name,
                Description = loaded.Has("case_description") ? loaded.Str("case_description") : current.Description,
                SocId = loaded.Has("case_soc_id") ? loaded.Str("case_soc_id") : current.SocId,
                CustomerId = loaded.Int("case_customer") ?? current.CustomerId,
                ClassificationId = loaded.Has("classification_id") ? loaded.Int("classification_id") : current.ClassificationId,
                SeverityId = loaded.Has("severity_id") ? loaded.Int("severity_id") : current.SeverityId,
                OwnerId = loaded.Int("owner_id") ?? current.OwnerId,
                ReviewerId = loaded.Int("reviewer_id"),
                StateId = loaded.Has("state_id") ? loaded.Int("state_id") : current.StateId,
                StatusId = loaded.Int("status_id") ?? current.StatusId,
                ClosingNote = loaded.Has("closing_note") ? loaded.Str("closing_note") : current.ClosingNote,
                InitialDate = loaded.Time("initial_date") ?? current.InitialDate,
                CustomAttributes = loaded.Has("custom_attributes") ? loaded.Raw("custom_attributes") : current.CustomAttributes,
                Protagonists = loaded.Has("protagonists") ? loaded.Raw("protagonists") : current.Protagonists,
                Tags = loaded.Str("case_tags") is string tags ? SplitTags(tags) : current.Tags,
            };
            if (updated.ReviewerId != current.ReviewerId && updated.ReviewerId is null) updated = updated with { ReviewStatusId = 2 };

            if (updated.StateId != current.StateId && updated.StateId == IrisLookups.StateClosed)
                updated = CloseLinkedAlerts(r, updated with { CloseDate = Py.UtcNow().Date });
            else if (current.StateId == IrisLookups.StateClosed && updated.StateId != IrisLookups.StateClosed)
                updated = updated with { CloseDate = null };

            updated = r.Store.UpdateCase(updated with { History = r.Store.History(updated.History, r.User, "case info updated") });
            return IrisEnvelope.Success(v.GenericCaseErrors ? "updated" : "Case updated", IrisSchemas.Case(updated));
        }
        catch (IrisValidationException e)
        {
            return Failed(e.Errors);
        }
        catch (IrisPythonException)
        {
            return Failed(null);
        }
    }

    /// <summary>The foreign keys PostgreSQL enforces at commit: a dangling id is an IntegrityError, which the case routes hide behind their generic message.</summary>
    private static void CheckForeignKeys(IrisStore store, Loaded loaded, bool checkSeverity)
    {
        if (loaded.Long("classification_id") is long cl && IrisLookups.Classification(cl) is null)
            throw IrisValidation.ForeignKey("cases", "classification_id", cl, "case_classification");
        if (checkSeverity && loaded.Long("severity_id") is long sev && IrisLookups.Severity(sev) is null)
            throw IrisValidation.ForeignKey("cases", "severity_id", sev, "severities");
        if (loaded.Long("state_id") is long st && IrisLookups.CaseState(st) is null)
            throw IrisValidation.ForeignKey("cases", "state_id", st, "case_state");
        if (loaded.Long("owner_id") is long ow && store.User(ow) is null)
            throw IrisValidation.ForeignKey("cases", "owner_id", ow, "user");
        if (loaded.Long("reviewer_id") is long rv && store.User(rv) is null)
            throw IrisValidation.ForeignKey("cases", "reviewer_id", rv, "user");
        if (loaded.Long("status_id") is long status && status is < 0 or > 5)
            throw new IrisPythonException($"{status} is not a valid CaseStatus");
    }

    public static IReadOnlyList<string> SplitTags(string tags) =>
        tags.Length == 0 ? [] : tags.Split(',').Select(t => t.Trim()).ToList();

    /// <summary>Closing a case closes its alerts and maps the case outcome onto their resolution.</summary>
    private static IrisCase CloseLinkedAlerts(IrisRequest r, IrisCase c)
    {
        var resolution = IrisLookups.ResolutionForOutcome(c.StatusId);
        foreach (var alertId in c.AlertIds)
        {
            if (!r.Store.Alerts.TryGetValue(alertId, out var alert)) continue;
            r.Store.Alerts[alertId] = alert with { StatusId = IrisLookups.AlertClosed, ResolutionStatusId = resolution };
        }
        return c;
    }

    private static IrisReply Close(IrisRequest r)
    {
        var id = r.RouteInt("case_id");
        if (!r.Store.CanWrite(r.User, id)) return IrisEnvelope.CaseAccessDenied(r.User.Id, id);
        var c = r.Store.Cases[id];
        c = CloseLinkedAlerts(r, c with { StateId = IrisLookups.StateClosed, CloseDate = Py.UtcNow().Date });
        c = r.Store.UpdateCase(c with { History = r.Store.History(c.History, r.User, "case closed") });
        return IrisEnvelope.Success("Case closed successfully", IrisSchemas.Case(c));
    }

    private static IrisReply Reopen(IrisRequest r)
    {
        var id = r.RouteInt("case_id");
        if (!r.Store.CanWrite(r.User, id)) return IrisEnvelope.CaseAccessDenied(r.User.Id, id);
        var c = r.Store.Cases[id];
        // Reopening puts the case's alerts back to "Merged".
        foreach (var alertId in c.AlertIds)
            if (r.Store.Alerts.TryGetValue(alertId, out var alert)) r.Store.Alerts[alertId] = alert with { StatusId = IrisLookups.AlertMerged };
        c = r.Store.UpdateCase(c with
        {
            StateId = IrisLookups.StateOpen,
            CloseDate = null,
            History = r.Store.History(c.History, r.User, "case reopen"),
        });
        return IrisEnvelope.Success("Case reopen successfully", IrisSchemas.Case(c));
    }

    private static IrisReply Delete(IrisRequest r)
    {
        var id = r.RouteInt("case_id");
        if (!r.Store.CanWrite(r.User, id)) return IrisEnvelope.CaseAccessDenied(r.User.Id, id);
        if (id == IrisStore.InitialCaseId) return IrisEnvelope.Error("Cannot delete a primary case to keep consistency");
        r.Store.DeleteCase(id);
        return IrisEnvelope.Success("Case successfully deleted");
    }
}
