using System.Runtime.InteropServices;
using PSSocAutomation.Lab.Demo;
using PSSocAutomation.Lab.Hosting;

// `dotnet run --project src/PSSocAutomation.Lab` starts the Lab and prints where everything is;
// `... -- demo` runs story 1 against it and exits;
// `... -- --connection-file lab.json` also writes the addresses and credentials there, for a script that started it.
if (args.Length > 0 && args[0] == "demo") return await StoryDemo.RunAsync(Console.Out);

string? connectionFile = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--connection-file" && i + 1 < args.Length) connectionFile = args[++i];
    else
    {
        Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: PSSocAutomation.Lab [demo | --connection-file <path>]");
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
