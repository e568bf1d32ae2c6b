using System.Management.Automation;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Aws;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Lab.Sns;
using PSSocAutomation.Tests.Aws;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Stories;

/// <summary>
/// Story 3 (examples/Invoke-SecurityHubResponse.ps1) run as a user runs it, against the Lab's Security Hub, EC2, Auto
/// Scaling, ELBv2 and IAM over signed HTTP: a high GuardDuty finding, pulled and pushed (an SNS-wrapped EventBridge
/// event), gets its instance isolated on every interface, the instance's role contained, and the finding set to
/// NOTIFIED with a note; -WhatIf changes nothing; a second run changes nothing; the echo event is passed over; a
/// failure half-way leaves a record that a second run finishes and undo restores from.
/// </summary>
public sealed class SecurityHubResponseStoryTests : IClassFixture<LabFixture>, IClassFixture<SnsSignerFixture>
{
    private const string Topic = "arn:aws:sns:us-east-1:123456789012:securityhub-findings";
    private readonly LabFixture _fixture;
    private readonly LabSnsSigner _signer;

    public SecurityHubResponseStoryTests(LabFixture fixture, SnsSignerFixture signer)
    {
        _fixture = fixture;
        _signer = signer.Signer;
        _fixture.Reset();
        Lab.Aws.Reset();
        Lab.Faults.Clear();
        Lab.Journal.Clear();
    }

    private LabServer Lab => _fixture.Lab;

    private ScriptResult RunStory(string extra = "", object? inputEvent = null)
    {
        var variables = new Dictionary<string, object?>
        {
            ["script"] = Path.Combine(RepositoryPaths.Root, "examples", "Invoke-SecurityHubResponse.ps1"),
            ["awsCredential"] = new System.Collections.Hashtable { ["AccessKeyId"] = Lab.Credentials.AwsAccessKeyId, ["SecretAccessKey"] = Lab.Credentials.AwsSecretAccessKey },
            ["awsUri"] = Lab.AwsUri.ToString(),
            ["inputEvent"] = inputEvent,
            ["cert"] = _signer.Certificate,
        };
        var pushed = inputEvent is null ? string.Empty : " -InputEvent $inputEvent -SnsSigningCertificate $cert -AllowedTopicArn '" + Topic + "'";
        return _fixture.Session.Run("& $script -Region us-east-1 -Credential $awsCredential -EndpointUrl $awsUri" + pushed + " " + extra, variables);
    }

    /// <summary>Every call that changes something: anything but Describe*, Get* and List*.</summary>
    private List<string> Mutations(long after = 0) =>
        Lab.Aws.Calls().Where(c => c.Sequence > after && !(c.Operation.StartsWith("Describe", StringComparison.Ordinal) || c.Operation.StartsWith("Get", StringComparison.Ordinal) || c.Operation.StartsWith("List", StringComparison.Ordinal)))
            .Select(c => c.Service + ":" + c.Operation).ToList();

    private long LastCall() => Lab.Aws.Calls().Select(c => c.Sequence).DefaultIfEmpty(0).Max();

    private static string Text(PSObject row, string name) => row.Properties[name].Value?.ToString() ?? string.Empty;

    private static IEnumerable<string> List(PSObject row, string name) =>
        row.Properties[name].Value is object[] items ? items.Select(i => i?.ToString() ?? string.Empty) : [Text(row, name)];

    /// <summary>The EventBridge event Security Hub sends for the finding, inside a signed SNS notification.</summary>
    private string PushedEventFor(string findingId)
    {
        var finding = Lab.Aws.SecurityHub.Finding(findingId)!;
        var detail = new JsonObject { ["findings"] = new JsonArray(finding.DeepClone()) };
        var bridge = new JsonObject
        {
            ["version"] = "0",
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = "Security Hub Findings - Imported",
            ["source"] = "aws.securityhub",
            ["account"] = Lab.Credentials.AwsAccountId,
            ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["region"] = "us-east-1",
            ["resources"] = new JsonArray(findingId),
            ["detail"] = detail,
        };
        return _signer.SignNotification(bridge.ToJsonString(), Topic, signatureVersion: 2);
    }

