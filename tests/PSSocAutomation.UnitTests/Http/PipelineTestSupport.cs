using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PSSocAutomation.Http;

namespace PSSocAutomation.Tests.Http;

/// <summary>Everything the pipeline reported, as a cmdlet would have written it.</summary>
public sealed class RecordingLog : IRequestLog
{
    private readonly ConcurrentQueue<(string Stream, string Text)> _lines = new();

    public void Verbose(string message) => _lines.Enqueue(("verbose", message));
    public void Warning(string message) => _lines.Enqueue(("warning", message));
    public void Debug(string message) => _lines.Enqueue(("debug", message));
    public void Waiting(string? status) => _lines.Enqueue(("progress", status ?? "(done)"));

    public IReadOnlyList<string> Lines(string stream) => _lines.Where(l => l.Stream == stream).Select(l => l.Text).ToArray();
    public IReadOnlyList<string> All => _lines.Select(l => l.Text).ToArray();
}

/// <summary>A vendor whose error reader a test chooses; JSON {"error": "..."} by default.</summary>
public sealed class TestVendor : IVendorErrors
{
    private readonly Func<int, string?, ReadOnlyMemory<byte>, (string?, string?)> _describe;

    public TestVendor(Func<int, string?, ReadOnlyMemory<byte>, (string?, string?)>? describe = null) =>
        _describe = describe ?? ((_, _, body) =>
        {
            if (!ResponseBody.TryParseJson(body, out var doc)) return (null, null);
            using (doc) return doc!.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var e) ? (null, e.ToString()) : (null, null);
        });

    public string ServiceName => "TestService";

    /// <summary>Every body the pipeline asked this vendor to describe, with its content type.</summary>
    public ConcurrentQueue<(int Status, string? ContentType, byte[] Body)> Described { get; } = new();

    public (string? Type, string? Reason) Describe(int status, string? contentType, ReadOnlyMemory<byte> body)
    {
        Described.Enqueue((status, contentType, body.ToArray()));
        return _describe(status, contentType, body);
    }

    public string? Advice(ApiFailureKind kind, int? status, string? vendorType) => null;

    public SocApiException Refine(SocApiException failure) => failure;
}

/// <summary>Waiting for what a test expects, and driving a fake clock while real sockets do their part.</summary>
public static class Expect
{
    /// <summary>Polls until the condition holds. The bound only keeps a broken test from hanging: it never decides a pass.</summary>
    public static void Eventually(Func<bool> condition, string what)
    {
        var guard = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            if (DateTime.UtcNow > guard) throw new Xunit.Sdk.XunitException("Never happened: " + what);
            Thread.Sleep(5);
        }
    }

    /// <summary>Advances the fake clock one step at a time until the task ends; returns how many steps it took.</summary>
    public static async Task<int> StepsUntilDone(FakeTimeProvider clock, Task task, TimeSpan step, int maxSteps = 1000)
    {
        var steps = 0;
        while (!task.IsCompleted)
        {
            // Give the sockets a moment to answer what the last step released, then move the clock.
            if (await Task.WhenAny(task, Task.Delay(20)) == task) break;
            if (++steps > maxSteps) throw new Xunit.Sdk.XunitException($"Not done after {maxSteps} steps of {step}.");
            clock.Advance(step);
        }
        return steps;
    }

    public static HttpPipelineOptions Options(Uri uri, FakeTimeProvider clock) => new(uri)
    {
        TimeProvider = clock,
        RetryBaseDelay = TimeSpan.FromMilliseconds(100),
        MaxRetryDelay = TimeSpan.FromSeconds(30),
    };
}
