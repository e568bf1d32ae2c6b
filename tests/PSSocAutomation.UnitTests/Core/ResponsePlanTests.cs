using PSSocAutomation.Core;
using PSSocAutomation.Http;
using Xunit;

namespace PSSocAutomation.Tests.Core;

public sealed class ResponsePlanTests
{
    [Fact]
    public async Task Runs_in_order_and_keeps_each_outcome()
    {
        var order = new List<string>();
        var plan = new ResponsePlan();
        plan.Add("One", "i-1", "first", _ => { order.Add("One"); return Task.FromResult(ResponseStepResult.Done("made snap-1")); });
        plan.Skip("Two", "i-1", "second", "no group");
        plan.Add("Three", "i-1", "third", _ => { order.Add("Three"); return Task.FromResult(ResponseStepResult.AlreadyDone()); });
        var heard = new List<string>();
        await plan.RunAsync((s, _) => { heard.Add(s.Name); return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal(["One", "Three"], order);
        Assert.Equal(["One", "Two", "Three"], heard);
        Assert.Equal([ResponseStepOutcome.Done, ResponseStepOutcome.Skipped, ResponseStepOutcome.AlreadyDone], plan.Steps.Select(s => s.Outcome));
        Assert.Equal("made snap-1", plan.Steps[0].Detail);
        Assert.All(plan.Steps, s => Assert.NotNull(s.CompletedAt));
    }

    [Fact]
    public async Task Stops_at_the_first_failure_and_names_what_was_done()
    {
        var plan = new ResponsePlan();
        var ran = false;
        plan.Add("Protect", "i-1", "protect", _ => Task.FromResult(ResponseStepResult.Done()));
        plan.Add("Detach", "i-1", "detach", _ => throw new SocApiException(ApiFailureKind.Permission, "Auto Scaling", "not allowed") { VendorType = "AccessDenied" });
        plan.Add("Cut", "eni-1", "cut", _ => { ran = true; return Task.FromResult(ResponseStepResult.Done()); });

        var ex = await Assert.ThrowsAsync<ResponseStepException>(() => plan.RunAsync(null, CancellationToken.None));

        Assert.False(ran);
        Assert.Equal("Detach", ex.Failed.Name);
        Assert.Equal([ResponseStepOutcome.Done, ResponseStepOutcome.Failed, ResponseStepOutcome.NotRun], plan.Steps.Select(s => s.Outcome));
        Assert.Equal("AccessDenied", plan.Steps[1].ErrorCode);
        Assert.Contains("Done before it: Protect i-1", ex.Message);
        Assert.Contains("not allowed", ex.Message);
    }

    [Fact]
    public void WhatIf_marks_steps_planned_and_runs_nothing()
    {
        var plan = new ResponsePlan();
        plan.Add("Protect", "i-1", "protect", _ => throw new InvalidOperationException("must not run"));
        plan.Skip("Snapshot", "i-1", "snap", "-NoSnapshot");
        plan.MarkPlanned();
        Assert.Equal([ResponseStepOutcome.Planned, ResponseStepOutcome.Skipped], plan.Steps.Select(s => s.Outcome));
    }
}
