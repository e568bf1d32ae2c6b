using System.Xml.Linq;
using PSSocAutomation.Lab.Aws.AutoScaling;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

/// <summary>The Lab's Auto Scaling over signed HTTP: the IAM-style XML, DetachInstances with and without decrementing, AttachInstances to undo, errors and faults.</summary>
public sealed class AwsLabAutoScalingTests : IClassFixture<LabFixture>, IDisposable
{
    private static readonly XNamespace As = AwsAutoScalingService.Namespace;
    private const string V = AwsAutoScalingService.ApiVersion;
    private readonly LabServer _lab;
    private readonly AwsQueryTestClient _aws;

    public AwsLabAutoScalingTests(LabFixture fixture)
    {
        _lab = fixture.Lab;
        _lab.Aws.Reset();
        fixture.Reset();
        _aws = new AwsQueryTestClient(_lab);
    }

    public void Dispose() => _aws.Dispose();

    private Task<AwsQueryTestClient.Reply> Call(string action, params (string, string)[] members) => _aws.Call("autoscaling", action, V, members);

    private static XElement Result(AwsQueryTestClient.Reply reply, string action)
    {
        Assert.True(reply.Code == 200, reply.Text);
        Assert.Equal(As + (action + "Response"), reply.Root.Name);
        Assert.Equal(reply.RequestIdHeader, reply.Root.Element(As + "ResponseMetadata")!.Element(As + "RequestId")!.Value);
        return reply.Root.Element(As + (action + "Result"))!;
    }

    private static (string Type, string Code, string Message) Error(AwsQueryTestClient.Reply reply)
    {
        Assert.Equal(As + "ErrorResponse", reply.Root.Name);
        var error = reply.Root.Element(As + "Error")!;
        Assert.NotNull(reply.Root.Element(As + "RequestId"));
        return (error.Element(As + "Type")!.Value, error.Element(As + "Code")!.Value, error.Element(As + "Message")!.Value);
    }

