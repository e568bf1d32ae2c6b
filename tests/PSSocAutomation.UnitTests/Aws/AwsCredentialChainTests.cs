using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PSSocAutomation.Aws;
using PSSocAutomation.Aws.Credentials;
using PSSocAutomation.Aws.Sts;

namespace PSSocAutomation.UnitTests.Aws;

/// <summary>
/// The standard chain over a fake environment and real files in a temp folder: which source wins, the errors that name
/// every source tried, and the instance-metadata probe that must not hang off EC2.
/// </summary>
public sealed class AwsCredentialChainTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("pssoc-aws-").FullName;
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal);
    private readonly HttpClient _metadata = new(new HttpClientHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };

    public AwsCredentialChainTests()
    {
        _env["HOME"] = _home;
        // Nothing here may reach the real metadata address; each test that needs it points it somewhere.
        _env["AWS_EC2_METADATA_DISABLED"] = "true";
    }

    public void Dispose()
    {
        _metadata.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    private void File(string relative, string text)
    {
        var path = Path.Combine(_home, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
    }

    private Task<AwsResolvedCredentials> Resolve(string? profile = null, string? region = "us-east-1") =>
        AwsCredentialChain.ResolveAsync(new AwsCredentialRequest { ProfileName = profile, Region = region, Environment = n => _env.TryGetValue(n, out var v) ? v : null },
            (_, _) => throw new InvalidOperationException("no STS in this test"), _metadata, CancellationToken.None);

    [Fact]
    public async Task Environment_keys_come_before_the_default_profile()
    {
        File(".aws/credentials", "[default]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = profile-secret\n");
        _env["AWS_ACCESS_KEY_ID"] = "AKIAENVIRONMENT";
        _env["AWS_SECRET_ACCESS_KEY"] = "environment-secret";
        _env["AWS_SESSION_TOKEN"] = "environment-token";

        var resolved = await Resolve();
        var keys = await resolved.Credentials.GetAsync(CancellationToken.None);

        Assert.Equal(("AKIAENVIRONMENT", "environment-token", "environment"), (keys.AccessKeyId, keys.SessionToken, keys.Source));
    }

    [Fact]
    public async Task A_named_profile_is_read_from_both_files_with_its_region()
    {
        File(".aws/config", "[profile soc]\nregion = eu-west-2\n# a comment\n[sso-session corp]\nsso_region = eu-west-1\n");
        File(".aws/credentials", "[soc]\naws_access_key_id = AKIASOC\naws_secret_access_key = soc-secret\n");
        _env["AWS_ACCESS_KEY_ID"] = "AKIAENVIRONMENT";
        _env["AWS_SECRET_ACCESS_KEY"] = "environment-secret";

        var resolved = await Resolve("soc", region: null);
        var keys = await resolved.Credentials.GetAsync(CancellationToken.None);

        Assert.Equal("AKIASOC", keys.AccessKeyId);
        Assert.Equal("eu-west-2", resolved.Region);
        Assert.Equal("soc", resolved.Profile);
    }

    [Fact]
    public async Task A_profile_that_does_not_exist_is_an_error_that_lists_the_ones_that_do()
    {
        File(".aws/credentials", "[default]\naws_access_key_id = A\naws_secret_access_key = B\n[prod]\naws_access_key_id = C\naws_secret_access_key = D\n");
        File(".aws/config", "[sso-session corp]\nsso_region = eu-west-1\n");

        var error = await Assert.ThrowsAsync<AwsCredentialsException>(() => Resolve("prdo"));

        Assert.Equal(AwsCredentialsProblem.ProfileNotFound, error.Problem);
        Assert.Contains("no AWS profile 'prdo'", error.Message);
        Assert.Contains("Profiles there: default, prod.", error.Message);
    }

    [UnixFact]
    public async Task Credential_process_output_is_used_until_shortly_before_it_expires()
    {
        var expiration = DateTimeOffset.UtcNow.AddHours(1).ToString("o");
        File("creds.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS\", \"SecretAccessKey\": \"process-secret\", \"SessionToken\": \"process-token\", \"Expiration\": \"" + expiration + "\"}'\n");
        File(".aws/config", $"[profile tool]\nregion = us-west-2\ncredential_process = sh {Path.Combine(_home, "creds.sh")}\n");

        var resolved = await Resolve("tool", region: null);
        var keys = await resolved.Credentials.GetAsync(CancellationToken.None);

        Assert.Equal(("ASIAPROCESS", "process-token"), (keys.AccessKeyId, keys.SessionToken));
        Assert.NotNull(keys.Expiration);
        Assert.Contains("credential_process", keys.Source);
    }

    [UnixFact]
    public async Task A_credential_process_that_fails_says_its_exit_code_and_what_it_printed_to_stderr()
    {
        File(".aws/config", "[profile broken]\nregion = us-west-2\ncredential_process = sh -c 'echo session expired >&2; exit 3'\n");
        var resolved = await Resolve("broken", region: null);

        var error = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await resolved.Credentials.GetAsync(CancellationToken.None));

        Assert.Contains("exited with code 3: session expired", error.Message);
    }

    [Fact]
    public async Task An_SSO_profile_naming_an_sso_session_that_is_not_there_says_so()
    {
        File(".aws/config", "[profile corp]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Responder\nregion = us-east-1\n");

        var error = await Assert.ThrowsAsync<AwsCredentialsException>(() =>
            AwsCredentialChain.ResolveAsync(new AwsCredentialRequest { ProfileName = "corp", Region = "us-east-1", Environment = n => _env.TryGetValue(n, out var v) ? v : null },
                (_, _) => throw new InvalidOperationException("no STS in this test"), _metadata, CancellationToken.None,
                (_, _) => throw new InvalidOperationException("no portal in this test")));

        Assert.Contains("no [sso-session corp] section", error.Message);
    }

    [Fact]
    public async Task No_region_anywhere_and_a_region_that_is_not_one_are_told_apart()
    {
        _env["AWS_ACCESS_KEY_ID"] = "AKIAENVIRONMENT";
        _env["AWS_SECRET_ACCESS_KEY"] = "environment-secret";

        var none = await Assert.ThrowsAsync<AwsCredentialsException>(() => Resolve(region: null));
        var bad = await Assert.ThrowsAsync<AwsCredentialsException>(() => Resolve(region: "useast1"));

        Assert.Equal(AwsCredentialsProblem.NoRegion, none.Problem);
        Assert.Contains("-Region", none.Message);
        Assert.Equal(AwsCredentialsProblem.InvalidRegion, bad.Problem);
        Assert.Contains("'useast1' is not an AWS region name", bad.Message);
    }

    [Fact]
    public async Task Off_EC2_a_silent_metadata_address_fails_within_seconds_naming_every_source_tried()
    {
        // Accepts the connection and never answers: what a firewall that swallows 169.254.169.254 looks like.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        _env.Remove("AWS_EC2_METADATA_DISABLED");
        _env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:" + ((IPEndPoint)silent.LocalEndpoint).Port;
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<AwsCredentialsException>(() => Resolve());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the probe must be bounded, not wait for TCP's timeout");
        Assert.Equal(AwsCredentialsProblem.NotFound, error.Problem);
        foreach (var source in new[] { "environment:", "web identity:", "profile 'default':", "container:", "instance metadata: nothing answered" })
            Assert.Contains(source, error.Message);
        Assert.Equal(5, error.Tried.Length);
    }

    [Fact]
    public void Endpoints_and_signing_regions_follow_the_partition_and_IAM_is_global()
    {
        Assert.Equal(new Uri("https://securityhub.eu-west-1.amazonaws.com/"), AwsEndpoints.BaseUri("securityhub", "eu-west-1", null));
        Assert.Equal(new Uri("https://ec2.cn-north-1.amazonaws.com.cn/"), AwsEndpoints.BaseUri("ec2", "cn-north-1", null));
        Assert.Equal(new Uri("https://iam.amazonaws.com/"), AwsEndpoints.BaseUri("iam", "eu-west-1", null));
        Assert.Equal("us-east-1", AwsEndpoints.SigningRegion("iam", "eu-west-1"));
        Assert.Equal("us-gov-west-1", AwsEndpoints.SigningRegion("iam", "us-gov-east-1"));
        Assert.Equal("eu-west-1", AwsEndpoints.SigningRegion("securityhub", "eu-west-1"));
        Assert.Equal(new Uri("http://127.0.0.1:4566/"), AwsEndpoints.BaseUri("iam", "eu-west-1", new Uri("http://127.0.0.1:4566")));
    }

    [Fact]
    public void The_caller_identity_names_the_role_of_an_assumed_role_session_and_the_user_of_a_user()
    {
        Assert.Equal("lab-responder", new AwsCallerIdentity("111122223333", "arn:aws:sts::111122223333:assumed-role/lab-responder/session-1", "AROA:session-1").PrincipalName);
        Assert.Equal("analyst", new AwsCallerIdentity("111122223333", "arn:aws:iam::111122223333:user/team/analyst", "AIDA").PrincipalName);
        Assert.Null(new AwsCallerIdentity("111122223333", "arn:aws:iam::111122223333:root", "111122223333").PrincipalName);
    }
}
