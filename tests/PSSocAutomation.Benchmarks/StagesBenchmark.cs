using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PSSocAutomation.Core;
using PSSocAutomation.Elastic;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Benchmarks;

/// <summary>
/// Where a fresh process spends its time per alert, stage by stage: parsing a page of 1,000 hits (JsonDocument, as the
/// HTTP pipeline does), mapping each hit to an alert (index, id, the kept document), and reading its fields (the first
/// property a filter reads). One real page from the Lab is read 100 times per round in a child process, so round 1 is
/// what the first 100,000 alerts of a scheduled run cost and the later rounds what a warm session pays. The child runs
/// three times: as a user's process runs (tiered compilation with dynamic PGO), without dynamic PGO, and fully optimized
/// from the start (no tiering): the differences say how much of the first pass is the runtime warming up.
/// </summary>
public static class StagesBenchmark
{
    private const int PagesPerRound = 100;
    private const int Rounds = 4;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        Report.Section("stages: parse, map and read fields of a 1,000-hit page, per alert, in a fresh process");
        await using var lab = await LabServer.StartAsync(new LabOptions { JournalBodies = false });
        lab.Elastic.SeedAlerts("bench", 1000, DateTimeOffset.UtcNow.AddHours(-1), TimeSpan.FromSeconds(1));
        using var http = new HttpClient { BaseAddress = lab.ElasticUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(lab.Credentials.ElasticUser + ":" + lab.Credentials.ElasticPassword)));
        var body = new ElasticAlertQuery { TimeField = "@timestamp" }.BuildSearchBody();
        body["size"] = 1000;
        using var response = await http.PostAsync("bench/_search", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        var page = Path.Combine(Path.GetTempPath(), $"pssoc-stages-{Environment.ProcessId}.json");
        await File.WriteAllBytesAsync(page, await response.Content.ReadAsByteArrayAsync());
        try
        {
            Report.Line($"  one page of 1,000 Lab alerts, {Report.Bytes(new FileInfo(page).Length)}; {PagesPerRound} pages a round, µs and bytes allocated per alert");
            foreach (var (name, environment) in new[]
            {
                ("as pwsh runs (.NET defaults: tiered, dynamic PGO)", Array.Empty<(string, string)>()),
                ("DOTNET_TieredPGO=0", new[] { ("DOTNET_TieredPGO", "0") }),
                ("DOTNET_TieredCompilation=0 (optimized from the start)", new[] { ("DOTNET_TieredCompilation", "0") }),
            })
            {
                var info = ChildProcess.Self("stages-child", page);
                info.RedirectStandardError = false;
                foreach (var (key, value) in environment) info.Environment[key] = value;
                using var child = Process.Start(info)!;
                var output = await child.StandardOutput.ReadToEndAsync();
                await child.WaitForExitAsync();
                Report.Line();
                Report.Line("  " + name);
                var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (IReadOnlyList<string>)l.Split('\t')).ToList();
                Report.Table(new[] { "round", "parse", "map", "fields", "total", "allocated" }, rows);
            }
        }
        finally
        {
            File.Delete(page);
        }
        return 0;
    }

    /// <summary>The child: rounds over the page, one line per round (tab-separated cells).</summary>
    public static int Child(string pageFile)
    {
        var bytes = File.ReadAllBytes(pageFile);
        for (var round = 1; round <= Rounds; round++)
        {
            TimeSpan parse = TimeSpan.Zero, map = TimeSpan.Zero, fields = TimeSpan.Zero;
            long alerts = 0, high = 0;
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            for (var p = 0; p < PagesPerRound; p++)
            {
                var clock = Stopwatch.StartNew();
                using var doc = JsonDocument.Parse(bytes);
                var hits = doc.RootElement.GetProperty("hits").GetProperty("hits");
                parse += clock.Elapsed;
                clock.Restart();
                var mapper = new ElasticAlertMapper("@timestamp");
                var page = hits.EnumerateArray().Select(mapper.Map).ToArray();
                map += clock.Elapsed;
                clock.Restart();
                foreach (var alert in page) if (alert.Severity == AlertSeverity.High) high++;
                fields += clock.Elapsed;
                alerts += page.Length;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            string Per(TimeSpan t) => Report.Micro(t.TotalMilliseconds * 1000 / alerts);
            Console.WriteLine(string.Join('\t', $"{round} ({Report.N(alerts * (round - 1))}-{Report.N(alerts * round)})", Per(parse), Per(map), Per(fields),
                Per(parse + map + fields), Report.Bytes(allocated / (double)alerts)));
            if (high == 0) return 1; // the fields must have been read
        }
        return 0;
    }
}
