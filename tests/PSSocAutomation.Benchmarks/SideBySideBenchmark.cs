using System.Diagnostics;
using System.Text.Json;

namespace PSSocAutomation.Benchmarks;

/// <summary>
/// Get-ElasticAlert as a user meets it, next to what the same user would otherwise run: the Lab as its own process, and
/// every client a fresh process of its own (Debian's python3-elasticsearch, a hand-written Invoke-RestMethod loop, and
/// Get-ElasticAlert in three pipelines, in the SDK-built pwsh), all reading the same index with point in time +
/// search_after, 1,000 hits a page. Rounds run in alternating order and the best of each kept: other work on a small
/// machine only ever slows a run down.
/// </summary>
public static class SideBySideBenchmark
{
    private const string Index = "bench";
    private const int MemoryProbeAlerts = 100_000;

    private sealed record Lab(Process Process, string ConnectionFile, int Alerts, string Pwsh, string Module, string Python);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var n = options.Alerts;
        Report.Section($"side by side: {Report.N(n)} alerts, page size 1,000, the Lab and every client a process of its own");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<configuration>/net10.0
        var pwsh = Path.Combine(RepositoryPaths.Root, "src", "PSSocAutomation.Pwsh", "bin", configuration, "net10.0", "pwsh");
        var labDll = Path.Combine(RepositoryPaths.Root, "src", "PSSocAutomation.Lab", "bin", configuration, "net10.0", "PSSocAutomation.Lab.dll");
        foreach (var needed in new[] { pwsh, labDll, RepositoryPaths.ModuleManifest })
        {
            if (File.Exists(needed)) continue;
            Console.Error.WriteLine($"{needed} is missing: run this with dotnet run -c {configuration} (it builds the pwsh, the Lab and the module), or build the solution with -c {configuration} first.");
            return 2;
        }
        var (python, pythonProblem) = FindPython();
        Report.Line($"  pwsh: {pwsh}");
        Report.Line($"  python: {(pythonProblem is null ? python + " with elasticsearch " + PythonClientVersion(python) : pythonProblem)}");

