using System.Collections;
using System.Management.Automation;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Lab.Sns;
using PSSocAutomation.Tests.Aws;
using PSSocAutomation.Tests.Harness;
using Xunit;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Stories;

/// <summary>
/// The runbooks of examples/runbooks as Azure Automation runs them: its asset cmdlets (Get-AutomationVariable,
/// Set-AutomationVariable, Get-AutomationPSCredential) stand in as functions over a table of assets, and the job is
/// run again from its start as Automation restarts an interrupted one. Each alert reaches IRIS once; the checkpoint
/// lives in the variable; the webhook runbook answers an SNS-pushed finding and confirms a subscription.
/// </summary>
public sealed class AzureAutomationRunbookTests : IClassFixture<LabFixture>, IClassFixture<SnsSignerFixture>
{
    private const string Topic = "arn:aws:sns:us-east-1:123456789012:securityhub-findings";
    private readonly LabFixture _fixture;
    private readonly LabSnsSigner _signer;
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public AzureAutomationRunbookTests(LabFixture fixture, SnsSignerFixture signer)
    {
        _fixture = fixture;
        _signer = signer.Signer;
        _fixture.Reset();
        Lab.Aws.Reset();
        Lab.Faults.Clear();
    }

    private LabServer Lab => _fixture.Lab;

    private const string AssetCmdlets = """
        function Get-AutomationVariable { param([Parameter(Mandatory)] [string] $Name) if (-not $assets.ContainsKey($Name)) { throw "Variable asset $Name not found." }; $assets[$Name] }
        function Set-AutomationVariable { param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [object] $Value) if (-not $assets.ContainsKey($Name)) { throw "Variable asset $Name not found." }; $assets[$Name] = $Value }
        function Get-AutomationPSCredential { param([Parameter(Mandatory)] [string] $Name) if (-not $assets.ContainsKey($Name)) { throw "Credential asset $Name not found." }; $assets[$Name] }

        """;

    private ScriptResult RunRunbook(string runbook, Hashtable assets, string arguments = "", Dictionary<string, object?>? more = null)
    {
        var variables = new Dictionary<string, object?>
        {
            ["assets"] = assets,
            ["runbook"] = Path.Combine(RepositoryPaths.Root, "examples", "runbooks", runbook),
        };
        foreach (var (k, v) in more ?? new()) variables[k] = v;
        return _fixture.Session.Run(AssetCmdlets + "& $runbook " + arguments, variables);
    }

    private Hashtable ElasticToIrisAssets() => new()
    {
        ["PSSoc-ElasticUri"] = Lab.ElasticUri.ToString(),
        ["PSSoc-Elastic"] = new PSCredential(Lab.Credentials.ElasticUser, LabFixture.Secure(Lab.Credentials.ElasticPassword)),
        ["PSSoc-IrisUri"] = Lab.IrisUri.ToString(),
        ["PSSoc-IrisThumbprint"] = Lab.Certificate.Thumbprint,
        ["PSSoc-Iris"] = new PSCredential("api", LabFixture.Secure(Lab.Iris.AdministratorApiKey)),
        ["PSSoc-ElasticToIris-Checkpoint"] = string.Empty,
    };

    private void Alert(string index, string id, TimeSpan ago) =>
        Lab.Elastic.Index(index, id, $$"""{"alert_id":"{{id}}","@timestamp":"{{(_now - ago).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}","message":"Alert {{id}}","severity":"high"}""");

    private int IrisAlertsFor(string index) => Lab.Iris.Alerts.Count(a => a.Title.StartsWith("Alert " + index + "-", StringComparison.Ordinal));

    private static int Count(ScriptResult result, string name) => Convert.ToInt32(result.Output.Last().Properties[name].Value);

    [Fact]
    public void The_scheduled_runbook_keeps_its_checkpoint_in_a_variable_and_a_restarted_job_delivers_nothing_twice()
    {
        Fresh(Lab);
        var index = "aa-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 1; i <= 6; i++) Alert(index, index + "-" + i, TimeSpan.FromMinutes(60 - i));
        var assets = ElasticToIrisAssets();
        var args = $"-Index {index} -Customer ACME";

        var first = RunRunbook("Invoke-ElasticToIrisScheduled.ps1", assets, args);
        AssertClean(first);
        Assert.Equal(6, Count(first, "Created"));
        Assert.Equal(6, IrisAlertsFor(index));
        var checkpoint = Assert.IsType<string>(assets["PSSoc-ElasticToIris-Checkpoint"]);
        Assert.NotEmpty(checkpoint);

        // Two new alerts; the job is killed after IRIS took the first of them: the variable must not move.
        Alert(index, index + "-7", TimeSpan.FromMinutes(20));
        Alert(index, index + "-8", TimeSpan.FromMinutes(10));
        Lab.Faults.Add(new FaultRule { Service = "iris", Method = "POST", PathContains = "/alerts/add", After = 1, Status = 500, Times = 10 });
        var killed = RunRunbook("Invoke-ElasticToIrisScheduled.ps1", assets, args);
        Assert.True(killed.Terminating != null || killed.Errors.Count > 0, "the faulted run reported nothing");
        Assert.Equal(checkpoint, assets["PSSoc-ElasticToIris-Checkpoint"]);
        Lab.Faults.Clear();

        // Automation starts the job again from the top: the two arrive, the one IRIS already had is found, not doubled.
        var restarted = RunRunbook("Invoke-ElasticToIrisScheduled.ps1", assets, args);
        AssertClean(restarted);
        Assert.Equal(8, IrisAlertsFor(index));
        Assert.All(Enumerable.Range(1, 8), i => Assert.Single(Lab.Iris.AlertsWithSourceRef(index + "-" + i)));
        Assert.NotEqual(checkpoint, assets["PSSoc-ElasticToIris-Checkpoint"]);

        // And a run with nothing new sends nothing.
        var quiet = RunRunbook("Invoke-ElasticToIrisScheduled.ps1", assets, args);
        AssertClean(quiet);
        Assert.Equal(0, Count(quiet, "Created"));
        Assert.Equal(8, IrisAlertsFor(index));
    }

