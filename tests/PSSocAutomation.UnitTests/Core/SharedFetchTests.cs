using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Tests.Core;

/// <summary>Work shared by every caller of a connection: detached from the caller that started it, waited for with each caller's own token.</summary>
public sealed class SharedFetchTests
{
    private sealed class ListLog : IRequestLog
    {
        public List<string> Lines { get; } = new();
        public bool Closed { get; set; }
        public void Verbose(string message) { if (Closed) throw new ObjectDisposedException("pump"); lock (Lines) Lines.Add(message); }
        public void Warning(string message) => Verbose(message);
        public void Debug(string message) => Verbose(message);
        public void Waiting(string? status) { if (status != null) Verbose(status); }
    }

    [Fact]
    public async Task The_fetch_runs_outside_the_first_callers_log_and_reports_to_whoever_waits()
    {
        var begin = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IRequestLog? seen = null;
        var shared = new SharedFetch<int>(async ct =>
        {
            await begin.Task;
            seen = RequestLog.Current;
            RequestLog.Current?.Verbose("started");
            await release.Task;
            RequestLog.Current?.Verbose("finished");
            return 42;
        });

        var first = new ListLog();
        var second = new ListLog();
        using var stopFirst = new CancellationTokenSource();
        Task<int> firstWait, secondWait;
        RequestLog.Current = first;
        try { firstWait = shared.GetAsync(stopFirst.Token); }
        finally { RequestLog.Current = null; }
        begin.SetResult();
        await WaitUntil(() => first.Lines.Count == 1);
        Assert.NotNull(seen);
        Assert.NotSame(first, seen);

        // The first caller is stopped and its log closes (a cmdlet's pump, disposed when the cmdlet ends).
        stopFirst.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstWait);
        first.Closed = true;

        RequestLog.Current = second;
        try { secondWait = shared.GetAsync(CancellationToken.None); }
        finally { RequestLog.Current = null; }
        release.SetResult();
        Assert.Equal(42, await secondWait);
        Assert.Equal(new[] { "started" }, first.Lines);
        Assert.Equal(new[] { "finished" }, second.Lines);
    }

    [Fact]
    public async Task A_callers_token_never_reaches_the_fetch_and_the_value_is_fetched_once()
    {
        var fetches = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = new SharedFetch<string>(async ct =>
        {
            Interlocked.Increment(ref fetches);
            Assert.False(ct.CanBeCanceled);
            await release.Task;
            return "list";
        });
        using var stop = new CancellationTokenSource();
        var stopped = shared.GetAsync(stop.Token);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped);
        var waiting = shared.GetAsync(CancellationToken.None);
        release.SetResult();
        Assert.Equal("list", await waiting);
        Assert.Equal("list", await shared.GetAsync(CancellationToken.None));
        Assert.Equal(1, fetches);
    }

    [Fact]
    public async Task A_failed_or_cancelled_fetch_is_not_kept()
    {
        var attempts = 0;
        using var lifetime = new CancellationTokenSource();
        var shared = new SharedFetch<int>(async ct =>
        {
            var attempt = Interlocked.Increment(ref attempts);
            await Task.Yield();
            if (attempt == 1) throw new InvalidOperationException("down");
            if (attempt == 2) throw new OperationCanceledException(ct);
            return attempt;
        }, lifetime.Token);
        await Assert.ThrowsAsync<InvalidOperationException>(() => shared.GetAsync(CancellationToken.None));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => shared.GetAsync(CancellationToken.None));
        Assert.Equal(3, await shared.GetAsync(CancellationToken.None));
        Assert.Equal(3, await shared.GetAsync(CancellationToken.None));
        shared.Reset();
        Assert.Equal(4, await shared.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Forget_drops_the_value_only_while_it_is_still_the_stale_one()
    {
        var fetches = 0;
        var shared = new SharedFetch<string>(_ => Task.FromResult("token-" + Interlocked.Increment(ref fetches)));
        var first = await shared.GetAsync(CancellationToken.None);
        shared.Forget("token-0");
        Assert.Equal(first, await shared.GetAsync(CancellationToken.None));
        shared.Forget(first);
        var second = await shared.GetAsync(CancellationToken.None);
        Assert.Equal("token-2", second);
        // A second caller that also saw the first token stale must not drop the renewal the first caller made.
        shared.Forget(first);
        Assert.Equal(second, await shared.GetAsync(CancellationToken.None));
        Assert.Equal(2, fetches);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
