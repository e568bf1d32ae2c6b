using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Http
{
    /// <summary>One page a <see cref="Pager{TPage, TCursor}"/> fetched: what the consumer gets, what to release once it is done with it, and where the next page starts.</summary>
    public sealed class FetchedPage<TPage, TCursor>
    {
        private FetchedPage(TPage value, bool hasNext, TCursor next, IDisposable? owner)
        {
            Value = value;
            HasNext = hasNext;
            Next = next;
            Owner = owner;
        }

        public TPage Value { get; }
        public bool HasNext { get; }
        /// <summary>The cursor of the page after this one (a search_after key, a NextToken, a page number).</summary>
        public TCursor Next { get; }
        /// <summary>Disposed once the consumer has moved past this page (the JSON document its value points into).</summary>
        public IDisposable? Owner { get; }

        /// <summary>A page with more after it.</summary>
        public static FetchedPage<TPage, TCursor> WithNext(TPage value, TCursor next, IDisposable? owner = null) => new FetchedPage<TPage, TCursor>(value, true, next, owner);

        /// <summary>The last page.</summary>
        public static FetchedPage<TPage, TCursor> Last(TPage value, IDisposable? owner = null) => new FetchedPage<TPage, TCursor>(value, false, default!, owner);
    }

    /// <summary>
    /// The one paging loop every client uses (Elastic point in time + search_after and composite after_key, IRIS page
    /// numbers, later Security Hub NextToken and Falcon after): page N is fetched from page N-1's cursor, the next page
    /// is already on its way while the consumer works through this one, and cleanup always runs, within
    /// <see cref="CleanupTimeout"/> and whatever the caller's token says: on completion, on error, on cancellation
    /// (Ctrl+C) and when the consumer stops early. Cleanup abandons the page fetched ahead (nobody will read it) and then
    /// calls close (a point in time pins segments on the cluster until it is closed or expires).
    /// </summary>
    public sealed class Pager<TPage, TCursor>
    {
        public static readonly TimeSpan DefaultCleanupTimeout = TimeSpan.FromSeconds(10);

        private readonly Func<TCursor, int, CancellationToken, Task<FetchedPage<TPage, TCursor>?>> _fetch;
        private readonly Func<CancellationToken, Task>? _close;

        /// <param name="fetch">
        /// Fetch page <c>number</c> (from 1) at the cursor: the first cursor for page 1, then each page's
        /// <see cref="FetchedPage{TPage, TCursor}.Next"/>. Null when there is nothing (more) to read.
        /// </param>
        /// <param name="close">Frees what the paging holds on the server; runs once, last, whatever happened.</param>
        public Pager(Func<TCursor, int, CancellationToken, Task<FetchedPage<TPage, TCursor>?>> fetch, Func<CancellationToken, Task>? close = null)
        {
            _fetch = fetch;
            _close = close;
        }

        /// <summary>The most cleanup may take: abandoning the page fetched ahead (at most half of it), then close.</summary>
        public TimeSpan CleanupTimeout { get; set; } = DefaultCleanupTimeout;

        public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

        /// <summary>The warning when close fails or runs out of time, before the reason ("Could not close the point in time").</summary>
        public string CloseFailure { get; set; } = "Could not clean up after paging";

        public async IAsyncEnumerable<TPage> ReadAsync(TCursor first, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            // Its own source, so cleanup can stop the page fetched ahead when the caller itself was not cancelled.
            using var fetching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task<FetchedPage<TPage, TCursor>?>? ahead = null;
            FetchedPage<TPage, TCursor>? current = null;
            try
            {
                var number = 1;
                ahead = Start(first, number, fetching.Token);
                while (ahead != null)
                {
                    current = await ahead.ConfigureAwait(false);
                    ahead = null;
                    if (current is null) yield break;
                    if (current.HasNext) ahead = Start(current.Next, ++number, fetching.Token);
                    yield return current.Value;
                    current.Owner?.Dispose();
                    current = null;
                }
            }
            finally
            {
                current?.Owner?.Dispose();
                await CleanUpAsync(ahead, fetching).ConfigureAwait(false);
            }
        }

        private async Task<FetchedPage<TPage, TCursor>?> Start(TCursor cursor, int number, CancellationToken cancellationToken)
        {
            try
            {
                return await _fetch(cursor, number, cancellationToken).ConfigureAwait(false);
            }
            catch (SocApiException ex)
            {
                // Where the read stopped, for the caller's message: "stopped after 2,000 alerts (page 3)".
                ex.Page ??= number;
                throw;
            }
        }

        private async Task CleanUpAsync(Task<FetchedPage<TPage, TCursor>?>? ahead, CancellationTokenSource fetching)
        {
            // One bound for all of cleanup, on its own clock: the caller's token may be the reason we are here.
            using var bound = Waits.After(TimeProvider, CleanupTimeout);
            if (ahead != null)
            {
                fetching.Cancel();
                // Whenever it ends, free what it holds and observe its failure: it matters to nobody now.
                _ = ahead.ContinueWith(t =>
                {
                    if (t.Status == TaskStatus.RanToCompletion) t.Result?.Owner?.Dispose();
                    else _ = t.Exception;
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                // At most half the bound, so close always has time left.
                using var half = Waits.After(TimeProvider, TimeSpan.FromTicks(CleanupTimeout.Ticks / 2));
                await Waits.Ended(ahead, half.Token).ConfigureAwait(false);
            }
            if (_close is null) return;
            try
            {
                await _close(bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                var why = bound.IsCancellationRequested ? $"it did not finish within {CleanupTimeout.TotalSeconds:0.#} s" : ex.Message;
                RequestLog.Warning(CloseFailure + ": " + why);
            }
        }
    }
}
