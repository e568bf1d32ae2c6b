using System.Runtime.InteropServices;
using PSSocAutomation.Lab.Demo;
using PSSocAutomation.Lab.Hosting;

// `dotnet run --project src/PSSocAutomation.Lab` starts the Lab and prints where everything is;
// `... -- demo` runs story 1 against it and exits;
// `... -- --connection-file lab.json` also writes the addresses and credentials there, for a script that started it;
// `... -- --seed-alerts bench=300000` fills an index with generated alerts first (the benchmarks' Lab process).
if (args.Length > 0 && args[0] == "demo") return await StoryDemo.RunAsync(Console.Out);

const string Usage = "Usage: PSSocAutomation.Lab [demo | [--connection-file <path>] [--seed-alerts <index>=<count>]...]";
string? connectionFile = null;
var seeds = new List<(string Index, int Count)>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--connection-file" && i + 1 < args.Length) connectionFile = args[++i];
    else if (args[i] == "--seed-alerts" && i + 1 < args.Length)
    {
        var seed = args[++i];
        if (seed.Split('=') is [{ Length: > 0 } index, var text]
            && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            seeds.Add((index, count));
            continue;
        }
        Console.Error.WriteLine($"--seed-alerts takes <index>=<count>, a count of 1 or more, not '{seed}'. {Usage}");
        return 2;
    }
    else
    {
        Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'. {Usage}");
        return 2;
    }
}

// Registered before the Lab starts, so a signal that arrives during start-up still stops it cleanly. Handling the
// signals ourselves (instead of the runtime's default) is what lets a Lab without a terminal, started in the
// background by a script or a test, stop on SIGTERM or SIGINT; SIGINT is also Ctrl+C on a terminal, on every OS.
// A shell starting a job in the background without job control sets SIGINT to "ignore" for it, and .NET leaves an
// ignored SIGINT ignored. The Lab is a helper its starter means to stop, so it takes SIGINT back.
const int SigInt = 2;
const nint SigDefault = 0;
if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = signal(SigInt, SigDefault);
var stop = new TaskCompletionSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

await using var lab = await LabServer.StartAsync();
// Seeded before the connection file is written: a starter that waits for the file finds the alerts there.
// One second apart, ending a minute ago, so any -Since window that reaches back far enough sees all of them.
foreach (var (index, count) in seeds) lab.Elastic.SeedAlerts(index, count, DateTimeOffset.UtcNow.AddSeconds(-count - 60), TimeSpan.FromSeconds(1));
Console.WriteLine("PSSocAutomation Lab (loopback only). Credentials are fresh for this run.");
Console.WriteLine($"  Elasticsearch  {lab.ElasticUri}");
Console.WriteLine($"                 Basic {lab.Credentials.ElasticUser} / {lab.Credentials.ElasticPassword}");
Console.WriteLine($"                 ApiKey {lab.Credentials.ElasticApiKeyEncoded}");
Console.WriteLine($"  Kibana         {lab.KibanaUri}  (Elasticsearch credentials)");
Console.WriteLine($"  DFIR-IRIS      {lab.IrisUri}  (self-signed; SHA-256 {lab.CertificateSha256})");
Console.WriteLine($"                 API key {lab.Credentials.IrisApiKey}");
Console.WriteLine($"  AWS            {lab.AwsUri}  ({string.Join(", ", lab.Aws.Services)}; region {lab.Aws.Region}, account {lab.Credentials.AwsAccountId})");
Console.WriteLine($"                 {LabCredentials.AwsUserName}: {lab.Credentials.AwsAccessKeyId} / {lab.Credentials.AwsSecretAccessKey}");
Console.WriteLine($"                 {lab.Credentials.AwsAssumedRoleArn}: {lab.Credentials.AwsSessionAccessKeyId} / {lab.Credentials.AwsSessionSecretAccessKey}");
Console.WriteLine($"                 session token {lab.Credentials.AwsSessionToken}");
try
{
    if (connectionFile is not null)
    {
        LabConnectionFile.Write(lab, connectionFile);
        Console.WriteLine($"  Connection file {Path.GetFullPath(connectionFile)}");
    }
    Console.WriteLine("Press Ctrl+C to stop.");
    await stop.Task;
}
finally
{
    // A file left behind would send the next reader to a Lab that is gone.
    if (connectionFile is not null) File.Delete(connectionFile);
}
return 0;

[DllImport("libc", EntryPoint = "signal")]
static extern nint signal(int signum, nint handler);
