using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Elastic;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Kibana;

/// <summary>
/// Kibana's Elastic Security detection engine on loopback: signals/search and signals/status over the alerts stored in
/// the Elasticsearch Lab (one cluster, as a real Kibana is in front of one), spaces, /api/status, Kibana's auth,
/// XSRF guard and error shapes, and the version differences a client has to survive (strict search body before 8.15,
/// status reason from 9.2). Tests seed alerts through the members below and read back what status updates wrote.
/// </summary>
public sealed class KibanaLab : ILabService
{
    internal const string UserItem = "kibana.user";
    public const string DefaultVersion = "8.15.0";

    private readonly LabServer _lab;
    private readonly KibanaRoutes _routes;
    private readonly KibanaAuthentication _authentication;
    private volatile string _version = DefaultVersion;
    private volatile Version _parsedVersion = System.Version.Parse(DefaultVersion);
    private int _conflictOnNextUpdates;

    public KibanaLab(LabServer lab)
    {
        _lab = lab;
        _authentication = new KibanaAuthentication(lab.Credentials);
        _routes = new KibanaRoutes(this);
    }

    public string Name => "kibana";
    public bool UseHttps => false;

    /// <summary>hapi matches the route before its auth runs: a path Kibana lacks is a 404 whoever asks.</summary>
    public bool AuthenticatesBeforeRouting => false;

    /// <summary>Kibana's credentials travel in Authorization, as Elasticsearch's do.</summary>
    public IReadOnlyList<string> CredentialHeaders => [];

    /// <summary>Kibana names its server instance on every response.</summary>
    public IEnumerable<KeyValuePair<string, string>> EveryResponseHeaders(HttpRequest request)
    {
        yield return new("kbn-name", "lab-kibana");
    }

    /// <summary>The emulated release ("8.14.0", "8.15.0", "9.2.0"): drives /api/status and every version-dependent rule.</summary>
    public string Version
    {
        get => _version;
        set
        {
            // Parsed now, so a typo fails in the test that set it rather than in some later request.
            _parsedVersion = System.Version.Parse(value);
            _version = value;
        }
    }

    internal Version ParsedVersion => _parsedVersion;
    internal string Uuid { get; } = Guid.NewGuid().ToString();
    internal ElasticLab Elastic => _lab.Elastic;
    internal KibanaSpaces SpaceStore { get; } = new();

    /// <summary>The spaces GET /api/spaces/space lists ("default" always).</summary>
    public IReadOnlyList<string> Spaces => SpaceStore.Ids;

    /// <summary>Makes a space known to the Spaces API (routes in other spaces work anyway, finding nothing).</summary>
    public void AddSpace(string id, string? name = null) => SpaceStore.Add(id, name);

    /// <summary>
    /// While above zero, each status request takes one and meets a version conflict on every alert it matches:
    /// conflicts=abort answers 409 and changes nothing, conflicts=proceed counts them and updates nothing.
    /// </summary>
    public int ConflictOnNextUpdates
    {
        get => Volatile.Read(ref _conflictOnNextUpdates);
        set => Volatile.Write(ref _conflictOnNextUpdates, value);
    }

    /// <summary>Alerts (by _id) that meet a version conflict on every status request; the others are updated.</summary>
    public Func<string, bool>? ConflictWhen { get; set; }

    /// <summary>Takes one of <see cref="ConflictOnNextUpdates"/>, when there is one to take.</summary>
    internal bool TakeConflict()
    {
        while (true)
        {
            var current = Volatile.Read(ref _conflictOnNextUpdates);
            if (current <= 0) return false;
            if (Interlocked.CompareExchange(ref _conflictOnNextUpdates, current - 1, current) == current) return true;
        }
    }

    /// <summary>The alias Kibana searches for a space's alerts.</summary>
    public static string AlertsAlias(string space = KibanaSpaces.DefaultId) => ".alerts-security.alerts-" + space;

    /// <summary>The hidden alerts-as-data backing index (8.x) behind <see cref="AlertsAlias"/>.</summary>
    public static string AlertsIndex(string space = KibanaSpaces.DefaultId) => ".internal.alerts-security.alerts-" + space + "-000001";

    /// <summary>The 7.x signals index, also behind <see cref="AlertsAlias"/> (as after an upgrade).</summary>
    public static string LegacyIndex(string space = KibanaSpaces.DefaultId) => ".siem-signals-" + space + "-000001";

