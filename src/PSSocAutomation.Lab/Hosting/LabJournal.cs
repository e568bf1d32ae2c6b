using System.Collections.Concurrent;

namespace PSSocAutomation.Lab.Hosting;

/// <summary>One request as the Lab received it. Credentials are never stored: only the scheme and who they authenticated.</summary>
public sealed record JournalEntry(
    long Sequence,
    string Service,
    string Method,
    string Path,
    string Query,
    string Body,
    string? AuthScheme,
    string? Principal,
    IReadOnlyDictionary<string, string> Headers,
    int Status,
    DateTimeOffset Time);

/// <summary>Every request every Lab service received, in order, for tests to assert on.</summary>
public sealed class LabJournal
{
    private readonly ConcurrentQueue<JournalEntry> _entries = new();
    private long _sequence;

    /// <summary>
    /// Headers whose values are secrets for any service: recorded as "(redacted)". A vendor's own credential headers
    /// come from its <see cref="ILabService.CredentialHeaders"/>.
    /// </summary>
    internal static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie",
    };

    internal long NextSequence() => Interlocked.Increment(ref _sequence);

    internal void Add(JournalEntry entry) => _entries.Enqueue(entry);

    public IReadOnlyList<JournalEntry> Entries => _entries.ToArray();

    public IReadOnlyList<JournalEntry> For(string service) => _entries.Where(e => e.Service == service).ToArray();

    public void Clear() => _entries.Clear();
}
