using System;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// Every wait of the engine, on a <see cref="TimeProvider"/> so tests can drive them with a fake clock. .NET 8 has
    /// these in the box; .NET Standard 2.0 gets them from Microsoft.Bcl.TimeProvider, under other names: spelled once here.
    /// </summary>
    internal static class Waits
    {
        /// <summary>A source that cancels itself after <paramref name="delay"/> on <paramref name="time"/>'s clock (never, for an infinite delay).</summary>
        public static CancellationTokenSource After(TimeProvider time, TimeSpan delay)
        {
            if (delay == Timeout.InfiniteTimeSpan) return new CancellationTokenSource();
            if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
#if NETSTANDARD2_0
            return TimeProviderTaskExtensions.CreateCancellationTokenSource(time, delay);
#else
            return new CancellationTokenSource(delay, time);
#endif
        }

        public static Task Sleep(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
        {
#if NETSTANDARD2_0
            return TimeProviderTaskExtensions.Delay(time, delay, cancellationToken);
#else
            return Task.Delay(delay, time, cancellationToken);
#endif
        }

        /// <summary>True when the task ended before the token fired. Never throws: for cleanup, which must not wait forever.</summary>
        public static async Task<bool> Ended(Task task, CancellationToken bound)
        {
            if (task.IsCompleted) return true;
            var gaveUp = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (bound.Register(() => gaveUp.TrySetResult(true)))
            {
                return await Task.WhenAny(task, gaveUp.Task).ConfigureAwait(false) == task;
            }
        }
    }
}
