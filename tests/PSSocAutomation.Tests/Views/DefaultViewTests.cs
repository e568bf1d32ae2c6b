using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit.Abstractions;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Views;

/// <summary>
/// The default views, rendered by the engine's own formatter (Out-String -Width 80 and 120) from objects the cmdlets
/// really return against the Lab: what an analyst reads is there and whole for typical values, columns that carry
/// nothing are gone, and no line is wider than the console.
/// </summary>
public sealed class DefaultViewTests : IClassFixture<LabFixture>
{
    private const string ConnectElastic = "Connect-Elastic -Uri $esUri -KibanaUri $kbUri -Credential $esCred -MaximumRetryDelaySec 1 | Out-Null\n";
    private const string ConnectAws = "Connect-Aws -Region us-east-1 -Credential $awsCredential -EndpointUrl $awsUri | Out-Null\n";
    private readonly LabFixture _fixture;
    private readonly ITestOutputHelper _output;

    public DefaultViewTests(LabFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        _fixture.Reset();
    }

    private LabServer Lab => _fixture.Lab;

    /// <summary>The text the objects <paramref name="produce"/> writes render to at <paramref name="width"/>, line by line.</summary>
    private List<string> Render(string connect, string produce, int width, Dictionary<string, object?> variables)
    {
        var result = _fixture.Session.Run(connect + $"$items = @({produce})\nif ($items.Count -eq 0) {{ throw 'nothing to render' }}\n$items | Out-String -Width {width}", variables);
        AssertClean(result);
        var lines = string.Join("\n", result.OutputOf<string>()).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        _output.WriteLine($"{produce} at {width}:\n" + string.Join("\n", lines));
        var tooWide = lines.Where(l => l.Length > width).ToList();
        Assert.True(tooWide.Count == 0, $"lines wider than {width}:\n" + string.Join("\n", tooWide));
        return lines;
    }

    private static string[] Header(List<string> lines) =>
        lines.First(l => l.Trim().Length > 0).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private Dictionary<string, object?> ElasticVariables() => _fixture.ElasticVariables();

    private Dictionary<string, object?> AwsVariables() => _fixture.AwsVariables();

    [Fact]
    public void A_Kibana_alert_shows_its_whole_id_at_120_and_a_readable_title_at_80_without_empty_or_constant_columns()
    {
        var space = "views-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Kibana.AddSpace(space);
        var ids = Lab.Kibana.SeedAlerts(6, space);
        var produce = $"Get-ElasticSecurityAlert -Space {space} -Since 2h";
        var titles = _fixture.Session.Run(ConnectElastic + produce + " | ForEach-Object Title", ElasticVariables()).OutputOf<string>().Distinct().ToList();
        Assert.NotEmpty(titles);

        var wide = Render(ConnectElastic, produce, 120, ElasticVariables());
        Assert.Equal(new[] { "Time", "Severity", "Title", "Host", "Id" }, Header(wide));
        Assert.All(ids, id => Assert.Contains(wide, l => l.Contains(id, StringComparison.Ordinal)));

        var narrow = Render(ConnectElastic, produce, 80, ElasticVariables());
        Assert.Equal(new[] { "Time", "Severity", "Title", "Host" }, Header(narrow));
        // The Lab's rule names are typical titles (up to 35 characters): every one reads whole at 80 columns.
        Assert.All(titles, t => Assert.Contains(narrow, l => l.Contains(t, StringComparison.Ordinal)));
    }

    [Fact]
    public void An_index_alert_shows_host_and_user_where_there_is_room_and_never_the_source_name()
    {
        var index = "views-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.SeedAlerts(index, 5, DateTimeOffset.UtcNow.AddMinutes(-10), TimeSpan.FromSeconds(30));
        var produce = $"Get-ElasticAlert -Index {index} -Since 1h";

        var narrow = Render(ConnectElastic, produce, 80, ElasticVariables());
        Assert.DoesNotContain("Source", Header(narrow));
        Assert.DoesNotContain("Status", Header(narrow));
        Assert.Contains(narrow, l => l.Contains("host-", StringComparison.Ordinal));

        var triage = Render(ConnectElastic, produce + " | Format-Table -View Triage", 120, ElasticVariables());
        Assert.Equal(new[] { "Time", "Severity", "Status", "Title", "Host", "User", "Rule" }, Header(triage));
        Assert.Contains(triage, l => l.Contains("user-", StringComparison.Ordinal));

        var list = Render(ConnectElastic, produce + " | Select-Object -First 1 | Format-List", 80, ElasticVariables());
        Assert.Contains(list, l => l.StartsWith("User", StringComparison.Ordinal) && l.Contains("user-", StringComparison.Ordinal));
    }

