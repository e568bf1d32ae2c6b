using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws.Credentials
{
    /// <summary>
    /// An IAM Identity Center (SSO) profile: sso_account_id and sso_role_name with either sso_session (an
    /// [sso-session name] section with sso_start_url and sso_region) or, in the legacy form, sso_start_url and sso_region
    /// on the profile. The sign-in itself is `aws sso login`, in a browser; this reads the token it cached, renews it
    /// with SSO-OIDC CreateToken when it has expired and the session can be renewed, and trades it for the role's
    /// temporary keys with the portal's GetRoleCredentials, again whenever those near their end.
    /// </summary>
    public static class SsoCredentials
    {
        private static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);

        /// <param name="name">The profile.</param>
        /// <param name="profile">Its settings.</param>
        /// <param name="config">The files, for the [sso-session] section and the token cache.</param>
        /// <param name="unsigned">An unsigned pipeline for an endpoint prefix (portal.sso, oidc) in a region.</param>
        /// <param name="time">The clock tokens are judged by.</param>
        public static IAwsCredentialSource FromProfile(string name, IReadOnlyDictionary<string, string> profile, AwsSharedConfig config,
            Func<string, string, HttpPipeline> unsigned, TimeProvider? time = null)
        {
            string? Get(IReadOnlyDictionary<string, string> section, string key) => section.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
            var clock = time ?? TimeProvider.System;
            var sessionName = Get(profile, "sso_session");
            string startUrl, region, cacheKey;
            if (sessionName != null)
            {
                var session = config.SsoSession(sessionName)
                    ?? throw new AwsCredentialsException($"Profile '{name}' names sso_session '{sessionName}', but {config.ConfigPath} has no [sso-session {sessionName}] section.");
                startUrl = Get(session, "sso_start_url") ?? throw new AwsCredentialsException($"[sso-session {sessionName}] in {config.ConfigPath} has no sso_start_url.");
                region = Get(session, "sso_region") ?? throw new AwsCredentialsException($"[sso-session {sessionName}] in {config.ConfigPath} has no sso_region.");
                cacheKey = sessionName;
            }
            else
            {
                startUrl = Get(profile, "sso_start_url") ?? throw new AwsCredentialsException($"Profile '{name}' has SSO settings but no sso_session or sso_start_url.");
                region = Get(profile, "sso_region") ?? throw new AwsCredentialsException($"Profile '{name}' has sso_start_url but no sso_region.");
                cacheKey = startUrl;
            }
            var account = Get(profile, "sso_account_id") ?? throw new AwsCredentialsException($"Profile '{name}' signs in with IAM Identity Center but has no sso_account_id.");
            var role = Get(profile, "sso_role_name") ?? throw new AwsCredentialsException($"Profile '{name}' signs in with IAM Identity Center but has no sso_role_name.");
            var label = $"profile {name} (IAM Identity Center, {role} in {account})";
            var cachePath = SsoToken.PathFor(config.SsoCacheDirectory, cacheKey);
            var portal = unsigned("portal.sso", region);
            var oidc = unsigned("oidc", region);
            var login = $"Run 'aws sso login --profile {name}' and try again.";

            return new RefreshingAwsCredentials(label, async ct =>
            {
                var token = SsoToken.Read(cachePath)
                    ?? throw new AwsCredentialsException(AwsCredentialsProblem.SourceFailed, $"Profile '{name}' has no IAM Identity Center sign-in cached at {cachePath}. {login}");
                var now = clock.GetUtcNow();
                var accessToken = token.AccessToken;
                if (accessToken is null || !(token.ExpiresAt is DateTimeOffset expires) || expires - Margin <= now)
                {
                    if (!token.CanRefresh(now))
                        throw new AwsCredentialsException(AwsCredentialsProblem.SourceFailed, $"The IAM Identity Center sign-in of profile '{name}' has expired. {login}");
                    accessToken = await RefreshAsync(oidc, token, name, login, now, ct).ConfigureAwait(false);
                }
                portal.Redactor.Add(accessToken);
                return await RoleCredentialsAsync(portal, accessToken, account, role, label, login, ct).ConfigureAwait(false);
            }, clock);
        }

        private static async Task<string> RefreshAsync(HttpPipeline oidc, SsoToken token, string name, string login, DateTimeOffset now, CancellationToken cancellationToken)
        {
            oidc.Redactor.Add(token.RefreshToken);
            oidc.Redactor.Add(token.ClientSecret);
            var body = JsonSerializer.Serialize(new Dictionary<string, string?>
            {
                ["clientId"] = token.ClientId,
                ["clientSecret"] = token.ClientSecret,
                ["grantType"] = "refresh_token",
                ["refreshToken"] = token.RefreshToken,
            });
            ApiResponse response;
            try
            {
                response = await oidc.SendAsync(new ApiRequest(HttpMethod.Post, "token") { Body = Encoding.UTF8.GetBytes(body), Authenticate = false, Description = "CreateToken" }, cancellationToken).ConfigureAwait(false);
            }
            catch (SocApiException ex) when (ex.StatusCode == 400 || ex.StatusCode == 401)
            {
                throw new AwsCredentialsException(AwsCredentialsProblem.SourceFailed, $"The IAM Identity Center sign-in of profile '{name}' could not be renewed ({Reason(ex)}). {login}");
            }
            using var document = response.ParseJson();
            var root = document.RootElement;
            var accessToken = Text(root, "accessToken") ?? throw new AwsCredentialsException(AwsCredentialsProblem.SourceFailed, $"SSO-OIDC renewed the sign-in of profile '{name}' without an accessToken. {login}");
            oidc.Redactor.Add(accessToken);
            var seconds = root.TryGetProperty("expiresIn", out var e) && e.TryGetInt32(out var s) ? s : 3600;
            var refresh = Text(root, "refreshToken");
            oidc.Redactor.Add(refresh);
            try
            {
                token.Renew(accessToken, now + TimeSpan.FromSeconds(seconds), refresh);
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
            {
                // The renewed token still serves this session; the CLI will renew again for itself.
                RequestLog.Current?.Warning($"The renewed IAM Identity Center token could not be written back to {token.Path}: {ex.Message}");
            }
            return accessToken;
        }

        private static async Task<AwsCredentialSet> RoleCredentialsAsync(HttpPipeline portal, string accessToken, string account, string role, string label, string login, CancellationToken cancellationToken)
        {
            var request = new ApiRequest(HttpMethod.Get, "federation/credentials?account_id=" + Uri.EscapeDataString(account) + "&role_name=" + Uri.EscapeDataString(role))
            {
                Headers = new Dictionary<string, string> { ["x-amz-sso_bearer_token"] = accessToken },
                Authenticate = false,
                Idempotent = true,
                Description = "GetRoleCredentials",
            };
            ApiResponse response;
            try
            {
                response = await portal.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (SocApiException ex) when (ex.StatusCode == 401)
            {
                throw new AwsCredentialsException(AwsCredentialsProblem.SourceFailed, $"IAM Identity Center no longer accepts the sign-in of {label} ({Reason(ex)}). {login}");
            }
            catch (SocApiException ex) when (ex.StatusCode == 403)
            {
                throw new AwsCredentialsException(AwsCredentialsProblem.SourceFailed, $"IAM Identity Center does not give this sign-in the role {role} in account {account} ({Reason(ex)}). Check sso_role_name and sso_account_id of the profile.");
            }
            using var document = response.ParseJson();
            if (!document.RootElement.TryGetProperty("roleCredentials", out var credentials) || credentials.ValueKind != JsonValueKind.Object)
                throw new AwsCredentialsException(AwsCredentialsProblem.SourceFailed, $"IAM Identity Center answered GetRoleCredentials for {label} without roleCredentials.");
            var key = Text(credentials, "accessKeyId");
            var secret = Text(credentials, "secretAccessKey");
            if (key is null || secret is null)
                throw new AwsCredentialsException(AwsCredentialsProblem.SourceFailed, $"IAM Identity Center answered GetRoleCredentials for {label} without keys.");
            var session = Text(credentials, "sessionToken");
            portal.Redactor.Add(secret);
            portal.Redactor.Add(session);
            DateTimeOffset? expiration = credentials.TryGetProperty("expiration", out var e) && e.TryGetInt64(out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
            return new AwsCredentialSet(key, secret, session, expiration, label);
        }

        // The service's own words, not the pipeline's advice about policies: these are sign-in failures, and the
        // exception is not kept as the inner one so that the message a caller sees is this one.
        private static string Reason(SocApiException ex) =>
            "HTTP " + ex.StatusCode?.ToString(CultureInfo.InvariantCulture) + (ex.VendorType is null ? string.Empty : " " + ex.VendorType) + (ex.VendorReason is null ? string.Empty : ": " + ex.VendorReason);

        private static string? Text(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