    /// <summary>
    /// <paramref name="count"/> alerts-as-data documents in <see cref="AlertsIndex"/> of the space. @timestamp is
    /// start + step * (i / sameTimestampGroup), so each group shares one timestamp as one rule run's alerts do; the
    /// default start is now minus count seconds, step 1 s. Returns the ids (_id = kibana.alert.uuid), deterministic
    /// from the space and the alert's number (numbering goes on from what the index already holds).
    /// </summary>
    public IReadOnlyList<string> SeedAlerts(int count, string space = KibanaSpaces.DefaultId, DateTimeOffset? start = null, TimeSpan? step = null,
        string status = "open", int sameTimestampGroup = 1)
    {
        KibanaAlertIndices.Ensure(Elastic, space);
        var first = Elastic.Count(AlertsIndex(space));
        var from = start ?? Elastic.Now - TimeSpan.FromSeconds(count);
        return Write(AlertsIndex(space), KibanaSeedData.Alerts(space, first, count, from, step ?? TimeSpan.FromSeconds(1), status, sameTimestampGroup));
    }

    /// <summary>7.x-style signals (signal.status, signal.rule.*, no kibana.alert.*) in <see cref="LegacyIndex"/>; returns their _ids.</summary>
    public IReadOnlyList<string> SeedLegacySignals(int count, string space = KibanaSpaces.DefaultId, DateTimeOffset? start = null, TimeSpan? step = null,
        string status = "open")
    {
        KibanaAlertIndices.Ensure(Elastic, space);
        var first = Elastic.Count(LegacyIndex(space));
        var from = start ?? Elastic.Now - TimeSpan.FromSeconds(count);
        return Write(LegacyIndex(space), KibanaSeedData.LegacySignals(space, first, count, from, step ?? TimeSpan.FromSeconds(1), status));
    }

    private IReadOnlyList<string> Write(string index, IEnumerable<(string? Id, byte[] Source)> documents)
    {
        var target = Elastic.Store.Find(index)!;
        var ids = new List<string>();
        const int batch = 65_536;
        // Batches keep one lock hold (and one list of sources) bounded; each batch is still one snapshot.
        foreach (var chunk in documents.Chunk(batch))
        {
            var results = target.WriteMany(chunk, createOnly: false);
            if (results.FirstOrDefault(r => r.Failed) is { } failed) throw new InvalidOperationException(failed.Error!.Reason);
            ids.AddRange(results.Select(r => r.Id));
        }
        return ids;
    }

    /// <summary>
    /// One arbitrary alert document into <see cref="AlertsIndex"/> of the space (a late-arriving alert). Its _id is
    /// the document's kibana.alert.uuid, else <paramref name="id"/>, else a new GUID; that id is returned.
    /// </summary>
    public string AddAlert(string space, string json, string? id = null)
    {
        KibanaAlertIndices.Ensure(Elastic, space);
        var source = JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("An alert is a JSON object.", nameof(json));
        var alertId = KibanaAlertDocument.GetString(source, "kibana.alert.uuid") ?? id ?? Guid.NewGuid().ToString();
        Elastic.Index(AlertsIndex(space), alertId, json);
        return alertId;
    }

    /// <summary>kibana.alert.workflow_status (or a 7.x signal's signal.status) of an alert found by _id or kibana.alert.uuid; null if none.</summary>
    public string? WorkflowStatusOf(string id, string space = KibanaSpaces.DefaultId) =>
        SourceOf(id, space) is { } json && JsonNode.Parse(json) is JsonObject source
            ? KibanaAlertDocument.GetString(source, "kibana.alert.workflow_status") ?? KibanaAlertDocument.GetString(source, "signal.status")
            : null;

    /// <summary>The stored _source of an alert found by _id or kibana.alert.uuid in the space's alias; null if none.</summary>
    public string? SourceOf(string id, string space = KibanaSpaces.DefaultId)
    {
        var query = new JsonObject
        {
            ["bool"] = new JsonObject
            {
                ["should"] = new JsonArray(
                    new JsonObject { ["ids"] = new JsonObject { ["values"] = new JsonArray(id) } },
                    new JsonObject { ["term"] = new JsonObject { ["kibana.alert.uuid"] = id } }),
                ["minimum_should_match"] = 1,
            },
        };
        var match = Elastic.MatchForKibana(AlertsAlias(space), Encoding.UTF8.GetBytes(query.ToJsonString()));
        return match.Count == 0 ? null : Encoding.UTF8.GetString(match[0].Doc.Source);
    }

    /// <summary>Back to defaults: version 8.15.0, only the default space, no conflicts. Stored alerts are the Elasticsearch Lab's (its Reset clears them).</summary>
    public void Reset()
    {
        Version = DefaultVersion;
        SpaceStore.Reset();
        ConflictOnNextUpdates = 0;
        ConflictWhen = null;
    }

    public ValueTask<LabResponse?> AuthenticateAsync(HttpContext context) => ValueTask.FromResult(_authentication.Check(context));

    /// <summary>An injected status in the platform (Boom) shape, as Kibana's own failures come.</summary>
    public LabResponse Fault(HttpRequest request, int status) => KibanaErrors.Platform(status);

    /// <summary>hapi's 404 for any path Kibana has no route for, whatever the method.</summary>
    public LabResponse Unmatched(HttpRequest request) => KibanaErrors.Platform(404, "Not Found");

    public void Map(WebApplication app) => _routes.Map(app);
}
