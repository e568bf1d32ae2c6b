using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// The ASFF findings of the Lab's Security Hub, in the order they were imported (the default order GetFindings
/// pages in, and every sort's tiebreaker), keyed as Security Hub keys them: by Id and ProductArn together. Also the
/// "Security Hub Findings - Imported" events that updates emit. Readers get copies, so no test can alter the store
/// behind the service's back.
/// </summary>
internal sealed class SecurityHubStore
{
    private readonly object _gate = new();
    private readonly List<Entry> _findings = new();
    private readonly Dictionary<(string Id, string ProductArn), Entry> _byKey = new();
    private readonly List<JsonObject> _events = new();

    /// <summary>A stored finding with its import number: the stable order and tiebreaker.</summary>
    internal sealed record Entry(long Sequence, JsonObject Finding);

    public int Count
    {
        get
        {
            lock (_gate) return _findings.Count;
        }
    }

    /// <summary>Adds or replaces (same Id and ProductArn) findings; a replaced one keeps its place in the order.</summary>
    public void Upsert(IEnumerable<JsonObject> findings)
    {
        lock (_gate)
        {
            foreach (var finding in findings)
            {
                var key = KeyOf(finding);
                if (_byKey.TryGetValue(key, out var existing))
                {
                    var index = _findings.IndexOf(existing);
                    var replaced = existing with { Finding = finding };
                    _findings[index] = replaced;
                    _byKey[key] = replaced;
                    continue;
                }
                var entry = new Entry(_findings.Count, finding);
                _findings.Add(entry);
                _byKey[key] = entry;
            }
        }
    }

    public static (string Id, string ProductArn) KeyOf(JsonObject finding) =>
        ((string?)finding["Id"] ?? throw new ArgumentException("An ASFF finding needs an Id."),
         (string?)finding["ProductArn"] ?? throw new ArgumentException("An ASFF finding needs a ProductArn."));

    /// <summary>The live entries, in import order (callers under <see cref="Lock"/> or reading a snapshot only).</summary>
    public IReadOnlyList<Entry> Snapshot()
    {
        lock (_gate) return _findings.ToArray();
    }

    /// <summary>Runs an update with the store locked, so a batch is applied as one step.</summary>
    public T Lock<T>(Func<Func<(string Id, string ProductArn), JsonObject?>, T> action)
    {
        lock (_gate) return action(key => _byKey.TryGetValue(key, out var entry) ? entry.Finding : null);
    }

    /// <summary>A copy of the first finding with this Id (whatever its product), or null.</summary>
    public JsonObject? Find(string id)
    {
        lock (_gate) return _findings.FirstOrDefault(e => (string?)e.Finding["Id"] == id)?.Finding.DeepClone().AsObject();
    }

    public void AddEvent(JsonObject importedEvent)
    {
        lock (_gate) _events.Add(importedEvent);
    }

    public IReadOnlyList<JsonObject> Events()
    {
        lock (_gate) return _events.Select(e => e.DeepClone().AsObject()).ToArray();
    }

    public void Clear()
    {
        lock (_gate)
        {
            _findings.Clear();
            _byKey.Clear();
            _events.Clear();
        }
    }
}
