using System.Text.Json;
using PSSocAutomation.Lab.Aws;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Aws;

/// <summary>
/// Get-Ec2Instance, Invoke-Ec2Isolation and Undo-Ec2Isolation in a real engine against the Lab's EC2, Auto Scaling and
/// ELBv2 over signed HTTP: story 3's instance (two interfaces, an Auto Scaling group, a target group, an instance
/// profile) isolated on every interface in the documented order, -WhatIf sending nothing that changes anything, a
/// second run changing nothing, undo restoring exactly the original groups, and a failure half-way leaving a record
/// undo can use.
/// </summary>
public sealed class Ec2IsolationCmdletTests : IClassFixture<LabFixture>
{
    private static readonly string[] Reads = ["DescribeInstances", "DescribeInstanceAttribute", "DescribeNetworkInterfaces", "DescribeSecurityGroups",
        "DescribeSecurityGroupRules", "DescribeSnapshots", "DescribeIamInstanceProfileAssociations", "DescribeAutoScalingInstances",
        "DescribeTargetGroups", "DescribeTargetHealth", "GetCallerIdentity", "GetFindings"];

    private readonly LabFixture _fixture;

    public Ec2IsolationCmdletTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        Lab.Aws.Reset();
        Lab.Faults.Clear();
        Lab.Journal.Clear();
    }

    private LabServer Lab => _fixture.Lab;

    private Dictionary<string, object?> Variables(AwsIsolationScenario s) => new()
    {
        ["awsCredential"] = new System.Collections.Hashtable { ["AccessKeyId"] = Lab.Credentials.AwsAccessKeyId, ["SecretAccessKey"] = Lab.Credentials.AwsSecretAccessKey },
        ["awsUri"] = Lab.AwsUri.ToString(),
        ["instanceId"] = s.Instance.InstanceId,
        ["findingId"] = s.FindingId,
    };

    private const string Connect = "Connect-Aws -Region us-east-1 -Credential $awsCredential -EndpointUrl $awsUri | Out-Null\n";

    private ScriptResult Run(AwsIsolationScenario s, string script) => _fixture.Session.Run(Connect + script, Variables(s));

    private List<string> Mutations(long after = 0) =>
        Lab.Aws.Calls().Where(c => c.Sequence > after && !Reads.Contains(c.Operation)).Select(c => c.Service + ":" + c.Operation).ToList();

    private long LastCall() => Lab.Aws.Calls().Select(c => c.Sequence).DefaultIfEmpty(0).Max();

    private static JsonElement Json(ScriptResult result) => JsonDocument.Parse(Assert.Single(result.OutputOf<string>())).RootElement;

    private const string RecordJson =
        "| ForEach-Object { [pscustomobject]@{ State = $_.State; InstanceId = $_.InstanceId; Snapshots = @($_.Snapshots); Groups = $_.OriginalGroups; " +
        "Isolation = $_.IsolationGroups; Asg = $_.AutoScalingGroupName; Tg = @($_.TargetGroups | ForEach-Object { $_.ToString() }); " +
        "Steps = @($_.Steps | ForEach-Object { '{0} {1} {2}' -f $_.Name, $_.Target, $_.Outcome }) } } | ConvertTo-Json -Depth 5 -Compress";

    private void AssertNoSecret(ScriptResult result)
    {
        var text = string.Join("\n", result.AllText());
        Assert.DoesNotContain(Lab.Credentials.AwsSecretAccessKey, text, StringComparison.Ordinal);
        Assert.DoesNotMatch("Signature=[0-9a-f]{64}", text);
    }

    [Fact]
    public void Get_Ec2Instance_from_a_piped_finding_shows_interfaces_groups_fleet_and_profile()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var result = Run(s,
            "Get-SecurityHubFinding -ProductName GuardDuty -ResourceType AwsEc2Instance | Where-Object Id -eq $findingId | Get-Ec2Instance | ForEach-Object { [pscustomobject]@{ " +
            "Id = $_.InstanceId; Region = $_.Region; Enis = @($_.NetworkInterfaces | ForEach-Object { $_.NetworkInterfaceId + '=' + (@($_.Groups | ForEach-Object GroupId) -join ',') }); " +
            "Asg = $_.AutoScalingGroupName; Tg = @($_.TargetGroups | ForEach-Object TargetGroupArn); Profile = $_.ProfileAssociation.InstanceProfileArn; " +
            "Termination = $_.TerminationProtection; Shutdown = $_.ShutdownBehavior; Volumes = @($_.Volumes).Count } } | ConvertTo-Json -Compress");

        AssertClean(result);
        var o = Json(result);
        Assert.Equal(s.Instance.InstanceId, o.GetProperty("Id").GetString());
        Assert.Equal("us-east-1", o.GetProperty("Region").GetString());
        var expected = s.Instance.NetworkInterfaceIds.Select(e => e + "=" + string.Join(",", s.Instance.OriginalGroups[e])).ToList();
        Assert.Equal(expected, o.GetProperty("Enis").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(s.AutoScalingGroupName, o.GetProperty("Asg").GetString());
        // Only its own target group: the neighbour's group was asked about its health and does not hold it.
        Assert.Equal([s.TargetGroupArn], o.GetProperty("Tg").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(s.Instance.InstanceProfileArn, o.GetProperty("Profile").GetString());
        Assert.False(o.GetProperty("Termination").GetBoolean());
        Assert.Equal(2, o.GetProperty("Volumes").GetInt32());
        Assert.Empty(Mutations());
    }

    [Fact]
    public void WhatIf_lists_every_step_and_sends_nothing_that_changes_anything()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var result = Run(s, "Invoke-Ec2Isolation -InstanceId $instanceId -DisassociateInstanceProfile -WhatIf " + RecordJson);

        AssertClean(result);
        var o = Json(result);
        Assert.Equal("Planned", o.GetProperty("State").GetString());
        var steps = o.GetProperty("Steps").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.All(steps, step => Assert.EndsWith(" Planned", step));
        foreach (var eni in s.Instance.NetworkInterfaceIds)
        {
            Assert.Contains($"MoveToAllAccessGroup {eni} Planned", steps);
            Assert.Contains($"MoveToIsolationGroup {eni} Planned", steps);
        }
        Assert.Contains($"DetachFromAutoScalingGroup {s.AutoScalingGroupName} Planned", steps);
        Assert.Empty(Mutations());
        Assert.Equal(s.Instance.OriginalGroups.ToDictionary(p => p.Key, p => p.Value.ToList()),
            Lab.Aws.Ec2.GroupsByInterface(s.Instance.InstanceId).ToDictionary(p => p.Key, p => p.Value.ToList()));
        Assert.DoesNotContain(Lab.Aws.Ec2.TagsOf(s.Instance.InstanceId).Keys, k => k.StartsWith("pssoc:", StringComparison.Ordinal));
    }

    [Fact]
    public void Isolation_cuts_every_interface_in_order_keeps_evidence_and_a_second_run_changes_nothing()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var id = s.Instance.InstanceId;
        var desired = Lab.Aws.AutoScaling.GroupView(s.AutoScalingGroupName)!.DesiredCapacity;
        var result = Run(s, "Invoke-Ec2Isolation -InstanceId $instanceId -DisassociateInstanceProfile -Confirm:$false " + RecordJson);

        AssertClean(result);
        AssertNoSecret(result);
        var o = Json(result);
        Assert.Equal("Isolated", o.GetProperty("State").GetString());

        // Every interface is in its VPC's isolation group only, and that group has no rule at all.
        var isolation = o.GetProperty("Isolation").GetProperty(s.Instance.VpcId).GetString()!;
        foreach (var eni in s.Instance.NetworkInterfaceIds) Assert.Equal([isolation], Lab.Aws.Ec2.GroupsOf(eni));
        var group = Lab.Aws.Ec2.SecurityGroup(isolation)!;
        Assert.Empty(group.Rules);
        Assert.Equal(s.Instance.VpcId, group.Tags["pssoc:isolation-group"]);
        // The all-access step's group is gone.
        Assert.DoesNotContain(Lab.Aws.Ec2.SecurityGroups, g => g.Tags.ContainsKey("pssoc:all-access-for"));

        // Evidence and protection.
        var attributes = Lab.Aws.Ec2.AttributesOf(id);
        Assert.True(attributes.DisableApiTermination);
        Assert.True(attributes.DisableApiStop);
        Assert.Equal("stop", attributes.InstanceInitiatedShutdownBehavior);
        Assert.All(attributes.DeleteOnTerminationByDevice.Values, Assert.False);
        var snapshots = Lab.Aws.Ec2.Snapshots.Where(x => x.InstanceId == id).ToList();
        Assert.Equal(2, snapshots.Count);
        Assert.All(snapshots, x => Assert.StartsWith(id + " ", x.Tags["pssoc:isolation"], StringComparison.Ordinal));
        Assert.Equal(snapshots.Select(x => x.SnapshotId).Order(), o.GetProperty("Snapshots").EnumerateArray().Select(e => e.GetString()!).Order());

        // Out of the fleet without shrinking it; the neighbour stays where it was.
        Assert.Null(Lab.Aws.AutoScaling.GroupOf(id));
        Assert.Equal(desired, Lab.Aws.AutoScaling.GroupView(s.AutoScalingGroupName)!.DesiredCapacity);
        Assert.DoesNotContain(Lab.Elbv2Targets(s.TargetGroupArn), t => t == id);
        Assert.Contains(s.NeighbourInstanceId, Lab.Elbv2Targets(s.NeighbourTargetGroupArn));
        Assert.Null(Lab.Aws.Ec2.AssociationOf(id));

        // The documented order: record, protect, snapshot, leave the fleet, then the network; never the instance-level group change.
        var calls = Mutations();
        int At(string op) => calls.FindIndex(c => c.EndsWith(":" + op, StringComparison.Ordinal));
        Assert.Equal("ec2:CreateTags", calls[0]);
        Assert.True(At("ModifyInstanceAttribute") < At("CreateSnapshots"));
        Assert.True(At("CreateSnapshots") < At("DetachInstances"));
        Assert.True(At("DetachInstances") < At("DeregisterTargets"));
        Assert.True(At("DeregisterTargets") < At("ModifyNetworkInterfaceAttribute"));
        Assert.Equal(4, calls.Count(c => c == "ec2:ModifyNetworkInterfaceAttribute"));
        Assert.DoesNotContain(Lab.Journal.For("aws"), e => e.Body.Contains("Action=ModifyInstanceAttribute", StringComparison.Ordinal) && e.Body.Contains("GroupId.1", StringComparison.Ordinal));
        Assert.Contains(Lab.Aws.AutoScaling.Calls, c => c.Action == "DetachInstances" && c.ShouldDecrementDesiredCapacity == false);

        // The record is on the instance: original groups per interface.
        var tags = Lab.Aws.Ec2.TagsOf(id);
        Assert.EndsWith(" isolated", tags["pssoc:isolation"], StringComparison.Ordinal);
        foreach (var eni in s.Instance.NetworkInterfaceIds) Assert.Equal(string.Join(",", s.Instance.OriginalGroups[eni]), tags["pssoc:sg:" + eni]);
        Assert.All(tags.Values, v => Assert.True(v.Length <= 256));

        // Again: nothing to do.
        var before = LastCall();
        var again = Run(s, "Invoke-Ec2Isolation -InstanceId $instanceId -DisassociateInstanceProfile -Confirm:$false " + RecordJson);
        AssertClean(again);
        Assert.Empty(Mutations(before));
        var steps = Json(again).GetProperty("Steps").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.All(steps, step => Assert.True(step.EndsWith(" AlreadyDone", StringComparison.Ordinal) || step.EndsWith(" Done", StringComparison.Ordinal) && step.StartsWith("Verify", StringComparison.Ordinal), step));
        Assert.Equal(2, Lab.Aws.Ec2.Snapshots.Count(x => x.InstanceId == id));
    }

    [Fact]
    public void Undo_restores_exactly_the_original_groups_and_with_Reattach_the_fleet()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var id = s.Instance.InstanceId;
        var deleteOnTermination = Lab.Aws.Ec2.AttributesOf(id).DeleteOnTerminationByDevice.ToDictionary();
        Assert.Contains(true, deleteOnTermination.Values);
        var result = Run(s,
            "Invoke-Ec2Isolation -InstanceId $instanceId -DisassociateInstanceProfile -Confirm:$false | Out-Null\n" +
            "Undo-Ec2Isolation -InstanceId $instanceId -Reattach -RemoveProtection -Confirm:$false " + RecordJson);

        AssertClean(result);
        Assert.Equal("Released", Json(result).GetProperty("State").GetString());
        Assert.Equal(s.Instance.OriginalGroups.ToDictionary(p => p.Key, p => p.Value.ToList()),
            Lab.Aws.Ec2.GroupsByInterface(id).ToDictionary(p => p.Key, p => p.Value.ToList()));
        Assert.Equal(s.AutoScalingGroupName, Lab.Aws.AutoScaling.GroupOf(id));
        Assert.Contains(id, Lab.Elbv2Targets(s.TargetGroupArn));
        Assert.Equal(s.Instance.InstanceProfileArn, Lab.Aws.Ec2.AssociationOf(id)!.InstanceProfileArn);
        var attributes = Lab.Aws.Ec2.AttributesOf(id);
        Assert.False(attributes.DisableApiTermination);
        Assert.False(attributes.DisableApiStop);
        Assert.Equal(deleteOnTermination, attributes.DeleteOnTerminationByDevice.ToDictionary());
        Assert.DoesNotContain(Lab.Aws.Ec2.TagsOf(id).Keys, k => k.StartsWith("pssoc:", StringComparison.Ordinal));
        // Snapshots are evidence: they stay.
        Assert.Equal(2, Lab.Aws.Ec2.Snapshots.Count(x => x.InstanceId == id));

        // Undo again: the instance carries no record any more, and says so.
        var again = Run(s, "Undo-Ec2Isolation -InstanceId $instanceId -Confirm:$false");
        var error = again.Terminating?.ErrorRecord ?? Assert.Single(again.Errors);
        Assert.Equal("AwsEc2NoRecord,PSSocAutomation.Aws.UndoEc2IsolationCommand", error.FullyQualifiedErrorId);
    }

    [Fact]
    public void A_failure_half_way_stops_the_script_names_the_done_steps_and_undo_uses_the_record_on_the_instance()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var id = s.Instance.InstanceId;
        // The first interface moves twice; the second's first move is refused.
        Lab.Faults.Add(new FaultRule { Service = "aws", Operation = "ec2:ModifyNetworkInterfaceAttribute", After = 2, Status = 403, Code = "UnauthorizedOperation", Message = "You are not authorized to perform this operation." });
        var result = Run(s,
            "try { Invoke-Ec2Isolation -InstanceId $instanceId -Confirm:$false | Out-Null; 'went on' } catch { $_.FullyQualifiedErrorId; $_.Exception.Message; $_.TargetObject.State }\n'after'");

        var lines = result.OutputOf<string>().ToList();
        Assert.DoesNotContain("went on", lines);
        // Thrown for the script, not the statement: the bare ErrorId.
        Assert.Equal("AwsEc2IsolateStepFailed", lines[0]);
        Assert.Contains("MoveToAllAccessGroup on " + s.Instance.NetworkInterfaceIds[1], lines[1], StringComparison.Ordinal);
        Assert.Contains("Done before it: RecordOriginalState " + id, lines[1], StringComparison.Ordinal);
        Assert.Contains("MoveToIsolationGroup " + s.Instance.NetworkInterfaceIds[0], lines[1], StringComparison.Ordinal);
        Assert.Contains("Undo-Ec2Isolation -InstanceId " + id, lines[1], StringComparison.Ordinal);
        Assert.Equal("Failed", lines[2]);
        Assert.EndsWith(" in-progress", Lab.Aws.Ec2.TagsOf(id)["pssoc:isolation"], StringComparison.Ordinal);

        // Undo from the tags alone puts every interface back and removes the all-access group left behind.
        var undo = Run(s, "Undo-Ec2Isolation -InstanceId $instanceId -Confirm:$false " + RecordJson);
        AssertClean(undo);
        Assert.Equal(s.Instance.OriginalGroups.ToDictionary(p => p.Key, p => p.Value.ToList()),
            Lab.Aws.Ec2.GroupsByInterface(id).ToDictionary(p => p.Key, p => p.Value.ToList()));
        Assert.DoesNotContain(Lab.Aws.Ec2.SecurityGroups, g => g.Tags.ContainsKey("pssoc:all-access-for"));
    }

    [Fact]
    public void An_unfinished_isolation_is_finished_by_running_it_again_without_second_snapshots()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var id = s.Instance.InstanceId;
        Lab.Faults.Add(new FaultRule { Service = "aws", Operation = "autoscaling:DetachInstances", Status = 403, Code = "AccessDenied", Message = "User is not authorized to perform: autoscaling:DetachInstances" });
        var first = Run(s, "Invoke-Ec2Isolation -InstanceId $instanceId -Confirm:$false");
        var error = first.Terminating?.ErrorRecord ?? Assert.Single(first.Errors);
        Assert.Equal("AwsEc2IsolateStepFailed", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.Equal(s.Instance.OriginalGroups[s.Instance.NetworkInterfaceIds[0]], Lab.Aws.Ec2.GroupsOf(s.Instance.NetworkInterfaceIds[0]));

        var second = Run(s, "Invoke-Ec2Isolation -InstanceId $instanceId -Confirm:$false " + RecordJson);
        AssertClean(second);
        Assert.Equal("Isolated", Json(second).GetProperty("State").GetString());
        Assert.Equal(2, Lab.Aws.Ec2.Snapshots.Count(x => x.InstanceId == id));
        Assert.Null(Lab.Aws.AutoScaling.GroupOf(id));
    }

    [Fact]
    public void The_record_piped_to_undo_is_enough_and_a_second_undo_with_it_changes_nothing()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var id = s.Instance.InstanceId;
        var result = Run(s,
            "$record = Invoke-Ec2Isolation -InstanceId $instanceId -Confirm:$false\n" +
            "$record | Undo-Ec2Isolation -Confirm:$false | Out-Null\n" +
            "$record | Undo-Ec2Isolation -Confirm:$false " + RecordJson);

        AssertClean(result);
        Assert.Equal(s.Instance.OriginalGroups.ToDictionary(p => p.Key, p => p.Value.ToList()),
            Lab.Aws.Ec2.GroupsByInterface(id).ToDictionary(p => p.Key, p => p.Value.ToList()));
        var steps = Json(result).GetProperty("Steps").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.All(steps.Where(x => x.StartsWith("RestoreGroups", StringComparison.Ordinal) || x.StartsWith("RemoveRecord", StringComparison.Ordinal)),
            x => Assert.EndsWith(" AlreadyDone", x, StringComparison.Ordinal));
        // Without -Reattach the fleet is left as isolation left it, and the plan says so.
        Assert.Contains($"AttachToAutoScalingGroup {s.AutoScalingGroupName} Skipped", steps);
        Assert.Null(Lab.Aws.AutoScaling.GroupOf(id));
    }

    [Fact]
    public void Undo_with_RemoveSnapshot_deletes_the_evidence_it_recorded_and_only_that()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var id = s.Instance.InstanceId;
        var result = Run(s,
            "$record = Invoke-Ec2Isolation -InstanceId $instanceId -Confirm:$false\n" +
            "$record | Undo-Ec2Isolation -RemoveSnapshot -Confirm:$false " + RecordJson);

        AssertClean(result);
        var steps = Json(result).GetProperty("Steps").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(2, steps.Count(x => x.StartsWith("DeleteSnapshot snap-", StringComparison.Ordinal) && x.EndsWith(" Done", StringComparison.Ordinal)));
        Assert.DoesNotContain(Lab.Aws.Ec2.Snapshots, x => x.InstanceId == id);
        Assert.Equal(2, Mutations().Count(c => c == "ec2:DeleteSnapshot"));
    }

    [Fact]
    public void A_lone_instance_without_snapshot_or_flush_skips_what_does_not_apply()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var vpc = s.Instance.VpcId;
        var group = Lab.Aws.Ec2.SeedSecurityGroup(vpc, "lone-sg");
        var lone = Lab.Aws.Ec2.SeedInstance(new PSSocAutomation.Lab.Aws.Ec2.Ec2InstanceSeed { VpcId = vpc, NetworkInterfaceGroups = [[group]] });
        var variables = Variables(s);
        variables["instanceId"] = lone.InstanceId;
        var result = _fixture.Session.Run(Connect + "Invoke-Ec2Isolation -InstanceId $instanceId -NoSnapshot -NoConnectionFlush -Confirm:$false " + RecordJson, variables);

        AssertClean(result);
        var steps = Json(result).GetProperty("Steps").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains($"Snapshot {lone.InstanceId} Skipped", steps);
        Assert.Contains($"DetachFromAutoScalingGroup {lone.InstanceId} Skipped", steps);
        Assert.Contains($"DeregisterFromTargetGroup {lone.InstanceId} Skipped", steps);
        Assert.DoesNotContain(steps, x => x.StartsWith("MoveToAllAccessGroup", StringComparison.Ordinal));
        Assert.Equal(1, Mutations().Count(c => c == "ec2:ModifyNetworkInterfaceAttribute"));
        Assert.DoesNotContain(Mutations(), c => c == "ec2:CreateSnapshots" || c.StartsWith("autoscaling:", StringComparison.Ordinal));
        Assert.DoesNotContain(Lab.Aws.Ec2.Snapshots, x => x.InstanceId == lone.InstanceId);
        // The isolation group of the VPC is found, not made twice, when a second instance of the VPC is isolated.
        var second = Run(s, "Invoke-Ec2Isolation -InstanceId $instanceId -NoSnapshot -Confirm:$false " + RecordJson);
        AssertClean(second);
        Assert.Single(Lab.Aws.Ec2.SecurityGroups, g => g.Tags.ContainsKey("pssoc:isolation-group"));
    }

    [Fact]
    public void An_instance_arn_of_another_region_is_worked_on_in_that_region()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var connected = _fixture.Session.Run(Connect + "'connected'", Variables(s));
        AssertClean(connected);
        Lab.Aws.Region = "eu-west-1";
        Lab.Journal.Clear();
        var arn = $"arn:aws:ec2:eu-west-1:{Lab.Credentials.AwsAccountId}:instance/{s.Instance.InstanceId}";
        var result = _fixture.Session.Run("$arn | Get-Ec2Instance | ForEach-Object { $_.Region + ' ' + $_.InstanceId }", new Dictionary<string, object?> { ["arn"] = arn });

        AssertClean(result);
        Assert.Equal("eu-west-1 " + s.Instance.InstanceId, Assert.Single(result.OutputOf<string>()));
        // The Lab verifies each signature's scope against its region: every call was signed for eu-west-1.
        Assert.NotEmpty(Lab.Journal.For("aws"));
        Assert.All(Lab.Journal.For("aws"), e => Assert.Equal(200, e.Status));
    }

    [Fact]
    public void InstanceId_completes_from_the_connection_by_id_or_Name_tag()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var line = "Invoke-Ec2Isolation -InstanceId web-01";
        var result = Run(s, $"(TabExpansion2 -inputScript '{line}' -cursorColumn {line.Length}).CompletionMatches | ForEach-Object {{ $_.CompletionText + '|' + $_.ListItemText }}");

        AssertClean(result);
        var matches = result.OutputOf<string>().ToList();
        Assert.Contains(s.Instance.InstanceId + "|" + s.Instance.InstanceId + " (web-01)", matches);
        Assert.Contains(s.NeighbourInstanceId + "|" + s.NeighbourInstanceId + " (web-01-neighbour)", matches);
        Assert.Empty(Mutations());
    }

    [Fact]
    public void Bad_inputs_give_clear_errors_with_stable_ids()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var result = Run(s,
            "Get-Ec2Instance -InstanceId 'web-01' -ErrorAction SilentlyContinue -ErrorVariable +e1\n" +
            "[pscustomobject]@{ Title = 'no instance here' } | Invoke-Ec2Isolation -WhatIf -ErrorAction SilentlyContinue -ErrorVariable +e2\n" +
            "Get-Ec2Instance -InstanceId i-0123456789abcdef0 -ErrorAction SilentlyContinue -ErrorVariable +e3\n" +
            "$e1[0].FullyQualifiedErrorId; $e2[0].FullyQualifiedErrorId; $e3[0].FullyQualifiedErrorId; $e3[0].Exception.Message");

        var lines = result.OutputOf<string>().ToList();
        Assert.Equal("AwsEc2InvalidInstanceId,PSSocAutomation.Aws.GetEc2InstanceCommand", lines[0]);
        Assert.Equal("AwsEc2InputWithoutInstance,PSSocAutomation.Aws.InvokeEc2IsolationCommand", lines[1]);
        Assert.StartsWith("AwsEc2", lines[2], StringComparison.Ordinal);
        Assert.Contains("i-0123456789abcdef0", lines[3], StringComparison.Ordinal);
        Assert.Empty(Mutations());
    }

    [Fact]
    public void A_terminated_instance_is_refused_before_any_change()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        Lab.Aws.Ec2.SetInstanceState(s.Instance.InstanceId, "terminated");
        var result = Run(s, "Invoke-Ec2Isolation -InstanceId $instanceId -Confirm:$false");
        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Equal("AwsEc2InstanceGone,PSSocAutomation.Aws.InvokeEc2IsolationCommand", error.FullyQualifiedErrorId);
        Assert.Empty(Mutations());
    }
}

internal static class Elbv2LabExtensions
{
    public static IReadOnlyList<string> Elbv2Targets(this LabServer lab, string targetGroupArn) =>
        lab.Aws.Elbv2.TargetsOf(targetGroupArn).Select(t => t.Id).ToList();
}
