using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// DFIR-IRIS emulator: the legacy REST API of IRIS 2.4.x (default v2.4.20), field for field, including the quirks a
/// client must survive (three error shapes, 400-for-not-found, the session-cookie CSRF trap, cid fallbacks, customer
/// scoping, no de-duplication). Tests seed and inspect it through the members below; everything is thread safe.
/// </summary>
public sealed class IrisLab : ILabService
{
    private readonly LabServer _lab;
    private readonly IrisAuthentication _authentication;
    private IrisRouter? _router;
    private volatile IrisVersion _version = IrisVersion.Parse("v2.4.20");

    public IrisLab(LabServer lab)
    {
        _lab = lab;
        _authentication = new IrisAuthentication(this);
        AnalystApiKey = LabCredentials.UrlSafe(64);
        Store.Reset(lab.Credentials.IrisApiKey, AnalystApiKey);
    }

    public string Name => "iris";
    public bool UseHttps => true;

    /// <summary>Flask matches the URL before any decorator runs, so a path IRIS lacks never asks for a key.</summary>
    public bool AuthenticatesBeforeRouting => false;

    /// <summary>2.4.8 and later also take the key in X-IRIS-AUTH.</summary>
    public IReadOnlyList<string> CredentialHeaders { get; } = ["X-IRIS-AUTH"];

    public IEnumerable<KeyValuePair<string, string>> EveryResponseHeaders(HttpRequest request) => [];

    internal IrisStore Store { get; } = new();
    internal IrisVersion CurrentVersion => _version;

    /// <summary>The last exception a route let escape (answered as a 500 page), for tests chasing one.</summary>
    public Exception? LastServerError { get; internal set; }

    /// <summary>
    /// The emulated release ("v2.4.20", "v2.4.7", "2.4.16" ...). It drives /api/versions and every version-dependent
    /// behaviour; changing it does not touch stored data.
    /// </summary>
    public string Version
    {
        get => _version.Text;
        set => _version = IrisVersion.Parse(value);
    }

    /// <summary>The administrator's key (server_administrator; sees every customer and case).</summary>
    public string AdministratorApiKey => _lab.Credentials.IrisApiKey;

    /// <summary>The key of "analyst", a non-admin service account linked to no customer until a test links it.</summary>
    public string AnalystApiKey { get; }

    public const string AdministratorLogin = "administrator";
    public const string AnalystLogin = "analyst";

    public void Map(WebApplication app)
    {
        var routes = new IrisRouter(app, this);
        IrisManageRoutes.Map(routes);
        IrisCaseRoutes.Map(routes);
        IrisAlertRoutes.Map(routes);
        IrisCaseObjectRoutes.Map(routes);
        _router = routes;
    }

    /// <summary>The API key as Bearer (or raw, or X-IRIS-AUTH, or ?api_key= by version); a refusal is IRIS's 401 envelope.</summary>
    public ValueTask<LabResponse?> AuthenticateAsync(HttpContext context) =>
        ValueTask.FromResult(_authentication.Authenticate(context)?.ToLabResponse());

    /// <summary>The legacy envelope with the status; a test wanting nginx's page in front uses <see cref="FaultKind.Html"/>.</summary>
    public LabResponse Fault(HttpRequest request, int status) =>
        IrisEnvelope.Error($"Injected fault {status}", status: status).ToLabResponse();

    public LabResponse Unmatched(HttpRequest request) =>
        (_router ?? throw new InvalidOperationException("IRIS routes are not mapped yet.")).Unmatched(request).ToLabResponse();

    // ---- state control ----

    /// <summary>Back to a fresh install: IrisInitialClient (1), case #1 "Initial Demo", the two users, nothing else. Keys and version stay.</summary>
    public void Reset()
    {
        Store.Reset(AdministratorApiKey, AnalystApiKey);
        LastServerError = null;
    }

