using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// A value fetched once and shared by every caller of a connection: IRIS's reference lists, and later an OAuth token
    /// or a vendor's quota state. The fetch belongs to none of its callers, so it must outlive any of them.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Whoever happens to ask first must not lend the fetch its own context: a cmdlet's <see cref="RequestLog.Current"/>
    /// (its message pump, gone once the cmdlet ends) or its cancellation token (cancelled by Ctrl+C). A fetch started
    /// inside the first caller's context keeps both; when that cmdlet is stopped, the fetch goes on, reports into the
    /// disposed pump, and fails every later caller with ObjectDisposedException. So the fetch runs detached (no
    /// ExecutionContext flows into it), under the owner's lifetime token only, and what it logs goes to the callers
    /// waiting for it at that moment.
    /// </para>
    /// <para>
    /// Each caller waits with its own token: Ctrl+C stops that caller at once and leaves the fetch running for the
    /// others. A fetch that fails or is cancelled is not kept: the next caller starts a new one.
    /// </para>
    /// <para>Usage: <c>private readonly SharedFetch&lt;Token&gt; _token = new SharedFetch&lt;Token&gt;(ct =&gt; RenewAsync(ct));</c>,
    /// then <c>await _token.GetAsync(callerToken)</c>; <see cref="Reset"/> forgets the value (a 401 says it expired).</para>
    /// </remarks>
    public sealed class SharedFetch<T>
    {
        private readonly Func<CancellationToken, Task<T>> _fetch;
        private readonly CancellationToken _lifetime;
        private readonly object _gate = new object();
        private readonly WaitingLogs _waiting = new WaitingLogs();
        private Task<T>? _current;

        /// <param name="fetch">The work; it gets <paramref name="lifetime"/>, never a caller's token.</param>
        /// <param name="lifetime">Cancelled when the owner (a connection) goes away; default: never.</param>
        public SharedFetch(Func<CancellationToken, Task<T>> fetch, CancellationToken lifetime = default)
        {
            _fetch = fetch ?? throw new ArgumentNullException(nameof(fetch));
            _lifetime = lifetime;
        }

        /// <summary>The value: the kept one, the fetch in flight, or a new fetch. <paramref name="cancellationToken"/> ends only this caller's wait.</summary>
        public Task<T> GetAsync(CancellationToken cancellationToken)
        {
            Task<T> task;
            lock (_gate)
            {
                // A failed fetch may still be here when its own clean-up continuation has not run yet: never hand it out again.
                if (_current != null && _current.IsCompleted && _current.Status != TaskStatus.RanToCompletion) _current = null;
                task = _current ??= Start();
            }
            return SharedWait.ForAsync(task, _waiting, cancellationToken);
        }

        /// <summary>Forget the value (or the fetch in flight, which finishes for those already waiting); the next caller fetches again.</summary>
        public void Reset()
        {
            lock (_gate) _current = null;
        }

        /// <summary>
        /// Forget the value only while it is still <paramref name="stale"/> (compared as the type compares itself): of
        /// several callers that found one token expired, the first starts the renewal and the others join it, instead of
        /// each dropping the renewal the one before started.
        /// </summary>
        public void Forget(T stale)
        {
            lock (_gate)
            {
                if (_current != null && _current.Status == TaskStatus.RanToCompletion && EqualityComparer<T>.Default.Equals(_current.Result, stale)) _current = null;
            }
        }

        private Task<T> Start()
        {
            Task<T> task;
            // No ExecutionContext flows from the caller who happened to start it: none of its AsyncLocals (the cmdlet's log),
            // none of its state. Task.Run under SuppressFlow captures nothing.
            var flow = ExecutionContext.SuppressFlow();
            try
            {
                task = Task.Run(() =>
                {
                    RequestLog.Current = _waiting;
                    return _fetch(_lifetime);
                });
            }
            finally
            {
                flow.Undo();
            }
            // A failed or cancelled fetch is not a value: whoever asks next tries again.
            task.ContinueWith(t =>
            {
                _ = t.Exception; // observed: the callers waiting saw it
                lock (_gate)
                {
                    if (ReferenceEquals(_current, t)) _current = null;
                }
            }, CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return task;
        }
    }

    /// <summary>How a caller waits for work it does not own: with its own token, which ends its wait and not the work.</summary>
    internal static class SharedWait
    {
        public static Task<T> ForAsync<T>(Task<T> task, CancellationToken cancellationToken) => ForAsync(task, null, cancellationToken);

        internal static async Task<T> ForAsync<T>(Task<T> task, WaitingLogs? waiting, CancellationToken cancellationToken)
        {
            if (task.IsCompleted) return await task.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var log = waiting is null ? null : RequestLog.Current;
            if (log != null) waiting!.Add(log);
            try
            {
                if (!cancellationToken.CanBeCanceled) return await task.ConfigureAwait(false);
                var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                using (cancellationToken.Register(state => ((TaskCompletionSource<bool>)state!).TrySetResult(true), stopped))
                {
                    if (await Task.WhenAny(task, stopped.Task).ConfigureAwait(false) != task) throw new OperationCanceledException(cancellationToken);
                }
                return await task.ConfigureAwait(false);
            }
            finally
            {
                if (log != null) waiting!.Remove(log);
            }
        }
    }

    /// <summary>
    /// The logs of the callers waiting right now, each once however many of its tasks wait: shared work reports to
    /// whoever is waiting for it, and to nobody once they have all gone.
    /// </summary>
    internal sealed class WaitingLogs : IRequestLog
    {
        private readonly Dictionary<IRequestLog, int> _logs = new Dictionary<IRequestLog, int>();

        public void Add(IRequestLog log)
        {
            lock (_logs) _logs[log] = _logs.TryGetValue(log, out var n) ? n + 1 : 1;
        }

        public void Remove(IRequestLog log)
        {
            lock (_logs)
            {
                if (!_logs.TryGetValue(log, out var n)) return;
                if (n <= 1) _logs.Remove(log); else _logs[log] = n - 1;
            }
        }

        public void Verbose(string message) => Post(l => l.Verbose(message));
        public void Warning(string message) => Post(l => l.Warning(message));
        public void Debug(string message) => Post(l => l.Debug(message));
        public void Waiting(string? status) => Post(l => l.Waiting(status));

        private void Post(Action<IRequestLog> write)
        {
            IRequestLog[] logs;
            lock (_logs)
            {
                if (_logs.Count == 0) return;
                logs = new IRequestLog[_logs.Count];
                _logs.Keys.CopyTo(logs, 0);
            }
            foreach (var log in logs)
            {
                // A caller may stop waiting (and its log close) between the copy above and this call: a log that
                // went away is skipped; the shared work never fails for it.
                try { write(log); }
                catch (ObjectDisposedException) { }
            }
        }
    }
}