    private void AssertAnswered(AwsIsolationScenario s, PSObject row)
    {
        var id = s.Instance.InstanceId;
        Assert.Equal(s.FindingId, Text(row, "FindingId"));
        Assert.Equal([id], List(row, "Instances"));
        Assert.Equal(["Isolated"], List(row, "Isolation"));
        Assert.Equal(["Role " + s.RoleName], List(row, "Principals"));
        Assert.Equal("NOTIFIED", Text(row, "WorkflowStatus"));

        // Every interface in the isolation group only; the profile removed; the role's older sessions denied.
        var isolation = Lab.Aws.Ec2.GroupsOf(s.Instance.NetworkInterfaceIds[0]);
        Assert.Single(isolation);
        Assert.All(s.Instance.NetworkInterfaceIds, eni => Assert.Equal(isolation, Lab.Aws.Ec2.GroupsOf(eni)));
        Assert.Empty(Lab.Aws.Ec2.SecurityGroup(isolation[0])!.Rules);
        Assert.Null(Lab.Aws.Ec2.AssociationOf(id));
        var revoke = Lab.Aws.Iam.InlinePoliciesOf(s.RoleName)["AWSRevokeOlderSessions"].ToJsonString();
        Assert.Contains("aws:TokenIssueTime", revoke, StringComparison.Ordinal);

        // The finding: NOTIFIED, with a note naming what was done.
        var finding = Lab.Aws.SecurityHub.Finding(s.FindingId)!;
        Assert.Equal("NOTIFIED", (string)finding["Workflow"]!["Status"]!);
        var note = (string)finding["Note"]!["Text"]!;
        Assert.Contains("isolated " + id, note, StringComparison.Ordinal);
        Assert.Contains("contained Role " + s.RoleName, note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pulled_finding_is_answered_and_a_second_run_changes_nothing()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var first = RunStory();

        Assert.Null(first.Terminating);
        Assert.Empty(first.Errors);
        AssertAnswered(s, Assert.Single(first.Output, o => Text(o, "FindingId") == s.FindingId));
        Assert.Single(Mutations(), c => c == "securityhub:BatchUpdateFindings");

        var before = LastCall();
        var second = RunStory();
        Assert.Null(second.Terminating);
        Assert.Empty(second.Errors);
        Assert.DoesNotContain(second.Output, o => Text(o, "FindingId") == s.FindingId);
        Assert.Empty(Mutations(before));
    }

    [Fact]
    public void A_pushed_event_is_answered_its_repeat_changes_nothing_and_the_echo_is_passed_over()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var envelope = PushedEventFor(s.FindingId);
        var first = RunStory(inputEvent: envelope);

        Assert.Null(first.Terminating);
        Assert.Empty(first.Errors);
        AssertAnswered(s, Assert.Single(first.Output));

        // The same notification again (SNS delivers at least once): everything is found done, no second update.
        var before = LastCall();
        var again = RunStory(inputEvent: envelope);
        Assert.Null(again.Terminating);
        Assert.Empty(again.Errors);
        Assert.Equal("NOTIFIED", Text(Assert.Single(again.Output), "WorkflowStatus"));
        Assert.Empty(Mutations(before));

        // Security Hub's own echo of the update arrives NOTIFIED and starts nothing.
        var echo = Lab.Aws.SecurityHub.ImportedEvents.Last();
        var echoed = RunStory(inputEvent: _signer.SignNotification(echo.ToJsonString(), Topic, signatureVersion: 2));
        Assert.Null(echoed.Terminating);
        Assert.Empty(echoed.Errors);
        Assert.Empty(echoed.Output);
        Assert.Empty(Mutations(before));
    }

