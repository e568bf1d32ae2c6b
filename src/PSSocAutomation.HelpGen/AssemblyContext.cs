using System.Reflection;
using System.Runtime.InteropServices;

namespace PSSocAutomation.HelpGen;

/// <summary>
/// Where the cmdlet assembly is read: a MetadataLoadContext, because the build cannot run the net8.0 cmdlets (nor
/// PowerShell) and only needs their metadata. It resolves against this process's .NET (its reference set covers the
/// net8.0 build's), the assembly's folder and the references given.
/// </summary>
internal static class AssemblyContext
{
    /// <summary>A context that resolves against the running .NET's assemblies, the assembly's folder and the references given.</summary>
    public static MetadataLoadContext Open(string assemblyPath, IEnumerable<string> references)
    {
        var paths = new List<string>(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"));
        paths.AddRange(Directory.GetFiles(Path.GetDirectoryName(assemblyPath)!, "*.dll"));
        foreach (var reference in references)
            paths.AddRange(Directory.Exists(reference) ? Directory.GetFiles(reference, "*.dll") : [reference]);
        return new MetadataLoadContext(new PathAssemblyResolver(paths));
    }
}
