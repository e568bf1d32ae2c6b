using System.Diagnostics;

namespace PSSocAutomation.Benchmarks;

/// <summary>How the benchmarks start a client of their own: output captured, no shell, arguments passed as they are.</summary>
public static class ChildProcess
{
    public static ProcessStartInfo Of(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>
    /// This program again (its engine-child or stages-child mode): under `dotnet run` the process is the app host, under
    /// `dotnet PSSocAutomation.Benchmarks.dll` it is the dotnet host, which needs our assembly named first.
    /// </summary>
    public static ProcessStartInfo Self(params string[] arguments)
    {
        var host = Environment.ProcessPath!;
        var viaDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        return Of(host, (viaDotnet ? new[] { typeof(ChildProcess).Assembly.Location } : Array.Empty<string>()).Concat(arguments));
    }
}
