using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Aws.Sts;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws.Credentials
{
    /// <summary>What the caller named; everything left null is looked for as the AWS CLI and SDKs look.</summary>
    public sealed class AwsCredentialRequest
    {
        /// <summary>Keys given directly (-Credential): used as they are, nothing else looked at.</summary>
        public AwsCredentialSet? Explicit { get; set; }
        /// <summary>-ProfileName: that profile or an error, never a fallback to another source.</summary>
        public string? ProfileName { get; set; }
        public string? Region { get; set; }
        /// <summary>The process environment; tests give their own.</summary>
        public Func<string, string?> Environment { get; set; } = System.Environment.GetEnvironmentVariable;
    }

    /// <summary>Where the keys and the region came from.</summary>
    public sealed class AwsResolvedCredentials
    {
        internal AwsResolvedCredentials(IAwsCredentialSource credentials, string region, string? profile, IReadOnlyList<string> tried)
        {
            Credentials = credentials;
            Region = region;
            Profile = profile;
            Tried = tried;
        }

        public IAwsCredentialSource Credentials { get; }
        public string Region { get; }
        public string? Profile { get; }
        /// <summary>The sources looked at before the one used, each with why it gave nothing.</summary>
        public IReadOnlyList<string> Tried { get; }
    }

    /// <summary>
    /// The standard order of the AWS SDK for .NET and the CLI: explicit keys, the environment, a web identity token,
    /// the profile (AWS_PROFILE or default: static keys, credential_process, role_arn with source_profile or
    /// credential_source, web_identity_token_file), the container endpoint, then instance metadata, bounded so that a
    /// machine off EC2 hears "no credentials" in about a second with every source named.
    /// </summary>
    public static class AwsCredentialChain
    {
        private const int MaxRoleChain = 5;

        /// <param name="request">What the caller named.</param>
        /// <param name="sts">An STS client for a region signed with the given keys (role assumption), or unsigned for web identity.</param>
        /// <param name="metadata">The HTTP client of the metadata and container endpoints (no proxy, no retries).</param>
        /// <param name="cancellationToken">Ends the look-up.</param>
        /// <param name="unsigned">An unsigned pipeline for an endpoint prefix in a region (IAM Identity Center's portal.sso and oidc); without it an SSO profile is refused.</param>
        public static async Task<AwsResolvedCredentials> ResolveAsync(AwsCredentialRequest request, Func<string, IAwsCredentialSource, StsClient> sts,
            HttpClient metadata, CancellationToken cancellationToken, Func<string, string, HttpPipeline>? unsigned = null)
        {
            var env = request.Environment;
            var config = AwsSharedConfig.Load(env);
            var profileName = request.ProfileName ?? NonEmpty(env("AWS_PROFILE")) ?? "default";
            var profile = config.Profile(profileName);
            if (request.ProfileName != null && profile is null)
                throw new AwsCredentialsException(AwsCredentialsProblem.ProfileNotFound, $"There is no AWS profile '{request.ProfileName}' in {config.CredentialsPath} or {config.ConfigPath}." +
                    Known(config) + " Create it with 'aws configure --profile " + request.ProfileName + "', or give -Credential.");
            var region = Region(request, env, profile, profileName, config);
            var tried = new List<string>();

            if (request.Explicit != null) return new AwsResolvedCredentials(new FixedAwsCredentials(request.Explicit), region, null, tried);
            if (request.ProfileName != null)
                return new AwsResolvedCredentials(FromProfile(config, request.ProfileName, region, sts, metadata, env, unsigned, 0), region, request.ProfileName, tried);

            var key = NonEmpty(env("AWS_ACCESS_KEY_ID"));
            var secret = NonEmpty(env("AWS_SECRET_ACCESS_KEY")) ?? NonEmpty(env("AWS_SECRET_KEY"));
            if (key != null && secret != null)
                return new AwsResolvedCredentials(new FixedAwsCredentials(new AwsCredentialSet(key, secret, NonEmpty(env("AWS_SESSION_TOKEN")), null, "environment")), region, null, tried);
            tried.Add(key is null ? "environment: AWS_ACCESS_KEY_ID is not set" : "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");

            var tokenFile = NonEmpty(env("AWS_WEB_IDENTITY_TOKEN_FILE"));
            var roleArn = NonEmpty(env("AWS_ROLE_ARN"));
            if (tokenFile != null && roleArn != null)
                return new AwsResolvedCredentials(WebIdentity(roleArn, tokenFile, NonEmpty(env("AWS_ROLE_SESSION_NAME")), region, sts, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)"), region, null, tried);
            tried.Add("web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set");

            if (profile != null)
                return new AwsResolvedCredentials(FromProfile(config, profileName, region, sts, metadata, env, unsigned, 0), region, profileName, tried);
            tried.Add($"profile '{profileName}': not in {config.CredentialsPath} or {config.ConfigPath}");

            var container = MetadataCredentials.ContainerEndpoint(env);
            if (container != null)
                return new AwsResolvedCredentials(new RefreshingAwsCredentials("container endpoint", ct => MetadataCredentials.FromContainerAsync(metadata, container, env, ct)), region, null, tried);
            tried.Add("container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set");

            var imds = MetadataCredentials.ImdsEndpoint(env);
            if (imds is null) tried.Add("instance metadata: turned off by AWS_EC2_METADATA_DISABLED");
            else
            {
                try
                {
                    // Fetched now, once, so a machine that is not EC2 is found out here and not on the first request.
                    var first = await MetadataCredentials.FromInstanceAsync(metadata, imds, cancellationToken).ConfigureAwait(false);
                    var handedOut = 0;
                    var source = new RefreshingAwsCredentials(first.Source, ct =>
                        Interlocked.Exchange(ref handedOut, 1) == 0 ? Task.FromResult(first) : MetadataCredentials.FromInstanceAsync(metadata, imds, ct));
                    return new AwsResolvedCredentials(source, region, null, tried);
                }
                catch (AwsCredentialsException ex)
                {
                    tried.Add("instance metadata: " + ex.Message);
                }
            }
            throw new AwsCredentialsException(AwsCredentialsProblem.NotFound, "No AWS credentials were found. Tried, in order: " + string.Join("; ", tried) +
                ". Give -Credential or -ProfileName, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run 'aws configure'.")
            { Tried = tried.ToArray() };
        }

        private static string Region(AwsCredentialRequest request, Func<string, string?> env, IReadOnlyDictionary<string, string>? profile, string profileName, AwsSharedConfig config)
        {
            var region = NonEmpty(request.Region) ?? NonEmpty(env("AWS_REGION")) ?? NonEmpty(env("AWS_DEFAULT_REGION")) ??
                (profile != null && profile.TryGetValue("region", out var r) ? NonEmpty(r) : null);
            if (region is null)
                throw new AwsCredentialsException(AwsCredentialsProblem.NoRegion, $"No AWS region was given: not -Region, AWS_REGION, AWS_DEFAULT_REGION, nor a region in profile '{profileName}' of {config.ConfigPath}. " +
                    "Give -Region (such as -Region us-east-1), or set one with 'aws configure set region us-east-1'.");
            var problem = AwsEndpoints.CheckRegion(region);
            if (problem != null) throw new AwsCredentialsException(AwsCredentialsProblem.InvalidRegion, problem);
            return region;
        }

        private static IAwsCredentialSource FromProfile(AwsSharedConfig config, string name, string region, Func<string, IAwsCredentialSource, StsClient> sts,
            HttpClient metadata, Func<string, string?> env, Func<string, string, HttpPipeline>? unsigned, int depth)
        {
            var profile = config.Profile(name) ?? throw new AwsCredentialsException($"Profile '{name}' (a source_profile) is not in {config.CredentialsPath} or {config.ConfigPath}.");
            string? Get(string key) => profile.TryGetValue(key, out var v) ? NonEmpty(v) : null;
            var label = $"profile {name}";

            var roleArn = Get("role_arn");
            if (roleArn != null && depth < MaxRoleChain)
            {
                var session = Get("role_session_name") ?? "pssocautomation-" + DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                var webToken = Get("web_identity_token_file");
                if (webToken != null) return WebIdentity(roleArn, webToken, session, region, sts, label + " (web identity)");
                IAwsCredentialSource source;
                var sourceProfile = Get("source_profile");
                var credentialSource = Get("credential_source");
                if (sourceProfile != null)
                    // A source_profile naming itself uses its own static keys, as the CLI allows.
                    source = sourceProfile == name ? StaticKeys(profile, label) ?? throw new AwsCredentialsException($"Profile '{name}' is its own source_profile but has no aws_access_key_id/aws_secret_access_key.")
                        : FromProfile(config, sourceProfile, region, sts, metadata, env, unsigned, depth + 1);
                else if (credentialSource == "Environment")
                    source = new FixedAwsCredentials(new AwsCredentialSet(NonEmpty(env("AWS_ACCESS_KEY_ID")) ?? throw new AwsCredentialsException($"Profile '{name}' takes its source credentials from the environment, but AWS_ACCESS_KEY_ID is not set."),
                        NonEmpty(env("AWS_SECRET_ACCESS_KEY")) ?? string.Empty, NonEmpty(env("AWS_SESSION_TOKEN")), null, "environment"));
                else if (credentialSource == "Ec2InstanceMetadata" && MetadataCredentials.ImdsEndpoint(env) is Uri imds)
                    source = new RefreshingAwsCredentials("instance metadata", ct => MetadataCredentials.FromInstanceAsync(metadata, imds, ct));
                else if (credentialSource == "EcsContainer" && MetadataCredentials.ContainerEndpoint(env) is Uri container)
                    source = new RefreshingAwsCredentials("container endpoint", ct => MetadataCredentials.FromContainerAsync(metadata, container, env, ct));
                else
                    throw new AwsCredentialsException($"Profile '{name}' has role_arn but no usable source_profile or credential_source (Environment, Ec2InstanceMetadata, EcsContainer).");
                var externalId = Get("external_id");
                int? duration = int.TryParse(Get("duration_seconds"), out var seconds) ? seconds : (int?)null;
                var client = sts(region, source);
                return new RefreshingAwsCredentials($"{label} (role {roleArn})", ct => client.AssumeRoleAsync(roleArn, session, externalId, duration, $"{label} (role {roleArn})", ct));
            }
            if (roleArn != null)
                throw new AwsCredentialsException($"Profile '{name}' chains more than {MaxRoleChain} roles through source_profile; check for a loop.");

            var process = Get("credential_process");
            if (process != null) return new RefreshingAwsCredentials(label + " (credential_process)", ct => CredentialProcess.RunAsync(process, name, ct));

            var keys = StaticKeys(profile, label);
            if (keys != null) return keys;

            if (Get("sso_session") != null || Get("sso_start_url") != null || Get("sso_account_id") != null)
            {
                if (unsigned is null) throw new AwsCredentialsException($"Profile '{name}' signs in with IAM Identity Center (SSO), which needs a connection to its portal here.");
                return SsoCredentials.FromProfile(name, profile, config, unsigned);
            }
            throw new AwsCredentialsException($"Profile '{name}' has no credentials: no aws_access_key_id/aws_secret_access_key, credential_process or role_arn.");
        }

        private static IAwsCredentialSource? StaticKeys(IReadOnlyDictionary<string, string> profile, string label)
        {
            profile.TryGetValue("aws_access_key_id", out var id);
            profile.TryGetValue("aws_secret_access_key", out var secret);
            if (NonEmpty(id) is null || NonEmpty(secret) is null) return null;
            profile.TryGetValue("aws_session_token", out var token);
            return new FixedAwsCredentials(new AwsCredentialSet(id!, secret!, NonEmpty(token), null, label));
        }

        private static IAwsCredentialSource WebIdentity(string roleArn, string tokenFile, string? session, string region, Func<string, IAwsCredentialSource, StsClient> sts, string label)
        {
            var client = sts(region, new FixedAwsCredentials(new AwsCredentialSet("unsigned", "unsigned", null, null, label)));
            var name = session ?? "pssocautomation-" + DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            return new RefreshingAwsCredentials(label, async ct =>
            {
                string token;
                try
                {
                    // Read each time: the platform rotates the file.
                    token = File.ReadAllText(tokenFile).Trim();
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw new AwsCredentialsException($"The web identity token file '{tokenFile}' could not be read: {ex.Message}", ex);
                }
                return await client.AssumeRoleWithWebIdentityAsync(roleArn, name, token, label, ct).ConfigureAwait(false);
            });
        }

        private static string Known(AwsSharedConfig config)
        {
            var names = config.ProfileNames().ToList();
            return names.Count == 0 ? " Neither file has any profile." : " Profiles there: " + string.Join(", ", names) + ".";
        }

        private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }
}
