using Xunit;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Iris;

/// <summary>
/// Exactly one case (and one alert) per key, whatever happens around the create: answers that come too late, writes
/// that land after the module gave up, a case that only shares the SOC id, follow-up updates that fail, and two runs at
/// once in two processes. Each test runs the cmdlets against the Lab and counts what the Lab holds.
/// </summary>
public sealed class IrisExactlyOnceTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public IrisExactlyOnceTests(LabFixture fixture) => _fixture = fixture;

    private LabServer Lab => _fixture.Lab;

    private const string ConnectShort = "Connect-Iris -Uri $irisUri -ApiKey $irisKey -CertificateThumbprint $irisThumb -TimeoutSec 2 -MaximumRetryDelaySec 1 | Out-Null\n";

    private ScriptResult Run(string script)
    {
        var result = _fixture.Session.Run(script, Variables(Lab));
        Assert.DoesNotContain(result.AllText(), t => t.Contains(Lab.Iris.AdministratorApiKey, StringComparison.Ordinal));
        return result;
    }

    private static void Eventually(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException("Timed out waiting for " + what);
            Thread.Sleep(100);
        }
    }

    // ---- late answers ----

    [Fact]
    public void A_case_create_that_lands_after_the_timeout_ends_with_one_case()
    {
        Fresh(Lab);
        // IRIS writes the case 5 s after the request, long after the module's 2 s timeout: twice in a row.
        Lab.Faults.Add(new FaultRule { Service = "iris", Method = "POST", PathContains = "/manage/cases/add", Kind = FaultKind.LandLate, Delay = TimeSpan.FromSeconds(5), Times = 2 });
        var result = Run(ConnectShort + "New-IrisCase -Name 'Late case' -Description 'lands late' -SocId L-1 -Customer ACME -Verbose");
        AssertClean(result);
        var output = Assert.Single(result.OutputOf(Types.IrisCase));
        Assert.Contains(result.Verbose, v => v.Contains("landed after all"));
        // Wait out anything still in flight before counting.
        Thread.Sleep(TimeSpan.FromSeconds(1));
        var stored = Assert.Single(Lab.Iris.CasesWithSocId("L-1"));
        Assert.Equal(stored.CaseId, (int)output.CaseId);
        Assert.Single(Posts(Lab), p => p.Path == "/manage/cases/add");
        Assert.Contains("PSSocAutomation", stored.Tags);
    }

    [Fact]
    public void An_alert_create_that_lands_after_the_timeout_ends_with_one_alert()
    {
        Fresh(Lab);
        Lab.Faults.Add(new FaultRule { Service = "iris", Method = "POST", PathContains = "/alerts/add", Kind = FaultKind.LandLate, Delay = TimeSpan.FromSeconds(5), Times = 2 });
        var result = Run(ConnectShort + "New-IrisAlert -Title 'Late alert' -SourceRef LA-1 -Customer ACME -Verbose");
        AssertClean(result);
        var output = Assert.Single(result.OutputOf(Types.IrisAlert));
        Thread.Sleep(TimeSpan.FromSeconds(1));
        var stored = Assert.Single(Lab.Iris.Alerts, a => a.SourceRef == "LA-1");
        Assert.Equal(stored.AlertId, (int)output.AlertId);
        Assert.Single(Posts(Lab), p => p.Path == "/alerts/add");
    }

    [Fact]
    public void A_create_whose_answer_comes_late_is_found_not_repeated()
    {
        Fresh(Lab);
        Lab.Faults.Add(new FaultRule { Service = "iris", Method = "POST", PathContains = "/manage/cases/add", Kind = FaultKind.AnswerLate, Delay = TimeSpan.FromSeconds(4) });
        var result = Run(ConnectShort + "New-IrisCase -Name 'Slow answer' -Description 'written at once' -SocId AL-1 -Customer ACME");
        AssertClean(result);
        Assert.Single(result.OutputOf(Types.IrisCase));
        Assert.Single(Lab.Iris.CasesWithSocId("AL-1"));
        Assert.Single(Posts(Lab), p => p.Path == "/manage/cases/add");
    }

    [Fact]
    public void A_twin_that_lands_after_the_window_is_reported_and_the_oldest_kept()
    {
        Fresh(Lab);
        // A window shorter than the server's delay: the module creates again, then the first request lands too.
        Lab.Faults.Add(new FaultRule { Service = "iris", Method = "POST", PathContains = "/manage/cases/add", Kind = FaultKind.LandLate, Delay = TimeSpan.FromSeconds(4) });
        var first = Run(ConnectShort + "New-IrisCase -Name 'Twin' -Description 'twice' -SocId T-1 -Customer ACME -LateWriteWindow 00:00:01");
        AssertClean(first);
        Eventually(() => Lab.Iris.CasesWithSocId("T-1").Count == 2, "the late create to land");
        var kept = Lab.Iris.CasesWithSocId("T-1").Min(c => c.CaseId);
        var twin = Lab.Iris.CasesWithSocId("T-1").Max(c => c.CaseId);
        Lab.Journal.Clear();

        var again = Run(ConnectShort + "New-IrisCase -Name 'Twin' -Description 'twice' -SocId T-1 -Customer ACME");
        var output = Assert.Single(again.OutputOf(Types.IrisCase));
        Assert.Equal(kept, (int)output.CaseId);
        var warning = Assert.Single(again.Warnings, w => w.Contains("SOC id 'T-1'"));
        Assert.Contains($"keeps #{kept}", warning);
        Assert.Contains($"#{twin}", warning);
        Assert.DoesNotContain(Posts(Lab), p => p.Path == "/manage/cases/add");
    }

    // ---- identity: the case this module opened ----

    [Fact]
    public void A_case_that_only_shares_the_SOC_id_is_named_and_not_taken()
    {
        var acme = Fresh(Lab);
        // An ordinary escalation in IRIS: the new case's SOC id is the IRIS alert id.
        var irisAlert = Lab.Iris.AddAlert("Escalated by an analyst", customerId: acme, sourceRef: "other-tool-9");
        var escalated = Run(Connect + $"Invoke-IrisAlertEscalation -AlertId {irisAlert.AlertId} -CaseTitle 'Escalated by an analyst'");
        AssertClean(escalated);
        var socId = irisAlert.AlertId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var foreign = Assert.Single(Lab.Iris.CasesWithSocId(socId));
        Lab.Journal.Clear();

        var result = Run(Connect + $"[pscustomobject]@{{ Id = '{socId}'; Title = 'Elastic alert {socId}' }} | New-IrisCase -Customer ACME");
        AssertClean(result);
        var created = Assert.Single(result.OutputOf(Types.IrisCase));
        Assert.NotEqual(foreign.CaseId, (int)created.CaseId);
        Assert.Equal("Created", created.Action.ToString());
        var warning = Assert.Single(result.Warnings);
        Assert.Contains($"#{foreign.CaseId}", warning);
        Assert.Contains("-AdoptExisting", warning);
        Assert.Equal(2, Lab.Iris.CasesWithSocId(socId).Count);

        // The next run finds the module's own case, quietly.
        var again = Run(Connect + $"[pscustomobject]@{{ Id = '{socId}'; Title = 'Elastic alert {socId}' }} | New-IrisCase -Customer ACME");
        AssertClean(again);
        Assert.Equal((int)created.CaseId, (int)Assert.Single(again.OutputOf(Types.IrisCase)).CaseId);
        Assert.Empty(again.Warnings);
        Assert.Equal(2, Lab.Iris.CasesWithSocId(socId).Count);
    }

    [Fact]
    public void AdoptExisting_takes_the_unmarked_case_on_purpose_and_marks_it()
    {
        var acme = Fresh(Lab);
        var foreign = Lab.Iris.AddCase("Made by hand", socId: "H-1", customerId: acme);
        var result = Run(Connect + "New-IrisCase -Name 'From Elastic' -Description 'x y' -SocId H-1 -Customer ACME -AdoptExisting");
        AssertClean(result);
        var adopted = Assert.Single(result.OutputOf(Types.IrisCase));
        Assert.Equal(foreign.CaseId, (int)adopted.CaseId);
        Assert.Equal("Adopted", adopted.Action.ToString());
        Assert.True((bool)adopted.Existing);
        Assert.Single(Lab.Iris.CasesWithSocId("H-1"));
        Assert.Contains("PSSocAutomation", Lab.Iris.FindCase(foreign.CaseId)!.Tags);

        // Marked now: the next run takes it without the switch.
        Lab.Journal.Clear();
        var again = Run(Connect + "New-IrisCase -Name 'From Elastic' -Description 'x y' -SocId H-1 -Customer ACME");
        AssertClean(again);
        Assert.Equal("Existing", Assert.Single(again.OutputOf(Types.IrisCase)).Action.ToString());
        Assert.Empty(Posts(Lab));
    }

    // ---- re-runs converge ----

    [Fact]
    public void A_case_whose_updates_fail_is_output_incomplete_and_the_rerun_finishes_it()
    {
        Fresh(Lab, "v2.4.7");
        Lab.Faults.Add(new FaultRule { Service = "iris", Method = "POST", PathContains = "/manage/cases/update", Status = 500, Times = 100 });
        var script = Connect + "New-IrisCase -Name 'Needs tags' -Description 'set later' -SocId C-1 -Customer ACME -Severity Critical -Tag phishing,email";
        var first = Run(script);
        var incomplete = Assert.Single(first.OutputOf(Types.IrisCase));
        Assert.Equal("Incomplete", incomplete.Action.ToString());
        var error = Assert.Single(first.Errors);
        Assert.StartsWith("IrisCaseIncomplete", error.FullyQualifiedErrorId);
        Assert.Contains($"#{incomplete.CaseId}", error.Exception.Message);
        var stored = Assert.Single(Lab.Iris.CasesWithSocId("C-1"));
        Assert.DoesNotContain("phishing", stored.Tags);

        Lab.Faults.Clear();
        var second = Run(script);
        AssertClean(second);
        var updated = Assert.Single(second.OutputOf(Types.IrisCase));
        Assert.Equal("Updated", updated.Action.ToString());
        stored = Assert.Single(Lab.Iris.CasesWithSocId("C-1"));
        Assert.Equal(new[] { "phishing", "email", "PSSocAutomation" }, stored.Tags);
        Assert.Equal(6, stored.SeverityId); // Critical

        Lab.Journal.Clear();
        var third = Run(script);
        AssertClean(third);
        Assert.Equal("Existing", Assert.Single(third.OutputOf(Types.IrisCase)).Action.ToString());
        Assert.Empty(Posts(Lab));
    }

    [Fact]
    public void A_rerun_sets_what_an_existing_case_lacks_and_keeps_the_analysts_tags()
    {
        var acme = Fresh(Lab);
        var seeded = Lab.Iris.AddCase("Earlier run", socId: "U-1", customerId: acme, severityId: 4, tags: new[] { "PSSocAutomation", "analyst-note" });
        var result = Run(Connect + "New-IrisCase -Name 'Earlier run' -Description 'again' -SocId U-1 -Customer ACME -Severity High -Tag elastic -Classification 'malicious-code:infected-system'");
        AssertClean(result);
        var output = Assert.Single(result.OutputOf(Types.IrisCase));
        Assert.Equal("Updated", output.Action.ToString());
        var stored = Lab.Iris.FindCase(seeded.CaseId)!;
        Assert.Equal(5, stored.SeverityId);
        Assert.NotNull(stored.ClassificationId);
        Assert.Equal(new[] { "PSSocAutomation", "analyst-note", "elastic" }, stored.Tags);
        Assert.Single(Lab.Iris.CasesWithSocId("U-1"));
    }

    [Fact]
    public void A_rerun_updates_an_existing_alert_that_differs()
    {
        var acme = Fresh(Lab);
        var seeded = Lab.Iris.AddAlert("Seen before", customerId: acme, sourceRef: "UA-1", severityId: 4, tags: "old");
        var result = Run(Connect + "New-IrisAlert -Title 'Seen before' -SourceRef UA-1 -Customer ACME -Severity Critical -Tag elastic");
        AssertClean(result);
        var output = Assert.Single(result.OutputOf(Types.IrisAlert));
        Assert.Equal("Updated", output.Action.ToString());
        var stored = Lab.Iris.FindAlert(seeded.AlertId)!;
        Assert.Equal(6, stored.SeverityId);
        Assert.Equal("old,elastic", stored.Tags);
        Assert.Single(Lab.Iris.Alerts, a => a.SourceRef == "UA-1");
    }

    // ---- two runs at once ----

    [Fact]
    public async Task Two_processes_over_the_same_SOC_ids_make_one_case_each()
    {
        Fresh(Lab);
        // A little latency widens the window between look and create, as a real IRIS has.
        Lab.Faults.SetLatency("iris", TimeSpan.FromMilliseconds(20));
        var environment = _fixture.PwshEnvironment();
        const string script = """
            $ErrorActionPreference = 'Stop'
            Import-Module $env:MODULE
            $key = ConvertTo-SecureString $env:IRIS_KEY -AsPlainText -Force
            $iris = Connect-Iris -Uri $env:IRIS_URI -ApiKey $key -CertificateThumbprint $env:IRIS_THUMB -NoDefault
            1..25 | ForEach-Object { [pscustomobject]@{ Id = "P-$_"; Title = "Overlap $_" } } |
                New-IrisCase -Customer ACME -Connection $iris -ThrottleLimit 4 | Measure-Object | ForEach-Object Count
            """;
        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() => PwshProcess.Run(script, environment))).ToArray();
        foreach (var run in await Task.WhenAll(runs)) Assert.True(run.ExitCode == 0, run.ToString());
        Lab.Faults.Clear();
        for (var i = 1; i <= 25; i++) Assert.Single(Lab.Iris.CasesWithSocId("P-" + i));
        Assert.Equal(25, Posts(Lab).Count(p => p.Path == "/manage/cases/add"));
    }

    // ---- notes, IOCs and assets from the same source: once ----

    [Fact]
    public void Rerunning_the_story_pipeline_adds_each_note_IOC_and_asset_once()
    {
        Fresh(Lab);
        const string pipeline = """
            $cases = @([pscustomobject]@{ Id = 'N-1'; Title = 'Note once 1' }, [pscustomobject]@{ Id = 'N-2'; Title = 'Note once 2' }) | New-IrisCase -Customer ACME
            $notes = $cases | Add-IrisCaseNote -Title 'Triage' -Content 'Looked at it'
            $iocs = $cases | Add-IrisCaseIoc -Value 203.0.113.7 -Type ip-dst
            $assets = $cases | Add-IrisCaseAsset -Name WS-0142
            $notes; $iocs; $assets
            """;
        var first = Run(Connect + pipeline);
        AssertClean(first);
        var second = Run(Connect + pipeline);
        AssertClean(second);
        foreach (var socId in new[] { "N-1", "N-2" })
        {
            var c = Assert.Single(Lab.Iris.CasesWithSocId(socId));
            Assert.Single(Lab.Iris.NotesOfCase(c.CaseId), n => n.Title == "Triage");
            Assert.Single(Lab.Iris.IocsOfCase(c.CaseId));
            Assert.Single(Lab.Iris.AssetsOfCase(c.CaseId));
        }
        Assert.All(second.OutputOf(Types.IrisNote), n => Assert.True((bool)n.Existing));
        Assert.All(second.OutputOf(Types.IrisIoc), i => Assert.True((bool)i.Existing));
        Assert.All(second.OutputOf(Types.IrisAsset), a => Assert.True((bool)a.Existing));
        Assert.Equal(2, second.OutputOf(Types.IrisNote).Count);
    }

    [Fact]
    public void Before_2_4_an_IOC_the_case_has_is_not_sent_again()
    {
        var acme = Fresh(Lab, "v2.3.7");
        var c = Lab.Iris.AddCase("Old IRIS", socId: "O-1", customerId: acme);
        var add = Connect + $"Add-IrisCaseIoc -CaseId {c.CaseId} -Value evil.example -Type domain";
        AssertClean(Run(add));
        Lab.Journal.Clear();
        var again = Run(add);
        AssertClean(again);
        Assert.True((bool)Assert.Single(again.OutputOf(Types.IrisIoc)).Existing);
        Assert.DoesNotContain(Posts(Lab), p => p.Path == "/case/ioc/add");
    }
}
