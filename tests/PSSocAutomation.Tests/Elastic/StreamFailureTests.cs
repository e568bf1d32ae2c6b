using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Elastic;

/// <summary>
/// Streams that meet a failure half-way (issue 7). A page that fails for good (item 6): what came is output, then the
/// error ends the script (so `| Export-Csv` cannot pass for a complete export), says how many items came and on which
/// page, and the point in time is still closed. A page whose body is cut short (item 7) is fetched again.
/// </summary>
public sealed class StreamFailureTests : IClassFixture<LabFixture>
{
    private const string Connect = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryDelaySec 1 | Out-Null\n";
    private readonly LabFixture _fixture;

    public StreamFailureTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private LabServer Lab => _fixture.Lab;

    private ScriptResult Run(string script) => _fixture.Session.Run(script, _fixture.ElasticVariables());

    /// <summary>Pages 1 and 2 come, every later search fails with a 500 (not retried: it may not be safe to).</summary>
    private void FailSearchesAfter(int pages) =>
        Lab.Faults.Add(new FaultRule { Service = "elastic", Method = "POST", PathContains = "/_search", Status = 500, After = pages, Times = 100 });

    private string SeededIndex(string prefix, int alerts)
    {
        var index = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.SeedAlerts(index, alerts, DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromSeconds(1));
        return index;
    }

    [Fact]
    public void A_search_stream_that_breaks_on_page_three_outputs_two_pages_then_a_terminating_error_that_counts_them()
    {
        var index = SeededIndex("halfway", 5_000);
        FailSearchesAfter(2);
        var result = Run(Connect + $$"""
            $n = 0
            try {
                Get-ElasticAlert -Index {{index}} -PageSize 1000 | ForEach-Object { $n++; $_ }
                'not reached: the statement after the failed stream'
            }
            catch { "caught $($_.FullyQualifiedErrorId)"; $_.Exception.Message }
            "delivered $n"
            """);
        Assert.Empty(result.Errors);
        Assert.Null(result.Terminating);
        Assert.Equal(2_000, result.OutputOf(Types.SocAlert).Count);
        var text = result.Output.Where(o => o.BaseObject is string).Select(o => (string)o.BaseObject).ToList();
        Assert.DoesNotContain(text, t => t.StartsWith("not reached", StringComparison.Ordinal));
        Assert.Contains("caught ElasticStatus", text[0]);
        Assert.Contains("stopped after 2,000 alerts had been delivered (page 3)", text[1]);
        Assert.Contains("HTTP 500", text[1]);
        Assert.Equal("delivered 2000", text[2]);
        Assert.Equal(0, Lab.Elastic.OpenPitCount);
        Assert.Contains(Lab.Journal.For("elastic"), e => e.Method == "DELETE" && e.Path == "/_pit");
    }

