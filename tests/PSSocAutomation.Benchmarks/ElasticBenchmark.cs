using System.Diagnostics;
using System.Management.Automation;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PSSocAutomation.Elastic;
using PSSocAutomation.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Benchmarks;

/// <summary>
/// Get-ElasticAlert throughput and memory against the Lab's Elasticsearch, next to the same requests read by plain C#.
/// Every run reads the same index with the same point in time + search_after requests and the same page size (the
/// headline runs all of it, the diagnostic runs its first alerts), so the differences between the rows' per-alert
/// figures are what each layer (mapping, PowerShell's pipeline, a scriptblock per item) costs.
/// </summary>
public static class ElasticBenchmark
{
    private const string Index = "bench";
    private const string KeepAlive = "2m";
    /// <summary>Get-ElasticAlert's default -TimeField, and so the baselines' too.</summary>
    private const string TimeField = "@timestamp";

    /// <summary>One measured run.</summary>
    private sealed record Row(string Name, long Expected, long Alerts, RunMeter Meter, MemoryPeaks Memory, string CountedBy, bool Probed, string? Problem = null)
    {
        public bool Complete => Problem is null && Alerts == Expected;
        public double Rate => Alerts / Meter.Elapsed.TotalSeconds;
        public double WallMicrosPerAlert => Meter.Elapsed.TotalMilliseconds * 1000 / Math.Max(1, Alerts);
        public double CpuMicrosPerAlert => Meter.Cpu.TotalMilliseconds * 1000 / Math.Max(1, Alerts);
        public double AllocPerAlert => (double)Meter.Allocated / Math.Max(1, Alerts);
    }

    /// <summary>Where the sequential raw loop spent its time.</summary>
    private sealed record Breakdown(long Alerts, TimeSpan Http, TimeSpan Parse, TimeSpan Map, long Pages, long ResponseBytes);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var n = options.Alerts;
        Report.Section($"elastic: Get-ElasticAlert over {Report.N(n)} alerts, page size {Report.N(options.PageSize)}");
        await using var lab = await LabServer.StartAsync(new LabOptions { JournalBodies = false });

        Report.Step($"seeding {Report.N(n)} alerts into '{Index}' ...");
        var seedClock = Stopwatch.StartNew();
        lab.Elastic.SeedAlerts(Index, n, DateTimeOffset.UtcNow.AddSeconds(-n - 60), TimeSpan.FromSeconds(1));
        seedClock.Stop();
        GC.Collect();
        Report.Step($"seeded in {Report.Seconds(seedClock.Elapsed)}; process working set {Report.MB(Environment.WorkingSet)}, managed heap {Report.MB(GC.GetTotalMemory(true))}");

        var user = lab.Credentials.ElasticUser;
        var password = lab.Credentials.ElasticPassword;
        using var session = new BenchSession();
        session.SetVariable("esUri", lab.ElasticUri.ToString());
        session.SetVariable("esCred", new PSCredential(user, BenchSession.Secure(password)));
        session.RunOrThrow("Connect-Elastic -Uri $esUri -Credential $esCred | Out-Null", "Connect-Elastic");
        using var client = new ElasticClient(new HttpPipelineOptions(lab.ElasticUri) { Auth = HttpAuth.Basic(user, password) });
        using var http = RawClient(lab.ElasticUri, user, password);

