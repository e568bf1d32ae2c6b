using System.Collections;
using System.Management.Automation;
using System.Text;
using PSSocAutomation.Core;
using PSSocAutomation.Elastic;

namespace PSSocAutomation.Tests.Core;

/// <summary>One reading of whatever a sink is piped: a normalized alert, an object, a hashtable, a string.</summary>
public sealed class AlertInputTests
{
    private static PSObject Custom(params (string Name, object? Value)[] properties)
    {
        var pso = new PSObject();
        foreach (var (name, value) in properties) pso.Properties.Add(new PSNoteProperty(name, value));
        return pso;
    }

    [Fact]
    public void A_normalized_alert_gives_its_own_properties_and_its_source_fields()
    {
        var alert = new SocAlert("Elasticsearch", "a-1", Encoding.UTF8.GetBytes("""{"message":"Brute force"}"""))
        {
            Title = "Brute force",
            Severity = AlertSeverity.High,
            Host = "web-01",
            SourceFields = new ElasticAlertFields("alerts", "a-1"),
        };
        alert.Indicators.Add(new AlertIndicator("203.0.113.7", "ip", "source.ip"));
        var input = AlertInput.Of(PSObject.AsPSObject(alert));
        Assert.Same(alert, input.Alert);
        Assert.Equal(("a-1", "Brute force", "Elasticsearch", "web-01"), (input.Id, input.Title, input.Source, input.HostName));
        Assert.Equal(AlertSeverity.High, input.Severity);
        Assert.Equal("203.0.113.7", Assert.Single(input.Indicators).Value);
        Assert.Equal("Brute force", input.OriginalJson()!["message"]!.GetValue<string>());
        var fields = input.KeyFields().Where(f => f.Value != null).Select(f => f.Key).ToList();
        Assert.Contains("Index", fields);
        Assert.DoesNotContain("DocumentId", fields); // the same as the alert id: shown once
    }

    [Fact]
    public void An_object_is_read_by_the_names_alert_sources_use()
    {
        var input = AlertInput.Of(Custom(("alert_id", "7"), ("message", "CPU usage exceeded 90%"), ("timestamp", "2024-09-20T12:15:00"), ("severity", "medium"),
            ("Indicators", new object[] { "198.51.100.9", Custom(("ioc_value", "evil.example"), ("ioc_type", "domain"), ("Tags", "c2,dns")) }),
            ("Resources", new object[] { "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc", Custom(("InstanceId", "i-0def"), ("Type", "AwsEc2Instance")) }),
            ("Tags", "prod, edr")));
        Assert.Equal("7", input.Id);
        Assert.Equal("CPU usage exceeded 90%", input.Title);
        Assert.Equal("CPU usage exceeded 90%", input.Description);
        Assert.Equal(new DateTimeOffset(2024, 9, 20, 12, 15, 0, TimeSpan.Zero), input.Time);
        Assert.Equal("medium", input.Severity);
        Assert.Equal(new[] { "198.51.100.9", "domain:evil.example" }, input.Indicators.Select(i => i.ToString()));
        Assert.Equal(new[] { "c2", "dns" }, input.Indicators[1].Tags);
        Assert.Equal(new[] { "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc", "AwsEc2Instance:i-0def" }, input.Resources.Select(r => r.ToString()));
        Assert.Equal(new[] { "prod", "edr" }, input.Tags);
        Assert.Contains(input.KeyFields(), f => f.Key == "alert_id" && f.Value == "7");
    }

    [Fact]
    public void A_hashtable_which_PowerShell_never_binds_by_name_is_read_the_same_way()
    {
        var input = AlertInput.Of(new Hashtable { ["Id"] = "h-1", ["Title"] = "Phishing", ["Host"] = new Hashtable { ["Name"] = "ws-9", ["Ip"] = "10.0.0.9" }, ["@timestamp"] = "2024-09-20T12:00:00Z" });
        Assert.Equal(("h-1", "Phishing", "ws-9"), (input.Id, input.Title, input.HostName));
        Assert.NotNull(input.Time);
        Assert.Equal("Phishing", input.OriginalJson()!["Title"]!.GetValue<string>());
    }

    [Fact]
    public void A_string_is_the_title_and_nothing_else()
    {
        var input = AlertInput.Of("Suspicious login on web-01");
        Assert.Equal("Suspicious login on web-01", input.Title);
        Assert.Null(input.Id);
        Assert.Empty(input.Indicators);
        Assert.Empty(input.KeyFields());
    }

    [Fact]
    public void Text_that_is_no_time_is_the_users_mistake_but_only_when_the_time_is_read()
    {
        var input = AlertInput.Of(Custom(("Title", "x"), ("Time", "yesterday-ish")));
        Assert.Equal("x", input.Title);
        Assert.Throws<ArgumentException>(() => input.Time);
    }
}
