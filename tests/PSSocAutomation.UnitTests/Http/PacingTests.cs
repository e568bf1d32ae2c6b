using System.Net.Http;
using Microsoft.Extensions.Time.Testing;
using PSSocAutomation.Http;

namespace PSSocAutomation.Tests.Http;

/// <summary>Requests paced to a vendor's quota wait for a permit on the connection's clock, never fail for want of one.</summary>
public sealed class PacingTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync((_, context) => LoopbackServer.Answer(context, 200, "{}"));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void A_bucket_gives_one_permit_per_interval_and_names_its_rate()
    {
        using var virusTotal = PacedTokenBucket.PerMinute(4, time: _clock);
        Assert.Equal(TimeSpan.FromSeconds(15), virusTotal.Interval);
        Assert.Equal("4 per minute", virusTotal.ToString());
        Assert.True(virusTotal.AttemptAcquire().IsAcquired);
        Assert.False(virusTotal.AttemptAcquire().IsAcquired);
        _clock.Advance(TimeSpan.FromSeconds(14));
        Assert.False(virusTotal.AttemptAcquire().IsAcquired);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(virusTotal.AttemptAcquire().IsAcquired);

        using var securityHub = PacedTokenBucket.PerSecond(3, burst: 6, time: _clock);
        Assert.Equal("3 per second, bursts of 6", securityHub.ToString());
        Assert.Equal(6, Enumerable.Range(0, 10).Count(_ => securityHub.AttemptAcquire().IsAcquired));
    }

    [Fact]
    public async Task Five_requests_at_two_per_second_take_four_refills_and_say_they_waited()
    {
        using var bucket = PacedTokenBucket.PerSecond(2, time: _clock);
        var options = Expect.Options(_server.Uri, _clock);
        options.RateLimiter = bucket;
        using var pipeline = new HttpPipeline(options, new TestVendor());
        var log = new RecordingLog();
        RequestLog.Current = log;
        var requests = Enumerable.Range(0, 5).Select(i => pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "findings?n=" + i), CancellationToken.None)).ToArray();
        RequestLog.Current = null;

        // The bucket starts with one permit; each refill (every 500 ms of the connection's clock) lets exactly one more through.
        Expect.Eventually(() => _server.Requests.Count == 1, "the first request");
        var refills = 0;
        while (_server.Requests.Count < 5)
        {
            Assert.Equal(1 + refills, _server.Requests.Count);
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            refills++;
            var expected = 1 + refills;
            Expect.Eventually(() => _server.Requests.Count == expected, "request " + expected);
        }
        await Task.WhenAll(requests);

        Assert.Equal(4, refills);
        Assert.Equal(4, log.Lines("verbose").Count(l => l.Contains("waited") && l.Contains("for a permit (2 per second)")));
        Assert.Equal(4, log.Lines("verbose").Count(l => l.Contains("waiting for a permit")));
    }

    [Fact]
    public async Task A_request_waiting_for_a_permit_stops_on_cancellation_and_takes_none()
    {
        using var bucket = PacedTokenBucket.PerSecond(1, time: _clock);
        var options = Expect.Options(_server.Uri, _clock);
        options.RateLimiter = bucket;
        using var pipeline = new HttpPipeline(options, new TestVendor());
        await pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "a"), CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var waiting = pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "b"), stop.Token);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "c"), CancellationToken.None);
        Assert.Equal(new[] { "/a", "/c" }, _server.Requests.Select(r => r.Path));
    }
}
