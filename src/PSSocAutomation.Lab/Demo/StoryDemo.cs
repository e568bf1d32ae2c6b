using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Security.Cryptography;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Demo;

/// <summary>
/// `dotnet run --project src/PSSocAutomation.Lab -- demo`: starts the Lab, runs story 1 (examples/Invoke-ElasticToIris.ps1)
/// in a hosted PowerShell against it, prints the alerts and their cases, then runs it again to show nothing is created twice.
/// </summary>
public static class StoryDemo
{
    public static async Task<int> RunAsync(TextWriter output)
    {
        var root = FindRepositoryRoot();
        var manifest = Path.Combine(root, "out", "PSSocAutomation", "PSSocAutomation.psd1");
        var script = Path.Combine(root, "examples", "Invoke-ElasticToIris.ps1");
        if (!File.Exists(manifest))
        {
            output.WriteLine($"The module is not built at {manifest}. Run: dotnet build PSSocAutomation.sln");
            return 2;
        }

        await using var lab = await LabServer.StartAsync();
        output.WriteLine($"Lab started: Elasticsearch {lab.ElasticUri}, DFIR-IRIS {lab.IrisUri}");
        output.WriteLine();

        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(new[] { manifest });
        using var runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();

        var parameters = new Dictionary<string, object>
        {
            ["ElasticUri"] = lab.ElasticUri.ToString(),
            ["ElasticCredential"] = new PSCredential(lab.Credentials.ElasticUser, Secure(lab.Credentials.ElasticPassword)),
            ["IrisUri"] = lab.IrisUri.ToString(),
            ["IrisApiKey"] = Secure(lab.Credentials.IrisApiKey),
            ["IrisCertificateThumbprint"] = Convert.ToHexString(SHA256.HashData(lab.Certificate.RawData)),
        };

        for (var run = 1; run <= 2; run++)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddCommand(script).AddParameters(parameters);
            var rows = ps.Invoke();
            foreach (var error in ps.Streams.Error) output.WriteLine("ERROR: " + error);
            if (ps.HadErrors && rows.Count == 0) return 1;

            var created = rows.Count(r => Equals(r.Properties["Outcome"]?.Value, "Created"));
            output.WriteLine(run == 1 ? "First run: the unique alerts and their IRIS cases" : "Second run: the same script again");
            PrintTable(output, rows, "AlertId", "Severity", "Message", "CaseId", "CaseName", "Outcome");
            output.WriteLine($"{created} created, {rows.Count - created} already existed.");
            output.WriteLine();
        }

        output.WriteLine($"IRIS now holds {lab.Iris.Cases.Count} case(s), the fresh install's own case #1 included; Elasticsearch received {lab.Journal.For("elastic").Count} request(s), IRIS {lab.Journal.For("iris").Count}.");
        return 0;
    }

    private static void PrintTable(TextWriter output, IReadOnlyCollection<PSObject> rows, params string[] columns)
    {
        var cells = rows.Select(r => columns.Select(c => r.Properties[c]?.Value?.ToString() ?? string.Empty).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(row => row[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells) output.WriteLine(string.Join("  ", row.Select((v, i) => v.PadRight(widths[i]))));
    }

    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "PSSocAutomation.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Run the demo from inside the PSSocAutomation repository.");
    }
}
