using PSSocAutomation.Lab.Demo;
using PSSocAutomation.Lab.Hosting;

// `dotnet run --project src/PSSocAutomation.Lab` starts the Lab and prints where everything is;
// `... -- demo` runs story 1 against it and exits.
if (args.Length > 0 && args[0] == "demo") return await StoryDemo.RunAsync(Console.Out);

await using var lab = await LabServer.StartAsync();
Console.WriteLine("PSSocAutomation Lab (loopback only). Credentials are fresh for this run.");
Console.WriteLine($"  Elasticsearch  {lab.ElasticUri}");
Console.WriteLine($"                 Basic {lab.Credentials.ElasticUser} / {lab.Credentials.ElasticPassword}");
Console.WriteLine($"                 ApiKey {lab.Credentials.ElasticApiKeyEncoded}");
Console.WriteLine($"  DFIR-IRIS      {lab.IrisUri}  (self-signed; SHA-256 {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(lab.Certificate.RawData))})");
Console.WriteLine($"                 API key {lab.Credentials.IrisApiKey}");
Console.WriteLine("Press Ctrl+C to stop.");
var done = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => done.TrySetResult();
await done.Task;
return 0;
