using System.Diagnostics;
using System.Management.Automation;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Lab.Kibana;

namespace PSSocAutomation.Benchmarks;

/// <summary>
/// Get-ElasticSecurityAlert deep-paging a Kibana space's alerts against the Lab: one signals/search page through
/// Kibana, then the alerts index with a point in time, next to Get-ElasticAlert reading the same alias directly. Both
/// read the same documents with the same page size, so the difference is what the detection-alert fields cost.
/// </summary>
public static class KibanaBenchmark
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var n = options.Alerts;
        Report.Section($"kibana: Get-ElasticSecurityAlert deep-paging {Report.N(n)} detection alerts, page size {Report.N(options.PageSize)}");
        await using var lab = await LabServer.StartAsync(new LabOptions { JournalBodies = false });

        Report.Step($"seeding {Report.N(n)} detection alerts into {KibanaLab.AlertsAlias()} ...");
        var seedClock = Stopwatch.StartNew();
        lab.Kibana.SeedAlerts(n, "default", DateTimeOffset.UtcNow.AddSeconds(-n - 60), TimeSpan.FromSeconds(1));
        seedClock.Stop();
        Report.Step($"seeded in {Report.Seconds(seedClock.Elapsed)}");

        using var session = new BenchSession();
        session.SetVariable("esUri", lab.ElasticUri.ToString());
        session.SetVariable("kbUri", lab.KibanaUri.ToString());
        session.SetVariable("esCred", new PSCredential(lab.Credentials.ElasticUser, BenchSession.Secure(lab.Credentials.ElasticPassword)));
        session.RunOrThrow("Connect-Elastic -Uri $esUri -KibanaUri $kbUri -Credential $esCred | Out-Null", "Connect-Elastic");

        var security = $"Get-ElasticSecurityAlert -IncludeBuildingBlock -PageSize {options.PageSize}";
        var plain = $"Get-ElasticAlert -Index {KibanaLab.AlertsAlias()} -PageSize {options.PageSize}";
        Report.Step("warming up ...");
        Count(session, security + " -First " + Math.Min(n, options.PageSize * 4));
        Count(session, plain + " -First " + Math.Min(n, options.PageSize * 4));

        var best = new Dictionary<string, (long Alerts, TimeSpan Elapsed)>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var (name, script) in round % 2 == 1 ? new[] { ("Get-ElasticSecurityAlert", security), ("Get-ElasticAlert (same alias)", plain) } : new[] { ("Get-ElasticAlert (same alias)", plain), ("Get-ElasticSecurityAlert", security) })
            {
                var clock = Stopwatch.StartNew();
                var alerts = Count(session, script);
                clock.Stop();
                Report.Step($"round {round}/{options.Rounds}: {name}: {Report.N(alerts)} alerts in {Report.Seconds(clock.Elapsed)}");
                if (alerts != n) throw new InvalidOperationException($"{name} read {alerts} alerts, not {n}.");
                if (!best.TryGetValue(name, out var seen) || clock.Elapsed < seen.Elapsed) best[name] = (alerts, clock.Elapsed);
            }
        }

        var reference = best["Get-ElasticAlert (same alias)"];
        Report.Table(new[] { "run (best of " + options.Rounds + ")", "alerts", "time", "alerts/s", "vs Get-ElasticAlert" },
            best.Select(b => (IReadOnlyList<string>)new[]
            {
                b.Key, Report.N(b.Value.Alerts), Report.Seconds(b.Value.Elapsed), Report.N(b.Value.Alerts / b.Value.Elapsed.TotalSeconds),
                Report.Ratio(reference.Elapsed.TotalSeconds / b.Value.Elapsed.TotalSeconds),
            }));
        return 0;
    }

    /// <summary>The alerts a pipeline wrote, counted by Measure-Object (no scriptblock per alert).</summary>
    private static long Count(BenchSession session, string script)
    {
        var output = session.RunOrThrow($"({script} | Measure-Object).Count", script);
        return Convert.ToInt64(output.Single().BaseObject);
    }
}
