using System.Management.Automation;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Core;

/// <summary>
/// Mistakes a first user makes, each answered by a message that names the thing that is wrong and what to do, never
/// by one that points elsewhere (issue 7, item 12). Real runspace, real sockets, the Lab's plain-HTTP Elasticsearch
/// and HTTPS IRIS.
/// </summary>
public sealed class ClearMessageTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public ClearMessageTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private LabServer Lab => _fixture.Lab;

    private ScriptResult Run(string script, Dictionary<string, object?>? extra = null)
    {
        var variables = _fixture.ElasticVariables();
        foreach (var (k, v) in Variables(Lab)) variables[k] = v;
        if (extra != null) foreach (var (k, v) in extra) variables[k] = v;
        return _fixture.Session.Run(script, variables);
    }

    /// <summary>The one error a script reported, terminating (caught into the output) or not.</summary>
    private ErrorRecord Failure(string script, Dictionary<string, object?>? extra = null)
    {
        var result = Run("try {\n" + script + "\n} catch { $_ }", extra);
        var records = result.OutputOf<ErrorRecord>().Concat(result.Errors).ToList();
        Assert.True(records.Count == 1, "Expected one error; got: " + string.Join(" | ", records.Select(r => r.FullyQualifiedErrorId + ": " + r.Exception.Message)));
        return records[0];
    }

    private static string Id(ErrorRecord record) => record.FullyQualifiedErrorId.Split(',')[0];

    private const string ElasticConnect = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryCount 0 | Out-Null\n";

    // ---- scheme, port and certificate ----

    [Fact]
    public void Https_to_a_plain_http_port_says_the_server_does_not_speak_tls_there()
    {
        var record = Failure($"Connect-Elastic -Uri https://{Lab.ElasticUri.Authority} -Credential $esCred -MaximumRetryCount 0");
        Assert.Equal("ElasticConnection", Id(record));
        var message = record.Exception.Message;
        Assert.Contains("does not speak TLS", message);
        Assert.Contains($"http://{Lab.ElasticUri.Authority}", message);
        Assert.DoesNotContain("pinned", message);
    }

    [Fact]
    public void Http_to_a_tls_port_says_the_server_speaks_tls_there()
    {
        var record = Failure($"Connect-Iris -Uri http://{Lab.IrisUri.Authority} -ApiKey $irisKey -MaximumRetryCount 0");
        Assert.Equal("IrisConnection", Id(record));
        var message = record.Exception.Message;
        Assert.Contains("speaks TLS", message);
        Assert.Contains($"https://{Lab.IrisUri.Authority}", message);
        Assert.DoesNotContain("dropped", message);
    }

    [Theory]
    [InlineData("Connect-Elastic -Uri http://127.0.0.1:99999 -Credential $esCred", "ElasticInvalidUri", "-Uri")]
    [InlineData("Connect-Elastic -Uri $esUri -KibanaUri http://127.0.0.1:70000 -Credential $esCred", "ElasticInvalidUri", "-KibanaUri")]
    [InlineData("Connect-Iris -Uri https://127.0.0.1:99999 -ApiKey $irisKey", "IrisInvalidUri", "-Uri")]
    public void A_port_out_of_range_is_named_as_such(string script, string errorId, string parameter)
    {
        var record = Failure(script);
        Assert.Equal(errorId, Id(record));
        var message = record.Exception.Message;
        Assert.Contains(parameter + " ", message);
        Assert.Contains("out of range", message);
        Assert.Contains("1-65535", message);
        Assert.DoesNotContain("not an http://", message);
        Assert.Empty(Lab.Journal.Entries);
    }

    [Theory]
    [InlineData("zz")]
    [InlineData("3F1A9C0B")] // hex, but neither 40 nor 64 digits
    public void A_thumbprint_that_is_not_a_sha1_or_sha256_hex_value_is_refused(string thumbprint)
    {
        var record = Failure("Connect-Iris -Uri $irisUri -ApiKey $irisKey -CertificateThumbprint $thumb", new() { ["thumb"] = thumbprint });
        Assert.Equal("CertificateThumbprintInvalid", Id(record));
        Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
        var message = record.Exception.Message;
        Assert.Contains($"-CertificateThumbprint '{thumbprint}'", message);
        Assert.Contains("SHA-256", message);
        Assert.Empty(Lab.Journal.Entries);
    }

    [Fact]
    public void A_thumbprint_with_colons_or_spaces_still_pins()
    {
        var hex = Lab.Certificate.Thumbprint;
        var spaced = string.Join(":", Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));
        var result = Run("Connect-Iris -Uri $irisUri -ApiKey $irisKey -CertificateThumbprint $thumb -NoDefault", new() { ["thumb"] = spaced });
        AssertClean(result);
        Assert.Single(result.Output);
    }

    [Fact]
    public void An_expired_certificate_says_when_it_expired()
    {
        var record = Failure("Connect-Iris -Uri $irisUri -ApiKey $irisKey -MaximumRetryCount 0");
        Assert.Equal("IrisTls", Id(record));
        var message = record.Exception.Message;
        Assert.Contains("expired on " + Lab.Certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd"), message);
        Assert.DoesNotContain("NotTimeValid", message);
    }

    [Fact]
    public void A_wrong_path_prefix_on_Connect_Elastic_says_to_check_the_uri_path()
    {
        var record = Failure($"Connect-Elastic -Uri {Lab.ElasticUri}elastic/ -Credential $esCred -MaximumRetryCount 0");
        Assert.Equal("ElasticNotFound", Id(record));
        var message = record.Exception.Message + " " + record.ErrorDetails?.RecommendedAction;
        Assert.DoesNotContain("-Index", message);
        Assert.Contains("-Uri", message);
        Assert.Contains("/elastic/", message);
    }

    // ---- what a search is given ----

    [Theory]
    [InlineData("Get-ElasticAlert -Index ' '")]
    [InlineData("Get-ElasticAlert -Index ','")]
    [InlineData("Get-ElasticAlert -Index 'alerts, ,logs'")]
    [InlineData("Invoke-ElasticSearch -Index ' '")]
    [InlineData("Invoke-ElasticSearch -Index ','")]
    public void A_blank_index_name_is_refused_naming_Index(string command)
    {
        var record = Failure(ElasticConnect + command);
        Assert.Equal(ErrorCategory.InvalidData, record.CategoryInfo.Category);
        Assert.Contains("'Index'", record.Exception.Message);
        Assert.Contains("empty", record.Exception.Message);
        Assert.DoesNotContain(Lab.Journal.For("elastic"), e => e.Path != "/");
    }

    [Theory]
    [InlineData("'{}' | Send-ElasticDocument -Index ' '", "empty")]
    [InlineData("'{}' | Send-ElasticDocument -Index 'audit,logs'", "several indices")]
    [InlineData("'{}' | Send-ElasticDocument -Index 'audit-*'", "a pattern")]
    public void A_write_target_is_one_index_name(string command, string said)
    {
        var record = Failure(ElasticConnect + command);
        Assert.Equal(ErrorCategory.InvalidData, record.CategoryInfo.Category);
        Assert.Contains("'Index'", record.Exception.Message);
        Assert.Contains(said, record.Exception.Message);
        Assert.DoesNotContain(Lab.Journal.For("elastic"), e => e.Path.EndsWith("_bulk"));
    }

    [Theory]
    [InlineData("Get-ElasticAlert -Index alerts -Query $q", "-Query")]
    [InlineData("Invoke-ElasticSearch -Index alerts -Body $q", "-Body")]
    public void A_json_query_with_a_duplicate_key_is_refused_naming_the_key(string command, string parameter)
    {
        var json = """{"bool":{"filter":[{"term":{"severity":"high"}}],"filter":[{"term":{"status":"active"}}]}}""";
        var record = Failure(ElasticConnect + command, new() { ["q"] = json });
        Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
        var message = record.Exception.Message;
        Assert.Contains(parameter, message);
        Assert.Contains("'filter'", message);
        Assert.Contains("twice", message);
        Assert.DoesNotContain(Lab.Journal.For("elastic"), e => e.Path != "/");
    }

    [Theory]
    [InlineData("Get-ElasticAlert -Index alerts -Query @{ term = { $_.severity -eq 'high' } }")]
    [InlineData("Get-ElasticAlert -Index alerts -Query { $_.severity -eq 'high' }")]
    [InlineData("Invoke-ElasticSearch -Index alerts -Body @{ query = { $_.severity -eq 'high' } }")]
    public void A_scriptblock_in_a_query_says_it_cannot_be_sent_as_json(string command)
    {
        var record = Failure(ElasticConnect + command);
        Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
        var message = record.Exception.Message;
        Assert.Contains("scriptblock", message);
        Assert.Contains("hashtable", message);
        Assert.DoesNotContain("levels", message);
        Assert.DoesNotContain(Lab.Journal.For("elastic"), e => e.Path != "/");
    }

    // ---- IRIS ----

    [Fact]
    public void A_case_that_does_not_exist_is_not_found_naming_its_id()
    {
        Fresh(Lab);
        foreach (var command in new[] { "Get-IrisCase -Id 999", "Add-IrisCaseNote -CaseId 999 -Title 'Triage' -Content 'x'" })
        {
            var record = Failure(Connect + command);
            Assert.Equal("IrisNotFound", Id(record));
            Assert.Equal(ErrorCategory.ObjectNotFound, record.CategoryInfo.Category);
            Assert.Contains("case 999", record.Exception.Message);
            Assert.DoesNotContain("lacks the permission", record.Exception.Message + record.ErrorDetails?.RecommendedAction);
        }
    }

    [Fact]
    public void The_unknown_customer_message_is_sentences()
    {
        Fresh(Lab);
        var record = Failure(Connect + "New-IrisCase -Name 'Some case' -Description 'Some text' -SocId S -Customer 'Initech'");
        Assert.StartsWith("IrisUnknownCustomer", record.FullyQualifiedErrorId);
        Assert.Matches(@"Valid names: ('[^']+', )*'ACME'(, '[^']+')*\. IRIS shows", record.Exception.Message);
    }

    // ---- how an error is shown ----

    [Fact]
    public void The_recommendation_line_is_not_a_repeat_of_the_message()
    {
        var result = Run("$ErrorView = 'ConciseView'\ntry { Connect-Elastic -Uri $esUri -Credential $bad } catch { $_ | Out-String }",
            new() { ["bad"] = new PSCredential("elastic", LabFixture.Secure("not-the-password")) });
        var shown = Assert.Single(result.Output).ToString();
        const string advice = "Check the -Credential, -ApiKey or -BearerToken given to Connect-Elastic";
        Assert.Contains("Recommendation", shown);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(shown, System.Text.RegularExpressions.Regex.Escape(advice)));
    }
}
