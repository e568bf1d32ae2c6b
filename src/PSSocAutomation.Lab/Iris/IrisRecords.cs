using System.Text.Json;

namespace PSSocAutomation.Lab.Iris;

// What the emulated IRIS database holds. Records are immutable snapshots: the store replaces them on every change,
// so a test can keep one and compare it with a later read without racing a request.

/// <summary>Group permission bits (iris-web models/authorization.py Permissions).</summary>
[Flags]
public enum IrisPermissions : long
{
    None = 0,
    StandardUser = 0x1,
    ServerAdministrator = 0x2,
    AlertsRead = 0x4,
    AlertsWrite = 0x8,
    AlertsDelete = 0x10,
    SearchAcrossCases = 0x20,
    CustomersRead = 0x40,
    CustomersWrite = 0x80,
    CaseTemplatesRead = 0x100,
    CaseTemplatesWrite = 0x200,
    ActivitiesRead = 0x400,
    AllActivitiesRead = 0x800,

    /// <summary>What the Administrators group holds.</summary>
    All = 0xFFF,

    /// <summary>Close to the Analysts group of a fresh install.</summary>
    Analyst = StandardUser | AlertsRead | AlertsWrite | AlertsDelete | CustomersRead | CaseTemplatesRead | ActivitiesRead,
}

/// <summary>Per-case access levels (CaseAccessLevel).</summary>
public enum IrisCaseAccess
{
    None = 0,
    ReadOnly = 0x2,
    FullAccess = 0x4,
}

public sealed record IrisUser(
    int Id,
    string Login,
    string Name,
    string Email,
    Guid Uuid,
    string ApiKey,
    IrisPermissions Permissions,
    bool Active,
    bool IsServiceAccount,
    IReadOnlyList<int> CustomerIds,
    int CtxCase)
{
    public bool IsAdministrator => Permissions.HasFlag(IrisPermissions.ServerAdministrator);
}

/// <summary>One modification_history entry; IRIS keys them by the epoch float of the change.</summary>
public sealed record IrisHistoryEntry(double Timestamp, string User, int UserId, string Action);

public sealed record IrisCustomer(
    int CustomerId,
    string Name,
    Guid Uuid,
    string? Description,
    string? Sla,
    DateTime CreationDate,
    DateTime LastUpdateDate,
    JsonElement? CustomAttributes);

public sealed record IrisCase
{
    public required int CaseId { get; init; }
    public required Guid Uuid { get; init; }
    /// <summary>As IRIS stores it: "#&lt;id&gt; - &lt;name&gt;".</summary>
    public required string Name { get; init; }
    /// <summary>Null when the client sent null: the column is nullable and Length(min=2) does not run on None.</summary>
    public required string? Description { get; init; }
    public required string? SocId { get; init; }
    public required int CustomerId { get; init; }
    public int? ClassificationId { get; init; }
    public int? SeverityId { get; init; }
    public int? StateId { get; init; }
    /// <summary>Outcome: 0 unknown, 1 false_positive, 2 true_positive_with_impact, 3 not_applicable, 4 true_positive_without_impact, 5 legitimate.</summary>
    public int StatusId { get; init; }
    public required int OwnerId { get; init; }
    /// <summary>Who opened it.</summary>
    public required int UserId { get; init; }
    public int? ReviewerId { get; init; }
    public int? ReviewStatusId { get; init; }
    public required DateTime OpenDate { get; init; }
    public DateTime? CloseDate { get; init; }
    public string? ClosingNote { get; init; }
    public required DateTime InitialDate { get; init; }
    public JsonElement? CustomAttributes { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<int> AlertIds { get; init; } = [];
    public IReadOnlyList<IrisHistoryEntry> History { get; init; } = [];
    public JsonElement? Protagonists { get; init; }
}

public sealed record IrisAlert
{
    public required int AlertId { get; init; }
    public required Guid Uuid { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public string? Source { get; init; }
    public string? SourceRef { get; init; }
    public string? SourceLink { get; init; }
    public JsonElement? SourceContent { get; init; }
    public required int SeverityId { get; init; }
    public required int StatusId { get; init; }
    public JsonElement? Context { get; init; }
    public DateTime? SourceEventTime { get; init; }
    public required DateTime CreationTime { get; init; }
    public string? Note { get; init; }
    public string? Tags { get; init; }
    public int? OwnerId { get; init; }
    public required int CustomerId { get; init; }
    public int? ClassificationId { get; init; }
    public int? ResolutionStatusId { get; init; }
    public IReadOnlyList<int> IocIds { get; init; } = [];
    public IReadOnlyList<int> AssetIds { get; init; } = [];
    public IReadOnlyList<int> CaseIds { get; init; } = [];
    public IReadOnlyList<IrisHistoryEntry> History { get; init; } = [];
}

/// <summary>An IOC row. Alerts create their own rows; cases link rows (IocLink), reusing the first row with the same value and type.</summary>
public sealed record IrisIoc
{
    public required int IocId { get; init; }
    public required Guid Uuid { get; init; }
    public required string Value { get; init; }
    public int? TypeId { get; init; }
    public int? TlpId { get; init; }
    public string? Description { get; init; }
    public string? Tags { get; init; }
    public JsonElement? Enrichment { get; init; }
    public JsonElement? CustomAttributes { get; init; }
    public int? UserId { get; init; }
    public IReadOnlyList<int> CaseIds { get; init; } = [];
}

/// <summary>An asset row: CaseId is null for assets that only belong to an alert.</summary>
public sealed record IrisAsset
{
    public required int AssetId { get; init; }
    public required Guid Uuid { get; init; }
    public required string Name { get; init; }
    public required int TypeId { get; init; }
    public string? Description { get; init; }
    public string? Ip { get; init; }
    public string? Domain { get; init; }
    public string? Info { get; init; }
    public string? Tags { get; init; }
    public JsonElement? Enrichment { get; init; }
    public int? AnalysisStatusId { get; init; }
    public int? CompromiseStatusId { get; init; }
    public JsonElement? CustomAttributes { get; init; }
    public int? CaseId { get; init; }
    public int? UserId { get; init; }
    public DateTime? DateAdded { get; init; }
    public DateTime? DateUpdate { get; init; }
    public IReadOnlyList<int> IocIds { get; init; } = [];
}

public sealed record IrisNoteDirectory(int Id, string Name, int? ParentId, int CaseId);

public sealed record IrisNote
{
    public required int NoteId { get; init; }
    public required Guid Uuid { get; init; }
    public required string Title { get; init; }
    public string? Content { get; init; }
    public required int CaseId { get; init; }
    public required int DirectoryId { get; init; }
    public required int UserId { get; init; }
    public required DateTime CreationDate { get; init; }
    public required DateTime LastUpdate { get; init; }
    public JsonElement? CustomAttributes { get; init; }
}

public sealed record IrisCaseTemplate(int Id, string Name, string DisplayName, string? Description, string TitlePrefix, string? Summary, IReadOnlyList<string> Tags);
