using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// What a search sees of an index: the document array as it was and the generation it was taken at. Later writes
/// append past <see cref="Count"/> or mark documents deleted with a later generation, so a snapshot never changes:
/// that is the whole point-in-time mechanism, and why searches need no lock.
/// </summary>
internal sealed class IndexSnapshot
{
    public IndexSnapshot(ElasticIndex index, StoredDocument[] docs, int count, int liveCount, long generation)
    {
        Index = index;
        Docs = docs;
        Count = count;
        LiveCount = liveCount;
        Generation = generation;
    }

    public ElasticIndex Index { get; }
    public StoredDocument[] Docs { get; }
    public int Count { get; }
    public int LiveCount { get; }
    public long Generation { get; }

    public bool Visible(int ordinal) => Docs[ordinal].VisibleAt(Generation);
}

/// <summary>The outcome of one write, as a bulk item or a single-document response reports it.</summary>
internal sealed record WriteResult(string Id, long Version, long SeqNo, string Result, int Status, ElasticErrorCause? Error = null)
{
    public bool Failed => Error is not null;
}

/// <summary>
/// One index: an append-only document array plus an id map. Writers take the index lock; each write publishes a new
/// snapshot. Replacing a document appends the new version and marks the old one deleted, like Lucene segments.
/// </summary>
internal sealed class ElasticIndex
{
    private static long s_idSequence = RandomNumberGenerator.GetInt32(int.MaxValue);
    private static readonly byte[] s_node = RandomNumberGenerator.GetBytes(6);

    private readonly object _write = new();
    private readonly Dictionary<string, StoredDocument> _byId = new(StringComparer.Ordinal);
    private StoredDocument[] _docs = new StoredDocument[16];
    private int _count;
    private int _live;
    private long _generation;
    private long _seqNo = -1;
    private IndexSnapshot _snapshot;

    public ElasticIndex(string name, long creationDate)
    {
        Name = name;
        CreationDate = creationDate;
        _snapshot = new IndexSnapshot(this, _docs, 0, 0, 0);
    }

    public string Name { get; }
    public string Uuid { get; } = NewUuid();
    public long CreationDate { get; }
    public ElasticMapping Mapping { get; } = new();
    public int MaxResultWindow { get; set; } = 10_000;
    public string NumberOfShards { get; set; } = "1";
    public string NumberOfReplicas { get; set; } = "1";

    public IndexSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public int LiveCount => Snapshot.LiveCount;

    private static string NewUuid() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_')[..22];

