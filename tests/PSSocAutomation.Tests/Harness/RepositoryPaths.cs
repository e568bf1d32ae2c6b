namespace PSSocAutomation.Tests.Harness;

/// <summary>Where the repository, the built module and the shared fixtures are, found from the test assembly.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ModuleManifest => Path.Combine(Root, "out", "PSSocAutomation", "PSSocAutomation.psd1");

    /// <summary>../shared/fixtures beside the repository, or null in a clone without it.</summary>
    public static string? SharedFixtures
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "fixtures"));
            return Directory.Exists(path) ? path : null;
        }
    }

    private static string Metadata(string key) =>
        typeof(RepositoryPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>The NuGet package folder this build restored from (Pester and the second Polly.Core live there).</summary>
    public static string NuGetPackage(string id, string version) => Path.Combine(Metadata("NuGetPackageRoot"), id.ToLowerInvariant(), version);

    /// <summary>Pester 5.7.1's module manifest, from its NuGet package's tools/ folder.</summary>
    public static string PesterManifest => Path.Combine(NuGetPackage("Pester", "5.7.1"), "tools", "Pester.psd1");

    /// <summary>The pwsh built from Microsoft.PowerShell.SDK (src/PSSocAutomation.Pwsh), same configuration as the tests.</summary>
    public static string Pwsh => Path.Combine(Root, "src", "PSSocAutomation.Pwsh", "bin", Metadata("Configuration"), "net10.0", OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");

    /// <summary>The built Lab program (run it with `dotnet`), same configuration as the tests.</summary>
    public static string LabAssembly => Path.Combine(Root, "src", "PSSocAutomation.Lab", "bin", Metadata("Configuration"), "net10.0", "PSSocAutomation.Lab.dll");

    /// <summary>The dotnet host the tests run under (the SDK sets DOTNET_HOST_PATH for its children), else the one on PATH.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "PSSocAutomation.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Cannot find PSSocAutomation.sln above " + AppContext.BaseDirectory);
    }
}
