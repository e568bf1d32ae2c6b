using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Pester;

/// <summary>
/// Every tests/Pester/*.Tests.ps1 runs under Pester 5.7.1 inside the SDK engine, and each of its It blocks is a test of
/// its own here: a failing It fails the run with Pester's own message. The It blocks are found by parsing the files
/// (so xunit lists them before anything runs); each file then runs once, and every case reads its result.
/// </summary>
public sealed class PesterTests
{
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyDictionary<string, PesterOutcome>>> Runs = new();

    public sealed record PesterOutcome(string Result, string Message);

    private static string PesterFolder => Path.Combine(RepositoryPaths.Root, "tests", "Pester");

    /// <summary>(file, Pester's full name "Describe.Context.It") for every It the files declare with a literal name.</summary>
    public static IEnumerable<object[]> Declared()
    {
        foreach (var file in Directory.GetFiles(PesterFolder, "*.Tests.ps1").OrderBy(f => f, StringComparer.Ordinal))
            foreach (var name in DeclaredIn(file))
                yield return new object[] { Path.GetFileName(file), name };
    }

    internal static IEnumerable<string> DeclaredIn(string file)
    {
        var ast = Parser.ParseFile(file, out _, out var errors);
        if (errors.Length > 0) throw new InvalidOperationException($"{file} does not parse: {errors[0]}");
        var names = new List<string>();
        Walk(ast, new List<string>(), names);
        return names;
    }

    private static void Walk(ScriptBlockAst scope, List<string> path, List<string> names)
    {
        var blocks = scope.FindAll(a => a is CommandAst c && IsBlock(c) && Scope(c) == scope, searchNestedScriptBlocks: true).Cast<CommandAst>();
        foreach (var command in blocks)
        {
            var title = command.CommandElements.Skip(1).OfType<StringConstantExpressionAst>().FirstOrDefault()?.Value;
            if (title is null) continue; // a computed name cannot be listed; the count test below catches its results
            var here = new List<string>(path) { title };
            if (string.Equals(command.GetCommandName(), "It", StringComparison.OrdinalIgnoreCase)) names.Add(string.Join(".", here));
            else
                foreach (var body in command.CommandElements.OfType<ScriptBlockExpressionAst>()) Walk(body.ScriptBlock, here, names);
        }
    }

    private static bool IsBlock(CommandAst c) => c.GetCommandName() is string n &&
        (n.Equals("Describe", StringComparison.OrdinalIgnoreCase) || n.Equals("Context", StringComparison.OrdinalIgnoreCase) || n.Equals("It", StringComparison.OrdinalIgnoreCase));

    /// <summary>The body of the Describe/Context/It a command sits in, or the file's own script block.</summary>
    private static ScriptBlockAst? Scope(CommandAst c)
    {
        ScriptBlockAst? last = null;
        for (var a = c.Parent; a != null; a = a.Parent)
        {
            if (a is ScriptBlockAst sb) last = sb;
            if (a is ScriptBlockExpressionAst expression && expression.Parent is CommandAst owner && IsBlock(owner)) return expression.ScriptBlock;
        }
        return last;
    }

    private static IReadOnlyDictionary<string, PesterOutcome> RunFile(string file)
    {
        var state = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows()) state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        using var runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript("""
            param($pester, $path, $lab)
            # Story tests start the Lab as a process: the build of it that goes with these tests.
            $env:PSSOC_LAB_ASSEMBLY = $lab
            Import-Module $pester -Force
            $config = New-PesterConfiguration
            $config.Run.Path = $path
            $config.Run.PassThru = $true
            $config.Output.Verbosity = 'None'
            $run = Invoke-Pester -Configuration $config
            foreach ($test in $run.Tests) {
                $message = if ($test.ErrorRecord) { ($test.ErrorRecord | ForEach-Object { $_.ToString() + "`n" + $_.ScriptStackTrace }) -join "`n" } else { '' }
                [pscustomobject]@{ Name = $test.ExpandedPath; Result = [string]$test.Result; Message = $message }
            }
            foreach ($container in $run.Containers) {
                if ($container.Result -eq 'Failed' -and $container.ErrorRecord) {
                    [pscustomobject]@{ Name = '<container>'; Result = 'Failed'; Message = ($container.ErrorRecord | ForEach-Object { $_.ToString() }) -join "`n" }
                }
            }
            """).AddArgument(RepositoryPaths.PesterManifest).AddArgument(file).AddArgument(RepositoryPaths.LabAssembly);
        var outcomes = new Dictionary<string, PesterOutcome>(StringComparer.Ordinal);
        foreach (var item in ps.Invoke())
            outcomes[(string)item.Properties["Name"].Value] = new PesterOutcome((string)item.Properties["Result"].Value, (string)item.Properties["Message"].Value);
        if (ps.HadErrors && outcomes.Count == 0)
            throw new InvalidOperationException("Pester did not run " + file + ": " + string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
        return outcomes;
    }

    private static IReadOnlyDictionary<string, PesterOutcome> ResultsOf(string fileName)
    {
        var file = Path.Combine(PesterFolder, fileName);
        return Runs.GetOrAdd(file, f => new Lazy<IReadOnlyDictionary<string, PesterOutcome>>(() => RunFile(f))).Value;
    }

    [Theory]
    [MemberData(nameof(Declared))]
    public void It(string file, string test)
    {
        var results = ResultsOf(file);
        if (results.TryGetValue("<container>", out var container)) Assert.Fail($"{file} failed before its tests ran: {container.Message}");
        Assert.True(results.TryGetValue(test, out var outcome), $"Pester reported no result for '{test}' in {file}; it reported: {string.Join(", ", results.Keys)}");
        Assert.True(outcome!.Result == "Passed", $"{test}: {outcome.Result}\n{outcome.Message}");
    }

    [Fact]
    public void Every_test_pester_ran_is_one_xunit_lists()
    {
        var declared = Declared().Select(d => ((string)d[0], (string)d[1])).ToHashSet();
        Assert.NotEmpty(declared);
        foreach (var file in declared.Select(d => d.Item1).Distinct())
            foreach (var name in ResultsOf(file).Keys.Where(k => k != "<container>"))
                Assert.True(declared.Contains((file, name)), $"Pester ran '{name}' in {file}, which has no xunit case: give each It a literal name.");
    }
}
