using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

/// <summary>
/// The Lab as a program, the way a script or CI job runs it: the built assembly under dotnet, no terminal (stdin
/// redirected), stopped with a signal, with its addresses and credentials in a connection file.
/// </summary>
public sealed class LabProcessTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private readonly string _folder = Directory.CreateTempSubdirectory("pssoc-lab-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed record Started(Process Process, string ConnectionFile, StringBuilder Output) : IDisposable
    {
        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    private async Task<Started> StartLab(params string[] extra)
    {
        Assert.True(File.Exists(RepositoryPaths.LabAssembly), $"The Lab is not built at {RepositoryPaths.LabAssembly}; build the solution.");
        var connectionFile = Path.Combine(_folder, "lab.json");
        var info = new ProcessStartInfo(RepositoryPaths.DotnetHost)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { RepositoryPaths.LabAssembly, "--connection-file", connectionFile }.Concat(extra)) info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data?.StartsWith("Press Ctrl+C", StringComparison.Ordinal) == true) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = new Started(process, connectionFile, output);
        var first = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(StartTimeout));
        if (first != ready.Task)
        {
            started.Dispose();
            Assert.Fail($"The Lab did not print its URLs within {StartTimeout.TotalSeconds} s:\n{output}");
        }
        return started;
    }

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    [UnixTheory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Stops_cleanly_with_exit_code_0_on_a_signal_without_a_terminal(string signal)
    {
        using var lab = await StartLab();
        Assert.True(File.Exists(lab.ConnectionFile));

        Signal(lab.Process, signal);

        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await lab.Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"SIG{signal} did not stop the Lab within {StopTimeout.TotalSeconds} s:\n{lab.Output}");
        }
        Assert.True(lab.Process.ExitCode == 0, $"exit {lab.Process.ExitCode} after SIG{signal}:\n{lab.Output}");
        Assert.False(File.Exists(lab.ConnectionFile), "A stopped Lab leaves no connection file pointing at it.");
    }

    [Fact]
    public async Task The_connection_file_holds_what_connects_to_both_services()
    {
        using var lab = await StartLab();
        var file = JsonNode.Parse(await File.ReadAllTextAsync(lab.ConnectionFile))!;
        Assert.Equal(lab.Process.Id, (int)file["ProcessId"]!);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(lab.ConnectionFile));

        var elastic = file["Elastic"]!;
        using var es = new HttpClient { BaseAddress = new Uri((string)elastic["Uri"]!) };
        using var basic = new HttpRequestMessage(HttpMethod.Get, "_security/_authenticate");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes((string)elastic["User"]! + ":" + (string)elastic["Password"]!)));
        Assert.Equal(200, (int)(await es.SendAsync(basic)).StatusCode);
        using var apiKey = new HttpRequestMessage(HttpMethod.Get, "_security/_authenticate");
        apiKey.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", (string)elastic["ApiKey"]!);
        Assert.Equal(200, (int)(await es.SendAsync(apiKey)).StatusCode);

        // Kibana takes the same credentials.
        using var kibana = new HttpClient { BaseAddress = new Uri((string)file["Kibana"]!["Uri"]!) };
        using var status = new HttpRequestMessage(HttpMethod.Get, "api/status");
        status.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", (string)elastic["ApiKey"]!);
        Assert.Equal(200, (int)(await kibana.SendAsync(status)).StatusCode);

        // The pin is all it takes to trust the Lab's self-signed IRIS certificate, as Connect-Iris -CertificateThumbprint does.
        var iris = file["Iris"]!;
        var pin = (string)iris["CertificateThumbprint"]!;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
                cert is not null && Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(cert.RawData)) == pin,
        };
        using var irisClient = new HttpClient(handler) { BaseAddress = new Uri((string)iris["Uri"]!) };
        using var ping = new HttpRequestMessage(HttpMethod.Get, "api/ping");
        ping.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (string)iris["ApiKey"]!);
        Assert.Equal(200, (int)(await irisClient.SendAsync(ping)).StatusCode);
    }

    [Fact]
    public async Task Seed_alerts_fills_the_index_before_the_connection_file_appears()
    {
        using var lab = await StartLab("--seed-alerts", "seeded=2500", "--seed-alerts", "other=3");
        var elastic = JsonNode.Parse(await File.ReadAllTextAsync(lab.ConnectionFile))!["Elastic"]!;
        using var es = new HttpClient { BaseAddress = new Uri((string)elastic["Uri"]!) };
        es.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", (string)elastic["ApiKey"]!);
        foreach (var (index, count) in new[] { ("seeded", 2500), ("other", 3) })
        {
            using var search = await es.PostAsync(index + "/_search", new StringContent("""{"size":0,"track_total_hits":true}""", Encoding.UTF8, "application/json"));
            var body = JsonNode.Parse(await search.Content.ReadAsStringAsync())!;
            Assert.Equal(count, (int)body["hits"]!["total"]!["value"]!);
        }
    }

    [Theory]
    [InlineData("seeded")]
    [InlineData("seeded=")]
    [InlineData("=10")]
    [InlineData("seeded=-1")]
    [InlineData("seeded=ten")]
    public async Task A_malformed_seed_is_refused_with_the_usage_and_exit_code_2(string seed)
    {
        var info = new ProcessStartInfo(RepositoryPaths.DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { RepositoryPaths.LabAssembly, "--seed-alerts", seed }) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(2, process.ExitCode);
        var message = await error;
        Assert.Contains($"--seed-alerts takes <index>=<count>, a count of 1 or more, not '{seed}'", message);
        Assert.Contains("--seed-alerts <index>=<count>]", message);
    }
}
