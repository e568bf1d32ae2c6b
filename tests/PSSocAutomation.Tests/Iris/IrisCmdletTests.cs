using Xunit;
using System.Management.Automation;
using System.Text;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;
using IrisLab = PSSocAutomation.Lab.Iris.IrisLab;

namespace PSSocAutomation.Tests.Iris;

/// <summary>The IRIS cmdlets in a real runspace (the built module, imported through its manifest) against the Lab over HTTPS.</summary>
public sealed class IrisCmdletTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public IrisCmdletTests(LabFixture fixture) => _fixture = fixture;

    private LabServer Lab => _fixture.Lab;

    private ScriptResult Run(string script, Dictionary<string, object?>? extra = null)
    {
        var variables = Variables(Lab);
        if (extra != null) foreach (var (k, v) in extra) variables[k] = v;
        var result = _fixture.Session.Run(script, variables);
        // The API key never shows, whatever happened.
        Assert.DoesNotContain(result.AllText(), t => t.Contains(Lab.Iris.AdministratorApiKey, StringComparison.Ordinal));
        return result;
    }

    private const string StoryAlerts = """
        $alerts = @(
            [pscustomobject]@{ alert_id = '1'; timestamp = '2024-09-20T12:00:00'; alert_type = 'security'; message = 'Unauthorized login attempt detected'; severity = 'high'; status = 'active' }
            [pscustomobject]@{ alert_id = '2'; timestamp = '2024-09-20T12:15:00'; alert_type = 'performance'; message = 'CPU usage exceeded 90%'; severity = 'medium'; status = 'active' }
            [pscustomobject]@{ alert_id = '3'; timestamp = '2024-09-20T12:30:00'; alert_type = 'security'; message = 'Multiple failed login attempts detected'; severity = 'critical'; status = 'active' }
            [pscustomobject]@{ alert_id = '4'; timestamp = '2024-09-20T13:00:00'; alert_type = 'performance'; message = 'Memory usage exceeded 80%'; severity = 'medium'; status = 'resolved' }
            [pscustomobject]@{ alert_id = '5'; timestamp = '2024-09-20T13:30:00'; alert_type = 'security'; message = 'Potential SQL injection detected'; severity = 'high'; status = 'active' }
        )

        """;

    /// <summary>A normalized alert as the Elasticsearch source makes it, built from the module's own SocAlert type.</summary>
    private object Alert(string id, string title, string severity, string? host = null)
    {
        _ = _fixture.Session; // the module's types exist once it is imported
        var doc = new JsonObject { ["alert_id"] = id, ["message"] = title, ["host"] = new JsonObject { ["name"] = host } };
        return ModuleTypes.Create(Types.SocAlert, new object?[] { "Elasticsearch", id, Encoding.UTF8.GetBytes(doc.ToJsonString()) }, new Dictionary<string, object?>
        {
            ["Title"] = title,
            ["Severity"] = severity,
            ["SourceSeverity"] = severity.ToLowerInvariant(),
            ["Time"] = new DateTimeOffset(2024, 9, 20, 12, 0, 0, TimeSpan.Zero),
            ["Host"] = host,
            ["Link"] = "https://kibana.example/app/security/alerts/" + id,
            ["Status"] = "open",
        });
    }

    /// <summary>Runs the script inside try/catch, which catches terminating errors only, and returns the one it caught.</summary>
    private ErrorRecord Terminating(string script, Dictionary<string, object?>? extra = null)
    {
        var result = Run("try {\n" + script + "\n} catch { $_ }", extra);
        var records = result.OutputOf<ErrorRecord>().ToList();
        Assert.True(records.Count == 1, "Expected one terminating error; errors: " + string.Join("; ", result.Errors.Select(e => e.FullyQualifiedErrorId)));
        return records[0];
    }

    // ---- connecting ----

    [Fact]
    public void Connect_returns_the_connection_with_the_server_version_and_makes_it_the_default()
    {
        Fresh(Lab, "v2.4.15");
        var result = Run(Connect + "Get-IrisConnection; Disconnect-Iris; 'after'; Get-IrisConnection");
        AssertClean(result);
        var connection = Assert.Single(result.OutputOf(Types.IrisConnection));
        Assert.Equal("v2.4.15", connection.ServerVersion);
        Assert.Equal(Lab.IrisUri, connection.Uri);
        Assert.Contains("pinned", connection.Tls);
        Assert.Equal("after", result.Output.Last().ToString());
        Assert.True(connection.IsDisposed);
    }

    [Fact]
    public void SkipCertificateCheck_connects_with_a_warning()
    {
        Fresh(Lab);
        var result = Run("Connect-Iris -Uri $irisUri -ApiKey $irisKey -SkipCertificateCheck");
        AssertClean(result);
        Assert.Contains(result.Warnings, w => w.Contains("-SkipCertificateCheck"));
    }

    [Fact]
    public void The_expired_self_signed_certificate_stops_Connect_with_advice()
    {
        Fresh(Lab);
        var record = Terminating("Connect-Iris -Uri $irisUri -ApiKey $irisKey -MaximumRetryCount 0");
        Assert.Equal("IrisTls,PSSocAutomation.Iris.ConnectIrisCommand", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.SecurityError, record.CategoryInfo.Category);
        Assert.Contains("-CertificateThumbprint", record.Exception.Message);
    }

    [Fact]
    public void A_wrong_key_stops_Connect_with_an_authentication_error()
    {
        Fresh(Lab);
        var record = Terminating("Connect-Iris -Uri $irisUri -ApiKey $bad -CertificateThumbprint $irisThumb", new() { ["bad"] = LabFixture.Secure("wrong-key-0123456789") });
        Assert.Equal("IrisAuthentication,PSSocAutomation.Iris.ConnectIrisCommand", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, record.CategoryInfo.Category);
        Assert.Contains("-ApiKey", record.Exception.Message);
        Assert.DoesNotContain("wrong-key-0123456789", record.ToString() + record.Exception + record.ErrorDetails?.Message);
    }

    [Fact]
    public void A_wrong_url_stops_Connect_saying_it_is_not_iris()
    {
        Fresh(Lab);
        var record = Terminating("Connect-Iris -Uri $esUri -ApiKey $irisKey -MaximumRetryCount 0", new() { ["esUri"] = Lab.ElasticUri.ToString() });
        Assert.Equal("IrisProtocol,PSSocAutomation.Iris.ConnectIrisCommand", record.FullyQualifiedErrorId);
        Assert.Contains("does not answer like DFIR-IRIS", record.Exception.Message);
    }

    [Fact]
    public void Cmdlets_without_a_connection_stop_with_IrisNotConnected()
    {
        Fresh(Lab);
        var record = Terminating("Disconnect-Iris; Get-IrisCase -SocId x");
        Assert.StartsWith("IrisNotConnected", record.FullyQualifiedErrorId);
    }

    // ---- look-ups ----

    [Fact]
    public void Lookups_by_name_and_unknown_names_listing_the_valid_ones()
    {
        Fresh(Lab);
        var result = Run(Connect + "Get-IrisLookup Severity -Name 'Hi*'; Get-IrisCustomer -Name 'AC*'");
        AssertClean(result);
        Assert.Equal(new[] { Types.IrisLookupItem, Types.IrisCustomer }, result.Output.Take(2).Select(o => o.TypeNames[0]));
        Assert.Equal("High", (string)((dynamic)result.Output[0]).Name);
        Assert.Equal("ACME", (string)((dynamic)result.Output[1]).Name);

        var customer = Terminating(Connect + "New-IrisCase -Name 'Some case' -Description 'Some text' -SocId S -Customer 'Initech'");
        Assert.StartsWith("IrisUnknownCustomer", customer.FullyQualifiedErrorId);
        Assert.Contains("'ACME'", customer.Exception.Message);

        var severity = Terminating(Connect + "New-IrisAlert -Title 'x' -SourceRef 'y' -Customer ACME -Severity 'Severe'");
        Assert.StartsWith("IrisUnknownSeverity", severity.FullyQualifiedErrorId);
        Assert.Contains("'Critical'", severity.ErrorDetails.Message);
        Assert.Empty(Posts(Lab));
    }

    // ---- New-IrisCase ----

    [Fact]
    public void Story_alerts_become_one_case_each_and_a_rerun_creates_none()
    {
        var acme = Fresh(Lab);
        var result = Run(Connect + StoryAlerts + "$alerts | New-IrisCase -Customer ACME");
        AssertClean(result);
        var cases = result.OutputOf(Types.IrisCase).ToList();
        Assert.Equal(new[] { "1", "2", "3", "4", "5" }, cases.Select(c => c.SocId));
        Assert.All(cases, c => Assert.False(c.Existing));
        Assert.All(cases, c => Assert.Equal("ACME", c.Customer));
        Assert.Equal(new[] { "High", "Medium", "Critical", "Medium", "High" }, cases.Select(c => c.Severity));
        Assert.All(cases, c => Assert.Equal("Open", c.State));
        var stored = Lab.Iris.CasesWithSocId("3").Single();
        Assert.Equal(acme, stored.CustomerId);
        Assert.Equal("#" + stored.CaseId + " - Multiple failed login attempts detected", stored.Name);
        Assert.Equal(6, stored.SeverityId); // 'critical' from the alert
        Assert.Contains("| alert_type | security |", stored.Description);
        Assert.Contains("| timestamp | 2024-09-20T12:30:00 |", stored.Description);
        Assert.Contains("| status | active |", stored.Description);

        Lab.Journal.Clear();
        var rerun = Run(Connect + StoryAlerts + "$alerts | New-IrisCase -Customer ACME");
        AssertClean(rerun);
        Assert.All(rerun.OutputOf(Types.IrisCase), c => Assert.True(c.Existing));
        Assert.Equal(5, rerun.OutputOf(Types.IrisCase).Count());
        Assert.Empty(Posts(Lab));
        Assert.Equal(5, Lab.Iris.Cases.Count(c => c.CustomerId == acme));
    }

    [Fact]
    public void Normalized_alerts_give_a_readable_description_with_a_link_and_a_mapped_severity()
    {
        Fresh(Lab, "v2.4.16");
        var alerts = new[] { Alert("a-1", "Brute force on ssh", "High", "web-01") };
        var result = Run(Connect + "$alerts | New-IrisCase -Customer ACME -Tag elastic,auto", new() { ["alerts"] = alerts });
        AssertClean(result);
        var created = Assert.Single(result.OutputOf(Types.IrisCase));
        var stored = Lab.Iris.FindCase((int)created.CaseId)!;
        Assert.Equal(5, stored.SeverityId); // set by update on 2.4.16
        Assert.Equal(new[] { "elastic", "auto", "PSSocAutomation" }, stored.Tags); // the module's mark among the asked tags
        Assert.EndsWith("Opened by PSSocAutomation for source alert `a-1`.*", stored.Description);
        Assert.Contains("[Open the alert in Elasticsearch](https://kibana.example/app/security/alerts/a-1)", stored.Description);
        Assert.Contains("| Host | web-01 |", stored.Description);
        Assert.Contains("| Severity | High |", stored.Description);
        var add = JsonNode.Parse(Posts(Lab).First(p => p.Path == "/manage/cases/add").Body)!.AsObject();
        Assert.False(add.ContainsKey("severity_id"));
        Assert.False(add.ContainsKey("case_tags"));
    }

    [Fact]
    public void Two_inputs_with_one_soc_id_in_a_concurrent_batch_give_one_case_and_output_keeps_input_order()
    {
        Fresh(Lab);
        Lab.Faults.SetLatency("iris", TimeSpan.FromMilliseconds(15));
        try
        {
            var script = Connect + """
                1..20 | ForEach-Object { [pscustomobject]@{ Id = "soc-$([math]::Floor($_ / 2))"; Title = "Case $_" } } |
                    New-IrisCase -Customer ACME -Description 'From a test' -ThrottleLimit 8
                """;
            var result = Run(script);
            AssertClean(result);
            var cases = result.OutputOf(Types.IrisCase).ToList();
            Assert.Equal(20, cases.Count);
            Assert.Equal(Enumerable.Range(1, 20).Select(i => "soc-" + (i / 2)), cases.Select(c => c.SocId));
            Assert.Equal(11, cases.Count(c => !c.Existing));
            for (var i = 0; i <= 10; i++) Assert.Single(Lab.Iris.CasesWithSocId("soc-" + i));
        }
        finally
        {
            Lab.Faults.Clear();
        }
    }

    [Fact]
    public void A_bad_item_is_a_non_terminating_error_and_the_rest_go_on()
    {
        Fresh(Lab);
        var result = Run(Connect + """
            @([pscustomobject]@{ Id = 'ok-1'; Title = 'Fine case' }, [pscustomobject]@{ Id = 'bad'; Title = 'x' }, [pscustomobject]@{ Id = 'ok-2'; Title = 'Fine too' }) |
                New-IrisCase -Customer ACME -Description 'Some description'
            """);
        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IrisInvalidCase", error.FullyQualifiedErrorId);
        Assert.Contains("at least 2 characters", error.Exception.Message);
        Assert.Equal(new[] { "ok-1", "ok-2" }, result.OutputOf(Types.IrisCase).Select(c => c.SocId));
    }

    [Fact]
    public void In_a_concurrent_batch_errors_come_out_in_input_order_among_the_results()
    {
        Fresh(Lab);
        var result = Run(Connect + """
            @([pscustomobject]@{ Id = 'o-1'; Title = 'Fine case' }, [pscustomobject]@{ Id = 'o-2'; Title = 'x' }, [pscustomobject]@{ Id = 'o-3'; Title = 'Fine too' }, [pscustomobject]@{ Id = 'o-4'; Title = 'y' }) |
                New-IrisCase -Customer ACME -Description 'Some description' -ThrottleLimit 4 2>&1 |
                ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { 'error ' + $_.FullyQualifiedErrorId.Split(',')[0] } else { 'case ' + $_.SocId } }
            """);
        Assert.Null(result.Terminating);
        Assert.Equal(new[] { "case o-1", "error IrisInvalidCase", "case o-3", "error IrisInvalidCase" }, result.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Hashtables_are_read_like_objects_and_the_summary_counts_every_failure()
    {
        Fresh(Lab);
        var result = Run(Connect + """
            @{ alert_id = 'ht-0'; message = 'x' }, @{ alert_id = 'ht-1'; message = 'Beaconing from ws-1'; severity = 'high' }, @{ Id = 'ht-2'; Title = 'Odd login'; Severity = 'low' } |
                New-IrisCase -Customer ACME -Verbose
            """);
        Assert.Null(result.Terminating);
        Assert.StartsWith("IrisInvalidCase", Assert.Single(result.Errors).FullyQualifiedErrorId);
        var cases = result.OutputOf(Types.IrisCase).ToList();
        Assert.Equal(new[] { "ht-1", "ht-2" }, cases.Select(c => (string)c.SocId));
        Assert.Equal(new[] { "High", "Low" }, cases.Select(c => (string)c.Severity));
        Assert.Contains("New-IrisCase: 2 created, 0 already existed, 1 failed, of 3.", result.Verbose);
        Assert.DoesNotContain(result.Warnings, w => w.Contains("without a SOC id"));
    }

    [Fact]
    public void A_piped_string_is_the_case_title()
    {
        Fresh(Lab);
        var result = Run(Connect + "'suspicious login on ws-01' | New-IrisCase -Customer ACME -SocId s-13");
        AssertClean(result);
        var created = Assert.Single(result.OutputOf(Types.IrisCase));
        Assert.Equal("suspicious login on ws-01", (string)created.Title);
        var stored = Assert.Single(Lab.Iris.CasesWithSocId("s-13"));
        Assert.Equal("#" + stored.CaseId + " - suspicious login on ws-01", stored.Name);
        Assert.Contains("suspicious login on ws-01", stored.Description);
    }

    [Fact]
    public void A_piped_object_without_a_title_is_told_to_give_Name()
    {
        Fresh(Lab);
        var result = Run(Connect + "[pscustomobject]@{ host = 'ws-1'; x = 1 } | New-IrisCase -Customer ACME");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("IrisInvalidCase", error.FullyQualifiedErrorId);
        Assert.Contains("no title", error.Exception.Message);
        Assert.Contains("-Name", error.Exception.Message);
        Assert.Empty(Posts(Lab));
    }

    [Fact]
    public void WhatIf_says_which_cases_exist_and_which_would_be_created()
    {
        // "What if:" goes to the host, which only a real pwsh has: run it as its own process.
        var acme = Fresh(Lab);
        var existing = Lab.Iris.AddCase("Unauthorized login attempt detected", socId: "1", customerId: acme, tags: "PSSocAutomation");
        Lab.Journal.Clear();
        var environment = _fixture.PwshEnvironment();
        var result = PwshProcess.Run("""
            $ErrorActionPreference = 'Stop'
            Import-Module $env:MODULE
            $key = ConvertTo-SecureString $env:IRIS_KEY -AsPlainText -Force
            Connect-Iris -Uri $env:IRIS_URI -ApiKey $key -CertificateThumbprint $env:IRIS_THUMB | Out-Null
            @([pscustomobject]@{ Id = '1'; Title = 'Unauthorized login attempt detected' }, [pscustomobject]@{ Id = '2'; Title = 'CPU usage exceeded 90%' }) |
                New-IrisCase -Customer ACME -WhatIf
            'done'
            """, environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("What if:")).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains($"case #{existing.CaseId}", lines[0]);
        Assert.Contains("already exists", lines[0]);
        Assert.DoesNotContain("Create DFIR-IRIS case", lines[0]);
        Assert.Contains("Create DFIR-IRIS case", lines[1]);
        Assert.Contains("SOC id '2'", lines[1]);
        Assert.Empty(Posts(Lab));
        Assert.Single(Lab.Iris.CasesWithSocId("1"));
        Assert.Empty(Lab.Iris.CasesWithSocId("2"));
    }

    [Fact]
    public void Get_IrisCase_by_id_has_the_shape_it_has_by_soc_id()
    {
        var acme = Fresh(Lab);
        var c = Lab.Iris.AddCase("Shape check", socId: "A-1", customerId: acme, severityId: 5);
        var result = Run(Connect + $"Get-IrisCase -Id {c.CaseId}; Get-IrisCase -SocId A-1");
        AssertClean(result);
        var both = result.OutputOf(Types.IrisCase);
        Assert.Equal(2, both.Count);
        Assert.Equal("High", (string)both[0].Severity);
        foreach (var property in new[] { "CaseId", "Name", "Title", "Description", "SocId", "CustomerId", "Customer", "Classification", "SeverityId", "Severity", "StateId", "State", "OutcomeId", "OwnerId", "Owner", "OpenDate", "Tags", "Link" })
            Assert.True(Equals(result.Output[0].Properties[property].Value, result.Output[1].Properties[property].Value),
                $"{property}: by id '{result.Output[0].Properties[property].Value}', by SOC id '{result.Output[1].Properties[property].Value}'");
    }

    [Fact]
    public void Get_IrisLookup_follows_Get_IrisCustomer_an_unknown_exact_name_is_an_error_a_wildcard_is_not()
    {
        Fresh(Lab);
        var result = Run(Connect + "Get-IrisLookup Severity -Name nosuch, 'nosuch*', High; Get-IrisCustomer -Name nosuch, 'nosuch*'");
        Assert.Null(result.Terminating);
        Assert.Equal(new[] { "IrisLookupNotFound,PSSocAutomation.Iris.GetIrisLookupCommand", "IrisCustomerNotFound,PSSocAutomation.Iris.GetIrisCustomerCommand" }, result.Errors.Select(e => e.FullyQualifiedErrorId));
        Assert.Contains("'nosuch'", result.Errors[0].Exception.Message);
        Assert.Contains("'High'", result.Errors[0].Exception.Message);
        Assert.Equal(ErrorCategory.ObjectNotFound, result.Errors[0].CategoryInfo.Category);
        Assert.Equal("nosuch", result.Errors[0].TargetObject);
        Assert.Equal("High", (string)Assert.Single(result.OutputOf(Types.IrisLookupItem)).Name);
    }

    [Fact]
    public void WhatIf_sends_no_mutating_request()
    {
        Fresh(Lab);
        var c = Lab.Iris.AddCase("Existing", socId: "w-0", customerId: 1, tags: "PSSocAutomation");
        var a = Lab.Iris.AddAlert("Existing alert", sourceRef: "wa-0");
        Lab.Journal.Clear();
        var result = Run(Connect + StoryAlerts + $"""
            $alerts | New-IrisCase -Customer ACME -WhatIf
            $alerts | New-IrisAlert -Customer ACME -WhatIf
            Set-IrisAlert -AlertId {a.AlertId} -Status Closed -WhatIf
            Invoke-IrisAlertEscalation -AlertId {a.AlertId} -WhatIf
            Add-IrisCaseIoc -CaseId {c.CaseId} -Value 1.2.3.4 -WhatIf
            Add-IrisCaseAsset -CaseId {c.CaseId} -Name WS-1 -WhatIf
            Add-IrisCaseNote -CaseId {c.CaseId} -Title Note -Content text -WhatIf
            """);
        AssertClean(result);
        Assert.Empty(result.Output);
        Assert.Empty(Posts(Lab));
        Assert.All(Lab.Journal.For("iris"), e => Assert.Equal("GET", e.Method));
    }

    // ---- New-IrisAlert ----

    [Fact]
    public void Five_hundred_alerts_give_five_hundred_iris_alerts_in_order_and_a_rerun_gives_none()
    {
        var acme = Fresh(Lab);
        var script = Connect + """
            1..500 | ForEach-Object {
                [pscustomobject]@{ Id = "src-$_"; Title = "Alert $_"; Source = 'Elasticsearch'; Severity = 'high'; Time = '2024-09-20T12:00:00Z'
                    Indicators = @("203.0.113.$($_ % 250)", [pscustomobject]@{ Value = "host$_.evil.example"; Type = 'domain' }); Host = "ws-$_" }
            } | New-IrisAlert -Customer ACME -Tag bulk -ThrottleLimit 8
            """;
        var result = Run(script);
        AssertClean(result);
        var alerts = result.OutputOf(Types.IrisAlert).ToList();
        Assert.Equal(Enumerable.Range(1, 500).Select(i => "src-" + i), alerts.Select(a => a.SourceRef));
        Assert.All(alerts, a => Assert.False(a.Existing));
        Assert.Equal(500, Lab.Iris.Alerts.Count(a => a.CustomerId == acme));
        var one = Lab.Iris.AlertsWithSourceRef("src-7").Single();
        Assert.Equal(5, one.SeverityId);
        Assert.Equal(2, one.StatusId); // New
        Assert.Equal("bulk", one.Tags);
        Assert.Equal(new DateTime(2024, 9, 20, 12, 0, 0), one.SourceEventTime);
        Assert.Equal(new[] { "203.0.113.7", "host7.evil.example" }, Lab.Iris.IocsOfAlert(one.AlertId).Select(i => i.Value));
        Assert.Equal("ws-7", Lab.Iris.AssetsOfAlert(one.AlertId).Single().Name);

        Lab.Journal.Clear();
        var rerun = Run(script);
        AssertClean(rerun);
        Assert.Equal(500, rerun.OutputOf(Types.IrisAlert).Count(a => a.Existing));
        Assert.DoesNotContain(Lab.Journal.For("iris"), e => e.Path == "/alerts/add");
        Assert.Equal(500, Lab.Iris.Alerts.Count(a => a.CustomerId == acme));
    }

    [Theory]
    [InlineData(FaultKind.Reset, 0)]
    [InlineData(FaultKind.Status, 503)]
    [InlineData(FaultKind.Status, 429)]
    public void A_fault_in_the_middle_of_a_cmdlet_batch_loses_nothing_and_doubles_nothing(FaultKind kind, int status)
    {
        var acme = Fresh(Lab, "v2.4.15");
        Lab.Faults.Add(new FaultRule { Service = "iris", Method = "POST", PathContains = "/alerts/add", Kind = kind, Status = status, RetryAfterSeconds = status == 429 ? 1 : null, After = 25, Times = 2 });
        var result = Run(Connect + "1..60 | ForEach-Object { [pscustomobject]@{ Id = \"f-$_\"; Title = \"Alert $_\" } } | New-IrisAlert -Customer ACME -ThrottleLimit 4");
        AssertClean(result);
        Assert.Equal(60, result.OutputOf(Types.IrisAlert).Count());
        for (var i = 1; i <= 60; i++) Assert.Single(Lab.Iris.AlertsWithSourceRef("f-" + i));
        Assert.Equal(60, Lab.Iris.Alerts.Count(a => a.CustomerId == acme));
    }

    [Fact]
    public void Normalized_alerts_keep_their_original_document_as_source_content()
    {
        Fresh(Lab);
        var result = Run(Connect + "$alerts | New-IrisAlert -Customer ACME", new() { ["alerts"] = new[] { Alert("n-1", "Ransomware note", "Critical", "fs-02") } });
        AssertClean(result);
        var alert = Assert.Single(result.OutputOf(Types.IrisAlert));
        var stored = Lab.Iris.FindAlert((int)alert.AlertId)!;
        Assert.Equal("n-1", stored.SourceRef);
        Assert.Equal("Elasticsearch", stored.Source);
        Assert.Equal("https://kibana.example/app/security/alerts/n-1", stored.SourceLink);
        Assert.Equal(6, stored.SeverityId);
        Assert.Equal("Ransomware note", stored.SourceContent!.Value.GetProperty("message").GetString());
        Assert.Equal("fs-02", Lab.Iris.AssetsOfAlert((int)alert.AlertId).Single().Name);
    }

    // ---- reading ----

    [Fact]
    public void Get_cmdlets_filter_by_name_and_stream_pages()
    {
        var acme = Fresh(Lab);
        for (var i = 0; i < 12; i++) Lab.Iris.AddCase("Case " + i, customerId: acme, socId: "g-" + i);
        for (var i = 0; i < 15; i++) Lab.Iris.AddAlert("Alert " + i, customerId: acme, sourceRef: "ga-" + i, statusId: i % 3 == 0 ? 6 : 2);
        var result = Run(Connect + """
            @(Get-IrisCase -Customer ACME -State Open -PageSize 5).Count
            (Get-IrisCase -SocId g-3).Title
            @(Get-IrisAlert -Customer ACME -Status New -PageSize 4).Count
            (Get-IrisAlert -SourceRef ga-1).Title
            """);
        AssertClean(result);
        Assert.Equal(new[] { "12", "Case 3", "10", "Alert 1" }, result.Output.Select(o => o.ToString()));
        Assert.Equal(3, Lab.Journal.For("iris").Count(e => e.Path == "/manage/cases/filter" && e.Query.Contains("case_state_id=3")));
    }

    [Theory]
    [InlineData("Get-IrisCase", "/manage/cases/filter", "cases")]
    [InlineData("Get-IrisAlert", "/alerts/filter", "alerts")]
    public void A_stream_that_breaks_on_a_later_page_outputs_what_came_then_ends_the_script_saying_how_much(string cmdlet, string path, string noun)
    {
        var acme = Fresh(Lab);
        for (var i = 0; i < 12; i++) Lab.Iris.AddCase("Case " + i, customerId: acme, socId: "b-" + i);
        for (var i = 0; i < 12; i++) Lab.Iris.AddAlert("Alert " + i, customerId: acme, sourceRef: "ba-" + i);
        Lab.Faults.Add(new FaultRule { Service = "iris", Method = "GET", PathContains = path, Status = 500, After = 1, Times = 100 });
        var result = Run(Connect + $"{cmdlet} -PageSize 5\n'after the stream'");
        Assert.Equal(5, result.Output.Count);
        Assert.DoesNotContain(result.Output, o => o.BaseObject is string);
        Assert.NotNull(result.Terminating);
        Assert.StartsWith("IrisStatus", result.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains($"{cmdlet} stopped after 5 {noun} had been delivered (page 2)", result.Terminating.Message);
        Assert.Equal(2, Lab.Journal.For("iris").Count(e => e.Path == path));
    }

    [Fact]
    public void Ctrl_C_stops_a_long_stream_at_once()
    {
        var acme = Fresh(Lab);
        for (var i = 0; i < 200; i++) Lab.Iris.AddAlert("Slow " + i, customerId: acme, sourceRef: "slow-" + i);
        Lab.Faults.SetLatency("iris", TimeSpan.FromMilliseconds(300));
        try
        {
            var variables = Variables(Lab);
            _fixture.Session.Run(Connect, variables);
            var result = _fixture.Session.RunAndStop("Get-IrisAlert -Customer ACME -PageSize 5", output => output.Count >= 3, variables);
            // Stopped, not finished: reading all 200 would take 40 pages; no clock is read, so a loaded machine cannot fail it.
            Assert.InRange(result.Output.Count, 3, 100);
            Assert.True(Lab.Journal.For("iris").Count(e => e.Path.StartsWith("/alerts/filter", StringComparison.Ordinal)) < 40);
        }
        finally
        {
            Lab.Faults.Clear();
        }
    }

    [Fact]
    public void A_cmdlet_stopped_during_a_shared_look_up_leaves_the_next_one_working()
    {
        // The customer list is fetched once per connection and shared by every cmdlet using it. The first cmdlet is
        // stopped while that fetch is in flight; the fetch goes on, and the next cmdlet joins it. It must not report
        // into the stopped cmdlet (whose message pump is gone) nor inherit its cancellation.
        Fresh(Lab);
        var variables = Variables(Lab);
        var connected = _fixture.Session.Run(Connect, variables);
        AssertClean(connected);
        Lab.Faults.SetLatency("iris", TimeSpan.FromSeconds(5));
        try
        {
            int CustomerLists() => Lab.Journal.For("iris").Count(e => e.Path == "/manage/customers/list");
            var listsBefore = CustomerLists();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var stopped = _fixture.Session.RunAndStop(
                "New-IrisCase -Name 'Stopped case' -Description 'Never created' -SocId life-0 -Customer ACME -Verbose",
                _ => clock.Elapsed > TimeSpan.FromMilliseconds(400), variables);
            // The stop did not wait for the look-up: the Lab journals a request just before it answers, and it has not answered yet.
            Assert.Equal(listsBefore, CustomerLists());
            Assert.Empty(stopped.Output);
            Lab.Faults.Clear(); // the customer list request in flight keeps its delay; nothing after it waits

            var next = _fixture.Session.Run("New-IrisCase -Name 'Next case' -Description 'Created after the stop' -SocId life-1 -Customer ACME -Verbose", variables);
            AssertClean(next);
            Assert.DoesNotContain(next.AllText(), t => t.Contains(nameof(ObjectDisposedException), StringComparison.Ordinal));
            Assert.Equal("life-1", (string)Assert.Single(next.OutputOf(Types.IrisCase)).SocId);
            Assert.Empty(Lab.Iris.CasesWithSocId("life-0"));
        }
        finally
        {
            Lab.Faults.Clear();
        }
    }

    [Fact]
    public void Missing_objects_are_non_terminating_errors_with_stable_ids()
    {
        Fresh(Lab);
        var result = Run(Connect + "Get-IrisCase -Id 424242, 1; Get-IrisAlert -Id 515151");
        Assert.Null(result.Terminating);
        Assert.Equal(new[] { "IrisNotFound,PSSocAutomation.Iris.GetIrisCaseCommand", "IrisNotFound,PSSocAutomation.Iris.GetIrisAlertCommand" }, result.Errors.Select(e => e.FullyQualifiedErrorId));
        Assert.Contains("case 424242 does not exist", result.Errors[0].Exception.Message);
        Assert.Equal(ErrorCategory.ObjectNotFound, result.Errors[1].CategoryInfo.Category);
        Assert.Equal(1, Assert.Single(result.OutputOf(Types.IrisCase)).CaseId);
    }

    // ---- alert actions ----

    [Fact]
    public void Set_and_escalate_an_alert_carrying_its_iocs_and_assets()
    {
        Fresh(Lab);
        var result = Run(Connect + """
            $a = [pscustomobject]@{ Id = 'esc-1'; Title = 'C2 beacon'; Indicators = @('198.51.100.9', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'); Host = 'ws-9' } | New-IrisAlert -Customer ACME
            $a | Set-IrisAlert -Status 'In progress' -Note 'Looking' -PassThru | ForEach-Object { $_.Status }
            $case = $a | Invoke-IrisAlertEscalation -Note 'Confirmed' -Tag c2
            $case.CaseId
            ($a | Invoke-IrisAlertEscalation).Existing
            """);
        AssertClean(result);
        Assert.Equal("In progress", result.Output[0].ToString());
        var caseId = int.Parse(result.Output[1].ToString());
        Assert.Equal("True", result.Output[2].ToString());
        Assert.Equal(new[] { "198.51.100.9", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" }, Lab.Iris.IocsOfCase(caseId).Select(i => i.Value).OrderBy(v => v));
        Assert.Equal("ws-9", Lab.Iris.AssetsOfCase(caseId).Single().Name);
        Assert.Single(Posts(Lab), p => p.Path.StartsWith("/alerts/escalate/"));
        var escalate = JsonNode.Parse(Posts(Lab).Single(p => p.Path.StartsWith("/alerts/escalate/")).Body)!.AsObject();
        Assert.Equal("c2", escalate["case_tags"]!.GetValue<string>());
        Assert.Equal(2, escalate["iocs_import_list"]!.AsArray().Count);
    }

    [Fact]
    public void An_escalated_case_with_a_title_has_no_leading_space()
    {
        Fresh(Lab);
        var result = Run(Connect + """
            $a = New-IrisAlert -Title 'C2 beacon' -SourceRef 'esc-title' -Customer ACME
            $a | Invoke-IrisAlertEscalation -CaseTitle 'Beacon from ws-9'
            """);
        AssertClean(result);
        var created = Assert.Single(result.OutputOf(Types.IrisCase));
        Assert.Equal("Beacon from ws-9", (string)created.Title);
    }

    [Fact]
    public void Ioc_output_names_its_tlp()
    {
        Fresh(Lab);
        var c = Lab.Iris.AddCase("Tlp", socId: "tlp-1");
        var result = Run(Connect + $"Add-IrisCaseIoc -CaseId {c.CaseId} -Value 203.0.113.9 -Tlp amber; Add-IrisCaseIoc -CaseId {c.CaseId} -Value 203.0.113.10 -Tlp green");
        AssertClean(result);
        var iocs = result.OutputOf(Types.IrisIoc);
        Assert.Equal(new[] { "amber", "green" }, iocs.Select(i => (string)i.Tlp));
        Assert.All(iocs, i => Assert.NotNull(i.TlpId));
    }

    // ---- case objects ----

    [Fact]
    public void Case_objects_bind_by_property_name_and_always_send_cid()
    {
        var acme = Fresh(Lab);
        Lab.Iris.SetContextCase(IrisLab.AdministratorLogin, 1);
        var c = Lab.Iris.AddCase("Objects", customerId: acme, socId: "obj-1");
        Lab.Journal.Clear();
        var result = Run(Connect + $$"""
            $case = Get-IrisCase -Id {{c.CaseId}}
            @([pscustomobject]@{ Value = '203.0.113.50'; Type = 'ip' }, [pscustomobject]@{ ioc_value = 'bad.example.org' }) | Add-IrisCaseIoc -CaseId $case.CaseId -Tlp green
            $case | Add-IrisCaseAsset -Name 'WS-77' -Ip 10.0.0.77
            $case | Add-IrisCaseAsset -Name 'WS-77' -Ip 10.0.0.77
            $case | Add-IrisCaseNote -Title 'Triage' -Content 'Started'
            """);
        AssertClean(result);
        Assert.Equal(new[] { "ip-any", "domain" }, result.OutputOf(Types.IrisIoc).Select(i => i.Type));
        Assert.Equal(2, Lab.Iris.IocsOfCase(c.CaseId).Count);
        Assert.Equal(2, result.OutputOf(Types.IrisAsset).Count());
        Assert.Single(Lab.Iris.AssetsOfCase(c.CaseId));
        Assert.Single(Lab.Iris.NotesOfCase(c.CaseId));
        Assert.Empty(Lab.Iris.IocsOfCase(1));
        Assert.All(Lab.Journal.For("iris").Where(e => e.Path.StartsWith("/case/")), e => Assert.Contains("cid=" + c.CaseId, e.Query));
    }
}
