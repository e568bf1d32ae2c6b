using Microsoft.Extensions.Time.Testing;
using PSSocAutomation.Http;

namespace PSSocAutomation.Tests.Http;

/// <summary>The one paging loop: page N from page N-1's cursor, the next page fetched ahead, cleanup on every way out.</summary>
public sealed class PagerTests
{
    private sealed class Owner : IDisposable
    {
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    /// <summary>Pages 1..<paramref name="pages"/> with cursor = page number; records what was fetched, closed and freed.</summary>
    private sealed class Source
    {
        public readonly List<int> Fetched = new();
        public readonly List<Owner> Owners = new();
        public int Closed;
        public CancellationToken CloseToken;
        public Func<int, CancellationToken, Task>? Before;

        public Pager<int, int> Pager(int pages, FakeTimeProvider? clock = null) =>
            new Pager<int, int>(async (cursor, number, ct) =>
            {
                lock (Fetched) Fetched.Add(cursor);
                Assert.Equal(cursor, number);
                if (Before != null) await Before(cursor, ct);
                var owner = new Owner();
                lock (Owners) Owners.Add(owner);
                return cursor < pages ? FetchedPage<int, int>.WithNext(cursor, cursor + 1, owner) : FetchedPage<int, int>.Last(cursor, owner);
            }, ct =>
            {
                Closed++;
                CloseToken = ct;
                return Task.CompletedTask;
            })
            { TimeProvider = clock ?? TimeProvider.System, CloseFailure = "Could not close the test cursor" };
    }

    [Fact]
    public async Task A_page_that_fails_names_its_number_in_the_failure_and_cleanup_still_runs()
    {
        var source = new Source { Before = (page, _) => page == 3 ? throw new SocApiException(ApiFailureKind.Status, "TestService", "HTTP 500") : Task.CompletedTask };
        var seen = new List<int>();
        var failure = await Assert.ThrowsAsync<SocApiException>(async () =>
        {
            await foreach (var page in source.Pager(5).ReadAsync(1, CancellationToken.None)) seen.Add(page);
        });
        Assert.Equal(new[] { 1, 2 }, seen);
        Assert.Equal(3, failure.Page);
        Assert.Equal(1, source.Closed);
    }

    [Fact]
    public async Task Every_page_is_read_in_order_the_next_one_fetched_ahead_and_each_freed_once_passed()
    {
        var source = new Source();
        var seen = new List<int>();
        await foreach (var page in source.Pager(4).ReadAsync(1, CancellationToken.None))
        {
            seen.Add(page);
            // While the consumer holds page N, page N+1 is already asked for.
            Expect.Eventually(() => source.Fetched.Count == Math.Min(page + 1, 4), "the page after " + page);
            Assert.False(source.Owners[page - 1].Disposed);
            if (page > 1) Assert.True(source.Owners[page - 2].Disposed);
        }
        Assert.Equal(new[] { 1, 2, 3, 4 }, seen);
        Assert.All(source.Owners, o => Assert.True(o.Disposed));
        Assert.Equal(1, source.Closed);
    }

    [Fact]
    public async Task Stopping_early_abandons_the_page_fetched_ahead_and_still_closes()
    {
        var source = new Source();
        var aheadCancelled = new TaskCompletionSource();
        source.Before = async (cursor, ct) =>
        {
            if (cursor < 2) return;
            // The page fetched ahead hangs until cleanup cancels it.
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { aheadCancelled.TrySetResult(); throw; }
        };
        await foreach (var page in source.Pager(10).ReadAsync(1, CancellationToken.None)) break;
        Assert.True(aheadCancelled.Task.IsCompleted);
        Assert.Equal(1, source.Closed);
        Assert.False(source.CloseToken.IsCancellationRequested);
        Assert.All(source.Owners, o => Assert.True(o.Disposed));
    }

    [Fact]
    public async Task A_failed_page_and_a_cancelled_caller_still_close()
    {
        var failing = new Source { Before = (cursor, _) => cursor == 3 ? throw new InvalidOperationException("page 3 broke") : Task.CompletedTask };
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => { await foreach (var _ in failing.Pager(5).ReadAsync(1, CancellationToken.None)) { } });
        Assert.Equal("page 3 broke", ex.Message);
        Assert.Equal(1, failing.Closed);

        using var stop = new CancellationTokenSource();
        var cancelled = new Source { Before = (_, ct) => { ct.ThrowIfCancellationRequested(); return Task.CompletedTask; } };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var page in cancelled.Pager(5).ReadAsync(1, stop.Token))
                if (page == 2) stop.Cancel();
        });
        Assert.Equal(1, cancelled.Closed);
        // Closing runs under its own bound, not under the caller's cancelled token.
        Assert.False(cancelled.CloseToken.IsCancellationRequested);
    }

    [Fact]
    public async Task Cleanup_is_bounded_when_the_page_fetched_ahead_never_ends()
    {
        var clock = new FakeTimeProvider();
        var source = new Source { Before = (cursor, _) => cursor >= 2 ? new TaskCompletionSource().Task : Task.CompletedTask };
        var pager = source.Pager(10, clock);
        var enumerator = pager.ReadAsync(1, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await enumerator.MoveNextAsync());
        var dispose = enumerator.DisposeAsync().AsTask();
        Assert.False(dispose.IsCompleted);
        Assert.Equal(0, source.Closed);

        // Half the bound for the page that ignores its cancellation, then close, with time left.
        await Expect.StepsUntilDone(clock, dispose, TimeSpan.FromSeconds(1));
        await dispose;
        Assert.Equal(1, source.Closed);
        Assert.False(source.CloseToken.IsCancellationRequested);
    }

    [Fact]
    public async Task A_close_that_fails_is_a_warning_not_a_failure_of_the_stream()
    {
        var pager = new Pager<int, int>((cursor, _, _) => Task.FromResult<FetchedPage<int, int>?>(FetchedPage<int, int>.Last(cursor)),
            _ => throw new InvalidOperationException("server gone"))
        { CloseFailure = "Could not close the test cursor" };
        var log = new RecordingLog();
        RequestLog.Current = log;
        var pages = new List<int>();
        try
        {
            await foreach (var page in pager.ReadAsync(7, CancellationToken.None)) pages.Add(page);
        }
        finally
        {
            RequestLog.Current = null;
        }
        Assert.Equal(new[] { 7 }, pages);
        Assert.Equal("Could not close the test cursor: server gone", Assert.Single(log.Lines("warning")));
    }

    [Fact]
    public async Task Nothing_to_read_yields_nothing_and_closes()
    {
        var closed = 0;
        var pager = new Pager<int, int>((_, _, _) => Task.FromResult<FetchedPage<int, int>?>(null), _ => { closed++; return Task.CompletedTask; });
        await foreach (var _ in pager.ReadAsync(1, CancellationToken.None)) Assert.Fail("no page expected");
        Assert.Equal(1, closed);
    }
}
