using System.Collections.Concurrent;

namespace PSSocAutomation.Lab.Hosting;

public enum FaultKind
{
    /// <summary>Answer with <see cref="FaultRule.Status"/> (and Retry-After when set) instead of the real response.</summary>
    Status,
    /// <summary>Wait <see cref="FaultRule.Delay"/>, then serve the real response.</summary>
    Delay,
    /// <summary>Abort the connection without a response.</summary>
    Reset,
    /// <summary>Serve the real status and headers, but only the first half of the body.</summary>
    Truncate,
    /// <summary>Answer like a proxy or tunnel in front of the service: an HTML error page.</summary>
    Html,
    /// <summary>
    /// Apply the request only after <see cref="FaultRule.Delay"/>, even when the client has given up by then: a server
    /// (or the IRIS behind a proxy that answered 504) still writing after the caller timed out. The write lands late.
    /// </summary>
    LandLate,
    /// <summary>Apply the request at once, then hold the answer for <see cref="FaultRule.Delay"/>: the write happened, the caller may not hear it.</summary>
    AnswerLate,
    /// <summary>
    /// Serve the real status and headers and the first half of the body as a complete response (Content-Length says
    /// half): well formed HTTP whose JSON is cut short, as from a proxy that truncated the body and fixed the length.
    /// </summary>
    TruncateBody,
    /// <summary>Apply the request, then drop the connection without an answer: the write happened and the caller heard nothing.</summary>
    ApplyThenReset,
}

/// <summary>
/// A fault the next matching requests meet. Matching: service, optional method, optional path substring, optional
/// operation (for APIs where one path serves many operations, as AWS's Query protocol does).
/// </summary>
public sealed class FaultRule
{
    public required string Service { get; init; }
    public string? Method { get; init; }
    public string? PathContains { get; init; }
    /// <summary>
    /// The operation the request names, as the service reports it (<see cref="ILabService.OperationsOf"/>): for AWS the
    /// Query Action or the X-Amz-Target operation, bare ("ModifyNetworkInterfaceAttribute") or with the signing name
    /// ("ec2:ModifyNetworkInterfaceAttribute"). Compared ignoring case.
    /// </summary>
    public string? Operation { get; init; }
    public FaultKind Kind { get; init; } = FaultKind.Status;
    public int Status { get; init; } = 503;
    public int? RetryAfterSeconds { get; init; }
    public TimeSpan Delay { get; init; }
    /// <summary>
    /// The error code a <see cref="FaultKind.Status"/> fault carries in the vendor's error shape (AWS: "RequestLimitExceeded",
    /// "InvalidGroup.NotFound"); the vendor's usual code for the status when null. Services without codes ignore it.
    /// </summary>
    public string? Code { get; init; }
    /// <summary>The message that goes with <see cref="Code"/>; a default when null.</summary>
    public string? Message { get; init; }
    /// <summary>Body for <see cref="FaultKind.Status"/> and <see cref="FaultKind.Html"/> (a WAF's own page, say); a plain default is used when null.</summary>
    public string? Body { get; init; }
    /// <summary>How many matching requests meet the fault; the rule retires after that.</summary>
    public int Times { get; init; } = 1;
    /// <summary>Let this many matching requests through before the fault starts.</summary>
    public int After { get; init; }

    internal int Seen;
    internal int Hits;
}

/// <summary>Fault injection that tests control, per service, plus a fixed latency per service (benchmarks).</summary>
public sealed class LabFaults
{
    private readonly List<FaultRule> _rules = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _latency = new(StringComparer.OrdinalIgnoreCase);

    public FaultRule Add(FaultRule rule)
    {
        lock (_rules) _rules.Add(rule);
        return rule;
    }

    public void Clear()
    {
        lock (_rules) _rules.Clear();
        _latency.Clear();
    }

    /// <summary>Every request to <paramref name="service"/> waits this long before it is handled.</summary>
    public void SetLatency(string service, TimeSpan latency) => _latency[service] = latency;

    internal TimeSpan LatencyFor(string service) => _latency.TryGetValue(service, out var l) ? l : TimeSpan.Zero;

    /// <summary>Whether a rule for <paramref name="service"/> matches on the operation, so the request body must be read to match.</summary>
    internal bool MatchesOperations(string service)
    {
        lock (_rules) return _rules.Any(r => r.Operation is not null && string.Equals(r.Service, service, StringComparison.OrdinalIgnoreCase));
    }

    /// <param name="operations">The names of the operation the request calls (computed only when a rule asks for one).</param>
    internal FaultRule? Match(string service, string method, string path, Func<IReadOnlyList<string>>? operations = null)
    {
        IReadOnlyList<string>? named = null;
        lock (_rules)
        {
            foreach (var rule in _rules)
            {
                if (!string.Equals(rule.Service, service, StringComparison.OrdinalIgnoreCase)) continue;
                if (rule.Method is not null && !string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase)) continue;
                if (rule.PathContains is not null && !path.Contains(rule.PathContains, StringComparison.OrdinalIgnoreCase)) continue;
                if (rule.Operation is not null)
                {
                    named ??= operations?.Invoke() ?? [];
                    if (!named.Contains(rule.Operation, StringComparer.OrdinalIgnoreCase)) continue;
                }
                if (rule.Hits >= rule.Times) continue;
                rule.Seen++;
                if (rule.Seen <= rule.After) continue;
                rule.Hits++;
                return rule;
            }
        }
        return null;
    }
}
