using System.Xml.Linq;
using PSSocAutomation.Lab.Aws.Elbv2;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

/// <summary>The Lab's ELBv2 over signed HTTP: finding an instance's target groups (DescribeTargetGroups, then DescribeTargetHealth per group), draining and re-registering it.</summary>
public sealed class AwsLabElbv2Tests : IClassFixture<LabFixture>, IDisposable
{
    private static readonly XNamespace Elb = AwsElbv2Service.Namespace;
    private const string V = AwsElbv2Service.ApiVersion;
    private readonly LabServer _lab;
    private readonly AwsQueryTestClient _aws;

    public AwsLabElbv2Tests(LabFixture fixture)
    {
        _lab = fixture.Lab;
        _lab.Aws.Reset();
        fixture.Reset();
        _aws = new AwsQueryTestClient(_lab);
    }

    public void Dispose() => _aws.Dispose();

    private Task<AwsQueryTestClient.Reply> Call(string action, params (string, string)[] members) => _aws.Call("elasticloadbalancing", action, V, members);

    private static XElement Result(AwsQueryTestClient.Reply reply, string action)
    {
        Assert.True(reply.Code == 200, reply.Text);
        Assert.Equal(Elb + (action + "Response"), reply.Root.Name);
        Assert.Equal(reply.RequestIdHeader, reply.Root.Element(Elb + "ResponseMetadata")!.Element(Elb + "RequestId")!.Value);
        return reply.Root.Element(Elb + (action + "Result"))!;
    }

    private static string ErrorCode(AwsQueryTestClient.Reply reply)
    {
        Assert.Equal(Elb + "ErrorResponse", reply.Root.Name);
        return reply.Root.Element(Elb + "Error")!.Element(Elb + "Code")!.Value;
    }

    private static IEnumerable<XElement> Members(XElement? list) => list?.Elements(Elb + "member") ?? [];

    [Fact]
    public async Task A_client_finds_the_instances_target_group_by_asking_each_groups_health()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        var groups = Members(Result(await Call("DescribeTargetGroups"), "DescribeTargetGroups").Element(Elb + "TargetGroups")).ToList();
        Assert.Equal(2, groups.Count);
        Assert.All(groups, g => Assert.Equal(("instance", scenario.Instance.VpcId), (g.Element(Elb + "TargetType")!.Value, g.Element(Elb + "VpcId")!.Value)));
        var holding = new List<string>();
        foreach (var arn in groups.Select(g => g.Element(Elb + "TargetGroupArn")!.Value))
        {
            var health = Result(await Call("DescribeTargetHealth", ("TargetGroupArn", arn)), "DescribeTargetHealth");
            var descriptions = Members(health.Element(Elb + "TargetHealthDescriptions")).ToList();
            Assert.All(descriptions, d => Assert.Equal("healthy", d.Element(Elb + "TargetHealth")!.Element(Elb + "State")!.Value));
            if (descriptions.Any(d => d.Element(Elb + "Target")!.Element(Elb + "Id")!.Value == scenario.Instance.InstanceId)) holding.Add(arn);
        }
        Assert.Equal([scenario.TargetGroupArn], holding);

        var asked = Result(await Call("DescribeTargetHealth", ("TargetGroupArn", scenario.NeighbourTargetGroupArn), ("Targets.member.1.Id", scenario.Instance.InstanceId)), "DescribeTargetHealth");
        var health1 = Members(asked.Element(Elb + "TargetHealthDescriptions")).Single().Element(Elb + "TargetHealth")!;
        Assert.Equal(("unused", "Target.NotRegistered"), (health1.Element(Elb + "State")!.Value, health1.Element(Elb + "Reason")!.Value));
    }

    [Fact]
    public async Task DeregisterTargets_drains_the_instance_and_RegisterTargets_puts_it_back()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        var id = scenario.Instance.InstanceId;
        var reply = await Call("DeregisterTargets", ("TargetGroupArn", scenario.TargetGroupArn), ("Targets.member.1.Id", id), ("Targets.member.1.Port", "80"));
        Assert.Empty(Result(reply, "DeregisterTargets").Elements());
        Assert.Empty(_lab.Aws.Elbv2.TargetsOf(scenario.TargetGroupArn));
        Assert.Empty(_lab.Aws.Elbv2.TargetGroupsOf(id));
        Assert.Equal([new Elbv2Target(scenario.NeighbourInstanceId, 8080)], _lab.Aws.Elbv2.TargetsOf(scenario.NeighbourTargetGroupArn));

        Result(await Call("RegisterTargets", ("TargetGroupArn", scenario.TargetGroupArn), ("Targets.member.1.Id", id), ("Targets.member.1.Port", "80")), "RegisterTargets");
        Assert.Equal([new Elbv2Target(id, 80)], _lab.Aws.Elbv2.TargetsOf(scenario.TargetGroupArn));
        Assert.Equal(["DeregisterTargets", "RegisterTargets"], _lab.Aws.Elbv2.Calls.Select(c => c.Action));
    }

    [Fact]
    public async Task Unknown_groups_and_targets_are_ELBv2s_errors()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        var missing = await Call("DescribeTargetHealth", ("TargetGroupArn", scenario.TargetGroupArn + "0"));
        Assert.Equal((400, "TargetGroupNotFound"), (missing.Code, ErrorCode(missing)));
        var byArn = await Call("DescribeTargetGroups", ("TargetGroupArns.member.1", scenario.TargetGroupArn + "0"));
        Assert.Equal("TargetGroupNotFound", ErrorCode(byArn));
        var bad = await Call("RegisterTargets", ("TargetGroupArn", scenario.TargetGroupArn), ("Targets.member.1.Id", "i-0123456789abcdef0"));
        Assert.Equal("InvalidTarget", ErrorCode(bad));
        var unknown = await Call("DeregisterInstancesFromLoadBalancer");
        Assert.Equal("InvalidAction", ErrorCode(unknown));
    }

    [Fact]
    public async Task DescribeTargetGroups_pages_with_PageSize_and_Marker()
    {
        var scenario = _lab.Aws.SeedIsolationScenario();
        var first = Result(await Call("DescribeTargetGroups", ("PageSize", "1")), "DescribeTargetGroups");
        Assert.Single(Members(first.Element(Elb + "TargetGroups")));
        var marker = first.Element(Elb + "NextMarker")!.Value;
        var second = Result(await Call("DescribeTargetGroups", ("PageSize", "1"), ("Marker", marker)), "DescribeTargetGroups");
        Assert.Equal(scenario.NeighbourTargetGroupArn, Members(second.Element(Elb + "TargetGroups")).Single().Element(Elb + "TargetGroupArn")!.Value);
        Assert.Null(second.Element(Elb + "NextMarker"));
    }
}
