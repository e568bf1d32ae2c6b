using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PSSocAutomation.Tests.Harness;

/// <summary>Everything a script wrote, stream by stream.</summary>
public sealed class ScriptResult
{
    public required IReadOnlyList<PSObject> Output { get; init; }
    public required IReadOnlyList<ErrorRecord> Errors { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    public required IReadOnlyList<string> Verbose { get; init; }
    public required IReadOnlyList<string> Debug { get; init; }
    public required IReadOnlyList<string> Information { get; init; }
    /// <summary>The terminating error, if the script stopped with one.</summary>
    public RuntimeException? Terminating { get; init; }

    /// <summary>Every text any stream carried (output rendered with ToString), for "no secret anywhere" checks.</summary>
    public IEnumerable<string> AllText() =>
        Output.Select(o => o?.ToString() ?? string.Empty)
            .Concat(Errors.SelectMany(e => new[] { e.ToString(), e.Exception?.ToString() ?? string.Empty, e.ErrorDetails?.Message ?? string.Empty, e.ErrorDetails?.RecommendedAction ?? string.Empty }))
            .Concat(Warnings).Concat(Verbose).Concat(Debug).Concat(Information)
            .Concat(Terminating is null ? Array.Empty<string>() : new[] { Terminating.ToString() });

    public IEnumerable<T> OutputOf<T>() => Output.Select(o => o.BaseObject).OfType<T>();

    /// <summary>
    /// The output objects of one module type, by its full name, read through PowerShell's own adapter (dynamic). The
    /// module's types live in its own load context, so the tests name them as a script would, never by a C# type.
    /// </summary>
    public IReadOnlyList<dynamic> OutputOf(string typeName) =>
        Output.Where(o => o != null && o.TypeNames.Contains(typeName)).Cast<dynamic>().ToList();
}

/// <summary>
/// A real PowerShell runspace (System.Management.Automation hosted in-process) that has imported the built module
/// through its manifest, as a user's session would. One per test class; scripts share its state (connections).
/// </summary>
public sealed class ModuleSession : IDisposable
{
    private readonly Runspace _runspace;

    public ModuleSession()
    {
        if (!File.Exists(RepositoryPaths.ModuleManifest))
            throw new InvalidOperationException($"The module is not built at {RepositoryPaths.ModuleManifest}; run dotnet build on the solution.");
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(new[] { RepositoryPaths.ModuleManifest });
        state.ThrowOnRunspaceOpenError = true;
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
    }

    /// <summary>Run a script; variables become $name in it. Errors are collected, not thrown.</summary>
    public ScriptResult Run(string script, IDictionary<string, object?>? variables = null, TimeSpan? timeout = null)
    {
        using var ps = Create(script, variables);
        var output = new PSDataCollection<PSObject>();
        RuntimeException? terminating = null;
        try
        {
            var async = ps.BeginInvoke<PSObject, PSObject>(null, output);
            if (!async.AsyncWaitHandle.WaitOne(timeout ?? TimeSpan.FromMinutes(3)))
            {
                ps.Stop();
                throw new TimeoutException("The script did not finish in time: " + script);
            }
            ps.EndInvoke(async);
        }
        catch (RuntimeException ex)
        {
            terminating = ex;
        }
        return Collect(ps, output, terminating);
    }

    /// <summary>Start a script and stop it (as Ctrl+C does) once <paramref name="stopWhen"/> says so; returns what it wrote and how long stopping took.</summary>
    public ScriptResult RunAndStop(string script, Func<PSDataCollection<PSObject>, bool> stopWhen, IDictionary<string, object?>? variables = null)
    {
        using var ps = Create(script, variables);
        var output = new PSDataCollection<PSObject>();
        var async = ps.BeginInvoke<PSObject, PSObject>(null, output);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!stopWhen(output) && !async.IsCompleted && DateTime.UtcNow < deadline) Thread.Sleep(10);
        ps.Stop();
        RuntimeException? terminating = null;
        try { ps.EndInvoke(async); }
        catch (RuntimeException ex) { terminating = ex; }
        return Collect(ps, output, terminating);
    }

    private PowerShell Create(string script, IDictionary<string, object?>? variables)
    {
        var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        if (variables != null)
            foreach (var (name, value) in variables) _runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        return ps;
    }

    private static ScriptResult Collect(PowerShell ps, PSDataCollection<PSObject> output, RuntimeException? terminating) => new()
    {
        Output = output.ToList(),
        Errors = ps.Streams.Error.ToList(),
        Warnings = ps.Streams.Warning.Select(w => w.Message).ToList(),
        Verbose = ps.Streams.Verbose.Select(v => v.Message).ToList(),
        Debug = ps.Streams.Debug.Select(d => d.Message).ToList(),
        Information = ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? string.Empty).ToList(),
        Terminating = terminating,
    };

    public void Dispose() => _runspace.Dispose();
}
