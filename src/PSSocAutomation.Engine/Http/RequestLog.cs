using System;
using System.Threading;

namespace PSSocAutomation.Http
{
    /// <summary>Where the HTTP pipeline reports what it did. Cmdlets route these to Verbose/Warning/Debug on the pipeline thread.</summary>
    public interface IRequestLog
    {
        void Verbose(string message);
        void Warning(string message);
        void Debug(string message);

        /// <summary>
        /// A wait that has gone on long enough to show (a cmdlet writes it as progress): what is awaited and for how
        /// long so far; null when it is over.
        /// </summary>
        void Waiting(string? status);
    }

    /// <summary>
    /// The log of the current logical call. An AsyncLocal, so a client stays free of PowerShell types and still reports
    /// into the cmdlet that called it, even from await continuations on pool threads.
    /// </summary>
    public static class RequestLog
    {
        private static readonly AsyncLocal<IRequestLog?> CurrentLog = new AsyncLocal<IRequestLog?>();

        public static IRequestLog? Current
        {
            get => CurrentLog.Value;
            set => CurrentLog.Value = value;
        }

        internal static void Verbose(string message) => CurrentLog.Value?.Verbose(message);
        internal static void Warning(string message) => CurrentLog.Value?.Warning(message);
        internal static void Debug(string message) => CurrentLog.Value?.Debug(message);
    }
}
