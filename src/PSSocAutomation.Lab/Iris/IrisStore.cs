using System.Text.Json;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// The emulated IRIS database. One monitor guards everything: a route takes it for its whole read-validate-write so
/// concurrent requests see the same atomicity PostgreSQL gave IRIS, and ids come out in commit order.
/// Members assume the caller holds <see cref="Sync"/> (the monitor is re-entrant, so IrisLab's public API just takes it too).
/// </summary>
internal sealed class IrisStore
{
    public const int AdministratorId = 1;
    public const int AnalystId = 2;
    public const int InitialCustomerId = 1;
    public const int InitialCaseId = 1;

    public readonly object Sync = new();

    public readonly List<IrisUser> Users = new();
    public readonly SortedDictionary<int, IrisCustomer> Customers = new();
    public readonly SortedDictionary<int, IrisCase> Cases = new();
    public readonly SortedDictionary<int, IrisAlert> Alerts = new();
    public readonly SortedDictionary<int, IrisIoc> Iocs = new();
    public readonly SortedDictionary<int, IrisAsset> Assets = new();
    public readonly SortedDictionary<int, IrisNote> Notes = new();
    public readonly SortedDictionary<int, IrisNoteDirectory> Directories = new();
    public readonly SortedDictionary<int, IrisCaseTemplate> Templates = new();
    /// <summary>UserCaseEffectiveAccess: explicit grants; administrators reach every case through their group.</summary>
    public readonly Dictionary<(int UserId, int CaseId), IrisCaseAccess> CaseAccess = new();
    /// <summary>Per-case object states (object_state counters the UI polls); bumped on every change to a case's IOCs, assets or notes.</summary>
    public readonly Dictionary<(int CaseId, string Kind), (int State, DateTime Updated)> States = new();

    private int _nextCustomer, _nextCase, _nextAlert, _nextIoc, _nextAsset, _nextNote, _nextDirectory, _nextTemplate;
    private double _lastStamp;

    public void Reset(string adminKey, string analystKey)
    {
        lock (Sync)
        {
            Users.Clear(); Customers.Clear(); Cases.Clear(); Alerts.Clear(); Iocs.Clear(); Assets.Clear();
            Notes.Clear(); Directories.Clear(); Templates.Clear(); CaseAccess.Clear(); States.Clear();
            _nextCustomer = _nextCase = _nextAlert = _nextIoc = _nextAsset = _nextNote = _nextDirectory = _nextTemplate = 0;

            Users.Add(new IrisUser(AdministratorId, "administrator", "administrator", "administrator@localhost", Guid.NewGuid(),
                adminKey, IrisPermissions.All, true, false, [], InitialCaseId));
            // A fresh non-admin account is linked to no customer; tests link it where they need it.
            Users.Add(new IrisUser(AnalystId, "analyst", "SOC Analyst", "analyst@localhost", Guid.NewGuid(),
                analystKey, IrisPermissions.Analyst, true, true, [], InitialCaseId));

            var client = AddCustomer("IrisInitialClient", null, null, null, creator: null);
            Customers[client.CustomerId] = client = client with { CreationDate = IrisLookups.InstallTime, LastUpdateDate = IrisLookups.InstallTime };
            var demo = AddCase(new IrisCase
            {
                CaseId = 0, Uuid = Guid.NewGuid(), Name = "Initial Demo", Description = "This is a demonstration.",
                SocId = "soc_id_demo", CustomerId = client.CustomerId, SeverityId = 4, StateId = IrisLookups.StateOpen,
                OwnerId = AdministratorId, UserId = AdministratorId, OpenDate = IrisLookups.InstallTime, InitialDate = IrisLookups.InstallTime,
            }, Administrator, "created");
            // post_init gives both default groups full access to the initial case.
            CaseAccess[(AnalystId, demo.CaseId)] = IrisCaseAccess.FullAccess;
        }
    }