    [Fact]
    public void The_scheduled_runbook_names_a_missing_asset()
    {
        var assets = ElasticToIrisAssets();
        assets.Remove("PSSoc-Elastic");
        var result = RunRunbook("Invoke-ElasticToIrisScheduled.ps1", assets, "-Index alerts");
        var error = result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Contains("PSSoc-Elastic", error.ToString(), StringComparison.Ordinal);
    }

    private Hashtable AwsAssets() => new()
    {
        ["PSSoc-AwsRegion"] = "us-east-1",
        ["PSSoc-Aws"] = new PSCredential(Lab.Credentials.AwsAccessKeyId, LabFixture.Secure(Lab.Credentials.AwsSecretAccessKey)),
    };

    private static PSObject WebhookData(string body) => PSObject.AsPSObject(new Dictionary<string, object?>
    {
        ["WebhookName"] = "securityhub-findings",
        ["RequestHeader"] = LabSnsSigner.HeadersFor(body),
        ["RequestBody"] = body,
    }.Aggregate(new PSObject(), (o, p) => { o.Properties.Add(new PSNoteProperty(p.Key, p.Value)); return o; }));

    [Fact]
    public void The_webhook_runbook_answers_a_pushed_finding_once_and_confirms_a_subscription()
    {
        var s = Lab.Aws.SeedIsolationScenario();
        var finding = Lab.Aws.SecurityHub.Finding(s.FindingId)!;
        var bridge = new JsonObject
        {
            ["version"] = "0", ["id"] = Guid.NewGuid().ToString(), ["detail-type"] = "Security Hub Findings - Imported", ["source"] = "aws.securityhub",
            ["account"] = Lab.Credentials.AwsAccountId, ["time"] = "2026-12-04T12:00:00Z", ["region"] = "us-east-1", ["resources"] = new JsonArray(s.FindingId),
            ["detail"] = new JsonObject { ["findings"] = new JsonArray(finding.DeepClone()) },
        };
        var notification = _signer.SignNotification(bridge.ToJsonString(), Topic, signatureVersion: 2);
        var more = new Dictionary<string, object?> { ["data"] = WebhookData(notification), ["cert"] = _signer.Certificate, ["awsUri"] = Lab.AwsUri.ToString() };
        var args = $"-WebhookData $data -AllowedTopicArn '{Topic}' -SnsSigningCertificate $cert -EndpointUrl $awsUri";

        var first = RunRunbook("Invoke-SecurityHubWebhook.ps1", AwsAssets(), args, more);
        AssertClean(first);
        var row = Assert.Single(first.Output);
        Assert.Equal("NOTIFIED", row.Properties["WorkflowStatus"].Value);
        Assert.All(s.Instance.NetworkInterfaceIds, eni => Assert.Single(Lab.Aws.Ec2.GroupsOf(eni)));
        Assert.Equal("NOTIFIED", (string)Lab.Aws.SecurityHub.Finding(s.FindingId)!["Workflow"]!["Status"]!);

        // Automation runs the job again: nothing changes.
        var before = Lab.Aws.Calls().Count;
        var again = RunRunbook("Invoke-SecurityHubWebhook.ps1", AwsAssets(), args, more);
        AssertClean(again);
        Assert.DoesNotContain(Lab.Aws.Calls().Skip(before), c => !(c.Operation.StartsWith("Describe", StringComparison.Ordinal) || c.Operation.StartsWith("Get", StringComparison.Ordinal) || c.Operation.StartsWith("List", StringComparison.Ordinal)));

        // Subscribing the webhook: SNS's confirmation is visited, and nothing else happens.
        var (token, subscribeUrl) = Lab.Aws.Sns.IssueSubscription(Topic, Lab.AwsUri);
        var confirmation = _signer.SignSubscriptionConfirmation(Topic, subscribeUrl.ToString(), token, signatureVersion: 2);
        more["data"] = WebhookData(confirmation);
        var subscribed = RunRunbook("Invoke-SecurityHubWebhook.ps1", AwsAssets(), args, more);
        AssertClean(subscribed);
        Assert.Equal(Topic, Assert.Single(Lab.Aws.Sns.Confirmations).TopicArn);
    }
}