    [Fact]
    public void Iris_cases_and_alerts_read_without_the_Existing_column_and_show_the_customer_whole()
    {
        Fresh(Lab);
        Lab.Iris.AddAlert("Suspicious PowerShell on ws-042");
        var vars = Variables(Lab);

        foreach (var width in new[] { 80, 120 })
        {
            var cases = Render(Connect, "Get-IrisCase", width, vars);
            Assert.Equal(width == 80 ? new[] { "CaseId", "Title", "Customer", "Severity", "State" } : new[] { "CaseId", "Title", "Customer", "Severity", "State", "Opened", "Owner" }, Header(cases));
            Assert.Contains(cases, l => l.Contains("IrisInitialClient", StringComparison.Ordinal) && l.Contains("Initial Demo", StringComparison.Ordinal));

            var alerts = Render(Connect, "Get-IrisAlert", width, vars);
            Assert.DoesNotContain("Existing", Header(alerts));
            Assert.Contains(alerts, l => l.Contains("IrisInitialClient", StringComparison.Ordinal) && l.Contains("Suspicious PowerShell on ws-042", StringComparison.Ordinal));

            var customers = Render(Connect, "Get-IrisCustomer", width, vars);
            Assert.Contains(customers, l => l.Contains("IrisInitialClient", StringComparison.Ordinal));
            Assert.Contains(customers, l => l.Contains("ACME", StringComparison.Ordinal));
        }

        var outcome = Render(Connect, "New-IrisCase -Name 'Views outcome' -Description 'Views test' -Customer ACME -SocId views-1 -Confirm:$false | Format-Table -View Outcome", 80, vars);
        Assert.Equal(new[] { "CaseId", "Action", "Title", "Customer", "SocId" }, Header(outcome));
        Assert.Contains(outcome, l => l.Contains("Created", StringComparison.Ordinal) && l.Contains("ACME", StringComparison.Ordinal));
    }

    [Fact]
    public void Aws_instances_connections_and_findings_fit_both_widths()
    {
        Lab.Aws.Reset();
        var s = Lab.Aws.SeedIsolationScenario();
        foreach (var width in new[] { 80, 120 })
        {
            var instances = Render(ConnectAws, $"Get-Ec2Instance -InstanceId {s.Instance.InstanceId}", width, AwsVariables());
            Assert.Equal(new[] { "InstanceId", "Name", "State", "Isolation", "Groups" }, Header(instances).Take(5));
            Assert.Contains(instances, l => l.Contains(s.Instance.InstanceId, StringComparison.Ordinal) && l.Contains("web-01", StringComparison.Ordinal));

            var connection = Render(ConnectAws, "Get-AwsConnection", width, AwsVariables());
            Assert.Equal(new[] { "Account", "Region", "Arn" }, Header(connection).Take(3));
            Assert.Contains(connection, l => l.Contains("us-east-1", StringComparison.Ordinal));

            var findings = Render(ConnectAws, "Get-SecurityHubFinding -WorkflowStatus Any", width, AwsVariables());
            Assert.Equal(new[] { "Time", "Severity", "Title", "Host" }, Header(findings).Take(4));
        }
    }

