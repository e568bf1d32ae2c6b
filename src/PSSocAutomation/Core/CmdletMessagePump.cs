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
        internal enum Kind { Verbose, Warning, Debug }

        private readonly ConcurrentQueue<(Kind Kind, string Text)> _messages = new ConcurrentQueue<(Kind, string)>();
        private readonly AutoResetEvent _signal = new AutoResetEvent(false);

        public void Verbose(string message) => Post(Kind.Verbose, message);
        public void Warning(string message) => Post(Kind.Warning, message);
        public void Debug(string message) => Post(Kind.Debug, message);

        private void Post(Kind kind, string text)
        {
            _messages.Enqueue((kind, text));
            _signal.Set();
        }

        public void Wake() => _signal.Set();

        public void WaitForWork() => _signal.WaitOne();

        public bool TryTake(out (Kind Kind, string Text) message) => _messages.TryDequeue(out message);

        public void Dispose() => _signal.Dispose();
    }
}