    [Fact]
    public void Uncaught_it_ends_the_script_not_only_the_statement()
    {
        var index = SeededIndex("uncaught", 3_000);
        FailSearchesAfter(1);
        var result = Run(Connect + $"Get-ElasticAlert -Index {index} -PageSize 1000 | Out-Null\n'after the stream'");
        Assert.NotNull(result.Terminating);
        Assert.StartsWith("ElasticStatus", result.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("stopped after 1,000 alerts had been delivered (page 2)", result.Terminating.Message);
        Assert.DoesNotContain(result.Output, o => o.BaseObject is string s && s == "after the stream");
        Assert.Equal(0, Lab.Elastic.OpenPitCount);
    }

    [Fact]
    public void A_unique_stream_that_breaks_half_way_counts_the_unique_alerts_that_came()
    {
        var index = "uniq-broken-" + Guid.NewGuid().ToString("N")[..8];
        var start = new DateTimeOffset(2024, 9, 20, 0, 0, 0, TimeSpan.Zero);
        Lab.Elastic.Seed(index, Enumerable.Range(0, 200).Select(i =>
            $$"""{"alert_id":"A{{i % 50:D3}}","@timestamp":"{{start.AddMinutes(i):o}}","message":"occurrence {{i}}"}""").ToArray());
        FailSearchesAfter(2);
        var result = Run(Connect + $"Get-ElasticAlert -Index {index} -UniqueBy alert_id -PageSize 7");
        Assert.Equal(14, result.OutputOf(Types.SocAlert).Count);
        Assert.NotNull(result.Terminating);
        Assert.Contains("stopped after 14 unique alerts had been delivered (page 3)", result.Terminating!.Message);
    }

    [Fact]
    public void A_page_whose_200_body_is_cut_short_is_fetched_again_and_every_alert_comes_out_once()
    {
        var index = SeededIndex("cut-page", 2_500);
        // The second page's answer is a whole HTTP response whose JSON stops half-way.
        Lab.Faults.Add(new FaultRule { Service = "elastic", Method = "POST", PathContains = "/_search", Kind = FaultKind.TruncateBody, After = 1, Times = 1 });
        var result = Run(Connect + $"Get-ElasticAlert -Index {index} -PageSize 1000");
        Assert.Empty(result.Errors);
        Assert.Null(result.Terminating);
        var ids = result.OutputOf(Types.SocAlert).Select(a => (string)a.DocumentId).ToList();
        Assert.Equal(2_500, ids.Count);
        Assert.Equal(2_500, ids.Distinct().Count());
        // Three pages and the cut one again: the same body (same search_after) twice, the first answered with half of it.
        var searches = Lab.Journal.For("elastic").Where(e => e.Method == "POST" && e.Path == "/_search").ToList();
        Assert.Equal(4, searches.Count);
        Assert.Equal(searches[1].Body, searches[2].Body);
        Assert.Equal(0, Lab.Elastic.OpenPitCount);
    }

    [Fact]
    public void A_failure_before_anything_came_stays_a_non_terminating_error()
    {
        var index = SeededIndex("first-page", 10);
        FailSearchesAfter(0);
        var result = Run(Connect + $"Get-ElasticAlert -Index {index}\n'after the stream'");
        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ElasticStatus", error.FullyQualifiedErrorId);
        Assert.Equal("after the stream", Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void A_script_run_with_pwsh_File_whose_export_breaks_half_way_exits_non_zero()
    {
        var index = SeededIndex("pwsh-halfway", 5_000);
        FailSearchesAfter(2);
        var folder = Directory.CreateTempSubdirectory("pssoc-halfway-");
        try
        {
            var script = Path.Combine(folder.FullName, "export.ps1");
            var csv = Path.Combine(folder.FullName, "alerts.csv");
            File.WriteAllText(script, """
                Import-Module $env:MODULE
                $esCred = [pscredential]::new($env:ES_USER, (ConvertTo-SecureString $env:ES_PASSWORD -AsPlainText -Force))
                Connect-Elastic -Uri $env:ES_URI -Credential $esCred -MaximumRetryDelaySec 1 | Out-Null
                Get-ElasticAlert -Index $env:ES_INDEX -PageSize 1000 | Select-Object Id, Title | Export-Csv -Path $env:CSV
                'after the export'
                """);
            var environment = _fixture.PwshEnvironment();
            environment["ES_INDEX"] = index;
            environment["CSV"] = csv;
            var result = PwshProcess.RunFile(script, Array.Empty<string>(), environment);
            Assert.True(result.ExitCode != 0, result.ToString());
            Assert.DoesNotContain("after the export", result.Output);
            // pwsh wraps the message to its width, with a "|" margin: compared without either.
            Assert.Contains("stoppedafter2,000alertshadbeendelivered", new string(result.Error.Where(c => !char.IsWhiteSpace(c) && c != '|').ToArray()));
            // The two pages that came are in the file, the header first.
            Assert.Equal(2_001, File.ReadAllLines(csv).Length);
            Assert.Equal(0, Lab.Elastic.OpenPitCount);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