    public IrisUser Administrator => Read(() => Store.UserByLogin(AdministratorLogin));
    public IrisUser Analyst => Read(() => Store.UserByLogin(AnalystLogin));
    public IReadOnlyList<IrisUser> Users => Read(() => Store.Users.ToList());

    /// <summary>POST /manage/users/&lt;id&gt;/customers/update: the customers a (non-admin) user may work with.</summary>
    public IrisUser SetCustomerMembership(string login, params int[] customerIds) =>
        ChangeUser(login, u => u with { CustomerIds = customerIds.Distinct().ToList() });

    public IrisUser SetPermissions(string login, IrisPermissions permissions) => ChangeUser(login, u => u with { Permissions = permissions });

    /// <summary>An inactive user's key stops working (401).</summary>
    public IrisUser SetActive(string login, bool active) => ChangeUser(login, u => u with { Active = active });

    /// <summary>The case the user last opened in the UI: where /case/* calls without a cid land.</summary>
    public IrisUser SetContextCase(string login, int caseId) => ChangeUser(login, u => u with { CtxCase = caseId });

    public void GrantCaseAccess(string login, int caseId, IrisCaseAccess level = IrisCaseAccess.FullAccess)
    {
        lock (Store.Sync)
        {
            var user = Store.UserByLogin(login);
            if (level == IrisCaseAccess.None) Store.CaseAccess.Remove((user.Id, caseId));
            else Store.CaseAccess[(user.Id, caseId)] = level;
        }
    }

    private IrisUser ChangeUser(string login, Func<IrisUser, IrisUser> change)
    {
        lock (Store.Sync)
        {
            var changed = change(Store.UserByLogin(login));
            Store.ReplaceUser(changed);
            return changed;
        }
    }

    // ---- seeding ----

