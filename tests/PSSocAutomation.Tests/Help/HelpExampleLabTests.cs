using PSSocAutomation.Tests.Harness;
using PSSocAutomation.Tests.Iris;

namespace PSSocAutomation.Tests.Help;

/// <summary>
/// The help's read-only examples, run as Get-Help shows them against the Lab: only a Connect line (the Lab's address
/// and credentials) and, for Elastic, a few alerts to read are put before the example's own code.
/// </summary>
/// <remarks>
/// Not run, and why: the examples that change state (New-, Set-, Add-, Send-, Invoke-, Update-, Undo-, Disconnect-;
/// their -WhatIf forms are covered by each cmdlet's own tests); Connect-* examples (they name real hosts, Get-Secret
/// or AWS profiles); examples that name a real account's objects (Get-Ec2Instance's i-0c10c2c7863d1a356, a Kibana
/// space 'soc', IRIS cases 12 and 15) or variables the example assumes ($response, $finding, $case, $alert, $body);
/// ConvertFrom-SecurityHubEvent's, which read files and SNS certificates a user has saved; Get-SecurityHubFinding's
/// second, whose ResourceAwsEc2InstanceVpcId filter the Lab does not emulate; and Get-ElasticSecurityAlert's second,
/// which reads a Kibana space 'soc' and writes to IRIS.
/// </remarks>
public sealed class HelpExampleLabTests : IClassFixture<LabFixture>
{
    private const string ElasticConnect = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryDelaySec 2 | Out-Null\n";
    private const string KibanaConnect = "Connect-Elastic -Uri $esUri -KibanaUri $kbUri -Credential $esCred -MaximumRetryDelaySec 2 | Out-Null\n";
    private const string AwsConnect = "Connect-Aws -Region us-east-1 -Credential $awsCredential -EndpointUrl $awsUri | Out-Null\n";

    // Alerts from the last minutes, so "-Since 15m" and the unique-alerts aggregation have something to read.
    private const string ElasticSeed = """
        $now = [DateTimeOffset]::UtcNow
        1..3 | ForEach-Object { [pscustomobject]@{ alert_id = "help-$_"; message = "Help example alert $_"; severity = 'high'; '@timestamp' = $now.AddMinutes(-$_).ToString('o') } } |
            Send-ElasticDocument -Index alerts -IdProperty alert_id -Refresh wait_for | Out-Null

        """;

    private readonly LabFixture _fixture;

    public HelpExampleLabTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    public static TheoryData<string, int> ElasticExamples => new()
    {
        { "Get-ElasticAlert", 1 },
        { "Get-ElasticAlert", 4 },
        { "Get-ElasticConnection", 1 },
        { "Get-ElasticConnection", 2 },
        { "Invoke-ElasticSearch", 1 },
        { "Invoke-ElasticSearch", 2 },
        { "Expand-AlertBucket", 1 },
    };

    public static TheoryData<string, int> ElasticSecurityExamples => new()
    {
        { "Get-ElasticSecurityAlert", 1 },
        { "Get-ElasticSecurityAlert", 3 },
    };

    public static TheoryData<string, int> AwsExamples => new()
    {
        { "Get-SecurityHubFinding", 1 },
        { "Get-Ec2Instance", 1 },
        { "Get-AwsConnection", 1 },
        { "Get-AwsConnection", 2 },
    };

    public static TheoryData<string, int> IrisExamples => new()
    {
        { "Get-IrisLookup", 1 },
        { "Get-IrisLookup", 2 },
        { "Get-IrisConnection", 1 },
        { "Get-IrisConnection", 2 },
    };

    [Theory]
    [MemberData(nameof(ElasticExamples))]
    public void An_Elastic_example_runs_against_the_Lab(string cmdlet, int example)
    {
        var variables = _fixture.ElasticVariables();
        RunExample(cmdlet, example, ElasticConnect + ElasticSeed, variables);
    }

    [Theory]
    [MemberData(nameof(ElasticSecurityExamples))]
    public void An_Elastic_Security_example_runs_against_the_Lab(string cmdlet, int example)
    {
        _fixture.Lab.Kibana.SeedAlerts(5);
        RunExample(cmdlet, example, KibanaConnect, _fixture.ElasticVariables());
    }

    [Theory]
    [MemberData(nameof(AwsExamples))]
    public void An_AWS_example_runs_against_the_Lab(string cmdlet, int example)
    {
        _fixture.Lab.Aws.Reset();
        _fixture.Lab.Aws.SeedIsolationScenario();
        var variables = new Dictionary<string, object?>
        {
            ["awsCredential"] = new System.Collections.Hashtable { ["AccessKeyId"] = _fixture.Lab.Credentials.AwsAccessKeyId, ["SecretAccessKey"] = _fixture.Lab.Credentials.AwsSecretAccessKey },
            ["awsUri"] = _fixture.Lab.AwsUri.ToString(),
        };
        RunExample(cmdlet, example, AwsConnect, variables);
    }

    [Theory]
    [MemberData(nameof(IrisExamples))]
    public void An_IRIS_example_runs_against_the_Lab(string cmdlet, int example) =>
        RunExample(cmdlet, example, IrisTestSupport.Connect, IrisTestSupport.Variables(_fixture.Lab));

    /// <summary>Reads the example from Get-Help (the shipped MAML, not the source), runs it after the prefix, and asserts it ran clean.</summary>
    private void RunExample(string cmdlet, int example, string prefix, Dictionary<string, object?> variables)
    {
        var code = _fixture.Session.Run("((Get-Help $cmdlet -Examples).examples.example[$index].code) -join \"`n\"",
            new Dictionary<string, object?> { ["cmdlet"] = cmdlet, ["index"] = example - 1 });
        var text = Assert.Single(code.Output).ToString();
        Assert.False(string.IsNullOrWhiteSpace(text), $"{cmdlet} has no example {example}");

        // Dot-sourced, so an example that is a statement (if ...) can be piped to Out-String, which renders what it writes.
        var result = _fixture.Session.Run(prefix + ". {\n" + text + "\n} | Out-String", variables, TimeSpan.FromSeconds(60));
        Assert.True(result.Terminating is null && result.Errors.Count == 0,
            $"{cmdlet} example {example}:\n{text}\n{result.Terminating?.Message}\n{string.Join("\n", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e))}");
    }
}
