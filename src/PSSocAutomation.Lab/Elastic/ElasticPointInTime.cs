using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// An open point in time: the index snapshots taken when it was opened (later writes are not seen), its keep-alive,
/// and the sort orders built for it, so every search_after page reuses the first page's sort.
/// </summary>
internal sealed class PointInTime
{
    private long _expiresAtTicks;

    public PointInTime(string id, long contextId, IndexSnapshot[] snapshots, TimeSpan keepAlive, DateTimeOffset now)
    {
        Id = id;
        ContextId = contextId;
        Snapshots = snapshots;
        KeepAlive = keepAlive;
        Extend(keepAlive, now);
    }

    public string Id { get; set; }
    public long ContextId { get; }
    public IndexSnapshot[] Snapshots { get; }
    public TimeSpan KeepAlive { get; private set; }
    public ConcurrentDictionary<string, Lazy<SortedOrder>> Orders { get; } = new(StringComparer.Ordinal);

    public bool ExpiredAt(DateTimeOffset now) => now.UtcTicks >= Interlocked.Read(ref _expiresAtTicks);

    public void Extend(TimeSpan keepAlive, DateTimeOffset now)
    {
        KeepAlive = keepAlive;
        Interlocked.Exchange(ref _expiresAtTicks, (now + keepAlive).UtcTicks);
    }

    public void Expire() => Interlocked.Exchange(ref _expiresAtTicks, 0);

    public SortedOrder OrderFor(IReadOnlyList<SortSpec> specs) =>
        Orders.GetOrAdd(string.Join(";", specs.Select(s => s.Key)),
            _ => new Lazy<SortedOrder>(() => SortedOrder.Build(Snapshots, specs, SortedOrder.VisibleRefs(Snapshots), null))).Value;
}

/// <summary>Open points in time by id. Expired ones answer like ES: search_context_missing_exception, 404.</summary>
internal sealed class PointInTimeRegistry
{
    /// <summary>search.max_keep_alive.</summary>
    public static readonly TimeSpan MaxKeepAlive = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<string, PointInTime> _open = new(StringComparer.Ordinal);
    private long _nextContext;

    public PointInTime Open(IndexSnapshot[] snapshots, TimeSpan keepAlive, DateTimeOffset now)
    {
        Purge(now);
        var context = Interlocked.Increment(ref _nextContext);
        var pit = new PointInTime(NewId(context, snapshots), context, snapshots, keepAlive, now);
        _open[pit.Id] = pit;
        return pit;
    }

    /// <summary>
    /// ES ids are URL-safe base64 of the shard contexts they name; these encode the context number, the index names
    /// and random bytes, so they look and behave alike (long, opaque, '=' padded).
    /// </summary>
    private static string NewId(long context, IndexSnapshot[] snapshots)
    {
        var names = Encoding.UTF8.GetBytes(string.Join(",", snapshots.Select(s => s.Index.Uuid + ":" + s.Index.Name)));
        var bytes = new byte[1 + 8 + 16 + names.Length];
        bytes[0] = 0xE3;
        BitConverter.TryWriteBytes(bytes.AsSpan(1, 8), context);
        RandomNumberGenerator.Fill(bytes.AsSpan(9, 16));
        names.CopyTo(bytes, 25);
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }

    public static bool Validate(TimeSpan keepAlive, out string? error)
    {
        error = keepAlive > MaxKeepAlive
            ? $"Keep alive for request ({ElasticTimeValue.Format(keepAlive)}) is too large. It must be less than ({ElasticTimeValue.Format(MaxKeepAlive)}). This limit can be set by changing the [search.max_keep_alive] cluster level setting."
            : null;
        return error is null;
    }

    /// <summary>The live PIT for an id, or the 404 ES gives for a context it no longer (or never) had.</summary>
    public PointInTime Get(string id, DateTimeOffset now)
    {
        if (_open.TryGetValue(id, out var pit) && !pit.ExpiredAt(now)) return pit;
        if (pit is not null) _open.TryRemove(id, out _);
        var context = pit?.ContextId ?? ContextOf(id);
        var reason = new ElasticErrorCause("search_context_missing_exception", $"No search context found for id [{context}]");
        throw ElasticException.SearchPhase(404, new[] { new ElasticException.ShardFailure(null, -1, reason) });
    }

    private static long ContextOf(string id)
    {
        try
        {
            var bytes = Convert.FromBase64String(id.Replace('-', '+').Replace('_', '/'));
            if (bytes.Length >= 9 && bytes[0] == 0xE3) return BitConverter.ToInt64(bytes, 1);
        }
        catch (FormatException)
        {
            // Not one of ours: ES would not find it either.
        }
        return 0;
    }

    /// <summary>Replaces a PIT's id (ES may return a new pit_id on any search); the old id stops working.</summary>
    public string Rotate(PointInTime pit)
    {
        var fresh = NewId(pit.ContextId, pit.Snapshots);
        _open[fresh] = pit;
        _open.TryRemove(pit.Id, out _);
        pit.Id = fresh;
        return fresh;
    }

    /// <summary>How many shard contexts closing freed (one per index), or null when the id was unknown or expired.</summary>
    public int? Close(string id, DateTimeOffset now)
    {
        if (!_open.TryRemove(id, out var pit) || pit.ExpiredAt(now)) return null;
        return pit.Snapshots.Length;
    }

    public int CountOpen(DateTimeOffset now)
    {
        Purge(now);
        return _open.Count;
    }

    public void ExpireAll()
    {
        foreach (var pit in _open.Values) pit.Expire();
    }

    private void Purge(DateTimeOffset now)
    {
        foreach (var (id, pit) in _open)
        {
            if (pit.ExpiredAt(now)) _open.TryRemove(id, out _);
        }
    }
}
