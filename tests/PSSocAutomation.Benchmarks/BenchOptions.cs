using System.Globalization;

namespace PSSocAutomation.Benchmarks;

/// <summary>The command line: a mode (elastic, kibana, iris, securityhub, all) and a few knobs to scale a run down.</summary>
public sealed class BenchOptions
{
    public string Mode { get; private init; } = "help";
    /// <summary>Alerts seeded into the Lab and streamed by every elastic run.</summary>
    public int Alerts { get; private init; } = 1_000_000;
    public int PageSize { get; private init; } = 5000;
    /// <summary>Skip the diagnostic runs (client + mapper, sequential raw HTTP) and keep only the baseline and the pipelines.</summary>
    public bool Quick { get; private init; }
    /// <summary>Each elastic run is repeated this many times (alternating order) and the best kept.</summary>
    public int Rounds { get; private init; } = 2;
    public int Cases { get; private init; } = 1000;
    public int LatencyMs { get; private init; } = 20;
    public int Throttle { get; private init; } = 8;
    /// <summary>Security Hub findings seeded and read by the securityhub run.</summary>
    public int Findings { get; private init; } = 2000;

    public const string Usage = """
        PSSocAutomation benchmarks (throughput and memory, printed)

          dotnet run -c Release --project tests/PSSocAutomation.Benchmarks -- <mode> [options]

        modes:
          elastic   seed alerts in the Lab's Elasticsearch, stream them through Get-ElasticAlert in a hosted runspace,
                    compare with the same requests read by plain C# (no PowerShell), and sample memory
          kibana    seed detection alerts in the Lab's Kibana space, deep-page them through Get-ElasticSecurityAlert
                    (one Kibana page, then the alerts index) and through Get-ElasticAlert on the same alias
          iris      create IRIS cases through New-IrisCase against the Lab with per-request latency, at -ThrottleLimit 1 and N
          securityhub
                    seed findings in the Lab's Security Hub (GetFindings throttled to 3/s as AWS does) and read them all
                    through Get-SecurityHubFinding: pages a second, the busiest second, throttled requests
          sidebyside
                    the Lab as its own process, and each client a fresh process of its own, reading the same index:
                    Debian's python3-elasticsearch, a hand-written Invoke-RestMethod loop, and Get-ElasticAlert into
                    Where-Object, ForEach-Object and Export-Csv in the SDK-built pwsh; rates, ratios to the Python client,
                    peak working set, time to the first alert, start-up (default --alerts 300000 --rounds 3)
          stages    parse, map and field-reading cost per alert of a real 1,000-hit page, round by round, in a fresh
                    process: as .NET runs by default, without dynamic PGO, and without tiering
          all       elastic, kibana, iris and securityhub

        options:
          --alerts N        alerts to seed and stream (default 1000000)
          --page-size N     Get-ElasticAlert -PageSize and the baseline's page size (default 5000)
          --rounds N        elastic: repeat every run N times in alternating order and keep the best (default 2)
          --quick           elastic: only the baseline and the two pipeline runs (skip the diagnostic breakdown runs)
          --cases N         IRIS cases per run (default 1000)
          --latency-ms N    latency the Lab adds to every IRIS request (default 20)
          --throttle N      the parallel -ThrottleLimit compared with 1 (default 8)
          --findings N      securityhub: findings to seed and read (default 2000)
        """;

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0) return new BenchOptions();
        var mode = args[0].ToLowerInvariant() switch
        {
            "elastic" or "kibana" or "iris" or "securityhub" or "sidebyside" or "stages" or "all" => args[0].ToLowerInvariant(),
            "help" or "-h" or "--help" or "-?" => "help",
            _ => throw new ArgumentException($"Unknown mode '{args[0]}'."),
        };
        var sideBySide = mode == "sidebyside";
        int alerts = sideBySide ? 300_000 : 1_000_000, pageSize = 5000, cases = 1000, latency = 20, throttle = 8, rounds = sideBySide ? 3 : 2, findings = 2000;
        var quick = false;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i].ToLowerInvariant())
            {
                case "--alerts": alerts = Number(args, ref i, 1); break;
                case "--page-size": pageSize = Number(args, ref i, 1, 10_000); break;
                case "--cases": cases = Number(args, ref i, 1); break;
                case "--latency-ms": latency = Number(args, ref i, 0); break;
                case "--throttle": throttle = Number(args, ref i, 2, 64); break;
                case "--rounds": rounds = Number(args, ref i, 1, 10); break;
                case "--findings": findings = Number(args, ref i, 1); break;
                case "--quick": quick = true; break;
                case "--help" or "-h": mode = "help"; break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }
        return new BenchOptions { Mode = mode, Alerts = alerts, PageSize = pageSize, Quick = quick, Rounds = rounds, Cases = cases, LatencyMs = latency, Throttle = throttle, Findings = findings };
    }

    private static int Number(string[] args, ref int i, int min, int max = int.MaxValue)
    {
        var name = args[i];
        if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a number.");
        var text = args[++i].Replace("_", string.Empty).Replace(",", string.Empty);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new ArgumentException($"{name} must be a whole number from {min} to {max}, not '{args[i]}'.");
        return value;
    }
}
