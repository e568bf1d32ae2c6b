using System;
using System.Collections.Generic;
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

        public void Dispose()
        {
            _stop.Dispose();
            _pump.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