        // Warm-up: JIT and tiering, the Lab's serving included. Per-request code (Kestrel, HttpClient, the pipeline, the
        // cmdlet's setup) is promoted after some 30 calls and a measured run makes only alerts/page-size requests, so
        // first many small pages (on the paths whose per-request code differs), then a few full pages on every path.
        var warm = Math.Min(n, options.PageSize * 4);
        var smallPage = Math.Min(options.PageSize, 100);
        var smallWarm = Math.Min(n, smallPage * 40);
        Report.Step($"warming up ({Report.N(smallWarm)} alerts in pages of {smallPage}, then {Report.N(warm)} in pages of {Report.N(options.PageSize)} on every path) ...");
        var warmClock = Stopwatch.StartNew();
        await ClientCountAsync(client, smallPage, smallWarm, _ => { });
        PipelineSink(session, smallPage, smallWarm, _ => { });
        PipelineForEach(session, smallPage, smallWarm, FieldBlock);
        await ClientCountAsync(client, options.PageSize, warm, _ => { });
        if (!options.Quick)
        {
            await ClientMapAsync(client, options.PageSize, warm, _ => { });
            await RawSequentialAsync(http, options.PageSize, warm, _ => { });
        }
        PipelineSink(session, options.PageSize, warm, _ => { });
        PipelineForEach(session, options.PageSize, warm, FieldBlock);
        Report.Step($"warmed up in {Report.Seconds(warmClock.Elapsed)}");

        // The headline runs stream every alert. The diagnostic runs (where the time goes) stream the first alerts of the
        // same index only: their figures are per alert, and the whole run stays near three minutes.
        var checkpoint = Math.Max(1, n / 10);
        var diagnosticAlerts = Math.Min(n, DiagnosticAlerts);
        var breakdowns = new List<Breakdown>();
        var plans = new List<Plan>
        {
            new(BaselineName, n, "exact", false, counter => ClientCountAsync(client, options.PageSize, null, counter)),
        };
        if (!options.Quick)
        {
            plans.Add(new(MapName, diagnosticAlerts, "exact", false, counter => ClientMapAsync(client, options.PageSize, diagnosticAlerts, counter), Diagnostic: true));
            plans.Add(new(RawName, diagnosticAlerts, "exact", false, async counter =>
            {
                var (count, split) = await RawSequentialAsync(http, options.PageSize, diagnosticAlerts, counter);
                breakdowns.Add(split);
                return count;
            }, Diagnostic: true));
        }
        plans.Add(new(SinkName, n, "exact", true, counter => Task.FromResult(PipelineSink(session, options.PageSize, null, counter))));
        plans.Add(new(ForEachName, n, "pages served", true, _ => Task.FromResult(PipelineForEach(session, options.PageSize, null, CountBlock)), () =>
        {
            // ForEach-Object keeps its count to itself; the Lab's journal says how many pages it has served meanwhile.
            var before = SearchesServed(lab);
            return () => (SearchesServed(lab) - before) * (long)options.PageSize;
        }));
        plans.Add(new(FieldName, n, "pages served", false, _ => Task.FromResult(PipelineForEach(session, options.PageSize, null, FieldBlock)), () =>
        {
            var before = SearchesServed(lab);
            return () => (SearchesServed(lab) - before) * (long)options.PageSize;
        }));

        // Rounds in alternating order, the best of each kept: other work on a small machine only ever slows a run down.
        // The last round also probes the pipelines' live heap (a forced full collection at 10% and 90% of the alerts).
        var results = plans.ToDictionary(p => p.Name, _ => new List<Row>());
        for (var round = 1; round <= options.Rounds; round++)
        {
            var ordered = round % 2 == 1 ? plans : Enumerable.Reverse(plans).ToList();
            var last = round == options.Rounds;
            foreach (var plan in ordered)
            {
                Report.Step($"round {round}/{options.Rounds}: {plan.Name}, {Report.N(plan.Alerts)} alerts ...");
                var row = await MeasureAsync(plan, checkpoint, last && plan.Probe);
                results[plan.Name].Add(row);
                Report.Step($"   {Report.N(row.Alerts)} alerts in {Report.Seconds(row.Meter.Elapsed)}: {Report.N(row.Rate)} alerts/s{(row.Problem is null ? "" : "  ! " + row.Problem)}");
            }
        }

