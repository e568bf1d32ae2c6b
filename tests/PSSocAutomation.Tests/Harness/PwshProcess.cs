using System.Diagnostics;
using System.Text;

namespace PSSocAutomation.Tests.Harness;

/// <summary>What a pwsh process did.</summary>
public sealed record PwshResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>
/// The SDK-built pwsh as a separate process, the way a user runs a script: no profile, no console input (as in CI and
/// a scheduled task), its own fresh engine, so nothing the test process loaded can leak into it.
/// </summary>
public static class PwshProcess
{
    public static PwshResult Run(string command, IDictionary<string, string>? environment = null, TimeSpan? timeout = null, string? workingDirectory = null) =>
        Start(new[] { "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", command }, environment, timeout, workingDirectory);

    public static PwshResult RunFile(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null) =>
        Start(new[] { "-NoLogo", "-NoProfile", "-NonInteractive", "-File", file }.Concat(arguments), environment, timeout, RepositoryPaths.Root);

    private static PwshResult Start(IEnumerable<string> arguments, IDictionary<string, string>? environment, TimeSpan? timeout, string? workingDirectory)
    {
        if (!File.Exists(RepositoryPaths.Pwsh)) throw new InvalidOperationException($"The SDK-built pwsh is not at {RepositoryPaths.Pwsh}; build the solution.");
        var info = new ProcessStartInfo(RepositoryPaths.Pwsh)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // Plain text: no ANSI colour codes in what the tests read.
        info.Environment["NO_COLOR"] = "1";
        info.Environment["TERM"] = "dumb";
        if (environment != null)
            foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("pwsh did not finish: " + string.Join(' ', arguments));
        }
        process.WaitForExit();
        return new PwshResult(process.ExitCode, output.Result, error.Result);
    }
}
