using System.Text.Json;
using PSSocAutomation.Elastic;
using PSSocAutomation.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Tests.Elastic;

/// <summary>
/// Pages read beside the stream (issue 11): Get-ElasticAlert maps each page on a pool thread while the request for the
/// next page is already out, so the server, the mapping and the pipeline work side by side. Against the Lab over HTTP.
/// </summary>
public sealed class ElasticPageReadingTests : IAsyncLifetime
{
    private LabServer? _lab;

    public async Task InitializeAsync() => _lab = await LabServer.StartAsync(new LabOptions { JournalBodies = false });

    public async Task DisposeAsync()
    {
        if (_lab != null) await _lab.DisposeAsync();
    }

    private LabServer Lab => _lab!;

    private ElasticClient Client() => new(new HttpPipelineOptions(Lab.ElasticUri)
    {
        Auth = HttpAuth.Basic(Lab.Credentials.ElasticUser, Lab.Credentials.ElasticPassword),
    });

    private string Seeded(int alerts)
    {
        var index = "reading-" + Guid.NewGuid().ToString("N")[..8];
        Lab.Elastic.SeedAlerts(index, alerts, DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromSeconds(1));
        return index;
    }

    private int Searches() => Lab.Journal.For("elastic").Count(e => e.Method == "POST" && e.Path == "/_search");

    [Fact]
    public async Task The_next_page_is_requested_while_this_one_is_still_being_read()
    {
        var index = Seeded(3_000);
        using var client = Client();
        var before = Searches();
        var sawNext = new List<bool>();
        var pages = new List<int>();
        await foreach (var count in client.StreamAsync(index, new ElasticAlertQuery { TimeField = "@timestamp" }.BuildSearchBody(), 1000, null, "1m", page =>
        {
            // Reading page N holds on until the request for page N+1 has reached the server (bounded, so a reading that
            // would have to end first fails the assertion instead of hanging).
            var wanted = before + page.Number + 1;
            sawNext.Add(SpinWait.SpinUntil(() => Searches() >= wanted, TimeSpan.FromSeconds(10)));
            return page.Hits.GetArrayLength();
        }, CancellationToken.None))
        {
            pages.Add(count);
        }
        Assert.Equal(new[] { 1000, 1000, 1000 }, pages);
        // Pages 1 and 2 were read while the next request was out; after page 3 (a full page) one more, empty, request ends it.
        Assert.Equal(new[] { true, true, true }, sawNext);
        Assert.Equal(0, Lab.Elastic.OpenPitCount);
    }

    [Fact]
    public async Task A_consumer_that_stops_early_closes_the_point_in_time_and_a_reading_still_running_keeps_its_page()
    {
        var index = Seeded(5_000);
        using var client = Client();
        var failures = new List<Exception>();
        var secondRead = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var consumerGone = new ManualResetEventSlim();
        await foreach (var count in client.StreamAsync(index, new ElasticAlertQuery { TimeField = "@timestamp" }.BuildSearchBody(), 1000, null, "1m", page =>
        {
            if (page.Number == 2)
            {
                // Still reading when the consumer has gone: its document must outlive the consumer's cleanup.
                secondStarted.TrySetResult();
                consumerGone.Wait(TimeSpan.FromSeconds(10));
                try { secondRead.TrySetResult(page.Hits.EnumerateArray().Count(h => h.GetProperty("_source").GetProperty("alert_id").GetString() != null)); }
                catch (Exception ex) { lock (failures) failures.Add(ex); secondRead.TrySetException(ex); }
            }
            return page.Hits.GetArrayLength();
        }, CancellationToken.None))
        {
            Assert.Equal(1000, count);
            // Stop once page 2 is fetched and being read (the stream then has it in hand; before, cleanup cancels its request).
            await secondStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
            break;
        }
        consumerGone.Set();
        Assert.Equal(1000, await secondRead.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(failures);
        Assert.Equal(0, Lab.Elastic.OpenPitCount);
    }
}
