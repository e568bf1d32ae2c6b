using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Base of every cmdlet: async client calls run under a token that StopProcessing (Ctrl+C) cancels, while the
    /// pipeline thread writes what the clients report; API failures become ErrorRecords with stable ids.
    /// </summary>
    public abstract class SocCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly CmdletMessagePump _pump = new CmdletMessagePump();

        protected CancellationToken StopToken => _stop.Token;

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>
        /// Longest wait for a stream's or a call's cleanup (closing a point in time): longer than the engine's own bound
        /// (<c>Pager.DefaultCleanupTimeout</c>), so the cmdlet sees that finish; bounded, so cleanup never holds Ctrl+C hostage.
        /// </summary>
        private static readonly TimeSpan CleanupWait = TimeSpan.FromSeconds(15);

        /// <summary>Run async work to completion on the pipeline thread's behalf, writing its log as it goes.</summary>
        protected internal T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            var call = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var previous = RequestLog.Current;
            RequestLog.Current = _pump;
            Task<T> task;
            try { task = Task.Run(() => work(call.Token)); }
            finally { RequestLog.Current = previous; }
            try
            {
                return Await(task);
            }
            catch when (!task.IsCompleted)
            {
                // A write on this thread failed while the work still runs (-WarningAction Stop on a retry warning): stop
                // the work and let it clean up, bounded, before the error goes on.
                call.Cancel();
                WaitQuietly(task, reportFailure: false);
                throw;
            }
            finally
            {
                // A source still running after the bounded wait may still use its token; it is left to the GC then.
                if (task.IsCompleted) call.Dispose();
            }
        }

        protected void Run(Func<CancellationToken, Task> work) => Run<bool>(async ct => { await work(ct).ConfigureAwait(false); return true; });

        /// <summary>Enumerate an async stream on the pipeline thread: each item can be written as soon as it arrives.</summary>
        protected IEnumerable<T> Stream<T>(Func<CancellationToken, IAsyncEnumerable<T>> source)
        {
            // The stream's own token: a write that fails while the next item is on its way stops the source through it.
            var stream = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var previous = RequestLog.Current;
            RequestLog.Current = _pump;
            IAsyncEnumerator<T> enumerator;
            try { enumerator = source(stream.Token).GetAsyncEnumerator(stream.Token); }
            finally { RequestLog.Current = previous; }
            Task<bool>? pending = null;
            try
            {
                while (true)
                {
                    ValueTask<bool> next;
                    RequestLog.Current = _pump;
                    try { next = enumerator.MoveNextAsync(); }
                    finally { RequestLog.Current = previous; }
                    bool hasItem;
                    if (next.IsCompleted) hasItem = next.GetAwaiter().GetResult();
                    else
                    {
                        pending = next.AsTask();
                        hasItem = Await(pending);
                        pending = null;
                    }
                    if (!hasItem) break;
                    DrainMessages();
                    yield return enumerator.Current;
                }
            }
            finally
            {
                // Disposing runs the source's finally blocks (closing a point in time, say), also on Ctrl+C.
                var previousForDispose = RequestLog.Current;
                RequestLog.Current = _pump;
                try
                {
                    if (pending != null && !pending.IsCompleted)
                    {
                        // A write failed while the next item was on its way (-WarningAction Stop on a retry warning). An
                        // enumerator cannot be disposed mid-MoveNext, so stop the source instead: its own cleanup runs as it ends.
                        stream.Cancel();
                        WaitQuietly(pending, reportFailure: false);
                    }
                    if (pending is null || pending.IsCompleted)
                    {
                        var dispose = enumerator.DisposeAsync();
                        if (!dispose.IsCompleted) WaitQuietly(dispose.AsTask(), reportFailure: true);
                        else dispose.GetAwaiter().GetResult();
                    }
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    _pump.Warning("Cleanup after the stream failed: " + ex.Message);
                }
                finally
                {
                    RequestLog.Current = previousForDispose;
                    if (pending is null || pending.IsCompleted) stream.Dispose();
                }
                DrainMessagesQuietly();
            }
        }

        private T Await<T>(Task<T> task)
        {
            task.ContinueWith(_ => _pump.Wake(), TaskContinuationOptions.ExecuteSynchronously);
            while (!task.IsCompleted)
            {
                _pump.WaitForWork();
                DrainMessages();
            }
            DrainMessages();
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>Wait for cleanup, at most <see cref="CleanupWait"/>; <paramref name="reportFailure"/>: warn when it failed.</summary>
        private void WaitQuietly(Task task, bool reportFailure)
        {
            task.ContinueWith(_ => _pump.Wake(), TaskContinuationOptions.ExecuteSynchronously);
            var deadline = DateTime.UtcNow + CleanupWait;
            while (!task.IsCompleted)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) break;
                _pump.WaitForWork(left);
            }
            if (task.IsFaulted)
            {
                var error = task.Exception!.GetBaseException();
                if (reportFailure && !(error is OperationCanceledException)) _pump.Warning("Cleanup after the stream failed: " + error.Message);
            }
        }

        protected void DrainMessages()
        {
            while (_pump.TryTake(out var message))
            {
                switch (message.Kind)
                {
                    case CmdletMessagePump.Kind.Verbose: WriteVerbose(message.Text); break;
                    case CmdletMessagePump.Kind.Warning: WriteWarning(message.Text); break;
                    case CmdletMessagePump.Kind.Waiting: WriteWaiting(message.Text); break;
                    default: WriteDebug(message.Text); break;
                }
            }
        }

        /// <summary>One progress bar of its own for "still waiting for the server", apart from any the cmdlet shows for its work.</summary>
        private const int WaitingActivityId = 0x5053;

        private void WriteWaiting(string status)
        {
            var record = new ProgressRecord(WaitingActivityId, "Waiting for the server", status.Length == 0 ? "Answered." : status);
            if (status.Length == 0) record.RecordType = ProgressRecordType.Completed;
            WriteProgress(record);
        }

        private void DrainMessagesQuietly()
        {
            try { DrainMessages(); }
            catch (PipelineStoppedException) { }
            catch (InvalidOperationException) { }
        }

        /// <summary>Report one failed item and go on with the next.</summary>
        protected void WriteApiError(Exception exception, string errorIdPrefix, object? target)
        {
            WriteError(ErrorRecords.From(exception, errorIdPrefix, target));
        }

        /// <summary>
        /// Report a source (a paged read) that cannot go on. Before it delivered anything, that is one failed item, as
        /// any other. Once it had started, what came is only part of the answer and must not pass for all of it (a
        /// scheduled `... | Export-Csv` would leave a short file and exit 0): the error then ends the script unless it
        /// is caught, after what was delivered, and says how many <paramref name="noun"/> came and on which page it broke.
        /// </summary>
        /// <param name="exception">Why the source stopped.</param>
        /// <param name="errorIdPrefix">The first word of the ErrorId ("Elastic"), as for any failure of this service.</param>
        /// <param name="target">The error's target object (the index, the filter).</param>
        /// <param name="delivered">How many items this command had written.</param>
        /// <param name="noun">What they are, plural ("alerts").</param>
        protected void ReportStreamFailure(SocApiException exception, string errorIdPrefix, object? target, long delivered, string noun)
        {
            if (delivered == 0 && !(exception.Page > 1))
            {
                WriteApiError(exception, errorIdPrefix, target);
                return;
            }
            var command = MyInvocation.MyCommand.Name;
            var where = exception.Page is int page ? " (page " + page.ToString(CultureInfo.InvariantCulture) + ")" : string.Empty;
            var stopped = exception.WithMessage(
                $"{command} stopped after {delivered.ToString("N0", CultureInfo.InvariantCulture)} {noun} had been delivered{where}, so its output is incomplete: {exception.Message}");
            var record = ErrorRecords.From(stopped, errorIdPrefix, target);
            record.CategoryInfo.Activity = command;
            ThrowScriptTerminating(record);
        }

        /// <summary>
        /// Ends the script, not just the statement: for a failure after which going on would pass a partial result for a
        /// whole one (a stream cut short, a containment stopped half-way). ThrowTerminatingError would end only this
        /// statement: the script would go on, and `pwsh -File` exit 0. Marked as thrown by the script itself, it ends
        /// the script as `throw` does; try/catch and trap still catch it, and the ErrorId is the one given.
        /// </summary>
        protected static void ThrowScriptTerminating(ErrorRecord record) =>
            throw new RuntimeException(record.Exception.Message, record.Exception, record) { WasThrownFromThrowStatement = true };

        /// <summary>Stop the command: bad setup, nothing later can succeed.</summary>
        protected void ThrowApiError(Exception exception, string errorIdPrefix, object? target)
        {
            ThrowTerminatingError(ErrorRecords.From(exception, errorIdPrefix, target));
        }

        protected void ThrowArgumentError(string errorId, string message, object? target)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target));
        }

        /// <summary>Was the parameter given on the command line (not bound from the pipeline)? Valid in BeginProcessing.</summary>
        protected internal bool BoundOnCommandLine(string name) => MyInvocation.BoundParameters.ContainsKey(name);

        /// <summary>
        /// Runs when the engine disposes the command, after every command of the pipeline has ended (or failed): a
        /// source saves its checkpoint here, since only now is the whole pipeline's outcome known.
        /// </summary>
        protected virtual void Release()
        {
        }

        public void Dispose()
        {
            try { Release(); }
            finally
            {
                _stop.Dispose();
                _pump.Dispose();
                GC.SuppressFinalize(this);
            }
        }
    }
}