    [Fact]
    public void WhatIf_changes_nothing()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var result = RunStory("-WhatIf");

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var row = Assert.Single(result.Output, o => Text(o, "FindingId") == s.FindingId);
        Assert.Equal(["Planned"], List(row, "Isolation"));
        Assert.Empty(Mutations());
        Assert.Equal("NEW", (string)Lab.Aws.SecurityHub.Finding(s.FindingId)!["Workflow"]!["Status"]!);
    }

    [Fact]
    public void A_failure_half_way_stops_the_story_and_a_second_run_finishes_it_then_undo_restores_exactly()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var id = s.Instance.InstanceId;
        Lab.Faults.Add(new FaultRule { Service = "aws", Operation = "ec2:ModifyNetworkInterfaceAttribute", After = 2, Status = 403, Code = "UnauthorizedOperation", Message = "You are not authorized to perform this operation." });

        var failed = RunStory();
        var error = failed.Terminating?.ErrorRecord ?? Assert.Single(failed.Errors);
        Assert.StartsWith("AwsEc2IsolateStepFailed", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("Done before it: RecordOriginalState", error.Exception.Message, StringComparison.Ordinal);
        // Not reported as answered: the finding is still NEW, and the record on the instance is in progress.
        Assert.Equal("NEW", (string)Lab.Aws.SecurityHub.Finding(s.FindingId)!["Workflow"]!["Status"]!);
        Assert.EndsWith(" in-progress", Lab.Aws.Ec2.TagsOf(id)["pssoc:isolation"], StringComparison.Ordinal);

        var finished = RunStory();
        Assert.Null(finished.Terminating);
        Assert.Empty(finished.Errors);
        AssertAnswered(s, Assert.Single(finished.Output, o => Text(o, "FindingId") == s.FindingId));

        var undo = _fixture.Session.Run(
            "Connect-Aws -Region us-east-1 -Credential $awsCredential -EndpointUrl $awsUri | Out-Null; Undo-Ec2Isolation -InstanceId $id -Reattach -Confirm:$false | ForEach-Object State",
            new Dictionary<string, object?>
            {
                ["awsCredential"] = new System.Collections.Hashtable { ["AccessKeyId"] = Lab.Credentials.AwsAccessKeyId, ["SecretAccessKey"] = Lab.Credentials.AwsSecretAccessKey },
                ["awsUri"] = Lab.AwsUri.ToString(),
                ["id"] = id,
            });
        Assert.Null(undo.Terminating);
        Assert.Empty(undo.Errors);
        Assert.Equal("Released", Assert.Single(undo.OutputOf<string>()));
        Assert.Equal(s.Instance.OriginalGroups.ToDictionary(p => p.Key, p => p.Value.ToList()),
            Lab.Aws.Ec2.GroupsByInterface(id).ToDictionary(p => p.Key, p => p.Value.ToList()));
        Assert.Equal(s.AutoScalingGroupName, Lab.Aws.AutoScaling.GroupOf(id));
    }

    [Fact]
    public void An_IAM_finding_gets_its_user_contained_and_the_finding_notified()
    {
        var scenario = Lab.Aws.SeedContainmentScenario("dev-mallory");
        var result = RunStory();

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var row = Assert.Single(result.Output, o => Text(o, "FindingId") == scenario.FindingId);
        Assert.DoesNotContain(List(row, "Instances"), i => i.StartsWith("i-", StringComparison.Ordinal));
        Assert.Equal(["User " + scenario.UserName], List(row, "Principals"));
        Assert.Equal("NOTIFIED", Text(row, "WorkflowStatus"));
        Assert.All(Lab.Aws.Iam.AccessKeysOf(scenario.UserName), k => Assert.Equal("Inactive", k.Status));
        Assert.False(Lab.Aws.Iam.HasLoginProfile(scenario.UserName));
        Assert.Contains("contained User " + scenario.UserName, (string)Lab.Aws.SecurityHub.Finding(scenario.FindingId)!["Note"]!["Text"]!, StringComparison.Ordinal);
    }
}
