using System.Text;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Aws;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

/// <summary>
/// The Lab's Security Hub over signed HTTP: GetFindings filters and sorting, paging that stays whole through short and
/// empty pages, the 3/s burst-6 throttle, BatchUpdateFindings with partial failure and its Imported events, and the
/// GuardDuty finding of the fixtures served back intact.
/// </summary>
public sealed class AwsLabSecurityHubTests : IClassFixture<LabFixture>, IDisposable
{
    private readonly LabServer _lab;
    private readonly AwsSecurityHubService _hub;
    private readonly HttpClient _client;

    public AwsLabSecurityHubTests(LabFixture fixture)
    {
        _lab = fixture.Lab;
        _lab.Aws.Reset();
        fixture.Reset();
        _hub = _lab.Aws.SecurityHub;
        // Most tests page fast; the throttle has its own test.
        _hub.GetFindingsThrottle.Set(0, 0);
        _hub.BatchUpdateFindingsThrottle.Set(0, 0);
        _client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
    }

    public void Dispose() => _client.Dispose();

    private sealed record Reply(int Code, string Text, HttpResponseMessage Response)
    {
        public JsonNode Json => JsonNode.Parse(Text)!;
        public string? ErrorType => Response.Headers.TryGetValues("x-amzn-ErrorType", out var v) ? v.Single() : null;
    }

