using System;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// No connection (TCP and TLS) within <see cref="HttpPipelineOptions.ConnectTimeout"/>: nothing of the request was
    /// sent, so even a write is safe to send again.
    /// </summary>
    internal sealed class ConnectTimeoutException : TimeoutException
    {
        public ConnectTimeoutException(TimeSpan timeout, Exception inner)
            : base($"No connection within {timeout.TotalSeconds:0.#} s.", inner)
        {
            Timeout = timeout;
        }

        public TimeSpan Timeout { get; }
    }
}
