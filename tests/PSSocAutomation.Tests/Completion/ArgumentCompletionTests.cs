using System.Diagnostics;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Completion;

/// <summary>
/// Tab completion through TabExpansion2 in the engine, against the Lab: the values each parameter takes (never file
/// names, even in a folder whose files match what was typed), and a completer whose server does not answer comes
/// back within its bound.
/// </summary>
public sealed class ArgumentCompletionTests : IClassFixture<LabFixture>, IDisposable
{
    private const string ConnectElastic = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryDelaySec 1 | Out-Null\n";
    private readonly LabFixture _fixture;
    private readonly string _folder;

    public ArgumentCompletionTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        // File names that start like the values completed: a completer that fell back to paths would offer them.
        _folder = Directory.CreateTempSubdirectory("completion-").FullName;
        foreach (var name in new[] { "compl-file.txt", "ACME-notes.txt", "Windows-file.txt", "amber.txt", "ip-file.txt", "NEW.txt", "us-east-file.txt", "open.txt", "High.txt", "Medium.txt", "zz-nothing.txt" })
            File.WriteAllText(Path.Combine(_folder, name), string.Empty);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private LabServer Lab => _fixture.Lab;

    /// <summary>"CompletionText|ResultType" of each match for <paramref name="line"/>, completed at its end, run from the folder of look-alike files.</summary>
    private List<(string Text, string Type)> Complete(string connect, string line, Dictionary<string, object?> variables, TimeSpan? timeout = null)
    {
        var escaped = line.Replace("'", "''");
        var result = _fixture.Session.Run(connect + $"Push-Location -LiteralPath '{_folder}'\ntry {{ (TabExpansion2 -inputScript '{escaped}' -cursorColumn {line.Length}).CompletionMatches | ForEach-Object {{ $_.CompletionText + '|' + $_.ResultType }} }} finally {{ Pop-Location }}", variables, timeout);
        AssertClean(result);
        var matches = result.OutputOf<string>().Select(s => { var cut = s.LastIndexOf('|'); return (s[..cut], s[(cut + 1)..]); }).ToList();
        Assert.All(matches, m => Assert.Equal("ParameterValue", m.Item2));
        Assert.DoesNotContain(matches, m => m.Item1.Contains(".txt", StringComparison.Ordinal));
        return matches;
    }

    private static List<string> Texts(List<(string Text, string Type)> matches) => matches.Select(m => m.Text).ToList();

    [Fact]
    public void Index_completes_indices_and_aliases_and_each_name_of_a_list()
    {
        var index = "compl-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.Seed(index, new[] { "{\"message\":\"one\"}" });
        Lab.Elastic.AddAlias(index + "-alias", index);

        var names = Texts(Complete(ConnectElastic, "Get-ElasticAlert -Index compl-", _fixture.ElasticVariables()));
        Assert.Contains(index, names);
        Assert.Contains(index + "-alias", names);

        // An array argument is completed element by element by PowerShell; a quoted list by the completer, after its last comma.
        Assert.Contains(index, Texts(Complete(ConnectElastic, $"Search-ElasticIndicator -Indicator 10.0.0.1 -Index other,{index[..8]}", _fixture.ElasticVariables())));
        Assert.Contains("'other," + index + "'", Texts(Complete(ConnectElastic, $"Search-ElasticIndicator -Indicator 10.0.0.1 -Index 'other,{index[..8]}", _fixture.ElasticVariables())));

