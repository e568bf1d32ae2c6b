using System.Management.Automation;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Elastic;

/// <summary>
/// Scheduled runs that resume from a checkpoint: each run reads what arrived since the last completed one (late
/// documents inside the overlap included), a run that dies half-way moves nothing, and two runs never share one
/// checkpoint at once. IRIS is the sink whose contents are counted.
/// </summary>
public sealed class ResumeTests : IClassFixture<LabFixture>, IDisposable
{
    private const string ConnectBoth = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryDelaySec 1 | Out-Null\n" + Connect;
    private readonly LabFixture _fixture;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pssoc-resume-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public ResumeTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        Directory.CreateDirectory(_folder);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private LabServer Lab => _fixture.Lab;
    private string CheckpointFile => Path.Combine(_folder, "alerts.checkpoint");

    private ScriptResult Run(string script)
    {
        var variables = _fixture.ElasticVariables();
        foreach (var (k, v) in Variables(Lab)) variables[k] = v;
        variables["cp"] = CheckpointFile;
        return _fixture.Session.Run(ConnectBoth + script, variables);
    }

    private void Alert(string index, string id, TimeSpan ago) =>
        Lab.Elastic.Index(index, id, $$"""{"alert_id":"{{id}}","@timestamp":"{{(_now - ago).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}","message":"Alert {{id}}","severity":"high"}""");

    private static string NewIndex() => "resume-" + Guid.NewGuid().ToString("N")[..8];

    private string ToIris(string index, string extra = "") =>
        $"Get-ElasticAlert -Index {index} -Checkpoint $cp -Overlap 10m {extra}| New-IrisAlert -Customer ACME | Measure-Object | ForEach-Object Count";

    [Fact]
    public async Task Scheduled_runs_deliver_each_alert_once_through_late_arrivals_a_failed_run_and_a_busy_checkpoint()
    {
        Fresh(Lab);
        var index = NewIndex();
        var expected = new List<string>();
        for (var i = 1; i <= 10; i++)
        {
            Alert(index, "A" + i, TimeSpan.FromMinutes(61 - i));
            expected.Add("A" + i);
        }

        // Run 1: everything so far.
        var first = Run(ToIris(index));
        AssertClean(first);
        Assert.Equal(10, Assert.Single(first.OutputOf<int>()));
        Assert.True(File.Exists(CheckpointFile));

        // New alerts, and two that are indexed late: their time is before the watermark (A10, 51 min ago), within the overlap.
        for (var i = 11; i <= 13; i++) { Alert(index, "A" + i, TimeSpan.FromMinutes(50 - i)); expected.Add("A" + i); }
        Alert(index, "L1", TimeSpan.FromMinutes(55)); expected.Add("L1");
        Alert(index, "L2", TimeSpan.FromMinutes(52.5)); expected.Add("L2");
        var saved = File.ReadAllText(CheckpointFile);

        // Run 2 dies half-way down its pipeline: the checkpoint must not move.
        var died = Run($"Get-ElasticAlert -Index {index} -Checkpoint $cp -Overlap 10m | ForEach-Object {{ if (++$n -eq 3) {{ throw 'the runbook was killed' }}; $_ }} | New-IrisAlert -Customer ACME");
        Assert.NotNull(died.Terminating);
        Assert.Equal(saved, File.ReadAllText(CheckpointFile));

        // Run 3 starts while another process holds the checkpoint: it stops with a clear error and sends nothing.
        var environment = _fixture.PwshEnvironment();
        environment["CP"] = CheckpointFile;
        environment["INDEX"] = index;
        var searchesBefore = Searches();
        var holder = Task.Run(() => PwshProcess.Run("""
            $ErrorActionPreference = 'Stop'
            Import-Module $env:MODULE
            $cred = [pscredential]::new($env:ES_USER, (ConvertTo-SecureString $env:ES_PASSWORD -AsPlainText -Force))
            Connect-Elastic -Uri $env:ES_URI -Credential $cred | Out-Null
            $key = ConvertTo-SecureString $env:IRIS_KEY -AsPlainText -Force
            Connect-Iris -Uri $env:IRIS_URI -ApiKey $key -CertificateThumbprint $env:IRIS_THUMB | Out-Null
            Get-ElasticAlert -Index $env:INDEX -Checkpoint $env:CP -Overlap 10m |
                ForEach-Object { Start-Sleep -Milliseconds 700; $_ } | New-IrisAlert -Customer ACME | Measure-Object | ForEach-Object Count
            """, environment));
        WaitForLockHolder(holder, searchesBefore);
        var posts = Posts(Lab).Count();
        var busy = Run(ToIris(index, "-CheckpointTimeoutSec 1 "));
        var record = busy.Terminating?.ErrorRecord ?? Assert.Single(busy.Errors);
        Assert.StartsWith("ElasticCheckpointBusy", record.FullyQualifiedErrorId);
        Assert.Contains(CheckpointFile, record.Exception.Message);
        var finished = await holder;
        Assert.True(finished.ExitCode == 0, finished.ToString());
        Assert.Equal("5", finished.Output.Trim().Split('\n').Last().Trim());

        // Run 4: nothing new; every alert was delivered once.
        var last = Run(ToIris(index, "-Verbose "));
        AssertClean(last);
        Assert.Equal(0, Assert.Single(last.OutputOf<int>()));
        Assert.Contains(last.Verbose, v => v.Contains("Resuming from the checkpoint"));

        foreach (var id in expected) Assert.Single(Lab.Iris.AlertsWithSourceRef(id));
        Assert.Equal(expected.Count, Lab.Iris.Alerts.Count);
        Assert.True(posts <= Posts(Lab).Count());
    }

