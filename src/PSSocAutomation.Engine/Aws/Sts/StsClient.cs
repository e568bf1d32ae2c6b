using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws.Sts
{
    /// <summary>Who the credentials are (GetCallerIdentity), and role sessions for profiles that assume a role.</summary>
    public sealed class StsClient
    {
        private const string Version = "2011-06-15";
        private readonly HttpPipeline _pipeline;

        public StsClient(HttpPipeline pipeline) => _pipeline = pipeline;

        public async Task<AwsCallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken)
        {
            var root = await AwsQueryProtocol.CallAsync(_pipeline, "GetCallerIdentity", Version, null, idempotent: true, cancellationToken).ConfigureAwait(false);
            var result = AwsQueryProtocol.Find(root, "GetCallerIdentityResult");
            var arn = AwsQueryProtocol.Text(result, "Arn");
            var account = AwsQueryProtocol.Text(result, "Account");
            if (arn is null || account is null)
                throw new SocApiException(ApiFailureKind.Protocol, _pipeline.ServiceName, $"{_pipeline.ServiceName} answered GetCallerIdentity without Arn or Account: {_pipeline.BaseUri} may not be STS.");
            return new AwsCallerIdentity(account, arn, AwsQueryProtocol.Text(result, "UserId") ?? string.Empty);
        }

        /// <summary>A session of <paramref name="roleArn"/>, signed with this client's credentials (a profile's source_profile).</summary>
        public async Task<AwsCredentialSet> AssumeRoleAsync(string roleArn, string sessionName, string? externalId, int? durationSeconds, string source, CancellationToken cancellationToken)
        {
            var parameters = new List<KeyValuePair<string, string>> { new("RoleArn", roleArn), new("RoleSessionName", sessionName) };
            if (externalId != null) parameters.Add(new("ExternalId", externalId));
            if (durationSeconds != null) parameters.Add(new("DurationSeconds", durationSeconds.Value.ToString(CultureInfo.InvariantCulture)));
            // A new session each call; sending it twice only makes two sessions, so it may be retried.
            var root = await AwsQueryProtocol.CallAsync(_pipeline, "AssumeRole", Version, parameters, idempotent: true, cancellationToken).ConfigureAwait(false);
            return ReadCredentials(root, "AssumeRole", source);
        }

        /// <summary>A session of <paramref name="roleArn"/> for an OIDC token (EKS IRSA, GitHub Actions): unsigned, as AWS wants it.</summary>
        public async Task<AwsCredentialSet> AssumeRoleWithWebIdentityAsync(string roleArn, string sessionName, string webIdentityToken, string source, CancellationToken cancellationToken)
        {
            // The token is a bearer credential (an OIDC JWT): STS quoting it back in an error must not carry it to a stream.
            _pipeline.Redactor.Add(webIdentityToken);
            var parameters = new List<KeyValuePair<string, string>> { new("RoleArn", roleArn), new("RoleSessionName", sessionName), new("WebIdentityToken", webIdentityToken) };
            var root = await AwsQueryProtocol.CallAsync(_pipeline, "AssumeRoleWithWebIdentity", Version, parameters, idempotent: true, cancellationToken, authenticate: false).ConfigureAwait(false);
            return ReadCredentials(root, "AssumeRoleWithWebIdentity", source);
        }

        private AwsCredentialSet ReadCredentials(System.Xml.Linq.XElement root, string action, string source)
        {
            var credentials = AwsQueryProtocol.Find(root, "Credentials");
            var id = AwsQueryProtocol.Text(credentials, "AccessKeyId");
            var secret = AwsQueryProtocol.Text(credentials, "SecretAccessKey");
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
                throw new SocApiException(ApiFailureKind.Protocol, _pipeline.ServiceName, $"{_pipeline.ServiceName} answered {action} without credentials.");
            _pipeline.Redactor.Add(secret);
            _pipeline.Redactor.Add(AwsQueryProtocol.Text(credentials, "SessionToken"));
            var end = AwsQueryProtocol.Text(credentials, "Expiration");
            DateTimeOffset? expiration = end != null && DateTimeOffset.TryParse(end, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : (DateTimeOffset?)null;
            return new AwsCredentialSet(id!, secret!, AwsQueryProtocol.Text(credentials, "SessionToken"), expiration, source);
        }
    }

    /// <summary>What GetCallerIdentity says: the account, the principal's ARN and its unique id.</summary>
    public sealed class AwsCallerIdentity
    {
        public AwsCallerIdentity(string account, string arn, string userId)
        {
            Account = account;
            Arn = arn;
            UserId = userId;
        }

        public string Account { get; }
        public string Arn { get; }
        public string UserId { get; }

        /// <summary>The IAM principal behind the ARN: the role of an assumed-role session, or the user; null for root or federated users.</summary>
        public string? PrincipalName
        {
            get
            {
                var resource = Arn.Substring(Arn.LastIndexOf(':') + 1);
                var parts = resource.Split('/');
                if (parts[0] == "assumed-role" && parts.Length >= 2) return parts[1];
                if (parts[0] == "user" || parts[0] == "role") return parts[parts.Length - 1];
                return null;
            }
        }

        public override string ToString() => Arn;
    }
}
