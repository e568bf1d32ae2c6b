using System;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// A write that is not safe to repeat (a create without a key the server enforces) may still have been applied when
    /// its answer got lost, and may even be applied later: a reverse proxy answers 504 while the server behind it is
    /// still writing. The pipeline never repeats such a request blind; a writer that can look for what the lost attempt
    /// made creates through <see cref="CreateOnceAsync{T}"/>, which looks for it over a window before creating again.
    /// </summary>
    public static class AmbiguousWrite
    {
        /// <summary>How long, by default, a create whose answer was lost is looked for before it is sent again.</summary>
        public static readonly TimeSpan DefaultLateWriteWindow = TimeSpan.FromSeconds(30);

        /// <summary>Failures after which the write may or may not have happened: the request reached the server, the answer did not come back.</summary>
        public static bool MayHaveBeenApplied(Exception ex)
        {
            if (!(ex is SocApiException api)) return false;
            switch (api.Kind)
            {
                case ApiFailureKind.Connection:
                case ApiFailureKind.Timeout:
                case ApiFailureKind.InvalidResponse:
                    return true;
            }
            return api.StatusCode is int s && (s == 502 || s == 503 || s == 504);
        }

        /// <summary>
        /// Creates once: <paramref name="create"/>, and after a failure that may have been applied, <paramref name="find"/>
        /// again and again over <paramref name="lateWriteWindow"/> (the time the lost attempt could still land) before
        /// creating again, at most the connection's MaxRetries more times. What the lost attempt made is returned as
        /// soon as it shows (Landed = true). When the window ends with nothing found and no retries are left, the last
        /// failure is thrown (the object may still appear: the caller's next run finds it).
        /// </summary>
        public static async Task<(T Result, bool Landed)> CreateOnceAsync<T>(HttpPipeline pipeline, string what, Func<CancellationToken, Task<T>> create,
            Func<CancellationToken, Task<T?>> find, TimeSpan lateWriteWindow, CancellationToken cancellationToken) where T : class
        {
            var options = pipeline.Options;
            var time = options.TimeProvider;
            var service = pipeline.ServiceName;
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return (await create(cancellationToken).ConfigureAwait(false), false);
                }
                catch (Exception ex) when (MayHaveBeenApplied(ex))
                {
                    var failedAt = time.GetTimestamp();
                    RequestLog.Verbose($"{service} {what} may or may not have been applied ({ex.Message}); looking for it for up to {lateWriteWindow.TotalSeconds:0.#} s before creating it again.");
                    var delay = TimeSpan.FromMilliseconds(250);
                    while (true)
                    {
                        var found = await find(cancellationToken).ConfigureAwait(false);
                        if (found != null)
                        {
                            RequestLog.Verbose($"{service} {what} landed after all ({time.GetElapsedTime(failedAt).TotalSeconds:0.#} s after the failure); not creating it again.");
                            return (found, true);
                        }
                        var left = lateWriteWindow - time.GetElapsedTime(failedAt);
                        if (left <= TimeSpan.Zero) break;
                        await Waits.Sleep(time, delay < left ? delay : left, cancellationToken).ConfigureAwait(false);
                        delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(4).Ticks));
                    }
                    if (attempt >= options.MaxRetries) throw;
                    RequestLog.Verbose($"{service} {what} did not land within {lateWriteWindow.TotalSeconds:0.#} s; sending it again (retry {attempt + 1} of {options.MaxRetries}).");
                }
            }
        }
    }
}