    /// <summary>
    /// ES's auto ids are 20 URL-safe base64 characters from time, a sequence and the node; same recipe here, so they
    /// look alike and sort roughly by creation.
    /// </summary>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[15];
        var sequence = Interlocked.Increment(ref s_idSequence);
        var time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        bytes[0] = (byte)(sequence >> 16);
        bytes[1] = (byte)(time >> 40);
        bytes[2] = (byte)(time >> 32);
        bytes[3] = (byte)(time >> 24);
        bytes[4] = (byte)(time >> 16);
        bytes[5] = (byte)(time >> 8);
        bytes[6] = (byte)time;
        s_node.CopyTo(bytes[7..]);
        bytes[13] = (byte)(sequence >> 8);
        bytes[14] = (byte)sequence;
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }

    public StoredDocument? Get(string id)
    {
        lock (_write) return _byId.TryGetValue(id, out var doc) ? doc : null;
    }

    /// <summary>index (replace or add) or create (add only) one document.</summary>
    public WriteResult Write(string? id, byte[] source, bool createOnly)
    {
        lock (_write)
        {
            var result = WriteLocked(id, source, createOnly);
            Publish();
            return result;
        }
    }

    /// <summary>Many documents under one lock and one publication: seeding a million alerts should not be a million snapshots.</summary>
    public List<WriteResult> WriteMany(IEnumerable<(string? Id, byte[] Source)> documents, bool createOnly)
    {
        var results = new List<WriteResult>();
        lock (_write)
        {
            try
            {
                foreach (var (id, source) in documents) results.Add(WriteLocked(id, source, createOnly));
            }
            finally
            {
                Publish();
            }
        }
        return results;
    }

    private WriteResult WriteLocked(string? id, byte[] source, bool createOnly)
    {
        id ??= NewId();
        _byId.TryGetValue(id, out var existing);
        if (existing is not null && createOnly)
            return new WriteResult(id, existing.Version, existing.SeqNo, "conflict", 409, VersionConflict(id, existing.Version));
        FieldValue[] values;
        string[]? strings;
        try
        {
            (values, strings) = ElasticDocumentParser.Parse(Mapping, id, source);
        }
        catch (ElasticException e)
        {
            return new WriteResult(id, 0, 0, "error", e.Status, e.Error);
        }
        var generation = ++_generation;
        var version = existing is null ? 1 : existing.Version + 1;
        var doc = new StoredDocument(id, source, values, strings, version, ++_seqNo);
        if (existing is not null)
        {
            existing.MarkDeleted(generation);
            _live--;
        }
        Append(doc);
        _byId[id] = doc;
        _live++;
        return new WriteResult(id, version, doc.SeqNo, existing is null ? "created" : "updated", existing is null ? 201 : 200);
    }

    public WriteResult Delete(string id)
    {
        lock (_write)
        {
            if (!_byId.Remove(id, out var existing))
                return new WriteResult(id, 1, ++_seqNo, "not_found", 404);
            var generation = ++_generation;
            existing.MarkDeleted(generation);
            _live--;
            var result = new WriteResult(id, existing.Version + 1, ++_seqNo, "deleted", 200);
            Publish();
            return result;
        }
    }

    /// <summary>The update API's partial document: merged into the stored source, a noop when nothing changes.</summary>
    public WriteResult Update(string id, JsonObject? partial, JsonObject? upsert, bool docAsUpsert, bool detectNoop)
    {
        lock (_write)
        {
            if (!_byId.TryGetValue(id, out var existing))
            {
                var initial = docAsUpsert ? partial : upsert;
                if (initial is null)
                    return new WriteResult(id, 0, 0, "error", 404, new ElasticErrorCause("document_missing_exception", $"[{id}]: document missing")
                        .With("index_uuid", Uuid).With("shard", "0").With("index", Name));
                var created = WriteLocked(id, JsonSerializer.SerializeToUtf8Bytes(initial), createOnly: true);
                Publish();
                return created;
            }
            var current = JsonNode.Parse(existing.Source) as JsonObject ?? new JsonObject();
            var merged = (JsonObject)current.DeepClone();
            if (partial is not null) Merge(merged, partial);
            if (detectNoop && JsonNode.DeepEquals(current, merged))
                return new WriteResult(id, existing.Version, existing.SeqNo, "noop", 200);
            var result = WriteLocked(id, JsonSerializer.SerializeToUtf8Bytes(merged), createOnly: false);
            Publish();
            return result;
        }
    }

    private static void Merge(JsonObject target, JsonObject partial)
    {
        foreach (var (key, value) in partial)
        {
            if (value is JsonObject inner && target[key] is JsonObject existing) Merge(existing, inner);
            else target[key] = value?.DeepClone();
        }
    }

    public ElasticErrorCause VersionConflict(string id, long version) =>
        new ElasticErrorCause("version_conflict_engine_exception", $"[{id}]: version conflict, document already exists (current version [{version}])")
            .With("index_uuid", Uuid).With("shard", "0").With("index", Name);

    private void Append(StoredDocument doc)
    {
        if (_count == _docs.Length)
        {
            // A new array, never a resize in place: snapshots keep reading the old one.
            var grown = new StoredDocument[_docs.Length * 2];
            Array.Copy(_docs, grown, _count);
            _docs = grown;
        }
        _docs[_count++] = doc;
    }

    private void Publish()
    {
        if (_count - _live > Math.Max(1024, _live))
        {
            // Like a segment merge: drop replaced and deleted documents. Old snapshots keep the old array.
            var compacted = new StoredDocument[Math.Max(16, _live * 2)];
            var n = 0;
            for (var i = 0; i < _count; i++)
            {
                if (!_docs[i].IsDeleted) compacted[n++] = _docs[i];
            }
            _docs = compacted;
            _count = n;
            _generation++;
        }
        Volatile.Write(ref _snapshot, new IndexSnapshot(this, _docs, _count, _live, _generation));
    }
}
