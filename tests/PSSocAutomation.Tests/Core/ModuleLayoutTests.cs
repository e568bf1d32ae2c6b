using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Core;

/// <summary>
/// The shippable folder loads where it promises: PowerShell 7.4 runs on .NET 8, so nothing in core/ may ask for a
/// framework assembly newer than 8.0 (the tests run on .NET 10 and would never notice); desktop/ is netstandard2.0.
/// </summary>
public sealed class ModuleLayoutTests
{
    private static string ModuleFolder => Path.GetDirectoryName(RepositoryPaths.ModuleManifest)!;

    private static IReadOnlyList<(string Name, Version Version)> References(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.AssemblyReferences.Select(h => reader.GetAssemblyReference(h)).Select(r => (reader.GetString(r.Name), r.Version)).ToList();
    }

    [Fact]
    public void Core_assemblies_ask_for_nothing_newer_than_dotnet_8()
    {
        var files = Directory.GetFiles(Path.Combine(ModuleFolder, "core"), "*.dll", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith(Path.Combine("core", "PSSocAutomation.dll")));
        foreach (var file in files)
            foreach (var (name, version) in References(file))
                if (name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft", StringComparison.Ordinal) || name == "netstandard")
                    Assert.True(version.Major <= 8, $"{Path.GetFileName(file)} references {name} {version}, which PowerShell 7.4 (.NET 8) cannot load.");
    }

    [Fact]
    public void Desktop_build_targets_netstandard_and_ships_its_json_and_polly()
    {
        var desktop = Path.Combine(ModuleFolder, "desktop");
        var refs = References(Path.Combine(desktop, "PSSocAutomation.dll"));
        Assert.Contains(refs, r => r.Name == "netstandard" && r.Version.Major == 2);
        foreach (var dependency in new[] { "System.Text.Json", "Polly.Core", "Microsoft.Bcl.AsyncInterfaces", "System.Memory" })
            Assert.True(File.Exists(Path.Combine(desktop, "Dependencies", dependency + ".dll")), dependency + " is missing from desktop/Dependencies");
        // Every dependency the desktop build references that is not part of .NET Framework must be shipped.
        foreach (var (name, _) in refs.Where(r => r.Name is "System.Text.Json" or "Polly.Core" or "System.Threading.RateLimiting"))
            Assert.True(File.Exists(Path.Combine(desktop, "Dependencies", name + ".dll")), name + " is referenced but not shipped");
    }

    [Fact]
    public void The_module_ships_no_powershell_assembly_and_has_help_and_formats()
    {
        Assert.Empty(Directory.GetFiles(ModuleFolder, "System.Management.Automation.dll", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(ModuleFolder, "en-US", "PSSocAutomation.dll-Help.xml")));
        Assert.True(File.Exists(Path.Combine(ModuleFolder, "PSSocAutomation.Format.ps1xml")));
        Assert.DoesNotContain("{{ModuleVersion}}", File.ReadAllText(RepositoryPaths.ModuleManifest));
    }
}
