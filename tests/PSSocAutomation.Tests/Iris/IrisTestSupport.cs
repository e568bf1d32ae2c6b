using Xunit;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Iris;

/// <summary>Seed data, session variables and journal views for the IRIS tests.</summary>
internal static class IrisTestSupport
{
    /// <summary>A fresh IRIS of the given version with a customer ACME, journal and faults cleared.</summary>
    public static int Fresh(LabServer lab, string version = "v2.4.20")
    {
        lab.Faults.Clear();
        lab.Iris.Version = version;
        lab.Iris.Reset();
        var acme = lab.Iris.AddCustomer("ACME");
        lab.Journal.Clear();
        return acme.CustomerId;
    }

    /// <summary>An /alerts/add body as the module builds it, by hand.</summary>
    public static JsonObject AlertBody(string sourceRef, int customerId, string? title = null) => new()
    {
        ["alert_title"] = title ?? "Alert " + sourceRef,
        ["alert_description"] = "test",
        ["alert_source"] = "Tests",
        ["alert_source_ref"] = sourceRef,
        ["alert_severity_id"] = 4,
        ["alert_status_id"] = 2,
        ["alert_customer_id"] = customerId,
        ["alert_source_event_time"] = "2024-09-20T12:00:00",
    };

    public static Dictionary<string, object?> Variables(LabServer lab) => new()
    {
        ["irisUri"] = lab.IrisUri.ToString(),
        ["irisKey"] = LabFixture.Secure(lab.Iris.AdministratorApiKey),
        ["irisThumb"] = lab.Certificate.Thumbprint,
    };

    public const string Connect = "Connect-Iris -Uri $irisUri -ApiKey $irisKey -CertificateThumbprint $irisThumb -MaximumRetryDelaySec 1 | Out-Null\n";

    /// <summary>No error and no terminating error; on failure the message shows what the script reported.</summary>
    public static void AssertClean(ScriptResult result)
    {
        var problems = result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e).ToList();
        if (result.Terminating != null) problems.Add("terminating " + result.Terminating.ErrorRecord?.FullyQualifiedErrorId + ": " + result.Terminating.Message);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    public static IEnumerable<JournalEntry> Posts(LabServer lab) => lab.Journal.For("iris").Where(e => e.Method == "POST");
}