    public IrisUser Administrator => Users.First(u => u.Id == AdministratorId);

    public IrisUser? UserByKey(string? key) =>
        string.IsNullOrEmpty(key) ? null : Users.FirstOrDefault(u => u.Active && string.Equals(u.ApiKey, key, StringComparison.Ordinal));

    public IrisUser? User(long? id) => Users.FirstOrDefault(u => u.Id == id);

    public IrisUser UserByLogin(string login) =>
        Users.FirstOrDefault(u => string.Equals(u.Login, login, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"No IRIS user '{login}' in the Lab.", nameof(login));

    public void ReplaceUser(IrisUser user) => Users[Users.FindIndex(u => u.Id == user.Id)] = user;

    public IrisCustomer? Customer(long? id) =>
        id is long v && v is > 0 and <= int.MaxValue && Customers.TryGetValue((int)v, out var c) ? c : null;

    // ---- access control ----

    /// <summary>user_has_client_access: administrators reach every customer, others the ones they are linked to.</summary>
    public bool HasCustomerAccess(IrisUser user, long? customerId) =>
        user.IsAdministrator || (customerId is long id && user.CustomerIds.Contains((int)id));

    /// <summary>ac_fast_check_user_has_case_access, collapsed to the effective level.</summary>
    public IrisCaseAccess AccessTo(IrisUser user, int caseId)
    {
        if (!Cases.ContainsKey(caseId)) return IrisCaseAccess.None;
        if (user.IsAdministrator) return IrisCaseAccess.FullAccess;
        return CaseAccess.TryGetValue((user.Id, caseId), out var level) ? level : IrisCaseAccess.None;
    }

    public bool CanRead(IrisUser user, int caseId) => AccessTo(user, caseId) != IrisCaseAccess.None;

    public bool CanWrite(IrisUser user, int caseId) => AccessTo(user, caseId) == IrisCaseAccess.FullAccess;

    // ---- history ----

    /// <summary>modification_history is keyed by the epoch float; keep keys unique so two quick changes both show.</summary>
    public IReadOnlyList<IrisHistoryEntry> History(IReadOnlyList<IrisHistoryEntry> history, IrisUser user, string action)
    {
        var stamp = Py.Timestamp(DateTime.UtcNow);
        if (stamp <= _lastStamp) stamp = Math.Round(_lastStamp + 0.000001, 6);
        _lastStamp = stamp;
        return [.. history, new IrisHistoryEntry(stamp, user.Login, user.Id, action)];
    }

    public void Touch(int caseId, string kind)
    {
        States.TryGetValue((caseId, kind), out var s);
        States[(caseId, kind)] = (s.State + 1, Py.UtcNow());
    }

    // ---- writes ----

    public IrisCustomer AddCustomer(string name, string? description, string? sla, JsonElement? customAttributes, IrisUser? creator)
    {
        var now = Py.UtcNow();
        var customer = new IrisCustomer(++_nextCustomer, name, Guid.NewGuid(), description, sla, now, now, customAttributes);
        Customers[customer.CustomerId] = customer;
        // Creating a customer links its creator to it (so a non-admin creator can use it right away).
        if (creator is not null && !creator.IsAdministrator && !creator.CustomerIds.Contains(customer.CustomerId))
            ReplaceUser(creator with { CustomerIds = [.. creator.CustomerIds, customer.CustomerId] });
        return customer;
    }

    /// <summary>Cases.save(): take the next id, then rename to "#id - name" as IRIS does after the first commit.</summary>
    public IrisCase AddCase(IrisCase draft, IrisUser creator, string? historyAction)
    {
        var id = ++_nextCase;
        var stored = draft with
        {
            CaseId = id,
            Name = $"#{id} - {draft.Name}",
            History = historyAction is null ? draft.History : History(draft.History, creator, historyAction),
        };
        Cases[id] = stored;
        if (!creator.IsAdministrator) CaseAccess[(creator.Id, id)] = IrisCaseAccess.FullAccess;
        return stored;
    }

    public IrisCase UpdateCase(IrisCase updated) => Cases[updated.CaseId] = updated;

    public IrisAlert AddAlert(IrisAlert draft)
    {
        var stored = draft with { AlertId = ++_nextAlert };
        Alerts[stored.AlertId] = stored;
        return stored;
    }

    public IrisIoc AddIoc(IrisIoc draft)
    {
        var stored = draft with { IocId = ++_nextIoc };
        Iocs[stored.IocId] = stored;
        return stored;
    }

    public IrisAsset AddAsset(IrisAsset draft)
    {
        var stored = draft with { AssetId = ++_nextAsset };
        Assets[stored.AssetId] = stored;
        if (stored.CaseId is int caseId) Touch(caseId, "assets");
        return stored;
    }

    public IrisNoteDirectory AddDirectory(string name, int? parentId, int caseId)
    {
        var directory = new IrisNoteDirectory(++_nextDirectory, name, parentId, caseId);
        Directories[directory.Id] = directory;
        Touch(caseId, "notes");
        return directory;
    }

    public IrisNote AddNote(IrisNote draft)
    {
        var stored = draft with { NoteId = ++_nextNote };
        Notes[stored.NoteId] = stored;
        Touch(stored.CaseId, "notes");
        return stored;
    }

    public IrisCaseTemplate AddTemplate(string name, string displayName, string? description, string titlePrefix, string? summary, IReadOnlyList<string> tags)
    {
        var template = new IrisCaseTemplate(++_nextTemplate, name, displayName, description, titlePrefix, summary, tags);
        Templates[template.Id] = template;
        return template;
    }

    /// <summary>find_ioc: the oldest row with this value and type, whichever alert or case created it.</summary>
    public IrisIoc? FindIoc(string value, int? typeId) =>
        Iocs.Values.FirstOrDefault(i => i.TypeId == typeId && string.Equals(i.Value, value, StringComparison.Ordinal));

    /// <summary>add_ioc_link: returns true when the IOC was already linked to the case.</summary>
    public bool LinkIoc(int iocId, int caseId)
    {
        var ioc = Iocs[iocId];
        if (ioc.CaseIds.Contains(caseId)) return true;
        Iocs[iocId] = ioc with { CaseIds = [.. ioc.CaseIds, caseId] };
        Touch(caseId, "ioc");
        return false;
    }

    public IEnumerable<IrisIoc> IocsOfCase(int caseId) => Iocs.Values.Where(i => i.CaseIds.Contains(caseId));

    public IEnumerable<IrisAsset> AssetsOfCase(int caseId) => Assets.Values.Where(a => a.CaseId == caseId);

    public void DeleteCase(int caseId)
    {
        Cases.Remove(caseId);
        foreach (var ioc in Iocs.Values.Where(i => i.CaseIds.Contains(caseId)).ToList())
            Iocs[ioc.IocId] = ioc with { CaseIds = ioc.CaseIds.Where(c => c != caseId).ToList() };
        foreach (var asset in Assets.Values.Where(a => a.CaseId == caseId).ToList()) Assets.Remove(asset.AssetId);
        foreach (var note in Notes.Values.Where(n => n.CaseId == caseId).ToList()) Notes.Remove(note.NoteId);
        foreach (var dir in Directories.Values.Where(d => d.CaseId == caseId).ToList()) Directories.Remove(dir.Id);
        foreach (var alert in Alerts.Values.Where(a => a.CaseIds.Contains(caseId)).ToList())
            Alerts[alert.AlertId] = alert with { CaseIds = alert.CaseIds.Where(c => c != caseId).ToList() };
        foreach (var key in CaseAccess.Keys.Where(k => k.CaseId == caseId).ToList()) CaseAccess.Remove(key);
    }
}
