using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using PSSocAutomation.Elastic;
using PSSocAutomation.Http;
using PSSocAutomation.Iris;

namespace PSSocAutomation.Tests.Http;

/// <summary>Timeouts a person can live with: a budget for the whole request, the server check within 30 s, back-off on the clock.</summary>
public sealed class TimeoutTests
{
    /// <summary>Takes every connection and never answers: a wrong port, a stuck proxy.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _held = new();

        public SilentServer()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public int Accepted { get { lock (_held) return _held.Count; } }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    lock (_held) _held.Add(socket);
                }
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException) { }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_held) foreach (var s in _held) s.Dispose();
        }
    }

    [Fact]
    public void By_default_a_server_check_fails_within_30_seconds_and_connecting_has_its_own_shorter_timeout()
    {
        var options = new HttpPipelineOptions(new Uri("https://es.example:9200/"));
        Assert.True(options.SetupTimeout <= TimeSpan.FromSeconds(30), "the server check of Connect-* must fail within 30 s");
        Assert.True(options.ConnectTimeout < options.SetupTimeout);
        Assert.True(options.ConnectTimeout < options.Timeout);
        Assert.Null(options.TotalTimeout);
    }

    public static TheoryData<string> Clients => new() { "elastic", "iris" };

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task A_server_that_takes_the_connection_and_never_answers_fails_the_check_within_the_budget(string service)
    {
        using var silent = new SilentServer();
        var clock = new FakeTimeProvider();
        // Defaults otherwise: a 100 s attempt timeout and 4 retries would have meant minutes of silence.
        var options = new HttpPipelineOptions(silent.Uri) { TimeProvider = clock };
        var log = new RecordingLog();
        RequestLog.Current = log;
        Task check;
        IDisposable client;
        if (service == "elastic")
        {
            var elastic = new ElasticClient(options);
            (client, check) = (elastic, elastic.GetInfoAsync(CancellationToken.None));
        }
        else
        {
            var iris = new IrisClient(options);
            (client, check) = (iris, iris.ConnectAsync(CancellationToken.None));
        }
        RequestLog.Current = null;
        using (client)
        {
            Expect.Eventually(() => silent.Accepted == 1, "the connection");
            for (var second = 1; second < 30; second++)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                Assert.False(check.IsCompleted, $"the check ended after {second} s of the fake clock");
            }
            clock.Advance(TimeSpan.FromSeconds(1));
            var ex = await Assert.ThrowsAsync<SocApiException>(() => check);
            Assert.Equal(ApiFailureKind.Timeout, ex.Kind);
            Assert.Contains(silent.Uri.Authority, ex.Message);
            Assert.Contains("within 30 s", ex.Message);
            Assert.Contains("-TimeoutSec", ex.Message);
            Assert.Contains("port", ex.Message);
            Assert.Equal(1, silent.Accepted);
            Assert.Contains(log.Lines("verbose"), l => l.StartsWith("Waiting for ") && l.EndsWith(": 10 s so far."));
            Assert.Contains(log.Lines("verbose"), l => l.EndsWith(": 20 s so far."));
            // The same as progress, taken down when the request ends.
            Assert.Contains(log.Lines("progress"), l => l.StartsWith("Waiting for ") && l.EndsWith(": 20 s so far."));
            Assert.Equal("(done)", log.Lines("progress").Last());
        }
    }

    [Fact]
    public async Task Retry_After_is_waited_on_the_connection_clock()
    {
        var calls = 0;
        await using var server = await LoopbackServer.StartAsync((_, context) =>
        {
            if (Interlocked.Increment(ref calls) > 1) return LoopbackServer.Answer(context, 200, "{}");
            context.Response.Headers.RetryAfter = "5";
            return LoopbackServer.Answer(context, 429, "{\"error\":\"slow down\"}");
        });
        var clock = new FakeTimeProvider();
        using var pipeline = new HttpPipeline(Expect.Options(server.Uri, clock), new TestVendor());
        var log = new RecordingLog();
        RequestLog.Current = log;
        var send = pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "x"), CancellationToken.None);
        RequestLog.Current = null;
        // The retry is scheduled once the 429 has been read, not when the server saw the request: moving the clock
        // before that would move it under nobody's wait.
        Expect.Eventually(() => log.All.Any(l => l.Contains("retry 1 of")), "the retry to be scheduled");

        // Tenths of a second of the fake clock until the second attempt: never before Retry-After's 5 s.
        var waited = TimeSpan.Zero;
        while (server.Requests.Count < 2 && waited < TimeSpan.FromSeconds(60))
        {
            if (await Task.WhenAny(send, Task.Delay(20)) == send) break;
            clock.Advance(TimeSpan.FromMilliseconds(100));
            waited += TimeSpan.FromMilliseconds(100);
        }
        var response = await send;
        Assert.True(waited >= TimeSpan.FromSeconds(4.9), "retried after " + waited + " of the fake clock");
        Assert.Equal(200, response.Status);
        Assert.Equal(1, response.Retries);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_total_budget_ends_the_retries()
    {
        await using var server = await LoopbackServer.StartAsync((_, context) => LoopbackServer.Answer(context, 503, "{\"error\":\"unavailable\"}"));
        var clock = new FakeTimeProvider();
        var options = Expect.Options(server.Uri, clock);
        options.MaxRetries = 20;
        options.RetryBaseDelay = TimeSpan.FromSeconds(1);
        options.TotalTimeout = TimeSpan.FromSeconds(3);
        using var pipeline = new HttpPipeline(options, new TestVendor());
        var send = pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "x"), CancellationToken.None);
        await Expect.StepsUntilDone(clock, send, TimeSpan.FromMilliseconds(250));

        var ex = await Assert.ThrowsAsync<SocApiException>(() => send);
        Assert.Equal(ApiFailureKind.Timeout, ex.Kind);
        Assert.Contains("within 3 s", ex.Message);
        // Exponential back-off from 1 s leaves room for a few attempts in 3 s (fewer on a loaded machine), never the 21 allowed.
        Assert.InRange(server.Requests.Count, 1, 4);
    }

    [Fact]
    public async Task A_write_that_could_not_connect_in_time_is_sent_again_since_nothing_reached_the_server()
    {
        // A listener whose backlog is full drops further connection attempts, like a host behind a dropping firewall.
        using var full = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        full.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        full.Listen(0);
        var endpoint = (IPEndPoint)full.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                using var attempt = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                try { await filler.ConnectAsync(endpoint, attempt.Token); }
                catch (OperationCanceledException) { break; }
            }
            var options = new HttpPipelineOptions(new Uri($"http://127.0.0.1:{endpoint.Port}/"))
            {
                ConnectTimeout = TimeSpan.FromMilliseconds(300),
                MaxRetries = 1,
                RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            };
            using var pipeline = new HttpPipeline(options, new TestVendor());
            var ex = await Assert.ThrowsAsync<SocApiException>(() => pipeline.SendAsync(new ApiRequest(HttpMethod.Post, "create") { Body = "{}"u8.ToArray() }, CancellationToken.None));
            Assert.Equal(ApiFailureKind.Timeout, ex.Kind);
            Assert.StartsWith("Could not connect to TestService at http://127.0.0.1:" + endpoint.Port, ex.Message);
            Assert.Equal(1, ex.Retries);
        }
        finally
        {
            foreach (var s in fillers) s.Dispose();
        }
    }
}
