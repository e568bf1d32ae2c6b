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

/// <summary>Objects of the module's own types, made from the module's own load context (what its sources produce).</summary>
public static class ModuleTypes
{
    /// <summary>The type with this full name from the assemblies the imported module loaded (out/PSSocAutomation).</summary>
    public static Type Get(string fullName)
    {
        foreach (var context in System.Runtime.Loader.AssemblyLoadContext.All)
            foreach (var assembly in context.Assemblies)
                if (assembly.GetName().Name?.StartsWith("PSSocAutomation", StringComparison.Ordinal) == true && assembly.GetType(fullName) is Type type)
                    return type;
        throw new InvalidOperationException($"{fullName} is not loaded: import the module (a ModuleSession) first.");
    }

    /// <summary>An instance through its public or internal constructor, then public settable properties by name.</summary>
    public static object Create(string fullName, object?[] arguments, IDictionary<string, object?>? properties = null)
    {
        var type = Get(fullName);
        var instance = Activator.CreateInstance(type, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, null, arguments, null)!;
        if (properties != null)
            foreach (var (name, value) in properties)
            {
                var property = type.GetProperty(name) ?? throw new InvalidOperationException($"{fullName} has no property {name}.");
                var target = property.PropertyType;
                var underlying = Nullable.GetUnderlyingType(target) ?? target;
                property.SetValue(instance, value is string text && underlying.IsEnum ? Enum.Parse(underlying, text) : value);
            }
        return instance;
    }
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
    public (ScriptResult Result, TimeSpan StopTook) RunAndStop(string script, Func<PSDataCollection<PSObject>, bool> stopWhen, IDictionary<string, object?>? variables = null)
    {
        using var ps = Create(script, variables);
        var output = new PSDataCollection<PSObject>();
        var async = ps.BeginInvoke<PSObject, PSObject>(null, output);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!stopWhen(output) && !async.IsCompleted && DateTime.UtcNow < deadline) Thread.Sleep(10);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ps.Stop();
        clock.Stop();
        RuntimeException? terminating = null;
        try { ps.EndInvoke(async); }
        catch (RuntimeException ex) { terminating = ex; }
        return (Collect(ps, output, terminating), clock.Elapsed);
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

/// <summary>The full names of the module's output types, as PowerShell's TypeNames carry them.</summary>
public static class Types
{
    public const string SocAlert = "PSSocAutomation.Core.SocAlert";
    public const string ElasticConnection = "PSSocAutomation.Elastic.ElasticConnection";
    public const string SendResult = "PSSocAutomation.Elastic.SendElasticDocumentResult";
    public const string IrisConnection = "PSSocAutomation.Iris.IrisConnection";
    public const string IrisCase = "PSSocAutomation.Iris.IrisCase";
    public const string IrisAlert = "PSSocAutomation.Iris.IrisAlert";
    public const string IrisIoc = "PSSocAutomation.Iris.IrisIoc";
    public const string IrisAsset = "PSSocAutomation.Iris.IrisAsset";
    public const string IrisCustomer = "PSSocAutomation.Iris.IrisCustomer";
    public const string IrisLookupItem = "PSSocAutomation.Iris.IrisLookupItem";
}
