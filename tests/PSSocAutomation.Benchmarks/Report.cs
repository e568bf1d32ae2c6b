using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;

namespace PSSocAutomation.Benchmarks;

/// <summary>Plain-text output: a header saying what machine and build the figures come from, sections, tables, verdicts.</summary>
public static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Header(BenchOptions options)
    {
        Console.WriteLine("PSSocAutomation benchmarks");
        Console.WriteLine($"  machine: {Environment.ProcessorCount} logical core(s), {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
                          $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        Console.WriteLine($"  PowerShell engine: System.Management.Automation {typeof(System.Management.Automation.PowerShell).Assembly.GetName().Version}");
        var module = typeof(PSSocAutomation.Elastic.ElasticClient).Assembly;
        var optimized = IsOptimized(module) && IsOptimized(Assembly.GetExecutingAssembly());
        Console.WriteLine($"  build: {(optimized ? "Release (optimized)" : "DEBUG - figures are not representative; run with -c Release")}");
        Console.WriteLine($"  mode: {options.Mode}");
        var load = LoadAverage();
        if (load != null)
        {
            Console.WriteLine($"  load average before starting: {load.Value.ToString("0.00", Invariant)}" +
                              (load.Value > Environment.ProcessorCount * 0.5 ? "  (other work is running here: figures will be lower and noisier)" : string.Empty));
        }
    }

    /// <summary>The one-minute load average (Linux), to say when other work shares the machine.</summary>
    private static double? LoadAverage()
    {
        try
        {
            if (!File.Exists("/proc/loadavg")) return null;
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, Invariant);
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsOptimized(Assembly assembly) =>
        assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;

    public static void Section(string title)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(new string('=', Math.Min(100, title.Length)));
    }

    public static void Line(string text = "") => Console.WriteLine(text);

    /// <summary>A progress line while a long step runs (flushed at once).</summary>
    public static void Step(string text)
    {
        Console.WriteLine("  .. " + text);
        Console.Out.Flush();
    }

    public static void Verdict(string what, bool pass, string detail) =>
        Console.WriteLine($"  [{(pass ? "PASS" : "FAIL")}] {what}: {detail}");

    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, bool firstColumnLeft = true)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = new int[headers.Count];
        foreach (var row in all)
            for (var i = 0; i < row.Count && i < widths.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        var sb = new StringBuilder();
        for (var r = 0; r < all.Count; r++)
        {
            sb.Clear().Append("  ");
            for (var i = 0; i < widths.Length; i++)
            {
                var cell = i < all[r].Count ? all[r][i] : string.Empty;
                sb.Append(i == 0 && firstColumnLeft ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]));
                if (i < widths.Length - 1) sb.Append("  ");
            }
            Console.WriteLine(sb.ToString().TrimEnd());
            if (r == 0) Console.WriteLine("  " + new string('-', widths.Sum() + 2 * (widths.Length - 1)));
        }
    }

    public static string N(long value) => value.ToString("N0", Invariant);
    public static string N(double value, int decimals = 0) => value.ToString("N" + decimals, Invariant);
    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", Invariant) + " s";
    public static string MB(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0", Invariant) + " MB";
    public static string SignedMB(long bytes) => (bytes >= 0 ? "+" : "") + (bytes / (1024.0 * 1024.0)).ToString("0", Invariant) + " MB";
    public static string Bytes(double bytes) => bytes >= 10_000 ? (bytes / 1024).ToString("N0", Invariant) + " KB" : bytes.ToString("N0", Invariant) + " B";
    public static string Ratio(double value) => value.ToString("0.00", Invariant) + "x";
    public static string Micro(double value) => value.ToString("0.00", Invariant) + " µs";
}