    private int Searches() => Lab.Journal.For("elastic").Count(e => e.Path == "/_search" && e.Status == 200);

    /// <summary>The holder has its lock once it has asked Elasticsearch for its first page.</summary>
    private void WaitForLockHolder(Task holder, int searchesBefore)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (Searches() <= searchesBefore)
        {
            if (holder.IsCompleted) throw new Xunit.Sdk.XunitException("The holder ended before it searched: " + holder);
            if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException("The holder never searched.");
            Thread.Sleep(50);
        }
    }

    [Fact]
    public void A_sink_that_fails_at_the_end_of_the_pipeline_keeps_the_checkpoint_where_it_was()
    {
        Fresh(Lab);
        var index = NewIndex();
        for (var i = 1; i <= 4; i++) Alert(index, "B" + i, TimeSpan.FromMinutes(10 - i));
        // The source has ended by the time the last command fails in its own end: only then is the pipeline's fate known.
        var result = Run($"Get-ElasticAlert -Index {index} -Checkpoint $cp | ForEach-Object -Process {{ $_ }} -End {{ throw 'the sink could not flush' }}");
        Assert.NotNull(result.Terminating);
        Assert.Equal(4, result.OutputOf(Types.SocAlert).Count());
        Assert.False(File.Exists(CheckpointFile));

        var again = Run($"Get-ElasticAlert -Index {index} -Checkpoint $cp");
        Assert.Empty(again.Errors);
        Assert.Equal(4, again.OutputOf(Types.SocAlert).Count());
        Assert.True(File.Exists(CheckpointFile));
    }

    [Fact]
    public void Select_First_downstream_saves_what_was_taken_and_the_next_run_goes_on_from_there()
    {
        var index = NewIndex();
        for (var i = 1; i <= 6; i++) Alert(index, "C" + i, TimeSpan.FromMinutes(10 - i));
        var taken = Run($"Get-ElasticAlert -Index {index} -Checkpoint $cp -PageSize 2 | Select-Object -First 2");
        Assert.Equal(new[] { "C1", "C2" }, taken.OutputOf(Types.SocAlert).Select(a => (string)a.Id));
        var rest = Run($"Get-ElasticAlert -Index {index} -Checkpoint $cp");
        Assert.Equal(new[] { "C3", "C4", "C5", "C6" }, rest.OutputOf(Types.SocAlert).Select(a => (string)a.Id));
    }

    [Theory]
    [InlineData("-Checkpoint $cp -Sort '@timestamp:desc'", "ElasticCheckpointWithSort")]
    [InlineData("-Checkpoint $cp -UniqueBy alert_id", "ElasticCheckpointWithSort")]
    [InlineData("-Checkpoint $cp -Overlap 'tomorrow'", "ElasticInvalidOverlap")]
    [InlineData("-Checkpoint $cp -Overlap '2024-01-01'", "ElasticInvalidOverlap")]
    [InlineData("-Checkpoint @{ a = 1 }", "ElasticCheckpointInvalid")]
    public void Bad_checkpoint_arguments_stop_before_any_search(string arguments, string errorId)
    {
        var result = Run($"Get-ElasticAlert -Index {NewIndex()} {arguments}");
        var record = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.StartsWith(errorId, record.FullyQualifiedErrorId);
        Assert.DoesNotContain(Lab.Journal.For("elastic"), e => e.Path.Contains("_pit") || e.Path.Contains("_search"));
    }

    [Fact]
    public void A_checkpoint_file_that_is_not_a_watermark_is_refused_naming_it()
    {
        File.WriteAllText(CheckpointFile, "not json at all");
        var result = Run($"Get-ElasticAlert -Index {NewIndex()} -Checkpoint $cp");
        var record = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.StartsWith("ElasticCheckpointInvalid", record.FullyQualifiedErrorId);
        Assert.Contains(CheckpointFile, record.Exception.Message);
        Assert.Equal(ErrorCategory.InvalidData, record.CategoryInfo.Category);
    }
}
