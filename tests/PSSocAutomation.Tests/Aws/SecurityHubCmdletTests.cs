using System.Text.Json;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Aws;

/// <summary>
/// Connect-Aws, Get-SecurityHubFinding and Update-SecurityHubFinding in a real engine against the Lab's AWS endpoint
/// over real sockets: every request SigV4-signed and checked by the Lab's own verifier, findings streamed through short
/// pages, the 3-a-second quota kept, a throttle retried, one result per finding on update, -WhatIf writing nothing,
/// and no key, token or signature in any stream.
/// </summary>
public sealed class SecurityHubCmdletTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public SecurityHubCmdletTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        Lab.Aws.Reset();
        Lab.Faults.Clear();
        Lab.Journal.Clear();
    }

    private LabServer Lab => _fixture.Lab;

    /// <summary>The Lab's long-term key pair (or its temporary session) as the hashtable -Credential takes.</summary>
    private Dictionary<string, object?> Variables(bool session = false, string? secret = null)
    {
        var c = Lab.Credentials;
        var credential = new System.Collections.Hashtable
        {
            ["AccessKeyId"] = session ? c.AwsSessionAccessKeyId : c.AwsAccessKeyId,
            ["SecretAccessKey"] = secret ?? (session ? c.AwsSessionSecretAccessKey : c.AwsSecretAccessKey),
        };
        if (session) credential["SessionToken"] = c.AwsSessionToken;
        return new() { ["awsCredential"] = credential, ["awsUri"] = Lab.AwsUri.ToString() };
    }

    private const string Connect = "Connect-Aws -Region us-east-1 -Credential $awsCredential -EndpointUrl $awsUri | Out-Null\n";

    private ScriptResult Run(string script, bool session = false) => _fixture.Session.Run(Connect + script, Variables(session));

    private IEnumerable<string> Secrets()
    {
        var c = Lab.Credentials;
        return [c.AwsSecretAccessKey, c.AwsSessionSecretAccessKey, c.AwsSessionToken];
    }

    private void AssertNoSecret(ScriptResult result)
    {
        var text = string.Join("\n", result.AllText());
        foreach (var secret in Secrets()) Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotMatch("Signature=[0-9a-f]{64}", text);
    }

    private List<JournalEntry> Calls(string pathPart) =>
        Lab.Journal.For("aws").Where(e => e.Path.Contains(pathPart, StringComparison.Ordinal)).ToList();

    [Fact]
    public void Connect_Aws_shows_who_the_keys_are_and_the_lab_saw_a_signed_GetCallerIdentity()
    {
        var result = _fixture.Session.Run(
            "$c = Connect-Aws -Region us-east-1 -Credential $awsCredential -EndpointUrl $awsUri; '{0}|{1}|{2}' -f $c.Account, $c.Arn, $c.Region",
            Variables(session: true));

        AssertClean(result);
        var line = Assert.Single(result.OutputOf<string>()).Split('|');
        Assert.Equal(new[] { Lab.Credentials.AwsAccountId, Lab.Credentials.AwsAssumedRoleArn, "us-east-1" }, line);
        var call = Assert.Single(Lab.Journal.For("aws"));
        Assert.Equal(200, call.Status);
        Assert.Contains("Action=GetCallerIdentity", call.Body, StringComparison.Ordinal);
        Assert.Equal(Lab.Credentials.AwsSessionAccessKeyId, call.Principal);
        Assert.True(call.Headers.ContainsKey("X-Amz-Security-Token") || call.Headers.ContainsKey("x-amz-security-token"));
        AssertNoSecret(result);
    }

    [Fact]
    public void A_wrong_secret_key_stops_Connect_Aws_with_a_message_that_names_AWS_and_says_what_to_do()
    {
        var result = _fixture.Session.Run(Connect + "'not reached'", Variables(secret: "wrong" + Lab.Credentials.AwsSecretAccessKey[5..]));

        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.StartsWith("Aws", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(System.Management.Automation.ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("SignatureDoesNotMatch", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(403, Assert.Single(Lab.Journal.For("aws")).Status);
        AssertNoSecret(result);
    }

    [Fact]
    public void Every_finding_comes_out_once_through_short_and_empty_pages_within_the_quota()
    {
        var ids = Lab.Aws.SecurityHub.GenerateGuardDutyFindings(230, account: Lab.Credentials.AwsAccountId);
        Lab.Aws.SecurityHub.ShortPageEvery = 2;
        Lab.Aws.SecurityHub.EmptyPageEvery = 3;

        var result = Run("Get-SecurityHubFinding -WorkflowStatus Any -RecordState Any -PageSize 50 | ForEach-Object { '{0}|{1}|{2}|{3}|{4}' -f $_.Id, $_.Source, $_.Host, $_.Original.ProductArn, $_.Resources[0].Type }");

        AssertClean(result);
        var lines = result.OutputOf<string>().Select(l => l.Split('|')).ToList();
        Assert.Equal(ids.OrderBy(i => i, StringComparer.Ordinal), lines.Select(l => l[0]).OrderBy(i => i, StringComparer.Ordinal));
        Assert.All(lines, l => Assert.Equal("SecurityHub", l[1]));
        Assert.All(lines.Where(l => l[4] == "AwsEc2Instance"), l => Assert.StartsWith("i-", l[2], StringComparison.Ordinal));
        Assert.Contains(lines, l => l[4] == "AwsEc2Instance");
        Assert.All(lines, l => Assert.Contains(":product/aws/guardduty", l[3], StringComparison.Ordinal));
        var pages = Calls("/findings").Where(e => e.Method == "POST").ToList();
        Assert.True(pages.Count > 230 / 50, $"short pages should need more than {230 / 50} requests, saw {pages.Count}");
        Assert.All(pages, p => Assert.Equal(200, p.Status));
        Assert.Equal(0, Lab.Aws.SecurityHub.ThrottledRequests);
        // The quota: after the burst, no one-second window holds more than the 3 a second (plus the bucket's burst).
        var times = pages.Select(p => p.Time).ToList();
        for (var i = 0; i + 9 < times.Count; i++)
            Assert.True(times[i + 9] - times[i] >= TimeSpan.FromSeconds(1), "ten GetFindings inside a second exceed the 3/s quota");
    }

    [Fact]
    public void Filters_as_parameters_reach_the_service_as_AwsSecurityFindingFilters()
    {
        Lab.Aws.SecurityHub.GenerateGuardDutyFindings(40, account: Lab.Credentials.AwsAccountId);

        var result = Run("Get-SecurityHubFinding -Severity HIGH,CRITICAL -ProductName GuardDuty -WorkflowStatus NEW,NOTIFIED,RESOLVED -Since '2000-01-01T00:00:00Z' | ForEach-Object { [string]$_.Original.Severity.Label }");

        AssertClean(result);
        var labels = result.OutputOf<string>().ToList();
        Assert.True(labels.Count > 0, "nothing came out for " + Calls("/findings").FirstOrDefault()?.Body + " of " + string.Join(",", Lab.Aws.SecurityHub.Findings.Select(f => f["Severity"]!["Label"] + "/" + f["UpdatedAt"])));
        Assert.All(labels, l => Assert.Contains(l, new[] { "HIGH", "CRITICAL" }));
        var expected = Lab.Aws.SecurityHub.Findings.Count(f =>
            f["Severity"]!["Label"]!.GetValue<string>() is "HIGH" or "CRITICAL" && f["Workflow"]!["Status"]!.GetValue<string>() is "NEW" or "NOTIFIED" or "RESOLVED"
            && f["RecordState"]!.GetValue<string>() == "ACTIVE");
        Assert.Equal(expected, labels.Count);

        using var body = JsonDocument.Parse(Calls("/findings").First(e => e.Method == "POST").Body);
        var filters = body.RootElement.GetProperty("Filters");
        Assert.Equal(new[] { "HIGH", "CRITICAL" }, filters.GetProperty("SeverityLabel").EnumerateArray().Select(v => v.GetProperty("Value").GetString()));
        Assert.Equal(new[] { "NEW", "NOTIFIED", "RESOLVED" }, filters.GetProperty("WorkflowStatus").EnumerateArray().Select(v => v.GetProperty("Value").GetString()));
        Assert.Equal("ACTIVE", filters.GetProperty("RecordState")[0].GetProperty("Value").GetString());
        Assert.Equal("GuardDuty", filters.GetProperty("ProductName")[0].GetProperty("Value").GetString());
        Assert.Equal("2000-01-01T00:00:00.000Z", filters.GetProperty("UpdatedAt")[0].GetProperty("Start").GetString());
    }

    [Fact]
    public void A_throttled_page_is_retried_and_nothing_is_lost()
    {
        var ids = Lab.Aws.SecurityHub.GenerateGuardDutyFindings(30, account: Lab.Credentials.AwsAccountId);
        Lab.Faults.Add(new FaultRule { Service = "aws", PathContains = "/findings", Status = 429, After = 1, Times = 1 });

        var result = Run("Get-SecurityHubFinding -WorkflowStatus Any -RecordState Any -PageSize 10 | ForEach-Object Id");

        AssertClean(result);
        Assert.Equal(ids.OrderBy(i => i, StringComparer.Ordinal), result.OutputOf<string>().OrderBy(i => i, StringComparer.Ordinal));
        Assert.Contains(Calls("/findings"), e => e.Status == 429);
    }

    [Fact]
    public void A_dead_service_stops_the_stream_with_a_terminating_error_after_what_was_read()
    {
        Lab.Aws.SecurityHub.GenerateGuardDutyFindings(30, account: Lab.Credentials.AwsAccountId);
        Lab.Faults.Add(new FaultRule { Service = "aws", PathContains = "/findings", Status = 500, After = 1, Times = 50 });

        var result = _fixture.Session.Run(
            Connect.Replace("| Out-Null", "-MaximumRetryDelaySec 1 | Out-Null", StringComparison.Ordinal)
            + "$n = 0; try { Get-SecurityHubFinding -PageSize 10 | ForEach-Object { $n++ } } finally { \"read $n\" }", Variables());

        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.StartsWith("AwsSecurityHub", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("read 10", result.OutputOf<string>());
        AssertNoSecret(result);
    }

    [Theory]
    [InlineData("Get-SecurityHubFinding -Since 'last tuesday'", "AwsInvalidSince")]
    [InlineData("Get-SecurityHubFinding -Filter @{ SeverityLabel = @(@{ Value = 'HIGH'; Comparison = 'SAME' }) }", "AwsInvalidFilter")]
    [InlineData("Get-SecurityHubFinding -Filter @{ SeverityLabel = 'HIGH' }", "AwsInvalidFilter")]
    [InlineData("Update-SecurityHubFinding -Id abc -ProductArn 'arn:aws:securityhub:us-east-1::product/aws/guardduty'", "AwsSecurityHubInvalidUpdate")]
    public void Bad_input_is_refused_before_any_call_with_a_stable_ErrorId(string script, string errorId)
    {
        var result = Run(script);

        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.StartsWith(errorId, error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.DoesNotContain(Lab.Journal.For("aws"), e => e.Path.Contains("findings", StringComparison.Ordinal));
    }

    [Fact]
    public void A_filter_field_Security_Hub_does_not_know_is_refused_by_the_service_and_the_message_names_it()
    {
        var result = Run("Get-SecurityHubFinding -Filter @{ NoSuchField = @(@{ Value = 'x'; Comparison = 'EQUALS' }) }");

        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.StartsWith("AwsSecurityHubInvalidRequest", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("NoSuchField", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(400, Assert.Single(Calls("/findings")).Status);
    }

    [Fact]
    public void Update_sets_workflow_and_note_and_reports_each_finding_that_was_not_updated()
    {
        var ids = Lab.Aws.SecurityHub.GenerateGuardDutyFindings(5, account: Lab.Credentials.AwsAccountId);
        var stubborn = ids[2];
        Lab.Aws.SecurityHub.FailUpdates(stubborn, "InternalFailure", times: 10);

        var result = Run("Get-SecurityHubFinding -WorkflowStatus Any -RecordState Any | Update-SecurityHubFinding -WorkflowStatus NOTIFIED -Note 'Isolated by the SOC' -NoteUpdatedBy soc-bot -Confirm:$false | ForEach-Object { '{0}|{1}' -f $_.Id, $_.Outcome }");

        var lines = result.OutputOf<string>().Select(l => l.Split('|')).ToDictionary(l => l[0], l => l[1]);
        Assert.Equal(5, lines.Count);
        Assert.Equal("Failed", lines[stubborn]);
        Assert.All(ids.Where(i => i != stubborn), i => Assert.Equal("Updated", lines[i]));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("AwsSecurityHubFindingNotUpdated", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains(stubborn, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("InternalFailure", error.ToString(), StringComparison.Ordinal);
        foreach (var id in ids.Where(i => i != stubborn))
        {
            var finding = Lab.Aws.SecurityHub.Finding(id)!;
            Assert.Equal("NOTIFIED", finding["Workflow"]!["Status"]!.GetValue<string>());
            Assert.Equal("Isolated by the SOC", finding["Note"]!["Text"]!.GetValue<string>());
            Assert.Equal("soc-bot", finding["Note"]!["UpdatedBy"]!.GetValue<string>());
        }
        Assert.NotEqual("Isolated by the SOC", Lab.Aws.SecurityHub.Finding(stubborn)!["Note"]?["Text"]?.GetValue<string>());
        Assert.All(Calls("batchupdate"), e => Assert.Equal("PATCH", e.Method));
        AssertNoSecret(result);
    }

    [Fact]
    public void Update_with_WhatIf_sends_no_change()
    {
        var ids = Lab.Aws.SecurityHub.GenerateGuardDutyFindings(3, account: Lab.Credentials.AwsAccountId);
        var before = ids.ToDictionary(id => id, id => Lab.Aws.SecurityHub.Finding(id)!.ToJsonString());

        var result = Run("Get-SecurityHubFinding -WorkflowStatus Any -RecordState Any | Update-SecurityHubFinding -WorkflowStatus RESOLVED -Note 'done' -WhatIf");

        AssertClean(result);
        Assert.Empty(Calls("batchupdate"));
        Assert.All(ids, id => Assert.Equal(before[id], Lab.Aws.SecurityHub.Finding(id)!.ToJsonString()));
    }

    [Fact]
    public void More_than_100_findings_go_in_batches_of_100()
    {
        Lab.Aws.SecurityHub.GenerateGuardDutyFindings(250, account: Lab.Credentials.AwsAccountId);

        var result = Run("Get-SecurityHubFinding -WorkflowStatus Any -RecordState Any | Update-SecurityHubFinding -WorkflowStatus NOTIFIED -Confirm:$false | Where-Object Outcome -eq Updated | Measure-Object | ForEach-Object Count");

        AssertClean(result);
        Assert.Equal(250, Assert.Single(result.OutputOf<int>()));
        var batches = Calls("batchupdate").Select(e => JsonDocument.Parse(e.Body).RootElement.GetProperty("FindingIdentifiers").GetArrayLength()).ToList();
        Assert.Equal(new[] { 100, 100, 50 }, batches);
    }
}
