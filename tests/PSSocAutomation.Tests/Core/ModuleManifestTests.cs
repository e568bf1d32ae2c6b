using System.Management.Automation;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Core;

/// <summary>The built module folder, imported through its manifest as a user would.</summary>
public sealed class ModuleManifestTests : IDisposable
{
    private readonly ModuleSession _session = new();

    [Fact]
    public void Exports_exactly_the_cmdlets_the_manifest_lists()
    {
        var result = _session.Run("$m = Get-Module PSSocAutomation; $m.ExportedCmdlets.Keys; '---'; $m.Version.ToString(); $m.ModuleBase");
        Assert.Empty(result.Errors);
        var lines = result.Output.Select(o => o.ToString()).ToList();
        var exported = lines.TakeWhile(l => l != "---").OrderBy(x => x).ToList();
        var listed = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "module", "PSSocAutomation.psd1"))
            .Select(l => l.Trim()).Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^'[A-Z][A-Za-z]+-\w+'$")).Select(l => l.Trim('\'')).OrderBy(x => x).ToList();
        Assert.NotEmpty(listed);
        Assert.Equal(listed, exported);
        var version = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Build.props")).Descendants("ModuleVersion").Single().Value;
        Assert.Equal(version, lines[lines.IndexOf("---") + 1]);
    }

    [Fact]
    public void Every_cmdlet_has_help_with_a_synopsis_an_example_and_described_parameters()
    {
        var result = _session.Run("""
            foreach ($name in (Get-Module PSSocAutomation).ExportedCmdlets.Keys) {
                $help = Get-Help $name -Full
                $examples = @($help.examples.example).Count
                $undocumented = @($help.parameters.parameter | Where-Object { -not ($_.description | ForEach-Object { $_.Text }) } | ForEach-Object { $_.name }) -join ','
                "$name|$($help.Synopsis)|$examples|$undocumented"
            }
            """);
        Assert.Empty(result.Errors);
        Assert.NotEmpty(result.Output);
        foreach (var line in result.Output.Select(o => o.ToString()))
        {
            var parts = line.Split('|');
            Assert.False(string.IsNullOrWhiteSpace(parts[1]) || parts[1].Trim() == parts[0], $"{parts[0]} has no synopsis");
            Assert.True(int.Parse(parts[2]) > 0, $"{parts[0]} has no example");
            Assert.True(parts[3].Length == 0, $"{parts[0]} has undocumented parameters: {parts[3]}");
        }
    }

    [Fact]
    public void State_changing_cmdlets_support_WhatIf_and_every_cmdlet_declares_its_output()
    {
        var result = _session.Run("""
            foreach ($c in (Get-Module PSSocAutomation).ExportedCmdlets.Values) {
                $verb = $c.Verb
                $whatIf = $c.Parameters.ContainsKey('WhatIf')
                "$($c.Name)|$verb|$whatIf|$(@($c.OutputType).Count)"
            }
            """);
        Assert.Empty(result.Errors);
        var changing = new[] { "New", "Set", "Add", "Send", "Remove", "Invoke" };
        foreach (var parts in result.Output.Select(o => o.ToString().Split('|')))
        {
            if (changing.Contains(parts[1]) && parts[0] != "Invoke-ElasticSearch")
                Assert.True(bool.Parse(parts[2]), $"{parts[0]} changes state but has no -WhatIf");
            Assert.True(int.Parse(parts[3]) > 0, $"{parts[0]} declares no [OutputType]");
        }
    }

    public void Dispose() => _session.Dispose();
}
