using System.Collections;
using System.Diagnostics;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Benchmarks;

/// <summary>
/// Get-SecurityHubFinding against the Lab's Security Hub, which throttles GetFindings to AWS's 3 requests a second
/// (burst 6) and answers 429 TooManyRequestsException beyond it. The figure that matters is not findings a second but
/// whether the client keeps to the quota: as close to 3 pages a second as it may go, and never a throttled request.
/// </summary>
public static class SecurityHubBenchmark
{
    private const double Quota = 3.0;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var n = options.Findings;
        const int pageSize = 100;
        Report.Section($"securityhub: Get-SecurityHubFinding over {Report.N(n)} findings, page size {pageSize} (GetFindings quota {Quota}/s)");
        await using var lab = await LabServer.StartAsync(new LabOptions { JournalBodies = false });
        lab.Aws.SecurityHub.GenerateGuardDutyFindings(n, account: lab.Credentials.AwsAccountId);

        using var session = new BenchSession();
        session.SetVariable("awsUri", lab.AwsUri.ToString());
        session.SetVariable("awsCredential", new Hashtable { ["AccessKeyId"] = lab.Credentials.AwsAccessKeyId, ["SecretAccessKey"] = lab.Credentials.AwsSecretAccessKey });
        session.RunOrThrow("Connect-Aws -Region us-east-1 -Credential $awsCredential -EndpointUrl $awsUri | Out-Null", "Connect-Aws");

        var exitCode = 0;
        for (var round = 1; round <= options.Rounds; round++)
        {
            lab.Journal.Clear();
            var throttledBefore = lab.Aws.SecurityHub.ThrottledRequests;
            var clock = Stopwatch.StartNew();
            var output = session.RunOrThrow($"(Get-SecurityHubFinding -WorkflowStatus Any -RecordState Any -PageSize {pageSize} | Measure-Object).Count", "Get-SecurityHubFinding");
            clock.Stop();
            var findings = Convert.ToInt64(output.Single().BaseObject);
            if (findings != n) throw new InvalidOperationException($"Get-SecurityHubFinding read {findings} findings, not {n}.");

            var pages = lab.Journal.For("aws").Where(e => e.Path.EndsWith("/findings", StringComparison.Ordinal)).Select(e => e.Time).OrderBy(t => t).ToList();
            var throttled = lab.Aws.SecurityHub.ThrottledRequests - throttledBefore;
            var busiest = Busiest(pages, TimeSpan.FromSeconds(1));
            // The steady rate leaves out the burst the quota allows at the start (the first six requests).
            var steady = pages.Count > 7 ? (pages.Count - 7) / (pages[^1] - pages[6]).TotalSeconds : double.NaN;
            Report.Table(new[] { $"round {round}/{options.Rounds}", "findings", "GetFindings", "time", "pages/s (steady)", "busiest second", "throttled" },
                new[]
                {
                    (IReadOnlyList<string>)new[]
                    {
                        "Get-SecurityHubFinding", Report.N(findings), Report.N(pages.Count), Report.Seconds(clock.Elapsed),
                        Report.N(steady, 2), Report.N(busiest), Report.N(throttled),
                    },
                });
            var pass = throttled == 0 && steady >= Quota * 0.85 && steady <= Quota * 1.05;
            Report.Verdict("keeps to the GetFindings quota", pass, $"{Report.N(steady, 2)} pages/s steady against {Quota}/s, {Report.N(throttled)} throttled");
            if (!pass) exitCode = 1;
        }
        return exitCode;
    }

    /// <summary>The most requests inside any window of the given length.</summary>
    private static int Busiest(IReadOnlyList<DateTimeOffset> times, TimeSpan window)
    {
        var most = 0;
        for (int first = 0, last = 0; last < times.Count; last++)
        {
            while (times[last] - times[first] >= window) first++;
            most = Math.Max(most, last - first + 1);
        }
        return most;
    }
}
