using System.Management.Automation;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Benchmarks;

/// <summary>
/// New-IrisCase against the Lab's IRIS with a fixed latency added to every request, one case at a time and with
/// -ThrottleLimit N: what bounded concurrency buys when the server, not the client, is the slow part.
/// </summary>
public static class IrisBenchmark
{
    private sealed record Row(int Throttle, int Cases, long Created, int Errors, TimeSpan Elapsed, long Requests, string? FirstError, bool NotConnected)
    {
        public double Rate => Created / Elapsed.TotalSeconds;
        public double RequestsPerCase => (double)Requests / Math.Max(1, Cases);
    }

    private const string CreateScript = """
        1..$benchCount |
            ForEach-Object { [pscustomobject]@{ Id = "$benchPrefix-$_"; Title = "Benchmark alert $_"; Description = 'Opened by the PSSocAutomation benchmark to measure New-IrisCase throughput.' } } |
            New-IrisCase -Customer 1 -ThrottleLimit $benchThrottle @benchExtra
        """;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        Report.Section($"iris: New-IrisCase, {Report.N(options.Cases)} cases, {options.LatencyMs} ms added to every IRIS request, -ThrottleLimit 1 vs {options.Throttle}");
        await using var lab = await LabServer.StartAsync(new LabOptions { JournalBodies = false });
        using var session = new BenchSession();

        var available = session.Run("Get-Command New-IrisCase, Connect-Iris -ErrorAction Stop | Out-Null");
        if (available.FirstProblem is not null)
        {
            Report.Line("  IRIS cmdlets not available (Get-Command New-IrisCase, Connect-Iris failed in the imported module); nothing measured.");
            Report.Line("  " + available.FirstProblem);
            return 2;
        }
        var throttleParameter = session.RunOrThrow("(Get-Command New-IrisCase).Parameters.ContainsKey('ThrottleLimit')", "Get-Command New-IrisCase");
        if (throttleParameter.Count != 1 || throttleParameter[0].BaseObject is not true)
        {
            Report.Line("  New-IrisCase has no -ThrottleLimit parameter; nothing measured.");
            return 2;
        }

        session.SetVariable("irisUri", lab.IrisUri.ToString());
        session.SetVariable("irisKeyText", lab.Credentials.IrisApiKey);
        session.SetVariable("irisKeySecure", BenchSession.Secure(lab.Credentials.IrisApiKey));
        // Secrets arrive as SecureString by the design; take a string too, whichever the cmdlet declares.
        session.RunOrThrow("""
            $keyType = (Get-Command Connect-Iris).Parameters['ApiKey'].ParameterType
            $key = if ($keyType -eq [securestring]) { $irisKeySecure } else { $irisKeyText }
            $benchIris = Connect-Iris -Uri $irisUri -ApiKey $key -SkipCertificateCheck -WarningAction SilentlyContinue
            $benchExtra = @{}
            """, "Connect-Iris");

        lab.Faults.SetLatency("iris", TimeSpan.FromMilliseconds(options.LatencyMs));
        Report.Step($"warming up ({options.Throttle * 2} cases at -ThrottleLimit {options.Throttle}) ...");
        var warm = Create(session, lab, "bench-warm", options.Throttle * 2, options.Throttle);
        if (warm.NotConnected)
        {
            // The session's default connection was not found: say so (it is a defect to fix), then measure anyway with
            // the connection passed explicitly, which is the same work.
            Report.Line($"  ! New-IrisCase did not find the connection Connect-Iris made ({warm.FirstError})");
            Report.Line("    measuring with -Connection passed explicitly instead");
            session.RunOrThrow("$benchExtra = @{ Connection = $benchIris }", "setting -Connection");
            warm = Create(session, lab, "bench-warm2", options.Throttle * 2, options.Throttle);
        }
        if (warm.Errors > 0 || warm.Created != warm.Cases)
            Report.Line($"  ! warm-up created {warm.Created} of {warm.Cases} cases, {warm.Errors} error(s): {warm.FirstError}");

        var rows = new List<Row>();
        foreach (var throttle in new[] { 1, options.Throttle })
        {
            Report.Step($"-ThrottleLimit {throttle}: {Report.N(options.Cases)} cases ...");
            rows.Add(Create(session, lab, $"bench-t{throttle}", options.Cases, throttle));
        }

        Report.Line();
        Report.Table(
            new[] { "-ThrottleLimit", "cases", "created", "errors", "time", "cases/s", "ms/case", "IRIS requests/case", "bound at this latency" },
            rows.Select(r => (IReadOnlyList<string>)new[]
            {
                r.Throttle.ToString(), Report.N(r.Cases), Report.N(r.Created), Report.N(r.Errors), Report.Seconds(r.Elapsed),
                Report.N(r.Rate, 1), Report.N(r.Elapsed.TotalMilliseconds / Math.Max(1, r.Created), 1), Report.N(r.RequestsPerCase, 2),
                // Each case waits RequestsPerCase x latency in turn; N in flight divide that by N.
                r.RequestsPerCase > 0 && options.LatencyMs > 0 ? Report.N(1000.0 * r.Throttle / (r.RequestsPerCase * options.LatencyMs), 1) + " cases/s" : "-",
            }), firstColumnLeft: false);
        foreach (var r in rows.Where(r => r.FirstError != null)) Report.Line($"  ! -ThrottleLimit {r.Throttle}: {r.FirstError}");

        var ratio = rows[0].Rate > 0 ? rows[1].Rate / rows[0].Rate : 0;
        Report.Line();
        Report.Line("Targets:");
        Report.Verdict("every case created without error", rows.All(r => r.Created == r.Cases && r.Errors == 0),
            string.Join(", ", rows.Select(r => $"{Report.N(r.Created)}/{Report.N(r.Cases)} at {r.Throttle} ({r.Errors} errors)")));
        Report.Verdict($"-ThrottleLimit {options.Throttle} vs 1 >= 5x", ratio >= 5,
            $"{Report.Ratio(ratio)} ({Report.N(rows[1].Rate, 1)} vs {Report.N(rows[0].Rate, 1)} cases/s)");
        return rows.All(r => r.Created == r.Cases && r.Errors == 0) ? 0 : 1;
    }

    private static Row Create(BenchSession session, LabServer lab, string prefix, int count, int throttle)
    {
        session.SetVariable("benchCount", count);
        session.SetVariable("benchPrefix", prefix);
        session.SetVariable("benchThrottle", throttle);
        var requestsBefore = lab.Journal.For("iris").Count;
        var output = new PSDataCollection<PSObject>();
        var meter = RunMeter.Start();
        var result = session.Run(CreateScript, output);
        meter.Stop();
        var requests = lab.Journal.For("iris").Count - requestsBefore;
        var created = output.Count(o => o?.BaseObject is not null);
        var notConnected = result.Errors.Select(e => e.FullyQualifiedErrorId)
            .Append(result.Terminating?.ErrorRecord?.FullyQualifiedErrorId)
            .Any(id => id?.StartsWith("IrisNotConnected", StringComparison.Ordinal) == true);
        return new Row(throttle, count, created, result.Errors.Count + (result.Terminating is null ? 0 : 1), meter.Elapsed, requests, result.FirstProblem, notConnected);
    }
}
