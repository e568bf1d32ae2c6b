using System.Management.Automation;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Core;

/// <summary>
/// A URL with user:password@ in it (issue 7, item 9). The module never sends credentials from a URL, so it refuses one
/// before anything is sent, says which parameter to use instead, and prints the credentials in no stream and no
/// property of the error.
/// </summary>
public sealed class CredentialsInUriTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public CredentialsInUriTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private const string Everything = "$DebugPreference = 'Continue'; $VerbosePreference = 'Continue'\n";

    public static TheoryData<string, string, string, string> Commands => new()
    {
        // script, the parameter carrying the URL, the ErrorId, what to use instead
        { "Connect-Elastic -Uri $url -Credential $esCred -Verbose -Debug", "-Uri", "ElasticCredentialsInUri", "-Credential" },
        { "Connect-Elastic -Uri $url -Verbose -Debug", "-Uri", "ElasticCredentialsInUri", "-Credential" },
        { "Connect-Elastic -Uri $esUri -KibanaUri $url -Credential $esCred -Verbose -Debug", "-KibanaUri", "ElasticCredentialsInUri", "-Credential" },
        { "Connect-Iris -Uri $url -ApiKey $irisKey -SkipCertificateCheck -Verbose -Debug", "-Uri", "IrisCredentialsInUri", "-ApiKey" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Credentials_in_a_url_are_refused_naming_the_parameter_and_appear_nowhere(string command, string parameter, string errorId, string instead)
    {
        var lab = _fixture.Lab;
        var password = lab.Credentials.ElasticPassword;
        var iris = command.StartsWith("Connect-Iris", StringComparison.Ordinal);
        var target = iris ? lab.IrisUri : lab.ElasticUri;
        // The Lab's real password and key: had the module used them, it would have connected.
        var secret = iris ? lab.Iris.AdministratorApiKey : password;
        var url = $"{target.Scheme}://{lab.Credentials.ElasticUser}:{Uri.EscapeDataString(secret)}@{target.Authority}/";
        var variables = _fixture.ElasticVariables();
        variables["url"] = url;
        variables["irisKey"] = LabFixture.Secure(lab.Iris.AdministratorApiKey);

        var result = _fixture.Session.Run(Everything + "try { " + command + " } catch { $_ }", variables);

        var record = Assert.Single(result.OutputOf<ErrorRecord>());
        Assert.Equal(errorId, record.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
        var message = record.Exception.Message;
        Assert.Contains(parameter + " ", message);
        Assert.Contains(instead, message);
        Assert.Contains($"{target.Scheme}://***@{target.Authority}/", message);
        Assert.Empty(lab.Journal.Entries);

        var secrets = new[] { secret, Uri.EscapeDataString(secret), lab.Credentials.ElasticUser + ":" };
        SecretScan.AssertNoSecret(record, "ErrorRecord", secrets);
        foreach (var text in result.AllText().Concat(result.Errors.Select(e => e.TargetObject?.ToString() ?? string.Empty)))
            foreach (var s in secrets)
                Assert.DoesNotContain(s, text);
    }

    [Fact]
    public void A_url_without_credentials_still_connects()
    {
        var result = _fixture.Session.Run("Connect-Elastic -Uri $esUri -Credential $esCred -NoDefault", _fixture.ElasticVariables());
        Assert.Empty(result.Errors);
        Assert.Null(result.Terminating);
        Assert.Single(result.Output);
    }
}
