using PSSocAutomation.Aws.Ec2;
using Xunit;

namespace PSSocAutomation.Tests.Aws;

/// <summary>The isolation record as instance tags: every value within EC2's 256 characters, and read back whole.</summary>
public sealed class Ec2IsolationTagsTests
{
    private static Ec2IsolationRecord Sample(int groupsOnFirstEni)
    {
        var record = new Ec2IsolationRecord("i-0123456789abcdef0", "eu-west-1", "20261204T185000Z")
        {
            AutoScalingGroupName = "web-asg",
            InstanceProfileArn = "arn:aws:iam::123456789012:instance-profile/web-role",
            TerminationProtectionBefore = false,
            StopProtectionBefore = true,
            ShutdownBehaviorBefore = "terminate",
            FindingId = "arn:aws:guardduty:eu-west-1:123456789012:detector/abc/finding/def",
            State = "Isolated",
        };
        record.OriginalGroups["eni-0aaaaaaaaaaaaaaa1"] = Enumerable.Range(0, groupsOnFirstEni).Select(i => $"sg-{i:x17}").ToArray();
        record.OriginalGroups["eni-0aaaaaaaaaaaaaaa2"] = ["sg-0bbbbbbbbbbbbbbbb"];
        record.TargetGroups.Add(new Ec2TargetRef("arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef", 80));
        record.TargetGroups.Add(new Ec2TargetRef("arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/0123456789abcdef", 8080));
        record.DeleteOnTerminationBefore.Add("/dev/xvda");
        record.Snapshots.AddRange(Enumerable.Range(0, 30).Select(i => $"snap-{i:x17}"));
        return record;
    }

    [Fact]
    public void A_record_round_trips_through_tags_each_within_256_characters()
    {
        var record = Sample(groupsOnFirstEni: 16);
        var tags = Ec2IsolationTags.Write(record);

        Assert.All(tags, t => Assert.InRange(t.Value.Length, 1, Ec2IsolationTags.MaxValue));
        Assert.All(tags, t => Assert.InRange(t.Key.Length, 1, 128));
        // 16 group ids (20 characters each) do not fit one value: the list continues under key#2.
        Assert.Contains(tags, t => t.Key == "pssoc:sg:eni-0aaaaaaaaaaaaaaa1#2");
        Assert.Contains(tags, t => t.Key == "pssoc:snapshots#3");

        var read = Ec2IsolationTags.Read(record.InstanceId, record.Region, tags.ToDictionary(t => t.Key, t => t.Value))!;
        Assert.Equal(record.IsolationId, read.IsolationId);
        Assert.Equal("Isolated", read.State);
        Assert.Equal(record.OriginalGroups.Keys, read.OriginalGroups.Keys);
        foreach (var (eni, groups) in record.OriginalGroups) Assert.Equal(groups, read.OriginalGroups[eni]);
        Assert.Equal(record.TargetGroups.Select(t => t.ToString()), read.TargetGroups.Select(t => t.ToString()));
        Assert.Equal(record.Snapshots, read.Snapshots);
        Assert.Equal(record.AutoScalingGroupName, read.AutoScalingGroupName);
        Assert.Equal(record.InstanceProfileArn, read.InstanceProfileArn);
        Assert.False(read.TerminationProtectionBefore);
        Assert.True(read.StopProtectionBefore);
        Assert.Equal("terminate", read.ShutdownBehaviorBefore);
        Assert.Equal(["/dev/xvda"], read.DeleteOnTerminationBefore);
        Assert.Equal(record.FindingId, read.FindingId);
    }

    [Fact]
    public void An_instance_without_the_isolation_tag_has_no_record()
    {
        Assert.Null(Ec2IsolationTags.Read("i-0123456789abcdef0", "us-east-1", new Dictionary<string, string> { ["Name"] = "web-01", ["pssoc:sg:eni-1"] = "sg-1" }));
    }

    [Fact]
    public void An_item_longer_than_a_tag_value_is_refused_not_cut()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ec2IsolationTags.Split("pssoc:finding", [new string('x', 257)]).ToList());
        Assert.Contains("256", ex.Message);
    }

    [Fact]
    public void An_in_progress_record_reads_as_in_progress()
    {
        var record = Sample(2);
        record.State = "InProgress";
        var tags = Ec2IsolationTags.Write(record).ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("20261204T185000Z in-progress", tags["pssoc:isolation"]);
        Assert.Equal("InProgress", Ec2IsolationTags.Read(record.InstanceId, record.Region, tags)!.State);
    }
}
