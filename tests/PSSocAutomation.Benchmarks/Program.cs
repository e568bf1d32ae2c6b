using PSSocAutomation.Benchmarks;

// Throughput and memory figures for PSSocAutomation, printed. Not a test: nothing here fails a build.
//   dotnet run -c Release --project tests/PSSocAutomation.Benchmarks -- elastic [--alerts 1000000] [--page-size 5000]
//   dotnet run -c Release --project tests/PSSocAutomation.Benchmarks -- kibana [--alerts 100000] [--page-size 5000]
//   dotnet run -c Release --project tests/PSSocAutomation.Benchmarks -- iris [--cases 1000] [--latency-ms 20] [--throttle 8]
//   dotnet run -c Release --project tests/PSSocAutomation.Benchmarks -- securityhub [--findings 2000]
//   dotnet run -c Release --project tests/PSSocAutomation.Benchmarks -- sidebyside [--alerts 300000] [--rounds 3]
//   dotnet run -c Release --project tests/PSSocAutomation.Benchmarks -- stages
//   dotnet run -c Release --project tests/PSSocAutomation.Benchmarks -- all
// The side-by-side run starts this program again as its engine client (EngineChild), in a process of its own.
if (args.Length == 4 && args[0] == "engine-child") return await EngineChild.RunAsync(args);
if (args.Length == 2 && args[0] == "stages-child") return StagesBenchmark.Child(args[1]);

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine();
    Console.Error.WriteLine(BenchOptions.Usage);
    return 64;
}
if (options.Mode == "help")
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

Report.Header(options);
var exitCode = 0;
if (options.Mode is "elastic" or "all") exitCode = Math.Max(exitCode, await ElasticBenchmark.RunAsync(options));
if (options.Mode is "kibana" or "all") exitCode = Math.Max(exitCode, await KibanaBenchmark.RunAsync(options));
if (options.Mode is "iris" or "all") exitCode = Math.Max(exitCode, await IrisBenchmark.RunAsync(options));
if (options.Mode is "stages") exitCode = Math.Max(exitCode, await StagesBenchmark.RunAsync(options));
if (options.Mode is "sidebyside") exitCode = Math.Max(exitCode, await SideBySideBenchmark.RunAsync(options));
if (options.Mode is "securityhub" or "all") exitCode = Math.Max(exitCode, await SecurityHubBenchmark.RunAsync(options));
return exitCode;
