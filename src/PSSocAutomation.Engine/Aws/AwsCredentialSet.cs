using System;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Aws
{
    /// <summary>One set of AWS keys: long-term (AKIA...) or temporary (ASIA... with a session token and an end).</summary>
    public sealed class AwsCredentialSet
    {
        public AwsCredentialSet(string accessKeyId, string secretAccessKey, string? sessionToken = null, DateTimeOffset? expiration = null, string source = "explicit")
        {
            if (string.IsNullOrWhiteSpace(accessKeyId)) throw new ArgumentException("The AWS access key id is empty.", nameof(accessKeyId));
            if (string.IsNullOrEmpty(secretAccessKey)) throw new ArgumentException("The AWS secret access key is empty.", nameof(secretAccessKey));
            AccessKeyId = accessKeyId.Trim();
            SecretAccessKey = secretAccessKey;
            SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
            Expiration = expiration;
            Source = source;
        }

        /// <summary>Not secret: AWS prints it in CloudTrail and in its own errors.</summary>
        public string AccessKeyId { get; }
        public string SecretAccessKey { get; }
        public string? SessionToken { get; }
        public DateTimeOffset? Expiration { get; }
        /// <summary>Where they were found ("environment", "profile lab (~/.aws/credentials)", "instance metadata" ...).</summary>
        public string Source { get; }

        /// <summary>Expired, or expiring within <paramref name="margin"/>: time to ask the source again.</summary>
        public bool ExpiresWithin(TimeSpan margin, DateTimeOffset now) => Expiration is DateTimeOffset end && end - margin <= now;

        /// <summary>Never the secret: what a Verbose line or a connection object may show.</summary>
        public override string ToString() => AccessKeyId + " (" + Source + (SessionToken is null ? string.Empty : ", temporary") + ")";
    }

    /// <summary>
    /// Gives the keys to sign with, each time a request is signed, so credentials that expire (instance metadata,
    /// credential_process, assumed roles) are renewed by their source instead of failing mid-stream.
    /// </summary>
    public interface IAwsCredentialSource
    {
        /// <summary>Where the keys come from, for messages ("profile prod", "environment").</summary>
        string Description { get; }

        ValueTask<AwsCredentialSet> GetAsync(CancellationToken cancellationToken);
    }

    /// <summary>Keys that never change: given on the command line, in the environment, or a profile's static keys.</summary>
    public sealed class FixedAwsCredentials : IAwsCredentialSource
    {
        private readonly AwsCredentialSet _set;

        public FixedAwsCredentials(AwsCredentialSet set) => _set = set;

        public string Description => _set.Source;

        public ValueTask<AwsCredentialSet> GetAsync(CancellationToken cancellationToken) => new ValueTask<AwsCredentialSet>(_set);
    }
}
