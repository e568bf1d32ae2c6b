using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Aws.Credentials;
using PSSocAutomation.Aws.SecurityHub;
using PSSocAutomation.Aws.Sts;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// An account and region to work in, with the credentials that sign for it: one HTTP pipeline per AWS service
    /// (each has its own endpoint, signing name and quotas), made when first used. Holds no secret in view.
    /// </summary>
    public sealed class AwsConnection : IServiceConnection
    {
        private readonly HttpPipelineOptions _template;
        private readonly Dictionary<string, HttpPipeline> _pipelines = new Dictionary<string, HttpPipeline>(StringComparer.Ordinal);
        private readonly object _gate = new object();
        private SecurityHubClient? _securityHub;

        /// <summary>The pipelines the credentials themselves use (STS for a role, IAM Identity Center): closed with the connection.</summary>
        private readonly List<HttpPipeline> _credentialPipelines = new List<HttpPipeline>();

        private AwsConnection(AwsResolvedCredentials resolved, Uri? endpointUrl, HttpPipelineOptions template)
        {
            Credentials = resolved.Credentials;
            Region = resolved.Region;
            ProfileName = resolved.Profile;
            EndpointUrl = endpointUrl;
            _template = template;
            CredentialSource = resolved.Credentials.Description;
        }

        /// <summary>
        /// Finds the credentials and region (<see cref="AwsCredentialChain"/>) and makes the connection; nothing is sent
        /// to AWS yet, except to the metadata service when that is where credentials must come from.
        /// </summary>
        /// <param name="request">What the caller named.</param>
        /// <param name="endpointUrl">Every service sent there instead of its public endpoint (a VPC endpoint, the Lab).</param>
        /// <param name="template">Trust, timeouts and retries for every service's pipeline.</param>
        /// <param name="cancellationToken">Ends the look-up.</param>
        public static async Task<AwsConnection> CreateAsync(AwsCredentialRequest request, Uri? endpointUrl, HttpPipelineOptions template, CancellationToken cancellationToken)
        {
            using var metadata = new HttpClient(new HttpClientHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
            var made = new List<HttpPipeline>();
            HttpPipeline Keep(HttpPipeline pipeline)
            {
                lock (made) made.Add(pipeline);
                return pipeline;
            }
            AwsResolvedCredentials resolved;
            try
            {
                resolved = await AwsCredentialChain.ResolveAsync(request,
                    (region, keys) => new StsClient(Keep(new HttpPipeline(template.For(AwsEndpoints.BaseUri("sts", region, endpointUrl),
                        new AwsSigV4Authenticator(keys, region, "sts", template.TimeProvider)), new AwsErrors("AWS STS")))),
                    metadata, cancellationToken,
                    (prefix, region) => Keep(new HttpPipeline(template.For(AwsEndpoints.BaseUri(prefix, region, endpointUrl), HttpAuth.None),
                        new AwsErrors(prefix == "oidc" ? "AWS IAM Identity Center OIDC" : "AWS IAM Identity Center")))).ConfigureAwait(false);
            }
            catch
            {
                foreach (var pipeline in made) pipeline.Dispose();
                throw;
            }
            var connection = new AwsConnection(resolved, endpointUrl, template);
            connection._credentialPipelines.AddRange(made);
            return connection;
        }

        /// <summary>
        /// The same credentials and settings in another region or at another endpoint (a cmdlet's -Region over the
        /// session's Connect-Aws): nothing is looked up again.
        /// </summary>
        public AwsConnection For(string? region, Uri? endpointUrl)
        {
            var problem = region is null ? null : AwsEndpoints.CheckRegion(region);
            if (problem != null) throw new AwsCredentialsException(AwsCredentialsProblem.InvalidRegion, problem);
            return new AwsConnection(new AwsResolvedCredentials(Credentials, region ?? Region, ProfileName, Array.Empty<string>()), endpointUrl ?? EndpointUrl, _template)
            {
                Account = Account,
                Arn = Arn,
                UserId = UserId,
                PrincipalName = PrincipalName,
            };
        }

        internal IAwsCredentialSource Credentials { get; }
        public string Region { get; }
        public string? ProfileName { get; }
        public Uri? EndpointUrl { get; }
        /// <summary>Where the keys came from ("environment", "profile prod (credential_process)" ...), never the keys.</summary>
        public string CredentialSource { get; }
        /// <summary>From GetCallerIdentity, once <see cref="IdentifyAsync"/> ran (Connect-Aws does).</summary>
        public string? Account { get; private set; }
        public string? Arn { get; private set; }
        public string? UserId { get; private set; }
        /// <summary>The IAM user or role behind the credentials: containment refuses to lock it out without being told to.</summary>
        public string? PrincipalName { get; private set; }
        public bool IsDisposed { get; private set; }

        /// <summary>The endpoint URL when one was given, else STS's for the region (where the identity was asked).</summary>
        public Uri Uri => EndpointUrl ?? AwsEndpoints.BaseUri("sts", Region, null);

        internal StsClient Sts => new StsClient(Pipeline("sts", "AWS STS"));

        internal SecurityHubClient SecurityHub
        {
            get
            {
                lock (_gate)
                {
                    if (_securityHub != null) return _securityHub;
                    var time = _template.TimeProvider;
                    var account = Account ?? CredentialSource;
                    _securityHub = new SecurityHubClient(Pipeline("securityhub", "AWS Security Hub"), Region, time,
                        AwsQuotas.For("securityhub:GetFindings", account, Region, EndpointUrl, SecurityHubClient.GetFindingsPerSecond, time),
                        AwsQuotas.For("securityhub:BatchUpdateFindings", account, Region, EndpointUrl, SecurityHubClient.BatchUpdatePerSecond, time));
                    return _securityHub;
                }
            }
        }

        internal Ec2.Ec2Client Ec2 => new Ec2.Ec2Client(Pipeline("ec2", "Amazon EC2"), Region);

        internal AutoScaling.AutoScalingClient AutoScaling => new AutoScaling.AutoScalingClient(Pipeline("autoscaling", "Amazon EC2 Auto Scaling"));

        internal Elbv2.Elbv2Client Elbv2 => new Elbv2.Elbv2Client(Pipeline("elasticloadbalancing", "Elastic Load Balancing"));

        internal Ec2.Ec2InstanceReader Ec2Reader => new Ec2.Ec2InstanceReader(Ec2, AutoScaling, Elbv2);

        internal Ec2.Ec2Isolation Ec2Isolation => new Ec2.Ec2Isolation(Ec2, AutoScaling, Elbv2, _template.TimeProvider);

        /// <summary>The instances tab completion last read, and when (a completer reads at most once a minute per connection).</summary>
        internal (DateTimeOffset At, IReadOnlyList<Ec2.Ec2Instance> Instances)? KnownInstances { get; set; }

        internal Iam.IamClient Iam => new Iam.IamClient(Pipeline("iam", "AWS IAM"));

        /// <summary>Who the credentials are; the first signed call, so wrong keys or a wrong endpoint fail here.</summary>
        public async Task<AwsCallerIdentity> IdentifyAsync(CancellationToken cancellationToken)
        {
            var identity = await Sts.GetCallerIdentityAsync(cancellationToken).ConfigureAwait(false);
            Account = identity.Account;
            Arn = identity.Arn;
            UserId = identity.UserId;
            PrincipalName = identity.PrincipalName;
            return identity;
        }

        /// <summary>The pipeline of one service, signed for its name in its signing region, made on first use.</summary>
        internal HttpPipeline Pipeline(string service, string displayName)
        {
            if (IsDisposed) throw new ObjectDisposedException(nameof(AwsConnection), "This AWS connection was closed by Disconnect-Aws.");
            lock (_gate)
            {
                if (_pipelines.TryGetValue(service, out var pipeline)) return pipeline;
                var auth = new AwsSigV4Authenticator(Credentials, AwsEndpoints.SigningRegion(service, Region), service, _template.TimeProvider);
                pipeline = new HttpPipeline(_template.For(AwsEndpoints.BaseUri(service, Region, EndpointUrl), auth), new AwsErrors(displayName));
                _pipelines[service] = pipeline;
                return pipeline;
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                if (IsDisposed) return;
                IsDisposed = true;
                foreach (var pipeline in _pipelines.Values) pipeline.Dispose();
                _pipelines.Clear();
                foreach (var pipeline in _credentialPipelines) pipeline.Dispose();
                _credentialPipelines.Clear();
            }
        }

        public override string ToString() => (Arn ?? CredentialSource) + " in " + Region + (EndpointUrl is null ? string.Empty : " via " + EndpointUrl);
    }
}
