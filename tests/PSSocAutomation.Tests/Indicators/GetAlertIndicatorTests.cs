using System.Management.Automation;
using Xunit;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Indicators;

/// <summary>Get-AlertIndicator in the engine, on alerts that came from the Lab's Elasticsearch and IRIS, on objects and on text.</summary>
public sealed class GetAlertIndicatorTests : IClassFixture<LabFixture>
{
    private const string ConnectElastic = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryDelaySec 2 | Out-Null\n";
    private readonly LabFixture _fixture;

    public GetAlertIndicatorTests(LabFixture fixture) => _fixture = fixture;

    private LabServer Lab => _fixture.Lab;

    private ScriptResult Run(string script, Dictionary<string, object?>? variables = null)
    {
        var result = _fixture.Session.Run(script, variables ?? _fixture.ElasticVariables());
        Assert.Null(result.Terminating);
        return result;
    }

    private static List<(string Type, string Value, string? Field, string? AlertId)> Rows(ScriptResult result) =>
        result.OutputOf(Types.AlertIndicator).Select(i => ((string)i.Type, (string)i.Value, (string?)i.Field, (string?)i.AlertId)).ToList();

    [Fact]
    public void An_elastic_alert_gives_its_ecs_fields_and_the_indicators_in_its_message()
    {
        var index = "ind-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.Index(index, "doc-1", """
            {"@timestamp":"2026-12-03T10:00:00Z","alert_id":"A-7","message":"Beacon from WS-0142 to hxxps://evil-cdn[.]example/gate.php, dropped 44d88612fea8a8f36de82e1278abb02f",
             "source":{"ip":"10.1.2.3"},"destination":{"ip":"203.0.113.7"},"host":{"name":"WS-0142"},"user":{"name":"jdoe","email":"jdoe@corp.example"},
             "file":{"hash":{"sha256":"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"}},
             "related":{"hash":["44d88612fea8a8f36de82e1278abb02f"],"ip":["203.0.113.7","198.51.100.9"]}}
            """);
        var result = Run(ConnectElastic + $"Get-ElasticAlert -Index {index} -IdField alert_id | Get-AlertIndicator");
        Assert.Empty(result.Errors);
        var rows = Rows(result);
        Assert.Contains(("ip", "203.0.113.7", "destination.ip", "A-7"), rows);
        Assert.Contains(("ip", "198.51.100.9", "related.ip", "A-7"), rows);
        Assert.Contains(("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "file.hash.sha256", "A-7"), rows);
        Assert.Contains(("md5", "44d88612fea8a8f36de82e1278abb02f", "related.hash", "A-7"), rows);
        Assert.Contains(("host", "WS-0142", "host.name", "A-7"), rows);
        Assert.Contains(("user", "jdoe", "user.name", "A-7"), rows);
        Assert.Contains(("email", "jdoe@corp.example", "user.email", "A-7"), rows);
        Assert.Contains(("url", "https://evil-cdn.example/gate.php", "message", "A-7"), rows);
        Assert.Contains(("domain", "evil-cdn.example", "message", "A-7"), rows);
        // Private by default not; each value once.
        Assert.DoesNotContain(rows, r => r.Value == "10.1.2.3");
        Assert.Equal(rows.Count, rows.Select(r => r.Type + r.Value).Distinct().Count());
        Assert.All(result.OutputOf(Types.AlertIndicator), i => Assert.Equal("Elasticsearch", (string)i.AlertSource));

        var withPrivate = Rows(Run(ConnectElastic + $"Get-ElasticAlert -Index {index} -IdField alert_id | Get-AlertIndicator -IncludePrivate -Type ip"));
        Assert.Contains(("ip", "10.1.2.3", "source.ip", "A-7"), withPrivate);
        Assert.All(withPrivate, r => Assert.Equal("ip", r.Type));

        var fieldsOnly = Rows(Run(ConnectElastic + $"Get-ElasticAlert -Index {index} -IdField alert_id | Get-AlertIndicator -FieldsOnly"));
        Assert.DoesNotContain(fieldsOnly, r => r.Field == "message");
    }

    [Fact]
    public void A_kibana_alert_document_with_flat_dotted_keys_is_read_too()
    {
        var result = Run("""
            @{ 'kibana.alert.uuid' = 'k-1'; Id = 'k-1'; 'kibana.alert.reason' = 'process event with process evil.exe, by root on srv-db-02 created high alert Malware.'
               'process.hash.sha1' = '3395856ce81f2b7382dee72602f798b642f14140'; 'source.ip' = '192.0.2.44' } | Get-AlertIndicator
            """);
        var rows = Rows(result);
        Assert.Contains(("sha1", "3395856ce81f2b7382dee72602f798b642f14140", "process.hash.sha1", "k-1"), rows);
        Assert.Contains(("ip", "192.0.2.44", "source.ip", "k-1"), rows);
        Assert.DoesNotContain(rows, r => r.Value == "evil.exe");
    }

    [Fact]
    public void An_iris_alert_is_read_from_its_own_fields()
    {
        var acme = Fresh(Lab);
        Lab.Iris.AddAlert("Phishing from attacker[@]phish[.]example", customerId: acme, sourceRef: "ph-1", description: "Link: hxxp://login-micros0ft[.]example/reset");
        var variables = Variables(Lab);
        var result = Run(Connect + "Get-IrisAlert -SourceReference ph-1 | Get-AlertIndicator", variables);
        Assert.Empty(result.Errors);
        var rows = Rows(result);
        Assert.Contains(rows, r => r.Type == "email" && r.Value == "attacker@phish.example");
        Assert.Contains(rows, r => r.Type == "url" && r.Value == "http://login-micros0ft.example/reset");
    }

    [Fact]
    public void Text_is_read_as_text_and_bad_input_is_refused_clearly()
    {
        var rows = Rows(Run("'C2 203[.]0[.]113[.]7 and version 1.2.3.4', $null, '' | Get-AlertIndicator"));
        Assert.Equal(new[] { ("ip", "203.0.113.7", (string?)null, (string?)null) }, rows);

        var bad = Run("try { 'x' | Get-AlertIndicator -Type ipaddress } catch { $_ }");
        var error = Assert.Single(bad.OutputOf<ErrorRecord>());
        Assert.StartsWith("ParameterArgumentValidationError", error.FullyQualifiedErrorId);
        Assert.Contains("ip,cidr,domain", error.Exception.Message);
    }
}
