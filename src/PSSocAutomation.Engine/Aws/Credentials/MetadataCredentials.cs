using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Aws.Credentials
{
    /// <summary>
    /// Credentials from the machine itself: the EC2 instance metadata service (IMDSv2, falling back to v1 as the SDKs
    /// do) and the ECS/EKS container endpoint. Off EC2 the metadata address is a black hole where a client that waits
    /// for TCP's own timeout hangs for many seconds (AWS Tools' most reported stall), so every request here has a
    /// one-second budget: a machine that is not EC2 is told so at once.
    /// </summary>
    public static class MetadataCredentials
    {
        public static readonly TimeSpan RequestBudget = TimeSpan.FromSeconds(1);
        private const string DefaultImds = "http://169.254.169.254";
        private const string DefaultContainerHost = "http://169.254.170.2";

        /// <summary>The instance metadata endpoint, null when AWS_EC2_METADATA_DISABLED=true turns it off.</summary>
        public static Uri? ImdsEndpoint(Func<string, string?> environment)
        {
            if (string.Equals(environment("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase)) return null;
            var configured = environment("AWS_EC2_METADATA_SERVICE_ENDPOINT");
            return new Uri((string.IsNullOrWhiteSpace(configured) ? DefaultImds : configured!.TrimEnd('/')) + "/");
        }

        /// <summary>The role credentials of this instance; throws <see cref="AwsCredentialsException"/> saying why there are none.</summary>
        public static async Task<AwsCredentialSet> FromInstanceAsync(HttpClient http, Uri endpoint, CancellationToken cancellationToken)
        {
            string? token = null;
            using (var put = new HttpRequestMessage(HttpMethod.Put, new Uri(endpoint, "latest/api/token")))
            {
                put.Headers.TryAddWithoutValidation("x-aws-ec2-metadata-token-ttl-seconds", "21600");
                using var answer = await SendAsync(http, put, endpoint, cancellationToken).ConfigureAwait(false);
                var status = (int)answer.StatusCode;
                if (answer.IsSuccessStatusCode) token = (await answer.Content.ReadAsStringAsync().ConfigureAwait(false)).Trim();
                // 403/404/405: IMDSv2 is off or blocked on the way; the SDKs then try v1, which an instance may still allow.
                else if (status != 403 && status != 404 && status != 405)
                    throw new AwsCredentialsException($"the instance metadata service at {endpoint} answered HTTP {status} for a session token.");
            }
            var roles = await GetTextAsync(http, new Uri(endpoint, "latest/meta-data/iam/security-credentials/"), token, endpoint, cancellationToken).ConfigureAwait(false);
            var role = roles?.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } lines ? lines[0].Trim() : null;
            if (role is null) throw new AwsCredentialsException($"this EC2 instance has no IAM role (instance profile) at {endpoint}.");
            var json = await GetTextAsync(http, new Uri(endpoint, "latest/meta-data/iam/security-credentials/" + Uri.EscapeDataString(role)), token, endpoint, cancellationToken).ConfigureAwait(false)
                ?? throw new AwsCredentialsException($"the instance metadata service at {endpoint} has no credentials for role '{role}'.");
            return Parse(json, "instance metadata (role " + role + ")");
        }

        /// <summary>The container endpoint of ECS or EKS Pod Identity, when the environment names one; null otherwise.</summary>
        public static Uri? ContainerEndpoint(Func<string, string?> environment)
        {
            var relative = environment("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
            if (!string.IsNullOrWhiteSpace(relative)) return new Uri(DefaultContainerHost + (relative!.StartsWith("/", StringComparison.Ordinal) ? relative : "/" + relative));
            var full = environment("AWS_CONTAINER_CREDENTIALS_FULL_URI");
            return string.IsNullOrWhiteSpace(full) ? null : new Uri(full!);
        }

        public static async Task<AwsCredentialSet> FromContainerAsync(HttpClient http, Uri endpoint, Func<string, string?> environment, CancellationToken cancellationToken)
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, endpoint);
            var tokenFile = environment("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
            var authorization = !string.IsNullOrWhiteSpace(tokenFile) ? File.ReadAllText(tokenFile!).Trim() : environment("AWS_CONTAINER_AUTHORIZATION_TOKEN");
            if (!string.IsNullOrEmpty(authorization)) get.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var answer = await SendAsync(http, get, endpoint, cancellationToken).ConfigureAwait(false);
            if (!answer.IsSuccessStatusCode) throw new AwsCredentialsException($"the container credentials endpoint {endpoint} answered HTTP {(int)answer.StatusCode}.");
            return Parse(await answer.Content.ReadAsStringAsync().ConfigureAwait(false), "container endpoint");
        }

        private static async Task<string?> GetTextAsync(HttpClient http, Uri uri, string? token, Uri endpoint, CancellationToken cancellationToken)
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, uri);
            if (token != null) get.Headers.TryAddWithoutValidation("x-aws-ec2-metadata-token", token);
            using var answer = await SendAsync(http, get, endpoint, cancellationToken).ConfigureAwait(false);
            if ((int)answer.StatusCode == 404) return null;
            if (!answer.IsSuccessStatusCode) throw new AwsCredentialsException($"the instance metadata service at {endpoint} answered HTTP {(int)answer.StatusCode} for {uri.AbsolutePath}.");
            return await answer.Content.ReadAsStringAsync().ConfigureAwait(false);
        }

        private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, Uri endpoint, CancellationToken cancellationToken)
        {
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(RequestBudget);
            try
            {
                return await http.SendAsync(request, budget.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new AwsCredentialsException($"nothing answered at {endpoint} within {RequestBudget.TotalSeconds:0} s (not an EC2 instance or container, or its metadata service is blocked).");
            }
            catch (HttpRequestException ex)
            {
                throw new AwsCredentialsException($"{endpoint} could not be reached ({ex.InnerException?.Message ?? ex.Message}).", ex);
            }
        }

        /// <summary>The JSON both endpoints answer; never quoted in an error, since it holds the secret.</summary>
        private static AwsCredentialSet Parse(string json, string source)
        {
            try
            {
                using var doc = JsonDocument.Parse(json);
                var root = doc.RootElement;
                string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                var code = Text("Code");
                if (code != null && code != "Success") throw new AwsCredentialsException($"the {source} answered Code '{code}' instead of credentials.");
                var id = Text("AccessKeyId");
                var secret = Text("SecretAccessKey");
                if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret)) throw new AwsCredentialsException($"the {source} answered without AccessKeyId or SecretAccessKey.");
                var end = Text("Expiration");
                DateTimeOffset? expiration = end != null && DateTimeOffset.TryParse(end, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : (DateTimeOffset?)null;
                return new AwsCredentialSet(id!, secret!, Text("Token"), expiration, source);
            }
            catch (JsonException)
            {
                throw new AwsCredentialsException($"the {source} answered something that is not JSON credentials.");
            }
        }
    }
}
