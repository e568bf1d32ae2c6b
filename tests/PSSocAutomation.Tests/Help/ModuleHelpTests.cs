using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Help;

/// <summary>
/// The help a user reads, through Get-Help in the engine, for every exported cmdlet: it says what the engine does
/// (SYNTAX is Get-Command -Syntax), describes every parameter, explains two examples or more whose commands exist,
/// and fills INPUTS, OUTPUTS and RELATED LINKS; and the about_ topics are found.
/// </summary>
public sealed class ModuleHelpTests : IDisposable
{
    /// <summary>
    /// Commands examples may name that neither the module nor PowerShell has: the modules an analyst is expected to
    /// bring (their output feeds a PSSocAutomation parameter) and the Automation sandbox's own cmdlets.
    /// </summary>
    private static readonly Dictionary<string, string> OtherModules = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Get-Secret"] = "Microsoft.PowerShell.SecretManagement",
        ["Get-AWSCredential"] = "AWS.Tools.Common",
        ["Get-AutomationPSCredential"] = "Azure Automation's sandbox",
    };

    private readonly ModuleSession _session = new();

    public void Dispose() => _session.Dispose();

    /// <summary>Runs a script that writes "Name|problem" lines, and fails with every problem it found.</summary>
    private void AssertNoProblems(string script)
    {
        var result = _session.Run(script);
        Assert.Empty(result.Errors);
        var problems = result.Output.Select(o => o.ToString()).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Get_Help_syntax_is_Get_Command_Syntax_for_every_cmdlet()
    {
        AssertNoProblems("""
            function Lines([string] $text) { @($text -split "`n" | ForEach-Object { ($_ -replace '\s+', ' ').Trim() } | Where-Object { $_ }) }
            $cmdlets = @((Get-Module PSSocAutomation).ExportedCmdlets.Keys)
            if ($cmdlets.Count -lt 30) { "module|only $($cmdlets.Count) cmdlets exported" }
            foreach ($name in $cmdlets) {
                $engine = Lines (Get-Command $name -Syntax | Out-String -Width 10000)
                $help = Lines ((Get-Help $name).syntax | Out-String -Width 10000)
                if (($engine -join "`n") -cne ($help -join "`n")) { "$name|help says`n$($help -join "`n")`nengine says`n$($engine -join "`n")" }
            }
            """);
    }

    [Fact]
    public void Every_cmdlet_describes_every_parameter_fills_inputs_outputs_and_links_and_has_two_explained_examples()
    {
        AssertNoProblems("""
            foreach ($name in (Get-Module PSSocAutomation).ExportedCmdlets.Keys) {
                $help = Get-Help $name -Full
                $command = Get-Command $name
                $documented = @($help.parameters.parameter | Where-Object { ($_.description | ForEach-Object Text) -join '' } | ForEach-Object name)
                foreach ($p in $command.Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters }) {
                    if ($p -notin $documented) { "$name|-$p is not described" }
                }
                $examples = @($help.examples.example)
                if ($examples.Count -lt 2) { "$name|$($examples.Count) example(s)" }
                foreach ($e in $examples) {
                    if (-not (($e.remarks | ForEach-Object Text) -join '').Trim()) { "$name|$($e.title) has no explanation" }
                    if (-not $e.code) { "$name|$($e.title) has no code" }
                }
                if (-not ($help.inputTypes.inputType.type.name -join '')) { "$name|INPUTS is empty" }
                if (-not ($help.returnValues.returnValue.type.name -join '')) { "$name|OUTPUTS is empty" }
                $declared = @($command.OutputType.Name)
                foreach ($o in $declared) { if ($o -notin @($help.returnValues.returnValue.type.name)) { "$name|OUTPUTS lacks $o" } }
                if (@($help.relatedLinks.navigationLink.linkText) -notcontains 'about_PSSocAutomation') { "$name|RELATED LINKS lacks about_PSSocAutomation" }
            }
            """);
    }

    [Fact]
    public void Every_command_an_example_names_exists_in_the_module_or_in_PowerShell()
    {
        var result = _session.Run("""
            foreach ($name in (Get-Module PSSocAutomation).ExportedCmdlets.Keys) {
                foreach ($e in (Get-Help $name -Examples).examples.example) {
                    $errors = $null
                    $ast = [System.Management.Automation.Language.Parser]::ParseInput(($e.code -join "`n"), [ref] $null, [ref] $errors)
                    foreach ($err in $errors) { "PARSE|$name|$($e.title)|$($err.Message)" }
                    foreach ($c in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                        $used = $c.GetCommandName()
                        if ($used -and -not (Get-Command $used -ErrorAction SilentlyContinue)) { "MISSING|$name|$($e.title)|$used" }
                        # 1d, 30s, 2y are numbers to PowerShell (decimal, short, sbyte), not the time windows they look like.
                        foreach ($arg in $c.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.ConstantExpressionAst] -and $_.Extent.Text -match '^\d+[dsyunl]$' }) {
                            "NUMBER|$name|$($e.title)|$($arg.Extent.Text) is a number literal: quote it"
                        }
                    }
                }
            }
            """);
        Assert.Empty(result.Errors);
        var problems = result.Output.Select(o => o.ToString()!.Split('|'))
            .Where(p => p[0] != "MISSING" || !OtherModules.ContainsKey(p[3]))
            .Select(p => string.Join(" ", p)).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData("about_PSSocAutomation", "CHECKPOINTS")]
    [InlineData("about_PSSocAutomation_Story1", "Invoke-ElasticToIris.ps1")]
    [InlineData("about_PSSocAutomation_Story2", "Invoke-ElasticSecurityTriage.ps1")]
    [InlineData("about_PSSocAutomation_Story3", "Invoke-SecurityHubResponse.ps1")]
    [InlineData("about_PSSocAutomation_Story4", "Find-CorrelatedElasticAlert.ps1")]
    public void Get_Help_finds_the_about_topics(string topic, string mentions)
    {
        var result = _session.Run("Get-Help $topic | Out-String", new Dictionary<string, object?> { ["topic"] = topic });
        Assert.Empty(result.Errors);
        var text = string.Concat(result.Output.Select(o => o.ToString()));
        Assert.Contains(topic, text);
        Assert.Contains(mentions, text);
    }
}
