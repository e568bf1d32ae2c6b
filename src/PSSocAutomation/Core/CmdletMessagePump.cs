using System;
using System.Collections.Concurrent;
using System.Threading;
using PSSocAutomation.Http;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Collects what async client code reports from pool threads, so the cmdlet can write it on the pipeline thread
    /// (PowerShell throws if Write* is called from any other thread).
    /// </summary>
    internal sealed class CmdletMessagePump : IRequestLog, IDisposable
    {
        internal enum Kind { Verbose, Warning, Debug, Waiting }

        private readonly ConcurrentQueue<(Kind Kind, string Text)> _messages = new ConcurrentQueue<(Kind, string)>();
        private readonly AutoResetEvent _signal = new AutoResetEvent(false);
        private volatile bool _disposed;

        public void Verbose(string message) => Post(Kind.Verbose, message);
        public void Warning(string message) => Post(Kind.Warning, message);
        public void Debug(string message) => Post(Kind.Debug, message);
        /// <summary>Null (the wait is over) travels as an empty text.</summary>
        public void Waiting(string? status) => Post(Kind.Waiting, status ?? string.Empty);

        /// <summary>
        /// Work that outlives its cmdlet (it should not, but a late log line is no reason to fail it) finds the pump
        /// closed: what it says then is dropped, not thrown back into the work.
        /// </summary>
        private void Post(Kind kind, string text)
        {
            if (_disposed) return;
            _messages.Enqueue((kind, text));
            Wake();
        }

        public void Wake()
        {
            if (_disposed) return;
            try { _signal.Set(); }
            catch (ObjectDisposedException) { }
        }

        public void WaitForWork() => _signal.WaitOne();

        /// <summary>False when nothing came within <paramref name="timeout"/>: for bounded waits.</summary>
        public bool WaitForWork(TimeSpan timeout) => _signal.WaitOne(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout);

        public bool TryTake(out (Kind Kind, string Text) message) => _messages.TryDequeue(out message);

        public void Dispose()
        {
            _disposed = true;
            _signal.Dispose();
        }
    }
}