    private async Task<Reply> Call(HttpMethod method, string path, JsonNode body)
    {
        var signer = new AwsTestSigner(_lab.Credentials.AwsUser, _lab.Aws.Region, "securityhub", _lab.Aws.Clock.GetUtcNow());
        using var request = signer.Build(method, new Uri(_lab.AwsUri, path), Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json");
        var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
        return new Reply((int)response.StatusCode, text, response);
    }

    private Task<Reply> GetFindings(JsonNode body) => Call(HttpMethod.Post, "/findings", body);

    private static JsonObject Filter(string field, params (string Value, string Comparison)[] values) => new()
    {
        ["Filters"] = new JsonObject { [field] = new JsonArray(values.Select(v => (JsonNode)new JsonObject { ["Value"] = v.Value, ["Comparison"] = v.Comparison }).ToArray()) },
    };

    private async Task<List<JsonObject>> All(JsonObject body)
    {
        var found = new List<JsonObject>();
        while (true)
        {
            var reply = await GetFindings(body);
            Assert.True(reply.Code == 200, reply.Text);
            found.AddRange(reply.Json["Findings"]!.AsArray().Select(f => f!.AsObject()));
            if (reply.Json["NextToken"] is not { } token) return found;
            body = body.DeepClone().AsObject();
            body["NextToken"] = (string)token!;
        }
    }

    private static List<string?> Ids(IEnumerable<JsonObject> findings) => findings.Select(f => (string?)f["Id"]).ToList();

    [SharedFixtureFact]
    public async Task The_fixtures_guardduty_finding_is_served_back_intact()
    {
        var file = Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "securityhub", "get-findings-response.guardduty.json");
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(file))!["Findings"]![0]!;
        _hub.Seed(await File.ReadAllTextAsync(file));
        _hub.GenerateGuardDutyFindings(5);
        var reply = await GetFindings(Filter("Id", ((string)expected["Id"]!, "EQUALS")));
        Assert.Equal(200, reply.Code);
        Assert.True(JsonNode.DeepEquals(expected, reply.Json["Findings"]![0]), reply.Text);
        Assert.Single(reply.Json["Findings"]!.AsArray());
        Assert.Null(reply.Json["NextToken"]);
        // ProductName comes from ProductFields when the finding has no top-level member, as this 2021 one has not.
        Assert.Single((await GetFindings(Filter("ProductName", ("GuardDuty", "EQUALS")))).Json["Findings"]!.AsArray(), f => (string?)f!["Id"] == (string?)expected["Id"]);
    }

    [Fact]
    public async Task String_filters_follow_the_combination_rules_and_are_case_sensitive()
    {
        _hub.GenerateGuardDutyFindings(140);
        var all = _hub.Findings;
        int Expect(Func<JsonObject, bool> p) => all.Count(p);
        string? Label(JsonObject f) => (string?)f["Severity"]!["Label"];

        Assert.Equal(Expect(f => Label(f) == "HIGH"), (await All(Filter("SeverityLabel", ("HIGH", "EQUALS")))).Count);
        Assert.Empty(await All(Filter("SeverityLabel", ("high", "EQUALS"))));
        Assert.Equal(Expect(f => Label(f) is "HIGH" or "CRITICAL"), (await All(Filter("SeverityLabel", ("HIGH", "EQUALS"), ("CRIT", "PREFIX")))).Count);
        Assert.Equal(Expect(f => Label(f) is not ("LOW" or "MEDIUM")), (await All(Filter("SeverityLabel", ("LOW", "NOT_EQUALS"), ("MED", "PREFIX_NOT_EQUALS")))).Count);
        // PREFIX with a negative: the prefix first, then the exclusion.
        var ec2 = await All(Filter("ResourceType", ("AwsEc2", "PREFIX"), ("AwsIamAccessKey", "NOT_EQUALS")));
        Assert.Equal(70, ec2.Count);
        Assert.Equal(Expect(f => ((string?)f["Title"])!.Contains("brute force", StringComparison.Ordinal)), (await All(Filter("Title", ("brute force", "CONTAINS")))).Count);

        var mixed = await GetFindings(Filter("Title", ("a", "CONTAINS"), ("b", "NOT_CONTAINS")));
        Assert.Equal((400, "InvalidInputException"), (mixed.Code, mixed.ErrorType));
        Assert.Equal("InvalidInputException", (string?)mixed.Json["Code"]);
        Assert.NotNull((string?)mixed.Json["Message"]);
        Assert.Equal(400, (await GetFindings(Filter("Id", ("a", "EQUALS"), ("b", "NOT_EQUALS")))).Code);
        Assert.Equal(400, (await GetFindings(Filter("Id", ("a", "CONTAINS_WORD")))).Code);
        var many = await GetFindings(Filter("Id", Enumerable.Range(0, 21).Select(i => ("id" + i, "EQUALS")).ToArray()));
        Assert.Equal((400, "InvalidInputException"), (many.Code, many.ErrorType));
        var elevenFields = new JsonObject();
        foreach (var field in new[] { "Id", "ProductArn", "Title", "Region", "GeneratorId", "AwsAccountId", "Type", "SeverityLabel", "WorkflowStatus", "RecordState", "ResourceId" })
            elevenFields[field] = new JsonArray(new JsonObject { ["Value"] = "x", ["Comparison"] = "PREFIX_NOT_EQUALS" });
        Assert.Equal(400, (await GetFindings(new JsonObject { ["Filters"] = elevenFields })).Code);
    }

    [Fact]
    public async Task Date_number_map_and_boolean_filters()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        _lab.Aws.Clock = clock;
        // One finding a day, the newest yesterday noon.
        _hub.GenerateGuardDutyFindings(30, start: clock.Now - TimeSpan.FromDays(30), step: TimeSpan.FromDays(1));
        var within = await All(new JsonObject { ["Filters"] = new JsonObject { ["UpdatedAt"] = new JsonArray(new JsonObject { ["DateRange"] = new JsonObject { ["Value"] = 7, ["Unit"] = "DAYS" } }) } });
        Assert.Equal(7, within.Count);
        var older = await All(new JsonObject { ["Filters"] = new JsonObject { ["UpdatedAt"] = new JsonArray(new JsonObject { ["DateRange"] = new JsonObject { ["Value"] = 7, ["Unit"] = "DAYS", ["Comparison"] = "OLDER_THAN" } }) } });
        Assert.Equal(23, older.Count);
        var between = await All(new JsonObject { ["Filters"] = new JsonObject { ["UpdatedAt"] = new JsonArray(new JsonObject { ["Start"] = "2026-11-10T00:00:00Z", ["End"] = "2026-11-12T23:59:59.999+00:00" }) } });
        Assert.Equal(3, between.Count);

        var seeded = _hub.Findings[0];
        seeded["Id"] = "scored";
        seeded["Confidence"] = 80;
        seeded["Criticality"] = 10;
        seeded["Sample"] = true;
        _hub.Seed([seeded]);
        var number = new JsonObject { ["Filters"] = new JsonObject { ["Confidence"] = new JsonArray(new JsonObject { ["Gte"] = 50, ["Lt"] = 90 }) } };
        Assert.Equal(["scored"], Ids(await All(number)));
        var sample = new JsonObject { ["Filters"] = new JsonObject { ["Sample"] = new JsonArray(new JsonObject { ["Value"] = true }) } };
        Assert.Equal(["scored"], Ids(await All(sample)));
        var map = new JsonObject { ["Filters"] = new JsonObject { ["ProductFields"] = new JsonArray(new JsonObject { ["Key"] = "aws/guardduty/service/action/actionType", ["Value"] = "AWS_API_CALL", ["Comparison"] = "EQUALS" }) } };
        Assert.Equal(15, (await All(map)).Count);
        var tags = new JsonObject { ["Filters"] = new JsonObject { ["ResourceTags"] = new JsonArray(new JsonObject { ["Key"] = "env", ["Value"] = "prod", ["Comparison"] = "EQUALS" }) } };
        Assert.All(await All(tags), f => Assert.Equal("prod", (string?)f["Resources"]![0]!["Tags"]!["env"]));
    }

    [Fact]
    public async Task Unknown_and_unemulated_fields_are_refused_differently()
    {
        var unknown = await GetFindings(Filter("SeverityColour", ("red", "EQUALS")));
        Assert.Equal((400, "SerializationException"), (unknown.Code, unknown.ErrorType));
        var unemulated = await GetFindings(Filter("NetworkSourceIpV4", ("10.0.0.0/8", "EQUALS")));
        Assert.Equal((400, "InvalidInputException"), (unemulated.Code, unemulated.ErrorType));
        Assert.Contains("not emulated by the PSSocAutomation Lab", (string?)unemulated.Json["Message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Following_next_token_through_short_and_empty_pages_returns_every_finding_exactly_once()
    {
        var ids = _hub.GenerateGuardDutyFindings(2000);
        _hub.ShortPageEvery = 3;
        _hub.EmptyPageEvery = 7;
        var body = new JsonObject { ["MaxResults"] = 100, ["SortCriteria"] = new JsonArray(new JsonObject { ["Field"] = "SeverityLabel", ["SortOrder"] = "desc" }) };
        var pages = new List<(int Count, bool Token)>();
        var seen = new List<string?>();
        while (true)
        {
            var reply = await GetFindings(body);
            Assert.Equal(200, reply.Code);
            var findings = reply.Json["Findings"]!.AsArray();
            seen.AddRange(findings.Select(f => (string?)f!["Id"]));
            var token = (string?)reply.Json["NextToken"];
            pages.Add((findings.Count, token is not null));
            if (token is null) break;
            body["NextToken"] = token;
        }
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Contains(pages, p => p.Count is > 0 and < 100 && p.Token);
        Assert.Contains(pages, p => p.Count == 0 && p.Token);
        Assert.False(pages[^1].Token);
        // A client that stops at the first short page loses findings.
        Assert.True(pages.TakeWhile(p => p.Count == 100).Sum(p => p.Count) < ids.Count);
        // The sort held across pages: labels only go down (desc, ordinal).
        var labels = seen.Select(id => (string)_hub.Finding(id!)!["Severity"]!["Label"]!).ToList();
        Assert.Equal(labels.OrderDescending(StringComparer.Ordinal), labels);
    }

    [Fact]
    public async Task Paging_parameters_are_validated()
    {
        _hub.GenerateGuardDutyFindings(5);
        Assert.Equal(400, (await GetFindings(new JsonObject { ["MaxResults"] = 0 })).Code);
        Assert.Equal(400, (await GetFindings(new JsonObject { ["MaxResults"] = 101 })).Code);
        var forged = await GetFindings(new JsonObject { ["NextToken"] = "not-a-token" });
        Assert.Equal((400, "InvalidInputException"), (forged.Code, forged.ErrorType));
        var first = await GetFindings(new JsonObject { ["MaxResults"] = 2 });
        var token = (string)first.Json["NextToken"]!;
        var elsewhere = Filter("SeverityLabel", ("LOW", "EQUALS"));
        elsewhere["NextToken"] = token;
        Assert.Equal(400, (await GetFindings(elsewhere)).Code);
        Assert.Equal(3, (await GetFindings(new JsonObject { ["MaxResults"] = 50, ["NextToken"] = token })).Json["Findings"]!.AsArray().Count);
    }

    [Fact]
    public async Task GetFindings_past_its_burst_is_429_TooManyRequestsException_until_the_bucket_refills()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        _lab.Aws.Clock = clock;
        _hub.GetFindingsThrottle.Set(3, 6);
        for (var i = 0; i < 6; i++) Assert.Equal(200, (await GetFindings(new JsonObject())).Code);
        var limited = await GetFindings(new JsonObject());
        Assert.Equal((429, "TooManyRequestsException"), (limited.Code, limited.ErrorType));
        Assert.Equal("""{"message":"Too Many Requests"}""", limited.Text);
        Assert.Equal(1, _hub.ThrottledRequests);
        clock.Now += TimeSpan.FromSeconds(1);
        for (var i = 0; i < 3; i++) Assert.Equal(200, (await GetFindings(new JsonObject())).Code);
        Assert.Equal(429, (await GetFindings(new JsonObject())).Code);
        Assert.Equal(2, _hub.GetFindingsThrottle.Throttled);
    }

    [Fact]
    public async Task BatchUpdateFindings_processes_what_it_can_and_lists_the_rest()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 4, 9, 30, 0, TimeSpan.Zero));
        _lab.Aws.Clock = clock;
        var ids = _hub.GenerateGuardDutyFindings(4);
        var arn = (string)_hub.Finding(ids[0])!["ProductArn"]!;
        var updatedBefore = (string?)_hub.Finding(ids[0])!["UpdatedAt"];
        var failingBefore = (string?)_hub.Finding(ids[2])!["Workflow"]!["Status"];
        _hub.FailUpdates(ids[2], "ConcurrentUpdateError");
        JsonObject Ident(string id) => new() { ["Id"] = id, ["ProductArn"] = arn };
        var body = new JsonObject
        {
            ["FindingIdentifiers"] = new JsonArray(Ident(ids[0]), Ident(ids[1]), Ident(ids[0]), Ident(ids[2]), Ident("arn:aws:guardduty:nowhere")),
            ["Workflow"] = new JsonObject { ["Status"] = "NOTIFIED" },
            ["Note"] = new JsonObject { ["Text"] = "Isolated by runbook", ["UpdatedBy"] = "soc-bot" },
            ["Severity"] = new JsonObject { ["Label"] = "CRITICAL" },
            ["UserDefinedFields"] = new JsonObject { ["case"] = "IR-42" },
        };
        var reply = await Call(HttpMethod.Patch, "/findings/batchupdate", body);
        Assert.Equal(200, reply.Code);
        Assert.Equal(new[] { ids[0], ids[1] }, reply.Json["ProcessedFindings"]!.AsArray().Select(p => (string)p!["Id"]!));
        var failed = reply.Json["UnprocessedFindings"]!.AsArray().Select(u => ((string)u!["FindingIdentifier"]!["Id"]!, (string)u["ErrorCode"]!)).ToList();
        Assert.Equal([(ids[0], "DuplicatedFindingIdentifier"), (ids[2], "ConcurrentUpdateError"), ("arn:aws:guardduty:nowhere", "FindingNotFound")], failed);
        Assert.All(reply.Json["UnprocessedFindings"]!.AsArray(), u => Assert.False(string.IsNullOrEmpty((string?)u!["ErrorMessage"])));

        var updated = _hub.Finding(ids[0])!;
        Assert.Equal("NOTIFIED", (string?)updated["Workflow"]!["Status"]);
        Assert.Equal(("Isolated by runbook", "soc-bot", "2026-12-04T09:30:00.000Z"),
            ((string?)updated["Note"]!["Text"], (string?)updated["Note"]!["UpdatedBy"], (string?)updated["Note"]!["UpdatedAt"]));
        Assert.Equal(("CRITICAL", 90), ((string?)updated["Severity"]!["Label"], (int)updated["Severity"]!["Normalized"]!));
        Assert.Equal("IR-42", (string?)updated["UserDefinedFields"]!["case"]);
        Assert.Equal(updatedBefore, (string?)updated["UpdatedAt"]);
        Assert.Equal(failingBefore, (string?)_hub.Finding(ids[2])!["Workflow"]!["Status"]);

        var events = _hub.ImportedEvents;
        Assert.Equal(2, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal(("Security Hub Findings - Imported", "aws.securityhub"), ((string?)e["detail-type"], (string?)e["source"]));
            var finding = Assert.Single(e["detail"]!["findings"]!.AsArray());
            Assert.Equal(arn + "/" + (string?)finding!["Id"], (string?)e["resources"]![0]);
        });

        // The injected failure was used up: a retry of that one finding goes through.
        var retry = await Call(HttpMethod.Patch, "/findings/batchupdate", new JsonObject
        {
            ["FindingIdentifiers"] = new JsonArray(Ident(ids[2])),
            ["Workflow"] = new JsonObject { ["Status"] = "RESOLVED" },
        });
        Assert.Single(retry.Json["ProcessedFindings"]!.AsArray());
        Assert.Equal("RESOLVED", (string?)_hub.Finding(ids[2])!["Workflow"]!["Status"]);
    }

    [Fact]
    public async Task BatchUpdateFindings_refuses_bad_input_whole()
    {
        var ids = _hub.GenerateGuardDutyFindings(1);
        var ident = new JsonObject { ["Id"] = ids[0], ["ProductArn"] = (string)_hub.Finding(ids[0])!["ProductArn"]! };
        async Task<Reply> Update(JsonObject extra)
        {
            extra["FindingIdentifiers"] ??= new JsonArray(ident.DeepClone());
            return await Call(HttpMethod.Patch, "/findings/batchupdate", extra);
        }
        Assert.Equal(400, (await Update(new JsonObject { ["Note"] = new JsonObject { ["Text"] = new string('x', 513), ["UpdatedBy"] = "me" } })).Code);
        Assert.Equal(400, (await Update(new JsonObject { ["Note"] = new JsonObject { ["Text"] = "no author" } })).Code);
        Assert.Equal(400, (await Update(new JsonObject { ["Workflow"] = new JsonObject { ["Status"] = "CLOSED" } })).Code);
        var tooMany = new JsonArray(Enumerable.Range(0, 101).Select(_ => (JsonNode)ident.DeepClone()).ToArray());
        var over = await Update(new JsonObject { ["FindingIdentifiers"] = tooMany, ["Workflow"] = new JsonObject { ["Status"] = "NEW" } });
        Assert.Equal((400, "InvalidInputException"), (over.Code, over.ErrorType));
        Assert.Empty(_hub.ImportedEvents);
    }

    [Fact]
    public async Task Another_method_on_an_operations_path_is_404_UnknownOperationException()
    {
        var wrong = await Call(HttpMethod.Post, "/findings/batchupdate", new JsonObject());
        Assert.Equal((404, "UnknownOperationException"), (wrong.Code, wrong.ErrorType));
        var elsewhere = await Call(HttpMethod.Get, "/insights", new JsonObject());
        Assert.Equal(400, elsewhere.Code);
        Assert.Contains("is not emulated by the PSSocAutomation Lab", (string?)elsewhere.Json["Message"], StringComparison.Ordinal);
    }
}
