using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Elastic;

/// <summary>
/// Send-ElasticDocument's summary accounts for every document piped in and says honestly what lost answers and
/// retries did: the figures a scheduled script logs and alerts on.
/// </summary>
public sealed class SendElasticDocumentSummaryTests : IClassFixture<LabFixture>
{
    private const string Connect = "Connect-Elastic -Uri $esUri -Credential $esCred -MaximumRetryDelaySec 1 | Out-Null\n";
    private readonly LabFixture _fixture;

    public SendElasticDocumentSummaryTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
    }

    private LabServer Lab => _fixture.Lab;

    private ScriptResult Send(string index, int count)
    {
        var variables = _fixture.ElasticVariables();
        variables["docs"] = Enumerable.Range(1, count).Select(i => $$"""{"event_id":"e{{i}}","n":{{i}}}""").ToArray();
        return _fixture.Session.Run(Connect + $"$docs | Send-ElasticDocument -Index {index} -IdProperty event_id -BatchSize 500", variables);
    }

    private static string NewIndex(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public void After_a_request_fails_whole_every_later_document_is_counted_as_not_sent()
    {
        var index = NewIndex("hard");
        // The second _bulk is refused outright (403 is never retried); nothing after it may be sent.
        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_bulk", Status = 403, After = 1, Times = 100 });
        var result = Send(index, 2000);

        var summary = Assert.Single(result.OutputOf(Types.SendResult));
        Assert.Equal(2000, (long)summary.Received);
        Assert.Equal((500L, 500L, 1000L), ((long)summary.Created, (long)summary.Failed, (long)summary.NotSent));
        Assert.Equal(2000, (long)summary.Created + (long)summary.Updated + (long)summary.AlreadyExisted + (long)summary.ExistedAfterRetry +
                           (long)summary.Failed + (long)summary.Skipped + (long)summary.NotSent);
        Assert.Equal(2, Lab.Journal.For("elastic").Count(e => e.Path.EndsWith("_bulk")));
        Assert.Equal(500, Lab.Elastic.Count(index));
        var error = Assert.Single(result.Errors);
        Assert.Contains("no further documents were sent", error.Exception.Message);
    }

    [Fact]
    public void Lost_answers_on_a_first_run_are_not_reported_as_documents_that_already_existed()
    {
        var index = NewIndex("lost");
        // The first and fourth batches are applied and their answers lost; the pipeline sends each again.
        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_bulk", Kind = FaultKind.ApplyThenReset, Times = 1 });
        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_bulk", Kind = FaultKind.ApplyThenReset, After = 3, Times = 1 });
        var result = Send(index, 2000);

        Assert.Empty(result.Errors);
        var summary = Assert.Single(result.OutputOf(Types.SendResult));
        Assert.Equal(2000, Lab.Elastic.Count(index));
        Assert.Equal(2000, (long)summary.Received);
        Assert.Equal(1000, (long)summary.Created);
        Assert.Equal(1000, (long)summary.ExistedAfterRetry);
        Assert.Equal(0, (long)summary.AlreadyExisted);
        Assert.Equal(2, (long)summary.RetriedRequests);
        Assert.Equal(1000, (long)summary.Retried);
        Assert.Equal(6, Lab.Journal.For("elastic").Count(e => e.Path.EndsWith("_bulk")));
    }

    [Fact]
    public void Documents_from_an_earlier_run_still_count_as_already_existed_when_a_refused_request_is_retried()
    {
        var index = NewIndex("again");
        Assert.Empty(Send(index, 600).Errors);
        // A 429 for the whole request is a refusal before any work: the 409s that follow are the earlier run's documents.
        Lab.Faults.Add(new FaultRule { Service = "elastic", PathContains = "_bulk", Status = 429, RetryAfterSeconds = 0, Times = 1 });
        var result = Send(index, 600);

        Assert.Empty(result.Errors);
        var summary = Assert.Single(result.OutputOf(Types.SendResult));
        Assert.Equal((0L, 600L, 0L), ((long)summary.Created, (long)summary.AlreadyExisted, (long)summary.ExistedAfterRetry));
        Assert.Equal(1, (long)summary.RetriedRequests);
        Assert.Equal(500, (long)summary.Retried);
    }

    [Fact]
    public void Items_refused_with_429_count_as_retried_documents_and_requests()
    {
        var index = NewIndex("items");
        // Two documents of the first request are refused with 429 inside a 200 answer, then accepted alone.
        Lab.Faults.Add(new FaultRule
        {
            Service = "elastic", PathContains = "_bulk", Status = 200, Times = 1, Body =
                "{\"took\":1,\"errors\":true,\"items\":[" + string.Join(",", Enumerable.Range(1, 10).Select(i => "{\"create\":{\"_index\":\"" + index + "\",\"_id\":\"e" + i + "\"," +
                    (i <= 2 ? "\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"rejected\"}}}" : "\"_version\":1,\"result\":\"created\",\"status\":201}}"))) + "]}",
        });
        var result = Send(index, 10);

        var summary = Assert.Single(result.OutputOf(Types.SendResult));
        Assert.Equal((2L, 1L), ((long)summary.Retried, (long)summary.RetriedRequests));
        Assert.Equal(10, (long)summary.Created);
    }
}