    [Fact]
    public async Task DescribeAutoScalingInstances_names_the_group_of_an_instance_and_skips_the_others()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        var id = scenario.Instance.InstanceId;
        var reply = await Call("DescribeAutoScalingInstances", ("InstanceIds.member.1", id), ("InstanceIds.member.2", scenario.NeighbourInstanceId));
        var member = Assert.Single(Result(reply, "DescribeAutoScalingInstances").Element(As + "AutoScalingInstances")!.Elements(As + "member"));
        Assert.Equal(id, member.Element(As + "InstanceId")!.Value);
        Assert.Equal(scenario.AutoScalingGroupName, member.Element(As + "AutoScalingGroupName")!.Value);
        Assert.Equal("InService", member.Element(As + "LifecycleState")!.Value);
        Assert.Equal("HEALTHY", member.Element(As + "HealthStatus")!.Value);
        Assert.Equal(_lab.Aws.Region + "a", member.Element(As + "AvailabilityZone")!.Value);
    }

    [Fact]
    public async Task DetachInstances_without_decrementing_keeps_the_desired_capacity_and_AttachInstances_undoes_it()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        var id = scenario.Instance.InstanceId;
        var group = scenario.AutoScalingGroupName;
        var reply = await Call("DetachInstances", ("AutoScalingGroupName", group), ("InstanceIds.member.1", id), ("ShouldDecrementDesiredCapacity", "false"));
        var activity = Assert.Single(Result(reply, "DetachInstances").Element(As + "Activities")!.Elements(As + "member"));
        Assert.Equal("Detaching EC2 instance: " + id, activity.Element(As + "Description")!.Value);
        Assert.Equal(group, activity.Element(As + "AutoScalingGroupName")!.Value);
        Assert.Equal("InProgress", activity.Element(As + "StatusCode")!.Value);
        Assert.Null(_lab.Aws.AutoScaling.GroupOf(id));
        Assert.Equal(1, _lab.Aws.AutoScaling.GroupView(group)!.DesiredCapacity);
        var call = Assert.Single(_lab.Aws.AutoScaling.Calls);
        Assert.Equal(("DetachInstances", group, false), (call.Action, call.AutoScalingGroupName, call.ShouldDecrementDesiredCapacity!.Value));
        Assert.Equal([id], call.InstanceIds);

        var none = await Call("DescribeAutoScalingInstances", ("InstanceIds.member.1", id));
        Assert.Empty(Result(none, "DescribeAutoScalingInstances").Element(As + "AutoScalingInstances")!.Elements());

        var again = await Call("DetachInstances", ("AutoScalingGroupName", group), ("InstanceIds.member.1", id), ("ShouldDecrementDesiredCapacity", "false"));
        Assert.Equal(("Sender", "ValidationError"), (Error(again).Type, Error(again).Code));

        var attach = await Call("AttachInstances", ("AutoScalingGroupName", group), ("InstanceIds.member.1", id));
        Assert.Equal(200, attach.Code);
        Assert.Equal(As + "AttachInstancesResponse", attach.Root.Name);
        Assert.Null(attach.Root.Element(As + "AttachInstancesResult"));
        Assert.Equal(group, _lab.Aws.AutoScaling.GroupOf(id));
        Assert.Equal(2, _lab.Aws.AutoScaling.GroupView(group)!.DesiredCapacity);
        Assert.Equal("AttachInstances", _lab.Aws.AutoScaling.Calls[^1].Action);
    }

    [Fact]
    public async Task Decrementing_below_the_minimum_and_leaving_out_ShouldDecrementDesiredCapacity_are_ValidationErrors()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        var id = scenario.Instance.InstanceId;
        var below = await Call("DetachInstances", ("AutoScalingGroupName", scenario.AutoScalingGroupName), ("InstanceIds.member.1", id), ("ShouldDecrementDesiredCapacity", "true"));
        Assert.Equal((400, "ValidationError"), (below.Code, Error(below).Code));
        var missing = await Call("DetachInstances", ("AutoScalingGroupName", scenario.AutoScalingGroupName), ("InstanceIds.member.1", id));
        Assert.Contains("shouldDecrementDesiredCapacity", Error(missing).Message, StringComparison.Ordinal);
        var noGroup = await Call("DetachInstances", ("AutoScalingGroupName", "nope"), ("InstanceIds.member.1", id), ("ShouldDecrementDesiredCapacity", "false"));
        Assert.Equal("ValidationError", Error(noGroup).Code);
        Assert.Contains("AutoScalingGroup 'nope' not found", noGroup.Text, StringComparison.Ordinal);
        Assert.Equal(scenario.AutoScalingGroupName, _lab.Aws.AutoScaling.GroupOf(id));
        Assert.Empty(_lab.Aws.AutoScaling.Calls);
        var unknown = await Call("SetInstanceProtection");
        Assert.Equal("InvalidAction", Error(unknown).Code);
    }

    [Fact]
    public async Task EnterStandby_keeps_the_instance_in_the_group_out_of_service_and_ExitStandby_returns_it()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        var id = scenario.Instance.InstanceId;
        var group = scenario.AutoScalingGroupName;
        var reply = await Call("EnterStandby", ("AutoScalingGroupName", group), ("InstanceIds.member.1", id), ("ShouldDecrementDesiredCapacity", "false"));
        var activity = Assert.Single(Result(reply, "EnterStandby").Element(As + "Activities")!.Elements(As + "member"));
        Assert.Equal("Moving EC2 instance to Standby: " + id, activity.Element(As + "Description")!.Value);
        Assert.Equal("Standby", _lab.Aws.AutoScaling.LifecycleStateOf(id));
        var described = await Call("DescribeAutoScalingInstances", ("InstanceIds.member.1", id));
        Assert.Equal("Standby", Result(described, "DescribeAutoScalingInstances").Descendants(As + "LifecycleState").Single().Value);
        Assert.Equal(1, _lab.Aws.AutoScaling.GroupView(group)!.DesiredCapacity);
        var twice = await Call("EnterStandby", ("AutoScalingGroupName", group), ("InstanceIds.member.1", id), ("ShouldDecrementDesiredCapacity", "false"));
        Assert.Equal("ValidationError", Error(twice).Code);

        Result(await Call("ExitStandby", ("AutoScalingGroupName", group), ("InstanceIds.member.1", id)), "ExitStandby");
        Assert.Equal("InService", _lab.Aws.AutoScaling.LifecycleStateOf(id));
        Assert.Equal(["EnterStandby", "ExitStandby"], _lab.Aws.AutoScaling.Calls.Select(c => c.Action));
    }

    [Fact]
    public async Task DescribeAutoScalingGroups_reports_sizes_and_instances()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        var reply = await Call("DescribeAutoScalingGroups", ("AutoScalingGroupNames.member.1", scenario.AutoScalingGroupName));
        var group = Assert.Single(Result(reply, "DescribeAutoScalingGroups").Element(As + "AutoScalingGroups")!.Elements(As + "member"));
        Assert.Equal(scenario.AutoScalingGroupArn, group.Element(As + "AutoScalingGroupARN")!.Value);
        Assert.Equal(("1", "4", "1"), (group.Element(As + "MinSize")!.Value, group.Element(As + "MaxSize")!.Value, group.Element(As + "DesiredCapacity")!.Value));
        Assert.Equal([scenario.Instance.InstanceId], group.Element(As + "Instances")!.Elements(As + "member").Select(m => m.Element(As + "InstanceId")!.Value));
    }

    [Fact]
    public async Task A_fault_on_DetachInstances_is_answered_in_Auto_Scalings_shape_and_Reset_empties_it()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        _lab.Faults.Add(new FaultRule { Service = "aws", Operation = "autoscaling:DetachInstances", Status = 400, Code = "Throttling", Message = "Rate exceeded" });
        var reply = await Call("DetachInstances", ("AutoScalingGroupName", scenario.AutoScalingGroupName), ("InstanceIds.member.1", scenario.Instance.InstanceId),
            ("ShouldDecrementDesiredCapacity", "false"));
        Assert.Equal((400, "Throttling", "Rate exceeded"), (reply.Code, Error(reply).Code, Error(reply).Message));
        Assert.Equal(scenario.AutoScalingGroupName, _lab.Aws.AutoScaling.GroupOf(scenario.Instance.InstanceId));
        _lab.Aws.Reset();
        Assert.Null(_lab.Aws.AutoScaling.GroupView(scenario.AutoScalingGroupName));
    }
}
