using System;
using System.Collections.Concurrent;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// AWS's request quotas are per account and region, not per connection: two connections to the same account (a
    /// session's Connect-Aws and a command's own -Region, or two runspaces of one Azure Automation job) share one
    /// bucket per quota, kept here for the process, so together they stay within it.
    /// </summary>
    public static class AwsQuotas
    {
        private static readonly ConcurrentDictionary<string, PacedTokenBucket> Buckets = new ConcurrentDictionary<string, PacedTokenBucket>(StringComparer.Ordinal);

        /// <summary>The bucket of <paramref name="quota"/> ("securityhub:GetFindings") for an account (or, before it is known, a credential source) in a region at an endpoint.</summary>
        public static PacedTokenBucket For(string quota, string account, string region, Uri? endpoint, int perSecond, TimeProvider time) =>
            Buckets.GetOrAdd(quota + "|" + account + "|" + region + "|" + (endpoint?.AbsoluteUri ?? "aws"), _ => PacedTokenBucket.PerSecond(perSecond, 1, time));
    }
}