    /// <summary>Renders at 80 and 120 (each line within the width); the first columns at 80 are <paramref name="first"/>, and <paramref name="whole"/> reads whole at both.</summary>
    private void AssertFits(string connect, string produce, Dictionary<string, object?> variables, string[] first, params string[] whole)
    {
        foreach (var width in new[] { 80, 120 })
        {
            var lines = Render(connect, produce, width, variables);
            Assert.Equal(first, Header(lines).Take(first.Length));
            Assert.All(whole, w => Assert.Contains(lines, l => l.Contains(w, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Elastic_connections_indicators_writes_and_status_changes_fit_both_widths()
    {
        var index = "views-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.SeedAlerts(index, 3, DateTimeOffset.UtcNow.AddMinutes(-10), TimeSpan.FromSeconds(30));
        var v = ElasticVariables();
        AssertFits(ConnectElastic, "Get-ElasticConnection", v, new[] { "Uri", "ClusterName", "Version", "Authentication" });
        AssertFits(ConnectElastic, $"Get-ElasticAlert -Index {index} | Get-AlertIndicator", v, new[] { "Type", "Value", "Field" }, "host-000", "host.name");
        AssertFits(ConnectElastic, $"Search-ElasticIndicator -Indicator host-000 -Type host -Index {index}", v, new[] { "Type", "Value", "Total", "Newest" }, "host-000");
        AssertFits(ConnectElastic, $"@([pscustomobject]@{{ id = 'v1'; message = 'one' }}) | Send-ElasticDocument -Index {index}-audit -IdProperty id", v,
            new[] { "Index", "Received", "Created", "Existing", "Failed", "NotSent" }, index + "-audit");

        var space = "views-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Kibana.AddSpace(space);
        var id = Lab.Kibana.SeedAlerts(1, space).Single();
        var change = Render(ConnectElastic, $"Get-ElasticSecurityAlert -Space {space} | Set-ElasticAlertStatus acknowledged -Confirm:$false", 80, v);
        Assert.Equal(new[] { "Id", "Status", "Outcome", "Previous", "Message" }, Header(change));
        Assert.Contains(change, l => l.Contains(id, StringComparison.Ordinal) && l.Contains("acknowledged", StringComparison.Ordinal));
    }

    [Fact]
    public void Iris_connections_lookups_iocs_assets_and_notes_fit_both_widths()
    {
        Fresh(Lab);
        var v = Variables(Lab);
        AssertFits(Connect, "Get-IrisConnection", v, new[] { "Uri", "ServerVersion", "ApiVersion" });
        AssertFits(Connect, "Get-IrisLookup Tlp", v, new[] { "Kind", "Id", "Name" }, "amber");
        AssertFits(Connect, "Add-IrisCaseIoc -CaseId 1 -Value 203.0.113.7 -Type ip-dst -Confirm:$false", v, new[] { "CaseId", "IocId", "Type", "Tlp", "Value" }, "203.0.113.7", "ip-dst");
        AssertFits(Connect, "Add-IrisCaseAsset -CaseId 1 -Name ws-finance-042 -Ip 10.0.0.5 -Confirm:$false", v, new[] { "CaseId", "AssetId", "Type", "Name", "Ip" }, "ws-finance-042", "Windows - Computer");
        AssertFits(Connect, "Add-IrisCaseNote -CaseId 1 -Title 'Triage of ws-finance-042' -Content 'Looked at it' -Confirm:$false", v, new[] { "CaseId", "NoteId", "Directory", "Title" }, "Triage of ws-finance-042");
    }

    [Fact]
    public void Aws_isolation_containment_and_finding_updates_fit_both_widths()
    {
        Lab.Aws.Reset();
        var s = Lab.Aws.SeedIsolationScenario();
        Lab.Aws.SeedContainmentScenario("dev-views");
        var v = AwsVariables();
        var record = Render(ConnectAws, $"Invoke-Ec2Isolation -InstanceId {s.Instance.InstanceId} -Confirm:$false", 80, v);
        Assert.Equal(new[] { "InstanceId", "Name", "State", "Steps" }, Header(record));
        Assert.Contains(record, l => l.Contains(s.Instance.InstanceId, StringComparison.Ordinal) && l.Contains("Isolated", StringComparison.Ordinal));
        AssertFits(ConnectAws, $"(Invoke-Ec2Isolation -InstanceId {s.Instance.InstanceId} -Confirm:$false).Steps", v, new[] { "Name", "Outcome", "Target" });
        AssertFits(ConnectAws, "Invoke-IamContainment -UserName dev-views -Confirm:$false", v, new[] { "PrincipalType", "PrincipalName", "Operation", "State", "Steps" }, "dev-views");
        AssertFits(ConnectAws, "Get-SecurityHubFinding -WorkflowStatus Any | Update-SecurityHubFinding -WorkflowStatus NOTIFIED -Confirm:$false", v, new[] { "Outcome", "Id" }, "Updated");
        var list = Render(ConnectAws, "Invoke-IamContainment -UserName dev-views -Confirm:$false | Format-List", 80, v);
        Assert.Contains(list, l => l.StartsWith("DeactivatedAccessKeyIds", StringComparison.Ordinal) && l.Contains(", ", StringComparison.Ordinal));
    }
}
