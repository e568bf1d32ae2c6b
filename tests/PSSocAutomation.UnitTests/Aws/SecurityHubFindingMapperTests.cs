using System.Text.Json;
using System.Text.Json.Nodes;
using PSSocAutomation.Aws.SecurityHub;
using PSSocAutomation.Core;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.UnitTests.Aws;

/// <summary>The real ASFF findings of ../shared/fixtures/aws mapped onto the one alert shape.</summary>
public sealed class SecurityHubFindingMapperTests
{
    private static string Fixture(string path) => File.ReadAllText(Path.Combine(RepositoryPaths.SharedFixtures!, "aws", path));

    [SharedFixtureFact]
    public void A_GuardDuty_finding_becomes_an_alert_with_its_instance_indicators_and_the_finding_intact()
    {
        using var doc = JsonDocument.Parse(Fixture("securityhub/get-findings-response.guardduty.json"));
        var finding = doc.RootElement.GetProperty("Findings")[0];

        var alert = SecurityHubFindingMapper.Map(finding);

        Assert.Equal("SecurityHub", alert.Source);
        Assert.Equal("arn:aws:guardduty:us-east-1:193043430472:detector/d4b040365221be2b54a6264dc9a4bc64/finding/46ba0ac2845071e23ccdeb2ae03bfdea", alert.Id);
        Assert.StartsWith("199.241.229.197 is performing SSH brute force", alert.Title);
        // Label MEDIUM, on Security Hub's scale; GuardDuty's own Product value (2) would say Low.
        Assert.Equal(AlertSeverity.Medium, alert.Severity);
        Assert.Equal("MEDIUM", alert.SourceSeverity);
        Assert.Equal("NEW", alert.Status);
        Assert.Equal("i-0c10c2c7863d1a356", alert.Host);
        Assert.Equal("UnauthorizedAccess:EC2-SSHBruteForce", alert.Rule);
        Assert.Equal(DateTimeOffset.Parse("2020-08-22T09:15:57Z"), alert.Time);
        var resource = Assert.Single(alert.Resources);
        Assert.Equal(("AwsEc2Instance", "arn:aws:ec2:us-east-1:193043430472:instance/i-0c10c2c7863d1a356"), (resource.Type, resource.Id));
        var ips = alert.Indicators.Where(i => i.Type == "ip").Select(i => i.Value).ToList();
        Assert.Contains("199.241.229.197", ips);
        Assert.Contains("172.31.43.6", ips);
        Assert.Contains("18.234.130.16", ips);
        Assert.Equal(ips.Count, ips.Distinct().Count());
        var fields = Assert.IsType<SecurityHubFindingFields>(alert.SourceFields);
        Assert.Equal("arn:aws:securityhub:us-east-1::product/aws/guardduty", fields.ProductArn);
        Assert.Equal("GuardDuty", fields.ProductName);
        Assert.Equal("193043430472", fields.AwsAccountId);
        Assert.Equal("us-east-1", fields.Region);
        Assert.Equal("ACTIVE", fields.RecordState);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(finding.GetRawText()), JsonNode.Parse(alert.OriginalJson())));
    }

    [SharedFixtureFact]
    public void A_control_finding_is_named_by_its_generator_and_keeps_its_informational_label()
    {
        using var doc = JsonDocument.Parse(Fixture("eventbridge/securityhub-findings-imported.afsbp-ec2.7.json"));
        var finding = doc.RootElement.GetProperty("detail").GetProperty("findings")[0];

        var alert = SecurityHubFindingMapper.Map(finding);

        Assert.Equal(AlertSeverity.Informational, alert.Severity);
        Assert.Equal(finding.GetProperty("GeneratorId").GetString(), alert.Rule);
        Assert.Equal("AwsAccount", Assert.Single(alert.Resources).Type);
        Assert.Null(alert.Host);
        Assert.Equal("Security Hub", ((SecurityHubFindingFields)alert.SourceFields!).ProductName);
    }

    [Fact]
    public void An_access_key_finding_names_its_principal_and_a_normalized_score_stands_in_for_a_missing_label()
    {
        var finding = JsonDocument.Parse("""
            {"Id":"f-1","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/guardduty","Title":"Key used from Tor",
             "Severity":{"Normalized":75},"Types":["TTPs/Command and Control/UnauthorizedAccess:IAMUser-TorIPCaller"],
             "Network":{"SourceIpV4":"198.51.100.7"},
             "Resources":[{"Type":"AwsIamAccessKey","Id":"AWS::IAM::AccessKey:ASIAEXAMPLE","Details":{"AwsIamAccessKey":{"PrincipalName":"ci-deployer","PrincipalType":"AssumedRole"}}}]}
            """).RootElement;

        var alert = SecurityHubFindingMapper.Map(finding);

        Assert.Equal(AlertSeverity.High, alert.Severity);
        Assert.Equal("ci-deployer", alert.User);
        Assert.Equal("eu-west-1", ((SecurityHubFindingFields)alert.SourceFields!).Region);
        Assert.Contains(alert.Indicators, i => i.Type == "ip" && i.Value == "198.51.100.7");
        Assert.DoesNotContain(alert.Indicators, i => i.Type == "user");
    }

    [Theory]
    [InlineData("""{"ProductArn":"x"}""", "no Id")]
    [InlineData("""{"Id":"x"}""", "no ProductArn")]
    [InlineData("""[1]""", "JSON object")]
    public void Something_that_is_not_a_finding_is_refused_saying_what_it_lacks(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => SecurityHubFindingMapper.Map(JsonDocument.Parse(json).RootElement));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Filters_made_from_parameters_give_way_to_the_callers_own_and_Security_Hubs_limits_are_checked_first()
    {
        var filters = new SecurityHubFilters()
            .Strings("WorkflowStatus", new[] { "NEW" })
            .Strings("SeverityLabel", new[] { "HIGH", "CRITICAL" })
            .Overlay(JsonNode.Parse("""{"WorkflowStatus":[{"Value":"NOTIFIED","Comparison":"EQUALS"}],"ProductName":{"Value":"GuardDuty","Comparison":"EQUALS"}}""")!.AsObject())
            .Build();

        Assert.Equal("NOTIFIED", filters["WorkflowStatus"]![0]!["Value"]!.GetValue<string>());
        Assert.Equal(2, filters["SeverityLabel"]!.AsArray().Count);
        Assert.Equal("GuardDuty", filters["ProductName"]![0]!["Value"]!.GetValue<string>());

        var tooMany = new SecurityHubFilters();
        for (var i = 0; i < 11; i++) tooMany.Strings("Field" + i, new[] { "x" });
        Assert.Contains("at most 10 fields", Assert.Throws<ArgumentException>(() => tooMany.Build()).Message);
        var tooManyValues = new SecurityHubFilters().Strings("Id", Enumerable.Range(0, 21).Select(i => "id" + i));
        Assert.Contains("at most 20 values", Assert.Throws<ArgumentException>(() => tooManyValues.Build()).Message);
        var badComparison = new SecurityHubFilters().Strings("Title", new[] { "x" }, "LIKE");
        Assert.Contains("'LIKE' is not a Security Hub string comparison", Assert.Throws<ArgumentException>(() => badComparison.Build()).Message);
    }

    [Fact]
    public void An_update_is_checked_before_it_is_sent()
    {
        Assert.Contains("Nothing to change", Assert.Throws<ArgumentException>(() => new SecurityHubFindingUpdate().Validate()).Message);
        Assert.Contains("512", Assert.Throws<ArgumentException>(() => new SecurityHubFindingUpdate { NoteText = new string('x', 513) }.Validate()).Message);
        Assert.Contains("'DONE' is not a Security Hub workflow status", Assert.Throws<ArgumentException>(() => new SecurityHubFindingUpdate { WorkflowStatus = "DONE" }.Validate()).Message);
        new SecurityHubFindingUpdate { WorkflowStatus = "NOTIFIED", NoteText = "case 7" }.Validate();
    }
}
