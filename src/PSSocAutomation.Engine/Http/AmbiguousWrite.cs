using System;
using Polly;
using Polly.Retry;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// A write that is not safe to repeat (a create without a key the server enforces) may still have been applied when
    /// its answer got lost. The pipeline never repeats such a request blind; a writer that can look for what the lost
    /// attempt made uses this retry, and looks before each new attempt.
    /// </summary>
    public static class AmbiguousWrite
    {
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

        /// <summary>Retries on those failures with the connection's own back-off and limits.</summary>
        public static ResiliencePipeline AmbiguousWriteRetry(this HttpPipeline pipeline, string what)
        {
            var options = pipeline.Options;
            var service = pipeline.ServiceName;
            return new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<SocApiException>(ex => options.MaxRetries > 0 && MayHaveBeenApplied(ex)),
                    MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryBaseDelay,
                    MaxDelay = options.MaxRetryDelay,
                    OnRetry = args =>
                    {
                        RequestLog.Verbose($"{service} {what} may or may not have been applied ({args.Outcome.Exception?.Message}); checking for it before retry {args.AttemptNumber + 1} of {options.MaxRetries} in {args.RetryDelay.TotalSeconds:0.##} s.");
                        return default;
                    },
                })
                .Build();
        }
    }
}
