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
