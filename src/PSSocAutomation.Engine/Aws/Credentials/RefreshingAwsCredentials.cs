using System;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws.Credentials
{
    /// <summary>
    /// Temporary credentials from a source that can be asked again (instance metadata, a container endpoint,
    /// credential_process, an assumed role): fetched once and shared by every request of the connection, fetched again
    /// five minutes before they end, so a long stream is never signed with keys that expire on the way.
    /// </summary>
    public sealed class RefreshingAwsCredentials : IAwsCredentialSource
    {
        private static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);
        private readonly SharedFetch<AwsCredentialSet> _fetch;
        private readonly TimeProvider _time;

        public RefreshingAwsCredentials(string description, Func<CancellationToken, Task<AwsCredentialSet>> fetch, TimeProvider? time = null)
        {
            Description = description;
            _fetch = new SharedFetch<AwsCredentialSet>(fetch);
            _time = time ?? TimeProvider.System;
        }

        public string Description { get; }

        public async ValueTask<AwsCredentialSet> GetAsync(CancellationToken cancellationToken)
        {
            var set = await _fetch.GetAsync(cancellationToken).ConfigureAwait(false);
            if (!set.ExpiresWithin(Margin, _time.GetUtcNow())) return set;
            // Of several requests that found them ending, the first starts the renewal and the rest join it.
            _fetch.Forget(set);
            return await _fetch.GetAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
