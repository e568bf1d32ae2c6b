using System.Text.Json.Nodes;
using PSSocAutomation.Aws;
using PSSocAutomation.Aws.Credentials;
using PSSocAutomation.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.UnitTests.Aws;

/// <summary>
/// IAM Identity Center (SSO) profiles through the chain, against the Lab's portal and SSO-OIDC endpoints: the token
/// `aws sso login` cached is traded for the role's keys, an expired one is renewed and written back, and one that
/// cannot be renewed says to sign in again. No token reaches any message.
/// </summary>
public sealed class SsoCredentialsTests : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("pssoc-sso-").FullName;
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal);
    private LabServer _lab = null!;

    public async Task InitializeAsync()
    {
        _lab = await LabServer.StartAsync();
        _env["HOME"] = _home;
        _env["AWS_EC2_METADATA_DISABLED"] = "true";
    }

    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private string Account => _lab.Credentials.AwsAccountId;

    private void Config(string text)
    {
        Directory.CreateDirectory(Path.Combine(_home, ".aws"));
        File.WriteAllText(Path.Combine(_home, ".aws", "config"), text);
    }

    /// <summary>What `aws sso login` writes for an sso-session (with the registration that renews it) or a legacy start URL.</summary>
    private string Cache(string key, string accessToken, DateTimeOffset expiresAt, (string Refresh, string ClientId, string ClientSecret)? registration = null)
    {
        var path = SsoToken.PathFor(Path.Combine(_home, ".aws", "sso", "cache"), key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var token = new JsonObject
        {
            ["startUrl"] = "https://corp.awsapps.com/start",
            ["region"] = "us-east-1",
            ["accessToken"] = accessToken,
            ["expiresAt"] = expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        };
        if (registration is { } r)
        {
            token["refreshToken"] = r.Refresh;
            token["clientId"] = r.ClientId;
            token["clientSecret"] = r.ClientSecret;
            token["registrationExpiresAt"] = DateTimeOffset.UtcNow.AddDays(60).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        }
        File.WriteAllText(path, token.ToJsonString());
        return path;
    }

    private async Task<(AwsConnection Connection, Exception? Error)> ConnectAndIdentify(string profile)
    {
        var connection = await AwsConnection.CreateAsync(
            new AwsCredentialRequest { ProfileName = profile, Environment = n => _env.TryGetValue(n, out var v) ? v : null },
            _lab.AwsUri, new HttpPipelineOptions(_lab.AwsUri) { MaxRetries = 0 }, CancellationToken.None);
        try
        {
            await connection.IdentifyAsync(CancellationToken.None);
            return (connection, null);
        }
        catch (Exception ex)
        {
            return (connection, ex);
        }
    }

    private const string SessionProfile = "[profile responder]\nsso_session = corp\nsso_account_id = {0}\nsso_role_name = Responder\nregion = us-east-1\n" +
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n";

    [Fact]
    public async Task A_cached_sign_in_is_traded_for_the_roles_keys()
    {
        Config(string.Format(SessionProfile, Account));
        var issued = _lab.Aws.Sso.IssueToken(Account, "Responder");
        Cache("corp", issued.AccessToken, issued.ExpiresAt);

        var (connection, error) = await ConnectAndIdentify("responder");
        using (connection)
        {
            Assert.Null(error);
            Assert.Equal(_lab.Credentials.AwsAssumedRoleArn, connection.Arn);
            Assert.Contains("IAM Identity Center, Responder in " + Account, connection.CredentialSource);
            Assert.Equal(["GetRoleCredentials 200"], _lab.Aws.Sso.Calls);
            // The bearer token travelled in its header and the journal does not show it.
            Assert.DoesNotContain(_lab.Journal.For("aws"), e => e.Body.Contains(issued.AccessToken, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_expired_sign_in_is_renewed_and_written_back()
    {
        Config(string.Format(SessionProfile, Account));
        var issued = _lab.Aws.Sso.IssueToken(Account, "Responder", TimeSpan.FromMinutes(-5));
        var path = Cache("corp", issued.AccessToken, issued.ExpiresAt, (issued.RefreshToken, issued.ClientId, issued.ClientSecret));

        var (connection, error) = await ConnectAndIdentify("responder");
        using (connection)
        {
            Assert.Null(error);
            Assert.Equal(["CreateToken 200", "GetRoleCredentials 200"], _lab.Aws.Sso.Calls);
            var written = JsonNode.Parse(File.ReadAllText(path))!;
            Assert.NotEqual(issued.AccessToken, (string)written["accessToken"]!);
            Assert.NotEqual(issued.RefreshToken, (string)written["refreshToken"]!);
            Assert.True(DateTimeOffset.Parse((string)written["expiresAt"]!) > DateTimeOffset.UtcNow);
            Assert.Equal(issued.ClientId, (string)written["clientId"]!);
        }
    }

    [Fact]
    public async Task An_expired_legacy_sign_in_that_cannot_be_renewed_says_to_sign_in_again()
    {
        Config($"[profile legacy]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = {Account}\nsso_role_name = Responder\nregion = us-east-1\n");
        var issued = _lab.Aws.Sso.IssueToken(Account, "Responder", TimeSpan.FromMinutes(-1));
        Cache("https://corp.awsapps.com/start", issued.AccessToken, issued.ExpiresAt);

        var (connection, error) = await ConnectAndIdentify("legacy");
        using (connection)
        {
            Assert.NotNull(error);
            Assert.Contains("has expired. Run 'aws sso login --profile legacy'", error!.Message);
            Assert.DoesNotContain(issued.AccessToken, error.ToString());
            Assert.Empty(_lab.Aws.Sso.Calls);
        }
    }

    [Fact]
    public async Task A_role_the_sign_in_does_not_have_and_a_refused_token_are_told_apart()
    {
        Config(string.Format(SessionProfile, Account).Replace("sso_role_name = Responder", "sso_role_name = Administrator"));
        var issued = _lab.Aws.Sso.IssueToken(Account, "Responder");
        Cache("corp", issued.AccessToken, issued.ExpiresAt);

        var (forbidden, error) = await ConnectAndIdentify("responder");
        forbidden.Dispose();
        Assert.Contains("does not give this sign-in the role Administrator in account " + Account + " (HTTP 403 ForbiddenException", error!.Message);

        Config(string.Format(SessionProfile, Account));
        Cache("corp", "not-a-token-the-portal-issued", DateTimeOffset.UtcNow.AddHours(1));
        var (refused, error2) = await ConnectAndIdentify("responder");
        refused.Dispose();
        Assert.Contains("no longer accepts the sign-in", error2!.Message);
        Assert.Contains("aws sso login --profile responder", error2.Message);
        Assert.DoesNotContain("not-a-token-the-portal-issued", error2.ToString());
    }

    [Fact]
    public async Task A_profile_never_signed_in_says_where_the_token_was_looked_for()
    {
        Config(string.Format(SessionProfile, Account));
        var (connection, error) = await ConnectAndIdentify("responder");
        connection.Dispose();
        Assert.Contains("has no IAM Identity Center sign-in cached at", error!.Message);
        Assert.Contains(Path.Combine(_home, ".aws", "sso", "cache"), error.Message);
    }
}
