using System.Management.Automation.Language;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Core;

/// <summary>Every PowerShell file in the repository parses: the examples, the manifest, build.ps1, the Pester tests.</summary>
public sealed class ScriptParseTests
{
    public static IEnumerable<object[]> Scripts() =>
        new[] { "*.ps1", "*.psm1", "*.psd1" }
            .SelectMany(pattern => Directory.EnumerateFiles(RepositoryPaths.Root, pattern, SearchOption.AllDirectories))
            .Where(path => !path.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar) &&
                           !path.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) &&
                           !path.Contains(Path.DirectorySeparatorChar + "out" + Path.DirectorySeparatorChar))
            .Select(path => new object[] { Path.GetRelativePath(RepositoryPaths.Root, path) });

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Parses_without_errors(string relativePath)
    {
        Parser.ParseFile(Path.Combine(RepositoryPaths.Root, relativePath), out _, out var errors);
        Assert.True(errors.Length == 0, relativePath + ": " + string.Join("; ", errors.Select(e => $"line {e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Fact]
    public void The_repository_has_the_scripts_it_promises()
    {
        var found = Scripts().Select(s => (string)s[0]).ToList();
        Assert.Contains(Path.Combine("module", "PSSocAutomation.psd1"), found);
        Assert.Contains("build.ps1", found);
    }
}
