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

        /// <summary>Run async work to completion on the pipeline thread's behalf, writing its log as it goes.</summary>
        protected internal T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            var previous = RequestLog.Current;
            RequestLog.Current = _pump;
            Task<T> task;
            try { task = Task.Run(() => work(_stop.Token)); }
            finally { RequestLog.Current = previous; }
            return Await(task);
        }

        protected void Run(Func<CancellationToken, Task> work) => Run<bool>(async ct => { await work(ct).ConfigureAwait(false); return true; });

        /// <summary>Enumerate an async stream on the pipeline thread: each item can be written as soon as it arrives.</summary>
        protected IEnumerable<T> Stream<T>(Func<CancellationToken, IAsyncEnumerable<T>> source)
        {
            var previous = RequestLog.Current;
            RequestLog.Current = _pump;
            IAsyncEnumerator<T> enumerator;
            try { enumerator = source(_stop.Token).GetAsyncEnumerator(_stop.Token); }
            finally { RequestLog.Current = previous; }
            try
            {
                while (true)
                {
                    ValueTask<bool> next;
                    RequestLog.Current = _pump;
                    try { next = enumerator.MoveNextAsync(); }
                    finally { RequestLog.Current = previous; }
                    var hasItem = next.IsCompleted ? next.GetAwaiter().GetResult() : Await(next.AsTask());
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
                    var dispose = enumerator.DisposeAsync();
                    if (!dispose.IsCompleted) WaitQuietly(dispose.AsTask());
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    _pump.Warning("Cleanup after the stream failed: " + ex.Message);
                }
                finally { RequestLog.Current = previousForDispose; }
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

        private void WaitQuietly(Task task)
        {
            task.ContinueWith(_ => _pump.Wake(), TaskContinuationOptions.ExecuteSynchronously);
            // Bounded: cleanup must not hold Ctrl+C hostage.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!task.IsCompleted && DateTime.UtcNow < deadline)
            {
                _pump.WaitForWork();
            }
            if (task.IsFaulted) _pump.Warning("Cleanup after the stream failed: " + task.Exception!.GetBaseException().Message);
        }

        protected void DrainMessages()
        {
            while (_pump.TryTake(out var message))
            {
                switch (message.Kind)
                {
                    case CmdletMessagePump.Kind.Verbose: WriteVerbose(message.Text); break;
                    case CmdletMessagePump.Kind.Warning: WriteWarning(message.Text); break;
                    default: WriteDebug(message.Text); break;
                }
            }
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
