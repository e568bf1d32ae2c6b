using System.Management.Automation;
using System.Text;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Core;

/// <summary>
/// An upstream that echoes the request's credentials in its error (a WAF page, a logging proxy, a vendor quoting the
/// header it refused; issue 7, item 10): no property of the exception, its inner exceptions or the ErrorRecord, and no
/// stream, holds the password, the key, or their encoded forms, however long the body and wherever it is cut.
/// </summary>
public sealed class ErrorRedactionTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public ErrorRedactionTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private LabServer Lab => _fixture.Lab;

    private string Basic => Convert.ToBase64String(Encoding.UTF8.GetBytes(Lab.Credentials.ElasticUser + ":" + Lab.Credentials.ElasticPassword));

    /// <summary>Every form of the Lab's Elastic credentials, with the first 8 characters of each (what a cut through one would leave).</summary>
    private IEnumerable<string> ElasticSecrets()
    {
        var whole = new[] { Lab.Credentials.ElasticPassword, Basic, Lab.Credentials.ElasticApiKey, Lab.Credentials.ElasticApiKeyEncoded };
        // The key decoded starts with its id, which is not secret (Connect-Elastic names it), so only the whole of it counts.
        return whole.Concat(whole.Select(s => s[..8])).Append(Lab.Credentials.ElasticApiKeyId + ":" + Lab.Credentials.ElasticApiKey);
    }

    private IEnumerable<string> IrisSecrets()
    {
        var key = Lab.Iris.AdministratorApiKey;
        return new[] { key, key[..8], Convert.ToBase64String(Encoding.UTF8.GetBytes(key)) };
    }

    private ErrorRecord Fails(string script, IEnumerable<string> secrets)
    {
        var variables = _fixture.ElasticVariables();
        foreach (var (k, v) in Variables(Lab)) variables[k] = v;
        var result = _fixture.Session.Run("$DebugPreference = 'Continue'; $VerbosePreference = 'Continue'\n" + script, variables);
        var record = Assert.Single(result.Errors);
        var list = secrets.ToList();
        SecretScan.AssertNoSecret(record, "ErrorRecord", list);
        foreach (var text in result.AllText())
            foreach (var secret in list)
                Assert.DoesNotContain(secret, text);
        return record;
    }

    private const string ElasticBasic = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryCount 0 | Out-Null\n";
    private const string ElasticApiKey = "Connect-Elastic -Uri $esUri -ApiKey $esApiKey -MaximumRetryCount 0 | Out-Null\n";
    private const string Search = "Invoke-ElasticSearch -Index alerts -Body @{ size = 1 }";

    [Fact]
    public void A_waf_page_echoing_the_authorization_header_in_its_title_and_body_shows_neither()
    {
        Lab.Faults.Add(new FaultRule
        {
            Service = "elastic", PathContains = "_search", Kind = FaultKind.Html, Status = 403,
            Body = $"<html><head><title>Request blocked: credentials {Basic} ({Lab.Credentials.ElasticPassword})</title></head>" +
                   $"<body><h1>Blocked</h1><pre>Authorization: Basic {Basic}\npassword={Lab.Credentials.ElasticPassword}</pre></body></html>",
        });
        var record = Fails(ElasticBasic + Search, ElasticSecrets());
        Assert.StartsWith("ElasticHtmlPage", record.FullyQualifiedErrorId);
        Assert.Contains("Request blocked: credentials ***", record.Exception.Message);
    }

    [Fact]
    public void An_elasticsearch_error_echoing_the_api_key_in_its_type_and_reason_shows_neither()
    {
        Lab.Faults.Add(new FaultRule
        {
            Service = "elastic", PathContains = "_search", Status = 400,
            Body = $$"""{"error":{"root_cause":[],"type":"bad_key_{{Lab.Credentials.ElasticApiKeyEncoded}}","reason":"key {{Lab.Credentials.ElasticApiKeyId}}:{{Lab.Credentials.ElasticApiKey}} (header ApiKey {{Lab.Credentials.ElasticApiKeyEncoded}}) refused"},"status":400}""",
        });
        var record = Fails(ElasticApiKey + Search, ElasticSecrets());
        Assert.StartsWith("ElasticInvalidRequest", record.FullyQualifiedErrorId);
        Assert.Contains("bad_key_***", record.Exception.Message);
    }

    [Fact]
    public void An_iris_error_echoing_the_key_in_its_message_and_data_shows_neither()
    {
        Fresh(Lab);
        var key = Lab.Iris.AdministratorApiKey;
        Lab.Faults.Add(new FaultRule
        {
            Service = "iris", PathContains = "/manage/customers/list", Status = 400,
            Body = $$$"""{"status":"error","message":"Token {{{key}}} refused","data":{"Authorization":["Bearer {{{key}}} is not a valid token"]}}""",
        });
        var record = Fails(Connect + "Get-IrisCustomer", IrisSecrets());
        Assert.StartsWith("IrisInvalidRequest", record.FullyQualifiedErrorId);
        Assert.Contains("Token *** refused", record.Exception.Message);
    }

    /// <summary>The credential sits across the point where a long message or body is cut.</summary>
    [Theory]
    [InlineData(1990)] // across the 2,000-character cut of a quoted body
    [InlineData(1975)]
    public void A_long_text_body_cut_through_the_credential_shows_no_part_of_it(int at)
    {
        var body = new string('x', at) + Basic + " " + Lab.Credentials.ElasticPassword + new string('y', 3000);
        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_search", Status = 502, Body = body });
        var record = Fails(ElasticBasic + Search, ElasticSecrets());
        Assert.StartsWith("ElasticStatus", record.FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData(995)]  // across IRIS's 1,000-character cut of its message
    [InlineData(1990)] // across the body's 2,000-character cut
    public void A_long_iris_message_cut_through_the_key_shows_no_part_of_it(int at)
    {
        Fresh(Lab);
        var key = Lab.Iris.AdministratorApiKey;
        Lab.Faults.Add(new FaultRule
        {
            Service = "iris", PathContains = "/manage/customers/list", Status = 400,
            Body = $$"""{"status":"error","message":"{{new string('m', at - 33)}}{{key}}{{new string('n', 2000)}}","data":[]}""",
        });
        var record = Fails(Connect + "Get-IrisCustomer", IrisSecrets());
        Assert.StartsWith("IrisInvalidRequest", record.FullyQualifiedErrorId);
    }
}
