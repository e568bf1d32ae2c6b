using System.Diagnostics;
using System.Text.Json;
using PSSocAutomation.Core;
using PSSocAutomation.Elastic;
using PSSocAutomation.Http;

namespace PSSocAutomation.Benchmarks;

/// <summary>
/// The side-by-side run's engine row: the module's own client and mapper in a fresh process of their own, no PowerShell,
/// reading the same index as every other client and counting High alerts. What the engine costs, cold and warm; the
/// difference to the PowerShell rows is the pipeline's. Run by the sidebyside mode as
/// <c>PSSocAutomation.Benchmarks engine-child &lt;lab.json&gt; &lt;index&gt; &lt;passes&gt;</c>; prints one JSON line per pass.
/// </summary>
public static class EngineChild
{
    public static async Task<int> RunAsync(string[] args)
    {
        var processStart = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
        using var connection = JsonDocument.Parse(await File.ReadAllTextAsync(args[1]));
        var elastic = connection.RootElement.GetProperty("Elastic");
        using var client = new ElasticClient(new HttpPipelineOptions(new Uri(elastic.GetProperty("Uri").GetString()!))
        {
            Auth = HttpAuth.Basic(elastic.GetProperty("User").GetString()!, elastic.GetProperty("Password").GetString()!),
        });
        var index = args[2];
        var passes = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        var body = new ElasticAlertQuery { TimeField = "@timestamp" }.BuildSearchBody();
        for (var pass = 0; pass < passes; pass++)
        {
            var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            long alerts = 0, high = 0;
            long? first = null;
            var mapper = new ElasticAlertMapper("@timestamp");
            await foreach (var page in client.StreamAsync(index, body, 1000, null, "2m", p => mapper.MapPage(p.Hits), CancellationToken.None))
            {
                first ??= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                foreach (var alert in page)
                {
                    alerts++;
                    if (alert.Severity == AlertSeverity.High) high++;
                }
            }
            var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["alerts"] = alerts, ["matched"] = high, ["processStart"] = processStart, ["start"] = start, ["first"] = first, ["end"] = end,
                ["peakWorkingSet"] = Process.GetCurrentProcess().PeakWorkingSet64,
            }));
        }
        return 0;
    }
}
