using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;

namespace PSSocAutomation.Benchmarks;

/// <summary>What one invocation left behind besides its output.</summary>
public sealed record InvocationResult(IReadOnlyList<ErrorRecord> Errors, IReadOnlyList<string> Warnings, RuntimeException? Terminating)
{
    public string? FirstProblem =>
        Terminating?.Message ?? (Errors.Count > 0 ? $"{Errors.Count} error(s); first: {Errors[0]}" : null);
}

/// <summary>
/// A PowerShell runspace hosted in this process (System.Management.Automation from NuGet) that imported the built module
/// through its manifest, as an analyst's session does. Only the engine's core cmdlets are there besides the module.
/// </summary>
public sealed class BenchSession : IDisposable
{
    private readonly Runspace _runspace;

    public BenchSession()
    {
        var manifest = RepositoryPaths.ModuleManifest;
        if (!File.Exists(manifest))
            throw new InvalidOperationException($"The module is not laid out at {manifest}; build the solution (or this project) first.");
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(new[] { manifest });
        state.ThrowOnRunspaceOpenError = true;
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
    }

    public void SetVariable(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

    /// <summary>Run a script; its output goes to <paramref name="output"/> (a fresh collection that keeps it when null).</summary>
    public InvocationResult Run(string script, PSDataCollection<PSObject>? output = null) =>
        Invoke(ps => ps.AddScript(script), output);

    /// <summary>Build a command on a fresh PowerShell object bound to this runspace, invoke it, collect what it reported.</summary>
    public InvocationResult Invoke(Action<PowerShell> build, PSDataCollection<PSObject>? output = null)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        build(ps);
        output ??= new PSDataCollection<PSObject>();
        RuntimeException? terminating = null;
        try
        {
            ps.Invoke<PSObject, PSObject>(null, output, null);
        }
        catch (RuntimeException ex)
        {
            terminating = ex;
        }
        return new InvocationResult(
            ps.Streams.Error.ToList(),
            ps.Streams.Warning.Select(w => w.Message).ToList(),
            terminating);
    }

    /// <summary>Run a script and return its output, or throw when it failed in any way.</summary>
    public IReadOnlyList<PSObject> RunOrThrow(string script, string what)
    {
        var output = new PSDataCollection<PSObject>();
        var result = Run(script, output);
        if (result.FirstProblem is string problem) throw new InvalidOperationException($"{what} failed: {problem}");
        return output.ToList();
    }

    public static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    public void Dispose() => _runspace.Dispose();
}

/// <summary>Where the repository and the built module are, found from this program's folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ModuleManifest => Path.Combine(Root, "out", "PSSocAutomation", "PSSocAutomation.psd1");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "PSSocAutomation.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find PSSocAutomation.sln above " + AppContext.BaseDirectory);
    }
}