        var work = Directory.CreateTempSubdirectory("pssoc-bench-");
        try
        {
            Report.Step($"starting the Lab ({configuration}) with {Report.N(n)} alerts in '{Index}' ...");
            var clock = Stopwatch.StartNew();
            using var labProcess = StartLab(labDll, work.FullName, n, out var connectionFile);
            await WaitForFileAsync(connectionFile, labProcess, TimeSpan.FromMinutes(3));
            Report.Step($"Lab ready in {Report.Seconds(clock.Elapsed)}");
            var lab = new Lab(labProcess, connectionFile, n, pwsh, RepositoryPaths.ModuleManifest, python);
            var csv = Path.Combine(work.FullName, "alerts.csv");
            try
            {
                return await MeasureAsync(options, lab, csv, pythonProblem);
            }
            finally
            {
                labProcess.Kill(entireProcessTree: true);
                await labProcess.WaitForExitAsync();
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<int> MeasureAsync(BenchOptions options, Lab lab, string csv, string? pythonProblem)
    {
        static string Invariant(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        static string Script(string file) => Path.Combine(RepositoryPaths.Root, "tests", "PSSocAutomation.Benchmarks", "Peers", file);
        ProcessStartInfo Pwsh(params string[] arguments) => ChildProcess.Of(lab.Pwsh, new[] { "-NoProfile", "-NonInteractive" }.Concat(arguments));
        ProcessStartInfo Module(string shape, int passes, long first = 0) =>
            Pwsh("-File", Script("GetElasticAlert.ps1"), "-Module", lab.Module, "-ConnectionFile", lab.ConnectionFile, "-Index", Index,
                "-Shape", shape, "-Passes", Invariant(passes), "-First", Invariant(first), "-CsvPath", csv);
        ProcessStartInfo Rest(bool firstOnly) =>
            Pwsh(new[] { "-File", Script("InvokeRestMethod.ps1"), "-ConnectionFile", lab.ConnectionFile, "-Index", Index }.Concat(firstOnly ? new[] { "-FirstOnly" } : Array.Empty<string>()).ToArray());
        ProcessStartInfo Engine() => ChildProcess.Self("engine-child", lab.ConnectionFile, Index, "2");
        ProcessStartInfo Python(bool firstOnly) =>
            ChildProcess.Of(lab.Python, new[] { Script("python_pit.py"), lab.ConnectionFile, Index, firstOnly ? "1" : "2" }.Concat(firstOnly ? new[] { "first" } : Array.Empty<string>()));

        var clients = new List<Client>
        {
            new(PythonKey, "Python elasticsearch 7.17: PIT + search_after, reading severity", Kind.Stream, () => Python(false), pythonProblem),
            new(RestKey, "pwsh: hand-written Invoke-RestMethod PIT loop, reading severity", Kind.Stream, () => Rest(false)),
            new(EngineKey, "C# engine alone: ElasticClient + ElasticAlertMapper, reading Severity", Kind.Stream, () => Engine()),
            new("source", "Get-ElasticAlert | Measure-Object (no property read)", Kind.Stream, () => Module("Source", 2)),
            new(WhereKey, "Get-ElasticAlert | Where-Object Severity -eq High", Kind.Stream, () => Module("Where", 2)),
            new("memory-where", "alerts in memory | Where-Object Severity -eq High", Kind.Stream, () => Module("Memory", 2)),
            new("foreach", "Get-ElasticAlert | ForEach-Object { reads Severity, Host }", Kind.Stream, () => Module("ForEach", 2)),
            new("csv", "Get-ElasticAlert | Select-Object 5 fields | Export-Csv", Kind.Stream, () => Module("Csv", 2)),
            new("python-first", "Python elasticsearch 7.17", Kind.First, () => Python(true), pythonProblem),
            new("rest-first", "pwsh: Invoke-RestMethod loop", Kind.First, () => Rest(true)),
            new("module-first", "pwsh: Get-ElasticAlert | Select-Object -First 1", Kind.First, () => Module("First", 1)),
            // Two passes like the full run it is compared with, so the only difference is how many alerts went through.
            new(MemoryKey, $"Get-ElasticAlert -First {Report.N(MemoryProbeAlerts)} | Where-Object", Kind.Memory, () => Module("Where", 2, MemoryProbeAlerts)),
            new(StartupKey, "pwsh, Import-Module, Connect-Elastic", Kind.Startup, () => Module("Startup", 1)),
            new(EmptyKey, "pwsh -NoProfile -Command $null", Kind.Empty, () => Pwsh("-Command", "$null")),
        };

        var runs = clients.ToDictionary(c => c.Key, _ => new List<Run>());
        var problems = new Dictionary<string, string>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var client in round % 2 == 1 ? clients : Enumerable.Reverse(clients))
            {
                if (client.Missing != null || problems.ContainsKey(client.Key)) continue;
                Report.Step($"round {round}/{options.Rounds}: {client.Name} ...");
                var (run, problem) = await RunClientAsync(client.Start(), lab.Process, client.Kind == Kind.Empty);
                if (problem != null)
                {
                    problems[client.Key] = problem;
                    Report.Step("   ! " + problem);
                    continue;
                }
                runs[client.Key].Add(run!);
                Report.Step("   " + Describe(client, run!, lab.Alerts));
            }
        }
        foreach (var client in clients.Where(c => c.Missing != null)) problems[client.Key] = client.Missing!;
        return Print(lab, clients, runs, problems);
    }

    private const string EngineKey = "engine", PythonKey = "python", RestKey = "rest", WhereKey = "where", MemoryKey = "memory", StartupKey = "startup", EmptyKey = "empty";

    private enum Kind { Stream, First, Memory, Startup, Empty }

    /// <summary>One client process: what it runs, and why it cannot run here (when it cannot).</summary>
    private sealed record Client(string Key, string Name, Kind Kind, Func<ProcessStartInfo> Start, string? Missing = null);

    /// <summary>One pass as the child reported it, in Unix milliseconds (the child's clock is ours).</summary>
    private sealed record Pass(long? Alerts, long? Matched, double Start, double? First, double End, long PeakWorkingSet,
        double? ScriptStart, double? Imported, double? Connecting, double? Ready)
    {
        public double Seconds => (End - Start) / 1000.0;
    }

    /// <summary>One child process: when we launched it, when it exited, its passes, and the CPU the Lab spent meanwhile.</summary>
    private sealed record Run(double Launched, double Exited, List<Pass> Passes, double LabCpuMs);

    private static string Describe(Client client, Run run, int alerts) => client.Kind switch
    {
        Kind.Empty => $"exited {Report.N(run.Exited - run.Launched)} ms after launch",
        Kind.Startup => $"import {Report.N(run.Passes[0].Imported!.Value - run.Passes[0].ScriptStart!.Value)} ms, connect {Report.N(run.Passes[0].Ready!.Value - run.Passes[0].Connecting!.Value)} ms",
        Kind.First => $"first alert {Report.N(run.Passes[0].First!.Value - run.Launched)} ms after launch",
        Kind.Memory => $"{Report.N(MemoryProbeAlerts)} alerts, peak working set {Report.MB(run.Passes[0].PeakWorkingSet)}",
        _ => string.Join("; ", run.Passes.Select((p, i) => $"pass {i + 1}: {Report.N(p.Alerts ?? alerts)} alerts in {Report.N(p.End - p.Start)} ms")),
    };


    private static async Task<(Run? Run, string? Problem)> RunClientAsync(ProcessStartInfo info, Process labProcess, bool wallOnly)
    {
        labProcess.Refresh();
        var labCpuBefore = labProcess.TotalProcessorTime;
        var launched = NowMs();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var finished = process.WaitForExitAsync();
        if (await Task.WhenAny(finished, Task.Delay(TimeSpan.FromMinutes(10))) != finished)
        {
            process.Kill(entireProcessTree: true);
            return (null, "did not finish in 10 minutes");
        }
        var exited = NowMs();
        labProcess.Refresh();
        var labCpu = (labProcess.TotalProcessorTime - labCpuBefore).TotalMilliseconds;
        var output = await stdout;
        var error = (await stderr).Trim();
        var passes = new List<Pass>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith('{')) continue;
            using var json = JsonDocument.Parse(line);
            var r = json.RootElement;
            if (r.TryGetProperty("error", out var message)) return (null, message.GetString());
            double? Ms(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            long? Long(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
            passes.Add(new Pass(Long("alerts"), Long("matched"), Ms("start") ?? 0, Ms("first"), Ms("end") ?? 0, Long("peakWorkingSet") ?? 0,
                Ms("scriptStart"), Ms("imported"), Ms("connecting"), Ms("ready")));
        }
        if (process.ExitCode != 0 || (!wallOnly && passes.Count == 0))
            return (null, $"exit code {process.ExitCode}, {passes.Count} pass(es) reported: {(error.Length > 0 ? error : output.Trim())}");
        return (new Run(launched, exited, passes, labCpu), null);
    }

    /// <summary>
    /// The seed gives severities in a cycle of eight rules, three of them "high" (Lab ElasticSeedData): what every
    /// client reading severity must count, so a fast client that reads the wrong thing shows up as wrong, not fast.
    /// </summary>
    private static long ExpectedHigh(long alerts) => new[] { 0, 1, 5 }.Sum(r => alerts > r ? (alerts - r + 7) / 8 : 0);

    private static int Print(Lab lab, List<Client> clients, Dictionary<string, List<Run>> runs, Dictionary<string, string> problems)
    {
        var n = lab.Alerts;
        var failed = false;
        var expectedHigh = ExpectedHigh(n);

        // Streaming: the best rate of each pass over the rounds (pass 1 in a fresh process = cold, pass 2 = warm).
        double? Best(string key, int pass) =>
            runs[key].Where(r => r.Passes.Count > pass).Select(r => n / r.Passes[pass].Seconds).DefaultIfEmpty().Max() is var best && best > 0 ? best : null;
        string Range(string key, int pass)
        {
            var rates = runs[key].Where(r => r.Passes.Count > pass).Select(r => n / r.Passes[pass].Seconds).ToList();
            return rates.Count == 0 ? "" : $"{Report.N(rates.Min() / 1000)}k-{Report.N(rates.Max() / 1000)}k";
        }
        long PeakMB(string key) => runs[key].Count == 0 ? 0 : runs[key].Max(r => r.Passes.Max(p => p.PeakWorkingSet));
        var python = new[] { Best(PythonKey, 0), Best(PythonKey, 1) };
        var rest = Best(RestKey, 0);

        Report.Line();
        Report.Line($"  streaming {Report.N(n)} alerts (best of {runs.Values.Max(r => r.Count)} round(s); pass 1 = first pipeline in a fresh process, pass 2 = the next one in the same process)");
        var rows = new List<IReadOnlyList<string>>();
        var notes = new List<string>();
        foreach (var client in clients.Where(c => c.Kind == Kind.Stream))
        {
            if (problems.TryGetValue(client.Key, out var problem))
            {
                // The reason goes under the table, so one long message does not widen a column for every row.
                rows.Add(new[] { client.Name, "", client.Missing is null ? "failed" : "missing", "", "", "", "", "", "see below" });
                notes.Add($"{client.Name}: {problem}");
                failed |= client.Missing is null;
                continue;
            }
            var passes = runs[client.Key].Min(r => r.Passes.Count);
            for (var pass = 0; pass < passes; pass++)
            {
                var rate = Best(client.Key, pass)!.Value;
                var wrong = Wrong(client.Key, runs[client.Key].Select(r => r.Passes[pass]), n, expectedHigh);
                failed |= wrong != null;
                var labCpu = runs[client.Key].Min(r => r.LabCpuMs / (n * (double)r.Passes.Count)) * 1000;
                rows.Add(new[]
                {
                    pass == 0 ? client.Name : "",
                    pass == 0 ? "1 cold" : $"{pass + 1} warm",
                    Report.N(rate),
                    Range(client.Key, pass),
                    python[Math.Min(pass, 1)] is { } p ? Report.Ratio(rate / p) : "n/a",
                    rest is { } r ? Report.Ratio(rate / r) : "n/a",
                    pass == 0 ? Report.MB(PeakMB(client.Key)) : "",
                    pass == 0 ? Report.Micro(labCpu) : "",
                    wrong ?? "ok",
                });
            }
        }
        Report.Table(new[] { "client", "pass", "alerts/s", "range", "vs Python", "vs IRM", "peak WS", "Lab CPU/alert", "counts" }, rows);
        foreach (var note in notes) Report.Line("  ! " + note);

        Report.Line();
        Report.Line("  time to the first alert, from launching the process (median)");
        var firstRows = new List<IReadOnlyList<string>>();
        foreach (var client in clients.Where(c => c.Kind == Kind.First))
        {
            if (problems.TryGetValue(client.Key, out var problem))
            {
                firstRows.Add(new[] { client.Name, problem });
                continue;
            }
            firstRows.Add(new[] { client.Name, Report.N(Median(runs[client.Key].Select(r => r.Passes[0].First!.Value - r.Launched))) + " ms" });
        }
        Report.Table(new[] { "client", "first alert" }, firstRows);

        Report.Line();
        Report.Line("  start-up (median)");
        double? emptyMs = runs[EmptyKey].Count > 0 ? Median(runs[EmptyKey].Select(r => r.Exited - r.Launched)) : null;
        double? importMs = null, connectMs = null, scriptMs = null;
        if (runs[StartupKey].Count > 0)
        {
            var first = runs[StartupKey].Select(r => r.Passes[0]).ToList();
            scriptMs = Median(runs[StartupKey].Select(r => r.Passes[0].ScriptStart!.Value - r.Launched));
            importMs = Median(first.Select(p => p.Imported!.Value - p.ScriptStart!.Value));
            connectMs = Median(first.Select(p => p.Ready!.Value - p.Connecting!.Value));
        }
        string Ms(double? value) => value is { } v ? Report.N(v) + " ms" : problems.GetValueOrDefault(StartupKey, "n/a");
        Report.Table(new[] { "step", "time" }, new List<IReadOnlyList<string>>
        {
            new[] { "empty pwsh -NoProfile, launch to exit", emptyMs is { } e ? Report.N(e) + " ms" : problems.GetValueOrDefault(EmptyKey, "n/a") },
            new[] { "pwsh -File, launch to the script's first line", Ms(scriptMs) },
            new[] { "Import-Module PSSocAutomation", Ms(importMs) },
            new[] { "first Connect-Elastic", Ms(connectMs) },
        });

        var memoryPeak = PeakMB(MemoryKey);
        var fullPeak = PeakMB(WhereKey);
        Report.Line();
        Report.Line($"  peak working set of Get-ElasticAlert | Where-Object: {Report.MB(memoryPeak)} at {Report.N(MemoryProbeAlerts)} alerts, {Report.MB(fullPeak)} at {Report.N(n)}");

        Report.Line();
        var where = new[] { Best(WhereKey, 0), Best(WhereKey, 1) };
        Verdict("first pass in a fresh pwsh, Where-Object, vs the Python client", where[0], python[0], 2.0, problems.GetValueOrDefault(PythonKey));
        Verdict("warm pass, Where-Object, vs the Python client", where[1], python[1], 2.5, problems.GetValueOrDefault(PythonKey));
        Verdict("first pass, Where-Object, vs the Invoke-RestMethod loop", where[0], rest, 5.0, problems.GetValueOrDefault(RestKey));
        if (n >= MemoryProbeAlerts * 2 && memoryPeak > 0 && fullPeak > 0)
        {
            // Flat: the larger run may need at most a tenth or 32 MB more, whichever is more (the garbage collector's
            // timing moves a fresh process's peak by that much); anything kept per alert would add far more.
            var allowed = Math.Max(memoryPeak / 10, 32L << 20);
            var flat = fullPeak <= memoryPeak + allowed;
            Report.Verdict("streaming memory flat", flat, $"{Report.MB(memoryPeak)} -> {Report.MB(fullPeak)} (at most +{Report.MB(allowed)})");
            failed |= !flat;
        }
        if (importMs is { } import) { Report.Verdict("Import-Module adds at most 0.2 s", import <= 200, Report.N(import) + " ms"); failed |= import > 200; }
        if (connectMs is { } connect) { Report.Verdict("first Connect-Elastic at most 0.3 s more", connect <= 300, Report.N(connect) + " ms"); failed |= connect > 300; }
        return failed ? 1 : 0;

        void Verdict(string what, double? rate, double? peer, double target, string? peerProblem)
        {
            if (rate is null) { Report.Verdict(what, false, "no run completed"); failed = true; return; }
            if (peer is null) { Report.Line($"  [n/a ] {what}: {peerProblem ?? "no run completed"}"); return; }
            var ratio = rate.Value / peer.Value;
            Report.Verdict(what + $" (target {Report.Ratio(target)})", ratio >= target, $"{Report.N(rate.Value)} vs {Report.N(peer.Value)} alerts/s = {Report.Ratio(ratio)}");
        }
    }

    /// <summary>Why a client's counts are not what the index holds, or null when they are.</summary>
    private static string? Wrong(string key, IEnumerable<Pass> passes, long n, long expectedHigh)
    {
        foreach (var p in passes)
        {
            if (p.Alerts is { } alerts && alerts != n) return $"read {Report.N(alerts)} of {Report.N(n)}";
            if (p.Matched is { } matched && matched != expectedHigh) return $"counted {Report.N(matched)} High, not {Report.N(expectedHigh)}";
        }
        return null;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        if (sorted.Count == 0) return double.NaN;
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static double NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static Process StartLab(string labDll, string folder, int alerts, out string connectionFile)
    {
        connectionFile = Path.Combine(folder, "lab.json");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { labDll, "--connection-file", connectionFile, "--seed-alerts", $"{Index}={alerts}" }) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        // Drained, so a chatty Lab never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForFileAsync(string path, Process process, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            if (process.HasExited) throw new InvalidOperationException($"The Lab exited with code {process.ExitCode} before it was ready.");
            if (clock.Elapsed > timeout) throw new TimeoutException($"The Lab was not ready in {timeout.TotalSeconds} s.");
            await Task.Delay(100);
        }
    }

    /// <summary>Debian's python3 with its python3-elasticsearch, else the python3 on PATH if it has the client; else why not.</summary>
    private static (string Python, string? Problem) FindPython()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var info = new ProcessStartInfo(candidate, "-c \"import elasticsearch\"") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
                using var p = Process.Start(info)!;
                p.WaitForExit();
                if (p.ExitCode == 0) return (candidate, null);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed under that name
            }
        }
        return ("python3", "missing: no python3 here has the elasticsearch client (Debian: apt-get install python3-elasticsearch)");
    }

    private static string PythonClientVersion(string python)
    {
        var info = new ProcessStartInfo(python, "-c \"import elasticsearch; print('.'.join(map(str, elasticsearch.__version__)))\"") { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(info)!;
        var version = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return version;
    }
}