    public IrisCustomer AddCustomer(string name, string? description = null, string? sla = null)
    {
        lock (Store.Sync)
        {
            if (Store.Customers.Values.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
                throw new InvalidOperationException($"IRIS already has a customer named '{name}'.");
            return Store.AddCustomer(name, description, sla, null, creator: null);
        }
    }

    public IrisCaseTemplate AddCaseTemplate(string name, string titlePrefix = "", string? description = null, params string[] tags)
    {
        lock (Store.Sync) return Store.AddTemplate(name, name, description, titlePrefix, null, tags);
    }

    /// <summary>A case as if created through the API by <paramref name="login"/> (stored name "#id - name", state Open).</summary>
    public IrisCase AddCase(string name, string description = "Seeded by the Lab", string socId = "", int customerId = IrisStore.InitialCustomerId,
        int severityId = 4, int? classificationId = null, string login = AdministratorLogin, params string[] tags)
    {
        lock (Store.Sync)
        {
            if (Store.Customer(customerId) is null) throw new ArgumentException($"No customer {customerId}.", nameof(customerId));
            var user = Store.UserByLogin(login);
            var now = Py.UtcNow();
            return Store.AddCase(new IrisCase
            {
                CaseId = 0, Uuid = Guid.NewGuid(), Name = name, Description = description, SocId = socId, CustomerId = customerId,
                ClassificationId = classificationId, SeverityId = severityId, StateId = IrisLookups.StateOpen, OwnerId = user.Id,
                UserId = user.Id, OpenDate = now.Date, InitialDate = now, Tags = tags.ToList(),
            }, user, "created");
        }
    }

    /// <summary>An alert as POST /alerts/add by the administrator would store it (no de-duplication, like IRIS).</summary>
    public IrisAlert AddAlert(string title, int customerId = IrisStore.InitialCustomerId, string? sourceRef = null, int severityId = 4,
        int statusId = 2, DateTime? sourceEventTime = null, string? source = null, string? tags = null, string? description = null)
    {
        var body = new JsonObject
        {
            ["alert_title"] = title,
            ["alert_description"] = description,
            ["alert_source"] = source,
            ["alert_source_ref"] = sourceRef,
            ["alert_severity_id"] = severityId,
            ["alert_status_id"] = statusId,
            ["alert_customer_id"] = customerId,
            ["alert_tags"] = tags,
        };
        if (sourceEventTime is DateTime t) body["alert_source_event_time"] = Py.IsoFormat(t);
        return AddAlert(body);
    }

    /// <summary>An alert from an /alerts/add body (JSON text); a body IRIS would refuse throws with IRIS's message.</summary>
    public IrisAlert AddAlertJson(string json) => AddAlert(JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("Expected a JSON object.", nameof(json)));

    public IrisAlert AddAlert(JsonObject body)
    {
        lock (Store.Sync)
        {
            try
            {
                return IrisAlertRoutes.Create(Store, Store.Administrator, _version, body);
            }
            catch (IrisValidationException e)
            {
                throw new InvalidOperationException(e.Errors.ToPythonRepr());
            }
            catch (IrisPythonException e)
            {
                throw new InvalidOperationException(e.Message);
            }
        }
    }

    // ---- what IRIS now holds ----

    public IReadOnlyList<IrisCustomer> Customers => Read(() => Store.Customers.Values.ToList());
    public IReadOnlyList<IrisCase> Cases => Read(() => Store.Cases.Values.ToList());
    public IReadOnlyList<IrisAlert> Alerts => Read(() => Store.Alerts.Values.ToList());
    public IReadOnlyList<IrisIoc> Iocs => Read(() => Store.Iocs.Values.ToList());
    public IReadOnlyList<IrisAsset> Assets => Read(() => Store.Assets.Values.ToList());
    public IReadOnlyList<IrisNote> Notes => Read(() => Store.Notes.Values.ToList());
    public IReadOnlyList<IrisNoteDirectory> NoteDirectories => Read(() => Store.Directories.Values.ToList());
    public IReadOnlyList<IrisCaseTemplate> CaseTemplates => Read(() => Store.Templates.Values.ToList());

    public IrisCase? FindCase(int caseId) => Read(() => Store.Cases.GetValueOrDefault(caseId));
    public IrisAlert? FindAlert(int alertId) => Read(() => Store.Alerts.GetValueOrDefault(alertId));
    public IReadOnlyList<IrisAlert> AlertsWithSourceRef(string sourceRef) => Read(() => Store.Alerts.Values.Where(a => a.SourceRef == sourceRef).ToList());
    public IReadOnlyList<IrisCase> CasesWithSocId(string socId) => Read(() => Store.Cases.Values.Where(c => c.SocId == socId).ToList());
    public IReadOnlyList<IrisIoc> IocsOfCase(int caseId) => Read(() => Store.IocsOfCase(caseId).ToList());
    public IReadOnlyList<IrisAsset> AssetsOfCase(int caseId) => Read(() => Store.AssetsOfCase(caseId).ToList());
    public IReadOnlyList<IrisIoc> IocsOfAlert(int alertId) => Read(() => Store.Alerts.TryGetValue(alertId, out var a)
        ? a.IocIds.Where(Store.Iocs.ContainsKey).Select(id => Store.Iocs[id]).ToList() : []);
    public IReadOnlyList<IrisAsset> AssetsOfAlert(int alertId) => Read(() => Store.Alerts.TryGetValue(alertId, out var a)
        ? a.AssetIds.Where(Store.Assets.ContainsKey).Select(id => Store.Assets[id]).ToList() : []);
    public IReadOnlyList<IrisNote> NotesOfCase(int caseId) => Read(() => Store.Notes.Values.Where(n => n.CaseId == caseId).ToList());

    /// <summary>The JSON IRIS would return for this alert (AlertSchema), e.g. to compare with a fixture.</summary>
    public JsonObject DumpAlert(int alertId) => Read(() => IrisSchemas.Alert(Store, Store.Alerts[alertId]));

    /// <summary>The JSON IRIS would return for this case (CaseSchema).</summary>
    public JsonObject DumpCase(int caseId) => Read(() => IrisSchemas.Case(Store.Cases[caseId]));

    private T Read<T>(Func<T> read)
    {
        lock (Store.Sync) return read();
    }
}
