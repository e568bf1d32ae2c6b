using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Elastic;

/// <summary>The Elastic cmdlets in a real runspace against the Lab's Elasticsearch over real sockets.</summary>
public sealed class ElasticCmdletTests : IClassFixture<LabFixture>
{
    private const string Connect = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryDelaySec 2 | Out-Null\n";
    private readonly LabFixture _fixture;

    public ElasticCmdletTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private LabServer Lab => _fixture.Lab;

    /// <summary>A cmdlet's terminating error ends its statement; the script goes on, so it lands in the error stream.</summary>
    private static System.Management.Automation.ErrorRecord Failure(ScriptResult result) =>
        result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);

    private ScriptResult Run(string script, Dictionary<string, object?>? extra = null)
    {
        var variables = _fixture.ElasticVariables();
        if (extra != null) foreach (var (k, v) in extra) variables[k] = v;
        return _fixture.Session.Run(script, variables);
    }

    public static readonly string[] StoryAlerts =
    {
        """{"alert_id":"1","timestamp":"2024-09-20T12:00:00","alert_type":"security","message":"Unauthorized login attempt detected","severity":"high","status":"active"}""",
        """{"alert_id":"2","timestamp":"2024-09-20T12:15:00","alert_type":"performance","message":"CPU usage exceeded 90%","severity":"medium","status":"active"}""",
        """{"alert_id":"3","timestamp":"2024-09-20T12:30:00","alert_type":"security","message":"Multiple failed login attempts detected","severity":"critical","status":"active"}""",
        """{"alert_id":"4","timestamp":"2024-09-20T13:00:00","alert_type":"performance","message":"Memory usage exceeded 80%","severity":"medium","status":"resolved"}""",
        """{"alert_id":"5","timestamp":"2024-09-20T13:30:00","alert_type":"security","message":"Potential SQL injection detected","severity":"high","status":"active"}""",
    };

    public const string StoryQuery = """{"size":0,"aggs":{"unique_alerts":{"terms":{"field":"alert_id.keyword","size":10},"aggs":{"top_alerts_hits":{"top_hits":{"size":1,"_source":{"includes":["alert_id","alert_type","message","severity","timestamp","status"]}}}}}}}""";

    [Fact]
    public void Connect_returns_a_connection_and_makes_it_the_default()
    {
        var result = Run(Connect + "Get-ElasticConnection");
        Assert.Empty(result.Errors);
        var connection = Assert.Single(result.OutputOf(Types.ElasticConnection));
        Assert.Equal(Lab.ElasticUri, (Uri)connection.Uri);
        Assert.False(string.IsNullOrEmpty((string)connection.Version));
        Assert.Contains("Basic", (string)connection.Authentication);
        Assert.Equal("elastic", Assert.Single(Lab.Journal.For("elastic"), e => e.Path == "/").Principal);
    }

    [Fact]
    public void Connect_with_an_api_key_sends_the_ApiKey_scheme()
    {
        var result = Run("Connect-Elastic -Uri $esUri -ApiKey $esApiKey");
        Assert.Empty(result.Errors);
        Assert.Null(result.Terminating);
        var entry = Assert.Single(Lab.Journal.For("elastic"));
        Assert.Equal("ApiKey", entry.AuthScheme);
        Assert.Equal(200, entry.Status);
    }

    [Fact]
    public void Wrong_credentials_are_a_clear_terminating_error_that_names_what_to_fix()
    {
        var result = Run("Connect-Elastic -Uri $esUri -Credential $bad", new() { ["bad"] = new System.Management.Automation.PSCredential("elastic", LabFixture.Secure("not-the-password")) });
        var record = Failure(result);
        Assert.StartsWith("ElasticAuthentication", record.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.AuthenticationError, record.CategoryInfo.Category);
        Assert.Contains("401", record.Exception.Message);
        Assert.Contains("security_exception", record.Exception.Message);
        Assert.Contains("Connect-Elastic", record.Exception.Message);
        Assert.Single(Lab.Journal.For("elastic"));
    }

    [Fact]
    public void A_refused_connection_names_the_address_and_the_likely_cause()
    {
        var port = FreePort();
        var result = Run($"Connect-Elastic -Uri http://127.0.0.1:{port} -Credential $esCred -MaximumRetryCount 1 -MaximumRetryDelaySec 0");
        var record = Failure(result);
        Assert.StartsWith("ElasticConnection", record.FullyQualifiedErrorId);
        Assert.Contains($"127.0.0.1:{port}", record.Exception.Message);
        Assert.Contains("refused", record.Exception.Message);
    }

    [Fact]
    public void An_untrusted_certificate_is_refused_with_its_thumbprint_and_the_ways_to_trust_it()
    {
        // The Lab's HTTPS endpoint has a self-signed certificate no trust store knows.
        var result = Run("Connect-Elastic -Uri $irisUri -Credential $esCred -MaximumRetryCount 0", new() { ["irisUri"] = Lab.IrisUri.ToString() });
        var record = Failure(result);
        Assert.StartsWith("ElasticTls", record.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.SecurityError, record.CategoryInfo.Category);
        var thumbprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Lab.Certificate.RawData));
        Assert.Contains(thumbprint, record.Exception.Message);
        Assert.Contains("-CertificateThumbprint", record.Exception.Message);
    }

    [Fact]
    public void An_html_page_from_a_proxy_is_named_as_such()
    {
        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_search", Kind = FaultKind.Html, Status = 502, Times = 10 });
        var result = Run(Connect + "Invoke-ElasticSearch -Index alerts -Body @{ size = 1 }");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ElasticHtmlPage", error.FullyQualifiedErrorId);
        Assert.Contains("HTML page", error.Exception.Message);
        Assert.Contains("502 Bad Gateway", error.Exception.Message);
        Assert.DoesNotContain("<html", error.Exception.Message);
    }

    [Fact]
    public void Story_one_query_explodes_into_five_buckets_and_five_alerts()
    {
        var index = "story-" + Guid.NewGuid().ToString("N")[..8];
        var send = Run(Connect + $"$docs | Send-ElasticDocument -Index {index} -IdProperty alert_id -Refresh true", new() { ["docs"] = StoryAlerts });
        Assert.Empty(send.Errors);
        var summary = Assert.Single(send.OutputOf(Types.SendResult));
        Assert.Equal(5, (int)summary.Created);

        var buckets = Run(Connect + $"Invoke-ElasticSearch -Index {index} -Body $q | Expand-AlertBucket -Aggregation unique_alerts", new() { ["q"] = StoryQuery });
        Assert.Empty(buckets.Errors);
        Assert.Equal(new[] { "1", "2", "3", "4", "5" }, buckets.Output.Select(b => b.Properties["key"].Value.ToString()).OrderBy(k => k));

        var alerts = Run(Connect + $"Invoke-ElasticSearch -Index {index} -Body $q | Expand-AlertBucket -Aggregation unique_alerts -TopHits top_alerts_hits -TimeField timestamp", new() { ["q"] = StoryQuery });
        Assert.Empty(alerts.Errors);
        var list = alerts.OutputOf(Types.SocAlert).OrderBy(a => (string)a.Id).ToList();
        Assert.Equal(5, list.Count);
        Assert.Equal("Multiple failed login attempts detected", (string)list[2].Title);
        Assert.Equal("Critical", (string)list[2].Severity.ToString());
        Assert.Equal(new DateTimeOffset(2024, 9, 20, 12, 30, 0, TimeSpan.Zero), (DateTimeOffset)list[2].Time);
        Assert.Equal("resolved", (string)list[3].Status);
        Assert.Equal(index, (string)list[0].Index);
        using var original = JsonDocument.Parse(list[4].OriginalJson());
        Assert.Equal("Potential SQL injection detected", original.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public void Sending_the_same_documents_twice_writes_nothing_the_second_time()
    {
        var index = "idem-" + Guid.NewGuid().ToString("N")[..8];
        var script = Connect + $"$docs | Send-ElasticDocument -Index {index} -IdProperty alert_id -BatchSize 2";
        var first = Assert.Single(Run(script, new() { ["docs"] = StoryAlerts }).OutputOf(Types.SendResult));
        var second = Run(script, new() { ["docs"] = StoryAlerts });
        Assert.Empty(second.Errors);
        var again = Assert.Single(second.OutputOf(Types.SendResult));
        Assert.Equal((5, 0), ((int)first.Created, (int)first.AlreadyExisted));
        Assert.Equal((0, 5, 0), ((int)again.Created, (int)again.AlreadyExisted, (int)again.Failed));
        Assert.Equal(3, (int)again.Batches);
        Assert.All(Lab.Journal.For("elastic").Where(e => e.Path.EndsWith("_bulk")), e => Assert.Contains("\"create\"", e.Body));
    }

    [Fact]
    public void A_rejected_document_is_a_non_terminating_error_that_names_it_and_the_rest_are_written()
    {
        var index = "partial-" + Guid.NewGuid().ToString("N")[..8];
        var docs = new object[]
        {
            """{"id":"a","count":1}""",
            """{"id":"b","count":"not a number"}""",
            """{"id":"c","count":3}""",
        };
        var result = Run(Connect + $"$docs | Send-ElasticDocument -Index {index} -IdProperty id", new() { ["docs"] = docs });
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ElasticDocument", error.FullyQualifiedErrorId);
        Assert.Contains("'b'", error.Exception.Message);
        var summary = Assert.Single(result.OutputOf(Types.SendResult));
        Assert.Equal((2, 1), ((int)summary.Created, (int)summary.Failed));
    }

    [Fact]
    public void Twenty_five_thousand_alerts_stream_with_none_lost_or_doubled_and_the_pit_is_closed()
    {
        var index = "bulk-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.SeedAlerts(index, 25_000, DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromMilliseconds(100));
        var result = Run(Connect + $"Get-ElasticAlert -Index {index} -PageSize 2000");
        Assert.Empty(result.Errors);
        var ids = result.OutputOf(Types.SocAlert).Select(a => (string)a.DocumentId).ToList();
        Assert.Equal(25_000, ids.Count);
        Assert.Equal(25_000, ids.Distinct().Count());
        var searches = Lab.Journal.For("elastic").Where(e => e.Path == "/_search").ToList();
        Assert.Equal(13, searches.Count);
        Assert.All(searches, s => Assert.DoesNotContain("\"from\"", s.Body));
        Assert.Contains(Lab.Journal.For("elastic"), e => e.Method == "DELETE" && e.Path == "/_pit");
        Assert.Equal(0, Lab.Elastic.OpenPitCount);
    }

    [Fact]
    public void First_stops_early_and_still_closes_the_pit()
    {
        var index = "first-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.SeedAlerts(index, 3_000, DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromSeconds(1));
        var result = Run(Connect + $"Get-ElasticAlert -Index {index} -First 1500 -PageSize 1000");
        Assert.Equal(1500, result.OutputOf(Types.SocAlert).Count);
        Assert.Equal(0, Lab.Elastic.OpenPitCount);
    }

    [Fact]
    public void Since_limits_the_window_on_the_time_field()
    {
        var index = "since-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        var docs = Enumerable.Range(0, 10).Select(i => JsonSerializer.Serialize(new Dictionary<string, object> { ["@timestamp"] = now.AddMinutes(-5 * i).ToString("o"), ["alert_id"] = "s" + i, ["message"] = "m" + i })).ToArray();
        Lab.Elastic.Seed(index, docs);
        var result = Run(Connect + $"Get-ElasticAlert -Index {index} -Since 22m");
        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "s0", "s1", "s2", "s3", "s4" }, result.OutputOf(Types.SocAlert).Select(a => (string)a.Id).OrderBy(x => x));
        Assert.Contains("now-1320s", Lab.Journal.For("elastic").Last(e => e.Path == "/_search").Body);
    }

    [Fact]
    public void UniqueBy_over_fifty_distinct_ids_gives_fifty_latest_alerts()
    {
        var index = "uniq-" + Guid.NewGuid().ToString("N")[..8];
        var start = new DateTimeOffset(2024, 9, 20, 0, 0, 0, TimeSpan.Zero);
        var docs = Enumerable.Range(0, 500).Select(i => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["alert_id"] = "A" + (i % 50).ToString("D3"),
            ["@timestamp"] = start.AddMinutes(i).ToString("o"),
            ["message"] = "occurrence " + i,
        })).ToArray();
        Lab.Elastic.Seed(index, docs);
        var result = Run(Connect + $"Get-ElasticAlert -Index {index} -UniqueBy alert_id -PageSize 7");
        Assert.Empty(result.Errors);
        var alerts = result.OutputOf(Types.SocAlert);
        Assert.Equal(50, alerts.Count);
        Assert.Equal(50, alerts.Select(a => (string)a.Id).Distinct().Count());
        // The latest occurrence of A007 is i = 457.
        Assert.Equal("occurrence 457", (string)alerts.Single(a => (string)a.Id == "A007").Title);
        Assert.True(Lab.Journal.For("elastic").Count(e => e.Path.EndsWith("/_search")) >= 8, "composite paging should take several pages of 7 buckets");
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void Throttled_and_unavailable_searches_are_retried_after_Retry_After(int status)
    {
        var index = "retry-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.Seed(index, StoryAlerts);
        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_search", Status = status, RetryAfterSeconds = 1, Times = 1 });
        var result = Run(Connect + $"Invoke-ElasticSearch -Index {index} -Body @{{ size = 10 }} -Verbose");
        Assert.Empty(result.Errors);
        Assert.Equal(5L, Convert.ToInt64(((System.Management.Automation.PSObject)result.Output[0].Properties["hits"].Value).Properties["total"].Value is System.Management.Automation.PSObject t ? t.Properties["value"].Value : 0));
        var searches = Lab.Journal.For("elastic").Where(e => e.Path.EndsWith("_search")).ToList();
        Assert.Equal(new[] { status, 200 }, searches.Select(s => s.Status));
        Assert.True(searches[1].Time - searches[0].Time >= TimeSpan.FromSeconds(0.9), "Retry-After: 1 must be honoured");
        Assert.Contains(result.Verbose.Concat(result.Warnings), m => m.Contains("retry 1 of"));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    public void Client_errors_are_not_retried(int status)
    {
        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_search", Status = status, Times = 5 });
        var result = Run(Connect + "Invoke-ElasticSearch -Index alerts -Body @{ size = 1 }");
        Assert.Single(result.Errors);
        Assert.Single(Lab.Journal.For("elastic"), e => e.Path.EndsWith("_search"));
    }

    [Fact]
    public void A_missing_index_is_reported_with_elastics_own_reason()
    {
        var result = Run(Connect + "Get-ElasticAlert -Index no-such-index-here");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ElasticNotFound", error.FullyQualifiedErrorId);
        Assert.Contains("index_not_found_exception", error.Exception.Message);
        Assert.Contains("no-such-index-here", error.Exception.Message);
        Assert.Contains("-Index", error.Exception.Message);
    }

    [Fact]
    public void A_malformed_query_is_reported_with_the_parser_message()
    {
        var index = "bad-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.Seed(index, StoryAlerts);
        var result = Run(Connect + $"Invoke-ElasticSearch -Index {index} -Body '{{\"query\":{{\"no_such_query\":{{}}}}}}'");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ElasticInvalidRequest", error.FullyQualifiedErrorId);
        Assert.Contains("parsing_exception", error.Exception.Message);
        Assert.Contains("no_such_query", error.Exception.Message);
    }

    [Fact]
    public void Invalid_json_in_a_body_is_refused_before_anything_is_sent()
    {
        var result = Run(Connect + "Invoke-ElasticSearch -Index alerts -Body '{\"query\": {'");
        var error = Assert.Single(result.Errors);
        Assert.Equal("ElasticInvalidBody,PSSocAutomation.Elastic.InvokeElasticSearchCommand", error.FullyQualifiedErrorId);
        Assert.DoesNotContain(Lab.Journal.For("elastic"), e => e.Path.EndsWith("_search"));
    }

    [Fact]
    public void A_truncated_response_is_retried_and_then_reported_clearly()
    {
        var index = "trunc-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.Seed(index, StoryAlerts);
        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_search", Kind = FaultKind.Truncate, Times = 1 });
        var ok = Run(Connect + $"Invoke-ElasticSearch -Index {index} -Body @{{ size = 10 }}");
        Assert.Empty(ok.Errors);
        Assert.Single(ok.Output);

        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_search", Kind = FaultKind.Truncate, Times = 100 });
        var result = Run("Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryCount 2 -MaximumRetryDelaySec 0 | Out-Null\n" + $"Invoke-ElasticSearch -Index {index} -Body @{{ size = 10 }}");
        var error = Assert.Single(result.Errors);
        Assert.Contains("complete response", error.Exception.Message);
        Assert.Contains("2 retries", error.Exception.Message);
    }

    [Fact]
    public void A_write_that_throws_mid_stream_still_closes_the_pit()
    {
        // -WarningAction Stop turns the retry warning of a 429 into an error thrown by WriteWarning on the pipeline
        // thread while the next page is still on its way: the stream must stop the source and close its point in time.
        var index = "warnstop-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.SeedAlerts(index, 1_000, DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromSeconds(1));
        Lab.Faults.Add(new FaultRule { Service = "elastic", Method = "POST", PathContains = "/_search", Status = 429, RetryAfterSeconds = 1, After = 2, Times = 1 });
        var result = Run(Connect + $"Get-ElasticAlert -Index {index} -PageSize 100 -WarningAction Stop");
        Assert.NotNull(result.Terminating);
        Assert.InRange(result.Output.Count, 100, 999);
        Assert.Equal(0, Lab.Elastic.OpenPitCount);
        Assert.Contains(Lab.Journal.For("elastic"), e => e.Method == "DELETE" && e.Path == "/_pit");
    }

    [Fact]
    public void Stopping_a_long_stream_ends_it_promptly_and_closes_the_pit()
    {
        var index = "stop-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.SeedAlerts(index, 20_000, DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromMilliseconds(10));
        Lab.Faults.Add(new FaultRule { Service = "elastic", Method = "POST", PathContains = "/_search", Kind = FaultKind.Delay, Delay = TimeSpan.FromMilliseconds(400), Times = 1000 });
        var result = _fixture.Session.RunAndStop(Connect + $"Get-ElasticAlert -Index {index} -PageSize 100", output => output.Count >= 150, _fixture.ElasticVariables());
        // Stopped, not finished (20,000 would be 200 slow pages); no clock is read, so a loaded machine cannot fail it.
        Assert.InRange(result.Output.Count, 150, 5_000);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Lab.Elastic.OpenPitCount > 0 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.Equal(0, Lab.Elastic.OpenPitCount);
        Assert.Contains(Lab.Journal.For("elastic"), e => e.Method == "DELETE" && e.Path == "/_pit");
    }

    [Fact]
    public void No_secret_appears_in_any_stream_or_in_the_journal()
    {
        var index = "secret-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.Seed(index, StoryAlerts);
        var wrong = new System.Management.Automation.PSCredential("elastic", LabFixture.Secure("wrong-" + Lab.Credentials.ElasticPassword));
        var result = Run(
            "$DebugPreference = 'Continue'\n" +
            "Connect-Elastic -Uri $esUri -Credential $esCred -Verbose -Debug\n" +
            $"Get-ElasticAlert -Index {index} -Verbose -Debug | Out-Null\n" +
            "Connect-Elastic -Uri $esUri -ApiKey $esApiKey -Verbose -Debug\n" +
            $"Invoke-ElasticSearch -Index {index} -Body @{{ size = 1 }} -Verbose -Debug\n" +
            "try { Connect-Elastic -Uri $esUri -Credential $wrong -Verbose -Debug } catch { $_ }\n",
            new() { ["wrong"] = wrong });
        Assert.NotEmpty(result.Verbose);
        Assert.NotEmpty(result.Debug);
        var secrets = new[]
        {
            Lab.Credentials.ElasticPassword, Lab.Credentials.ElasticApiKey, Lab.Credentials.ElasticApiKeyEncoded,
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("elastic:" + Lab.Credentials.ElasticPassword)),
        };
        foreach (var text in result.AllText())
            foreach (var secret in secrets)
                Assert.DoesNotContain(secret, text);
        foreach (var entry in Lab.Journal.Entries)
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, entry.Body);
                Assert.DoesNotContain(secret, entry.Query);
                Assert.DoesNotContain(entry.Headers.Values, v => v.Contains(secret));
            }
    }

    [Fact]
    public void Every_cmdlet_refuses_to_run_without_a_connection_with_a_clear_message()
    {
        foreach (var command in new[] { "Get-ElasticAlert -Index alerts", "Invoke-ElasticSearch -Index alerts", "'{}' | Send-ElasticDocument -Index alerts" })
        {
            var result = Run("Disconnect-Elastic; " + command);
            var record = Failure(result);
            Assert.StartsWith("ElasticNotConnected,", record.FullyQualifiedErrorId);
            Assert.Contains("Connect-Elastic", record.Exception.Message);
        }
    }

    [Fact]
    public void WhatIf_sends_no_document()
    {
        var result = Run(Connect + "$docs | Send-ElasticDocument -Index whatif -IdProperty alert_id -WhatIf", new() { ["docs"] = StoryAlerts });
        var summary = Assert.Single(result.OutputOf(Types.SendResult));
        Assert.Equal(5, (int)summary.Skipped);
        Assert.DoesNotContain(Lab.Journal.For("elastic"), e => e.Path.EndsWith("_bulk"));
    }

    [Fact]
    public void A_bearer_token_connects_and_fields_and_sort_shape_the_request_and_the_alerts()
    {
        var index = "shape-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.Seed(index, StoryAlerts);
        var result = Run($"Connect-Elastic -Uri $esUri -BearerToken $token | Out-Null\nGet-ElasticAlert -Index {index} -TimeField timestamp -Sort 'timestamp:desc' -Fields alert_id,message -First 2",
            new() { ["token"] = LabFixture.Secure(Lab.Credentials.ElasticBearerToken) });
        Assert.Empty(result.Errors);
        var alerts = result.OutputOf(Types.SocAlert);
        Assert.Equal(new[] { "5", "4" }, alerts.Select(a => (string)a.Id));
        using var original = JsonDocument.Parse((string)alerts[0].OriginalJson());
        Assert.Equal(new[] { "alert_id", "message" }, original.RootElement.EnumerateObject().Select(p => p.Name).OrderBy(n => n));
        var search = Lab.Journal.For("elastic").First(e => e.Path == "/_search");
        Assert.Equal("Bearer", search.AuthScheme);
        Assert.Contains("\"desc\"", search.Body);
        Assert.Contains("\"includes\":[\"alert_id\",\"message\"]", search.Body);
    }

    [Fact]
    public void Bad_input_is_refused_before_anything_is_sent()
    {
        var result = Run(Connect + "Get-ElasticAlert -Index alerts -Since 'yesterday-ish'; Get-ElasticAlert -Index alerts -Sort 'x:sideways'; Connect-Elastic -Uri 'ftp://es' -Credential $esCred");
        Assert.Equal(3, result.Errors.Count);
        Assert.Contains("-Since 'yesterday-ish'", result.Errors[0].Exception.Message);
        Assert.Contains("asc or desc", result.Errors[1].Exception.Message);
        Assert.StartsWith("ElasticInvalidUri", result.Errors[2].FullyQualifiedErrorId);
        Assert.DoesNotContain(Lab.Journal.For("elastic"), e => e.Path.EndsWith("_search") || e.Path.EndsWith("_pit"));
    }

    // ---- issue 7: what a first user tripped on ----

    [Theory]
    [InlineData("99999999999m")]
    [InlineData("100000000d")]
    [InlineData("\u0661\u0665m")] // Arabic-Indic digits: .NET's \d matches them, int.Parse does not
    public void A_Since_that_is_too_long_or_not_ascii_digits_names_the_parameter(string since)
    {
        var result = Run(Connect + "Get-ElasticAlert -Index alerts -Since $since", new() { ["since"] = since });
        var record = Failure(result);
        Assert.StartsWith("ElasticInvalidSince,", record.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
        Assert.Contains("-Since '" + since + "'", record.Exception.Message);
        Assert.DoesNotContain(Lab.Journal.For("elastic"), e => e.Path.EndsWith("_search") || e.Path.EndsWith("_pit"));
    }

    [Theory]
    [InlineData("This is a text file, not a certificate.\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2Fh\n")] // cut before its END line
    public void A_CaCertificateFile_that_holds_no_certificate_names_the_parameter_and_the_file(string content)
    {
        var file = Path.Combine(Path.GetTempPath(), "pssoc-ca-" + Guid.NewGuid().ToString("N")[..8] + ".pem");
        File.WriteAllText(file, content);
        try
        {
            var result = Run("Connect-Elastic -Uri $esUri -Credential $esCred -CaCertificateFile $file", new() { ["file"] = file });
            var record = Failure(result);
            Assert.StartsWith("CaCertificateFileInvalid,", record.FullyQualifiedErrorId);
            Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
            Assert.Contains("-CaCertificateFile", record.Exception.Message);
            Assert.Contains(file, record.Exception.Message);
            Assert.Empty(Lab.Journal.For("elastic"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Verbose_says_one_line_per_batch_not_per_document()
    {
        var index = "verbose-" + Guid.NewGuid().ToString("N")[..8];
        var result = Run(Connect + $"$docs | Send-ElasticDocument -Index {index} -IdProperty alert_id -BatchSize 2 -Verbose", new() { ["docs"] = StoryAlerts });
        Assert.Empty(result.Errors);
        Assert.Equal(5, (int)Assert.Single(result.OutputOf(Types.SendResult)).Created);
        var batches = result.Verbose.Where(v => v.Contains("Performing the operation")).ToList();
        Assert.Equal(3, batches.Count);
        Assert.Contains(batches, v => v.Contains("2 document(s)") && v.Contains("'1'") && v.Contains("'2'"));
        Assert.Contains(batches, v => v.Contains("1 document(s)") && v.Contains("'5'"));
        Assert.Equal(3, Lab.Journal.For("elastic").Count(e => e.Path.EndsWith("_bulk")));
    }

    [Fact]
    public void An_http_connection_says_tls_is_not_used()
    {
        var result = Run(Connect + "Get-ElasticConnection");
        var connection = Assert.Single(result.OutputOf(Types.ElasticConnection));
        Assert.Equal("http", ((Uri)connection.Uri).Scheme);
        Assert.DoesNotContain("trust store", (string)connection.Tls);
        Assert.Contains("not used", (string)connection.Tls);
    }

    [Fact]
    public void Fields_keep_the_alert_id_and_ask_elasticsearch_for_it()
    {
        var index = "fields-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.Seed(index, StoryAlerts);
        var result = Run(Connect + $"Get-ElasticAlert -Index {index} -TimeField timestamp -Fields message,host.name");
        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "1", "2", "3", "4", "5" }, result.OutputOf(Types.SocAlert).Select(a => (string)a.Id));
        var search = Lab.Journal.For("elastic").First(e => e.Path == "/_search");
        Assert.Contains("\"includes\":[\"message\",\"host.name\",\"alert_id\"", search.Body);

        var chosen = Run(Connect + $"Get-ElasticAlert -Index {index} -TimeField timestamp -Fields message -IdField status");
        Assert.Equal(new[] { "active", "active", "active", "resolved", "active" }, chosen.OutputOf(Types.SocAlert).Select(a => (string)a.Id));
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