        foreach (var command in new[] { "Invoke-ElasticSearch", "Send-ElasticDocument" })
            Assert.Contains(index, Texts(Complete(ConnectElastic, $"{command} -Index {index}", _fixture.ElasticVariables())));
    }

    [Fact]
    public void Index_completion_of_a_cluster_that_does_not_answer_returns_within_its_bound_and_offers_no_files()
    {
        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_resolve/index", Kind = FaultKind.Delay, Delay = TimeSpan.FromSeconds(20), Times = 10 });

        var watch = Stopwatch.StartNew();
        var matches = Complete(ConnectElastic, "Get-ElasticAlert -Index compl-", _fixture.ElasticVariables(), TimeSpan.FromSeconds(30));
        watch.Stop();

        Assert.Empty(matches);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"completion took {watch.Elapsed}");
        Assert.Contains(Lab.Journal.For("elastic"), e => e.Path.Contains("_resolve/index", StringComparison.Ordinal));
    }

    [Fact]
    public void Index_completion_offers_what_it_read_while_the_cluster_stops_answering()
    {
        var index = "compl-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.Seed(index, new[] { "{\"message\":\"one\"}" });
        Assert.Contains(index, Texts(Complete(ConnectElastic, "Get-ElasticAlert -Index compl-", _fixture.ElasticVariables())));
        var listings = Lab.Journal.For("elastic").Count(e => e.Path.Contains("_resolve/index", StringComparison.Ordinal));
        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_resolve/index", Kind = FaultKind.Delay, Delay = TimeSpan.FromSeconds(20), Times = 10 });

        var watch = Stopwatch.StartNew();
        var again = Texts(Complete(string.Empty, "Get-ElasticAlert -Index compl-", _fixture.ElasticVariables(), TimeSpan.FromSeconds(30)));
        watch.Stop();

        Assert.Contains(index, again);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"completion took {watch.Elapsed}");
        Assert.Equal(listings, Lab.Journal.For("elastic").Count(e => e.Path.Contains("_resolve/index", StringComparison.Ordinal)));
    }

    [Fact]
    public void Iris_customers_and_reference_lists_complete_from_the_connection()
    {
        Fresh(Lab);
        var v = Variables(Lab);

        Assert.Equal(new[] { "ACME" }, Texts(Complete(Connect, "New-IrisCase -Customer AC", v)));
        Assert.Contains("IrisInitialClient", Texts(Complete(Connect, "Get-IrisAlert -Customer Iris", v)));
        Assert.Contains("'Windows - Computer'", Texts(Complete(Connect, "Add-IrisCaseAsset -CaseId 1 -Name ws-042 -Type Windows", v)));
        var iocTypes = Texts(Complete(Connect, "Add-IrisCaseIoc -CaseId 1 -Value 10.0.0.1 -Type ip-", v));
        Assert.Contains("ip-dst", iocTypes);
        Assert.Contains("'ip-dst|port'", iocTypes);
        Assert.Contains("amber", Texts(Complete(Connect, "Add-IrisCaseIoc -CaseId 1 -Value 10.0.0.1 -Tlp am", v)));
        Assert.Contains("High", Texts(Complete(Connect, "Get-IrisCase -Severity Hi", v)));
        Assert.Contains("New", Texts(Complete(Connect, "Set-IrisAlert -AlertId 1 -Status Ne", v)));
        Assert.NotEmpty(Complete(Connect, "New-IrisCase -Classification mal", v));
        Assert.NotEmpty(Complete(Connect, "Get-IrisCase -State ", v));
    }

    [Fact]
    public void Iris_completion_of_a_server_that_does_not_answer_returns_within_its_bound()
    {
        Fresh(Lab);
        Lab.Faults.Add(new FaultRule { Service = "iris", PathContains = "manage/customers/list", Kind = FaultKind.Delay, Delay = TimeSpan.FromSeconds(20), Times = 10 });

        var watch = Stopwatch.StartNew();
        var matches = Complete(Connect, "New-IrisCase -Customer AC", Variables(Lab), TimeSpan.FromSeconds(30));
        watch.Stop();

        Assert.Empty(matches);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"completion took {watch.Elapsed}");
    }

    [Fact]
    public void Closed_sets_complete_their_values_and_never_file_names()
    {
        var none = new Dictionary<string, object?>();
        Assert.Equal(new[] { "NEW", "NOTIFIED" }, Texts(Complete("", "Get-SecurityHubFinding -WorkflowStatus N", none)));
        Assert.Contains("HIGH", Texts(Complete("", "Update-SecurityHubFinding -Severity H", none)));
        Assert.Equal(new[] { "open" }, Texts(Complete("", "Get-ElasticSecurityAlert -Status o", none)));
        Assert.Contains("medium", Texts(Complete("", "Get-ElasticSecurityAlert -Severity m", none)));
        Assert.Contains("ip", Texts(Complete("", "Get-AlertIndicator -Type i", none)));
        Assert.Contains("us-east-1", Texts(Complete("", "Connect-Aws -Region us-east", none)));
    }
}