        var openPits = lab.Elastic.OpenPitCount;
        Print(options, plans, plans.Select(p => results[p.Name]).ToList(), breakdowns.OrderBy(b => b.Http + b.Parse + b.Map).FirstOrDefault(), checkpoint, openPits);
        var all = results.Values.SelectMany(r => r).ToList();
        return all.Any(r => !r.Complete) || openPits > 0 ? 1 : 0;
    }

    /// <summary>Alerts the diagnostic runs stream (at most): enough for steady per-alert figures.</summary>
    private const int DiagnosticAlerts = 250_000;
    private const string BaselineName = "C# ElasticClient.StreamAsync, count hits (baseline)";
    private const string MapName = "C# StreamAsync + ElasticAlertMapper.Map";
    private const string RawName = "C# raw HttpClient, sequential, + Map";
    private const string SinkName = "PS Get-ElasticAlert -> counting sink";
    private const string ForEachName = "PS Get-ElasticAlert | ForEach-Object {$n++}";
    private const string FieldName = "PS ... | ForEach-Object reading Severity and Id";
    private const string CountBlock = "{ $n++ }";
    // Reading fields makes each alert parse its kept document: the cost a real filter pays.
    private const string FieldBlock = "{ if ($_.Severity -ge 'Low' -and $_.Id) { $n++ } }";

    /// <summary>
    /// A run to measure: what it is, how many alerts it streams, how they are counted while it streams, whether the last
    /// round probes its live heap, and how to run it.
    /// </summary>
    private sealed record Plan(string Name, long Alerts, string CountedBy, bool Probe, Func<Action<long>, Task<long>> Run,
        Func<Func<long>>? ExternalCounter = null, bool Diagnostic = false);

    private static async Task<Row> MeasureAsync(Plan plan, long checkpoint, bool probe)
    {
        long streamed = 0;
        Action<long> counter = add => Interlocked.Add(ref streamed, add);
        var external = plan.ExternalCounter?.Invoke();
        using var sampler = MemorySampler.Start(external ?? (() => Interlocked.Read(ref streamed)), checkpoint, plan.Alerts, probe);
        var meter = RunMeter.Start();
        long count;
        string? problem = null;
        try
        {
            count = await plan.Run(counter);
        }
        catch (Exception ex)
        {
            count = Interlocked.Read(ref streamed);
            problem = ex.GetBaseException().Message;
        }
        meter.Stop();
        var memory = sampler.Stop();
        return new Row(plan.Name, plan.Alerts, count, meter, memory, plan.CountedBy, probe, problem);
    }

    // ---- the runs ----------------------------------------------------------------------------------------------

    private static ElasticAlertQuery Query() => new() { TimeField = TimeField };

    /// <summary>The baseline: the module's own client (PIT + search_after, next page prefetched), counting hits.</summary>
    private static async Task<long> ClientCountAsync(ElasticClient client, int pageSize, long? limit, Action<long> counter)
    {
        long count = 0;
        await foreach (var page in client.StreamAsync(Index, Query().BuildSearchBody(), pageSize, limit, KeepAlive, CancellationToken.None))
        {
            var hits = page.Hits.GetArrayLength();
            count += hits;
            counter(hits);
        }
        return count;
    }

    /// <summary>The baseline plus the normalization Get-ElasticAlert does per hit: everything but PowerShell.</summary>
    private static async Task<long> ClientMapAsync(ElasticClient client, int pageSize, long? limit, Action<long> counter)
    {
        var mapper = new ElasticAlertMapper(TimeField);
        long count = 0;
        object? last = null;
        await foreach (var page in client.StreamAsync(Index, Query().BuildSearchBody(), pageSize, limit, KeepAlive, CancellationToken.None))
        {
            foreach (var hit in page.Hits.EnumerateArray())
            {
                last = mapper.Map(hit);
                count++;
            }
            counter(page.Hits.GetArrayLength());
        }
        GC.KeepAlive(last);
        return count;
    }

    private static HttpClient RawClient(Uri baseUri, string user, string password)
    {
        var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        return http;
    }

    /// <summary>
    /// The same requests from a plain HttpClient loop, one at a time (no prefetch), timing the wait for each response
    /// (the Lab building it, plus transfer), JsonDocument.Parse, and ElasticAlertMapper.Map apart.
    /// </summary>
    private static async Task<(long Count, Breakdown Split)> RawSequentialAsync(HttpClient http, int pageSize, long? limit, Action<long> counter)
    {
        var mapper = new ElasticAlertMapper(TimeField);
        var clock = new Stopwatch();
        TimeSpan tHttp = default, tParse = default, tMap = default;
        long count = 0, pages = 0, bytes = 0;
        object? last = null;

        string pitId;
        using (var open = await http.PostAsync($"{Index}/_pit?keep_alive={KeepAlive}", null))
        {
            open.EnsureSuccessStatusCode();
            using var doc = JsonDocument.Parse(await open.Content.ReadAsByteArrayAsync());
            pitId = doc.RootElement.GetProperty("id").GetString()!;
        }
        var template = Query().BuildSearchBody();
        JsonElement? after = null;
        try
        {
            while (limit is null || count < limit)
            {
                var size = limit is long max ? (int)Math.Min(pageSize, max - count) : pageSize;
                var body = SearchBody(template, size, pitId, after);
                clock.Restart();
                byte[] response;
                using (var content = new ByteArrayContent(body))
                {
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var reply = await http.PostAsync("_search", content);
                    reply.EnsureSuccessStatusCode();
                    response = await reply.Content.ReadAsByteArrayAsync();
                }
                tHttp += clock.Elapsed;
                bytes += response.Length;
                pages++;

                clock.Restart();
                using var page = JsonDocument.Parse(response);
                var root = page.RootElement;
                if (root.TryGetProperty("pit_id", out var newer) && newer.ValueKind == JsonValueKind.String) pitId = newer.GetString()!;
                var hits = root.GetProperty("hits").GetProperty("hits");
                var n = hits.GetArrayLength();
                tParse += clock.Elapsed;
                if (n == 0) break;

                clock.Restart();
                foreach (var hit in hits.EnumerateArray()) last = mapper.Map(hit);
                tMap += clock.Elapsed;

                count += n;
                counter(n);
                after = hits[n - 1].GetProperty("sort").Clone();
                if (n < size) break;
            }
        }
        finally
        {
            using var close = new HttpRequestMessage(HttpMethod.Delete, "_pit")
            {
                Content = new StringContent("{\"id\":" + JsonSerializer.Serialize(pitId) + "}", Encoding.UTF8, "application/json"),
            };
            using var closed = await http.SendAsync(close);
        }
        GC.KeepAlive(last);
        return (count, new Breakdown(count, tHttp, tParse, tMap, pages, bytes));
    }

    private static byte[] SearchBody(System.Text.Json.Nodes.JsonObject template, int size, string pitId, JsonElement? after)
    {
        using var buffer = new MemoryStream(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in template)
            {
                writer.WritePropertyName(property.Key);
                if (property.Value is null) writer.WriteNullValue(); else property.Value.WriteTo(writer);
            }
            writer.WriteNumber("size", size);
            writer.WriteStartObject("pit");
            writer.WriteString("id", pitId);
            writer.WriteString("keep_alive", KeepAlive);
            writer.WriteEndObject();
            if (after is JsonElement a)
            {
                writer.WritePropertyName("search_after");
                a.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Get-ElasticAlert straight into the host's output collection, counted as each alert arrives and dropped at once:
    /// the pipeline's own cost without a scriptblock per item.
    /// </summary>
    private static long PipelineSink(BenchSession session, int pageSize, long? first, Action<long> counter)
    {
        long count = 0;
        string? firstType = null;
        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, _) =>
        {
            if (count == 0) firstType = output.Count > 0 ? output[0]?.BaseObject.GetType().FullName : null;
            count++;
            counter(1);
            output.Clear();
        };
        var result = session.Invoke(ps =>
        {
            ps.AddCommand("Get-ElasticAlert").AddParameter("Index", Index).AddParameter("PageSize", pageSize);
            if (first is long f) ps.AddParameter("First", f);
        }, output);
        if (result.FirstProblem is string problem) throw new InvalidOperationException("Get-ElasticAlert failed: " + problem);
        if (count > 0 && firstType != typeof(PSSocAutomation.Core.SocAlert).FullName)
            throw new InvalidOperationException($"Get-ElasticAlert wrote {firstType}, not SocAlert.");
        return count;
    }

    /// <summary>The way an analyst counts in a script: a scriptblock per alert.</summary>
    private static long PipelineForEach(BenchSession session, int pageSize, long? first, string process)
    {
        var script = $"Get-ElasticAlert -Index {Index} -PageSize {pageSize}{(first is long f ? " -First " + f : "")} | " +
                     "ForEach-Object -Begin { $n = 0 } -Process " + process + " -End { $n }";
        var output = session.RunOrThrow(script, "Get-ElasticAlert | ForEach-Object");
        if (output.Count != 1 || output[0].BaseObject is not int and not long)
            throw new InvalidOperationException("The ForEach-Object pipeline did not return one count.");
        return Convert.ToInt64(output[0].BaseObject);
    }

    private static long SearchesServed(LabServer lab) =>
        lab.Journal.For("elastic").LongCount(e => e.Path.EndsWith("/_search", StringComparison.Ordinal) && e.Status == 200);

    // ---- the report --------------------------------------------------------------------------------------------

    private static void Print(BenchOptions options, List<Plan> plans, List<List<Row>> perPlan, Breakdown? breakdown, long checkpoint, int openPits)
    {
        var n = options.Alerts;
        // The best round of each run for speed; the probed (last) round for memory.
        var rows = perPlan.Select(rounds => rounds.Where(r => r.Problem is null).OrderByDescending(r => r.Rate).FirstOrDefault() ?? rounds[0]).ToList();
        var memoryRows = perPlan.Where((_, i) => !plans[i].Diagnostic).Select(rounds => rounds.LastOrDefault(r => r.Probed) ?? rounds[^1]).ToList();
        var baseline = rows[0];
        Report.Line();
        Report.Line($"Throughput ({Report.N(n)} alerts, page size {Report.N(options.PageSize)}, best of {options.Rounds} round(s); diagnostic runs (*) over the first " +
                    $"{Report.N(Math.Min(n, DiagnosticAlerts))};");
        Report.Line($"the Lab serves from this process and shares its {Environment.ProcessorCount} core(s)):");
        Report.Table(
            new[] { "run", "alerts", "time", "alerts/s", "vs baseline", "all rounds, alerts/s", "wall/alert", "CPU/alert", "CPU use", "alloc/alert", "GCs 0/1/2" },
            rows.Select((r, i) => (IReadOnlyList<string>)new[]
            {
                r.Name + (plans[i].Diagnostic ? " (*)" : ""), Report.N(r.Alerts), Report.Seconds(r.Meter.Elapsed), Report.N(r.Rate), Report.Ratio(r.Rate / baseline.Rate),
                string.Join(" ", perPlan[i].Select(x => Report.N(x.Rate))),
                Report.Micro(r.WallMicrosPerAlert), Report.Micro(r.CpuMicrosPerAlert),
                (r.Meter.Cpu.TotalSeconds / r.Meter.Elapsed.TotalSeconds * 100 / Environment.ProcessorCount).ToString("0") + "%",
                Report.Bytes(r.AllocPerAlert),
                $"{r.Meter.Collections.Gen0}/{r.Meter.Collections.Gen1}/{r.Meter.Collections.Gen2}",
            }));
        foreach (var r in perPlan.SelectMany(x => x).Where(r => r.Problem != null)) Report.Line($"  ! {r.Name}: {r.Problem}");
        Report.Line("  (CPU/alert and alloc/alert are the whole process's, the Lab's serving included: compare rows, not absolutes.");
        Report.Line("   CPU use is of all cores; 100/cores % is one core kept busy.)");

        if (breakdown is Breakdown b)
        {
            Report.Line();
            var total = b.Http + b.Parse + b.Map;
            var alerts = Math.Max(1, b.Alerts);
            string Part(TimeSpan t) => $"{Report.Seconds(t),9} ({t.TotalMilliseconds / total.TotalMilliseconds * 100,3:0}%, {Report.Micro(t.TotalMilliseconds * 1000 / alerts)}/alert)";
            Report.Line($"Where one-request-at-a-time reading spends its time ({Report.N(b.Alerts)} alerts, {Report.N(b.Pages)} requests, {Report.MB(b.ResponseBytes)} of responses, {Report.N((double)b.ResponseBytes / alerts)} bytes/alert):");
            Report.Line($"  waiting for each response (the Lab builds it, plus transfer) {Part(b.Http)}");
            Report.Line($"  JsonDocument.Parse of the page                               {Part(b.Parse)}");
            Report.Line($"  ElasticAlertMapper.Map, per hit                              {Part(b.Map)}");
        }

        var sink = rows.First(r => r.Name == SinkName);
        var forEach = rows.First(r => r.Name == ForEachName);
        var mapped = rows.FirstOrDefault(r => r.Name.Contains("Mapper.Map", StringComparison.Ordinal));
        string Layer(Row upper, Row lower) =>
            $"{Report.Micro(upper.WallMicrosPerAlert - lower.WallMicrosPerAlert),9} wall, {Report.Micro(upper.CpuMicrosPerAlert - lower.CpuMicrosPerAlert),9} CPU, {Report.Bytes(upper.AllocPerAlert - lower.AllocPerAlert),7} allocated";
        Report.Line();
        Report.Line("Per-alert cost of each layer (difference between the rows above):");
        if (mapped != null)
        {
            Report.Line($"  ElasticAlertMapper.Map (C#, no PowerShell)      {Layer(mapped, baseline)}");
            Report.Line($"  PowerShell pipeline (WriteObject to the host)   {Layer(sink, mapped)}");
        }
        else
        {
            Report.Line($"  Map + PowerShell pipeline                       {Layer(sink, baseline)}");
        }
        Report.Line($"  ForEach-Object {{ $n++ }} scriptblock per alert   {Layer(forEach, sink)}");

        Report.Line();
        Report.Line("Memory while streaming (last round; the working set is the whole process's, so rises are above the level just before the run;");
        Report.Line("'live heap' is measured after a forced full collection at about 10% and 90% of the alerts):");
        Report.Table(
            new[] { "run", "before: WS", $"peak WS to {Report.N(checkpoint)}", $"peak WS to {Report.N(n)}", "heap peak incl. garbage", "live heap at ~10% -> ~90%", "counted by" },
            memoryRows.Select(r =>
            {
                var m = r.Memory;
                return (IReadOnlyList<string>)new[]
                {
                    r.Name,
                    Report.MB(m.BeforeWorkingSet),
                    $"{Report.MB(m.CheckpointWorkingSet)} ({Report.SignedMB(m.CheckpointWorkingSet - m.BeforeWorkingSet)})",
                    $"{Report.MB(m.PeakWorkingSet)} ({Report.SignedMB(m.PeakWorkingSet - m.BeforeWorkingSet)})",
                    Report.SignedMB(m.PeakHeap - m.BeforeHeap),
                    m.EarlyProbe is { } e && m.LateProbe is { } l
                        ? $"{Report.MB(e.LiveHeap)} at {Report.N(e.Alerts)} -> {Report.MB(l.LiveHeap)} at {Report.N(l.Alerts)} ({Report.SignedMB(l.LiveHeap - e.LiveHeap)})"
                        : "(not probed)",
                    r.CountedBy,
                };
            }));
        var pauses = memoryRows.SelectMany(r => new[] { r.Memory.EarlyProbe, r.Memory.LateProbe }).Where(p => p != null).Select(p => p!.Value.Pause).ToList();
        if (pauses.Count > 0) Report.Line($"  (each forced collection paused the run for {Report.N(pauses.Min().TotalMilliseconds)}-{Report.N(pauses.Max().TotalMilliseconds)} ms; the Lab's own documents are most of the live heap)");
        Report.Line("  (a working-set rise with a flat live heap is garbage waiting for a gen2 collection: each page's response body is read into");
        Report.Line("   one ~2 MB array on the large object heap; the baseline row, which has no PowerShell, shows the same)");

        Report.Line();
        Report.Line("Targets:");
        var everyRow = perPlan.SelectMany(x => x).ToList();
        Report.Verdict("every run streamed every alert it asked for", everyRow.All(r => r.Complete),
            $"{everyRow.Count(r => r.Complete)} of {everyRow.Count} runs");
        // The CPU-time ratio is printed beside it: it moves less than wall time when other work shares the cores.
        Report.Verdict("Get-ElasticAlert | ForEach-Object vs baseline >= 0.5", forEach.Rate / baseline.Rate >= 0.5,
            $"{Report.Ratio(forEach.Rate / baseline.Rate)} ({Report.N(forEach.Rate)} vs {Report.N(baseline.Rate)} alerts/s; by CPU time per alert {Report.Ratio(baseline.CpuMicrosPerAlert / forEach.CpuMicrosPerAlert)})");
        var fields = rows.FirstOrDefault(r => r.Name == FieldName);
        if (fields != null)
            Report.Line($"  (information) a ForEach-Object that reads Severity and Id: {Report.Ratio(fields.Rate / baseline.Rate)} of the baseline ({Report.N(fields.Rate)} alerts/s)");
        Report.Verdict("Get-ElasticAlert into a counting sink vs baseline >= 0.5", sink.Rate / baseline.Rate >= 0.5,
            $"{Report.Ratio(sink.Rate / baseline.Rate)} ({Report.N(sink.Rate)} vs {Report.N(baseline.Rate)} alerts/s; by CPU time per alert {Report.Ratio(baseline.CpuMicrosPerAlert / sink.CpuMicrosPerAlert)})");
        foreach (var r in memoryRows.Where(r => r.Name is SinkName or ForEachName))
        {
            var m = r.Memory;
            // Kept: what the live heap gained between the probes, against what keeping the alerts would cost (a SocAlert
            // holds its ~300-byte document and several strings: well over 300 bytes each). 16 MB absorbs a page or two in flight.
            if (m.EarlyProbe is { } e && m.LateProbe is { } l)
            {
                var between = Math.Max(1, l.Alerts - e.Alerts);
                var kept = l.LiveHeap - e.LiveHeap;
                var allowedKept = Math.Max(16L << 20, 16 * between);
                Report.Verdict($"nothing kept per alert ({r.Name})", kept <= allowedKept,
                    $"live heap {Report.SignedMB(kept)} over {Report.N(between)} alerts ({kept / (double)between:0.0} B/alert; allowed {Report.MB(allowedKept)} = max(16 MB, 16 B/alert))");
            }
            // Peak: the working set to the end against the working set to the checkpoint. Garbage waiting for a gen2
            // collection moves it (each page's response body is a 2 MB array on the large object heap, and the Lab's
            // live documents make the GC's budgets large), so the allowance is wider; the live heap above is the strict check.
            var later = Math.Max(1, m.EndAlerts - m.CheckpointAlerts);
            var grew = m.PeakWorkingSet - m.CheckpointWorkingSet;
            var allowed = Math.Max(128L << 20, 32 * later);
            Report.Verdict($"peak working set flat ({r.Name})", grew <= allowed,
                $"{Report.MB(m.CheckpointWorkingSet)} to {Report.N(m.CheckpointAlerts)} alerts, {Report.MB(m.PeakWorkingSet)} to {Report.N(m.EndAlerts)} " +
                $"({Report.SignedMB(grew)}; allowed {Report.MB(allowed)} = max(128 MB, 32 B/alert))");
        }
        Report.Verdict("every point in time closed", openPits == 0, $"{openPits} open in the Lab after the runs");
    }
}
