using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using PSSocAutomation.Http;

namespace PSSocAutomation.Tests.Http;

/// <summary>
/// A 200 whose body does not arrive whole (issue 7, item 7): a request that is safe to repeat is sent again under the
/// connection's retry limits; a write is not; and the failure counts the bytes that came.
/// </summary>
public sealed class CutBodyTests
{
    /// <summary>How the server cuts an answer.</summary>
    public enum Cut
    {
        /// <summary>A complete HTTP response (Content-Length says half) whose JSON ends early.</summary>
        Json,
        /// <summary>Content-Length says all, half is sent, then the connection closes.</summary>
        Connection,
    }

    private static readonly byte[] Whole = Encoding.UTF8.GetBytes(
        "{\"hits\":{\"hits\":[" + string.Join(",", Enumerable.Range(0, 300).Select(i => $"{{\"_id\":\"doc-{i}\"}}")) + "]}}");

    private static int Half => Whole.Length / 2;

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A server a test talks to, whichever kind: its address and how many requests it has had.</summary>
    private sealed class Server : IAsyncDisposable
    {
        private readonly Func<ValueTask> _stop;

        public Server(Uri uri, Func<int> requests, Func<ValueTask> stop)
        {
            Uri = uri;
            _requests = requests;
            _stop = stop;
        }

        private readonly Func<int> _requests;
        public Uri Uri { get; }
        public int Requests => _requests();
        public ValueTask DisposeAsync() => _stop();
    }

    /// <summary>Cuts the first <paramref name="cutAnswers"/> answers as <paramref name="how"/> says, then answers whole.</summary>
    private static async Task<Server> StartServer(Cut how, int cutAnswers) =>
        how == Cut.Json ? await CutJsonServer(cutAnswers) : HalfBodyThenCloseServer(cutAnswers);

    /// <summary>Kestrel answering complete responses whose Content-Length (and JSON) is half the body.</summary>
    private static async Task<Server> CutJsonServer(int cutAnswers)
    {
        var answered = 0;
        var server = await LoopbackServer.StartAsync(async (_, context) =>
        {
            var cut = Interlocked.Increment(ref answered) <= cutAnswers;
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = cut ? Half : Whole.Length;
            await context.Response.Body.WriteAsync(cut ? Whole.AsMemory(0, Half) : Whole);
        });
        return new Server(server.Uri, () => server.Requests.Count, server.DisposeAsync);
    }

    /// <summary>
    /// Announces the whole length, sends half, then closes the connection in order (FIN). A raw socket, since Kestrel
    /// can only abort (RST), and a reset lets the client's kernel drop what had already arrived, headers and all.
    /// </summary>
    private static Server HalfBodyThenCloseServer(int cutAnswers)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var requests = 0;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var socket = await listener.AcceptSocketAsync();
                    _ = Task.Run(async () =>
                    {
                        using (socket)
                        {
                            await ReadRequestAsync(socket);
                            var cut = Interlocked.Increment(ref requests) <= cutAnswers;
                            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Whole.Length}\r\nConnection: close\r\n\r\n");
                            await socket.SendAsync(head, SocketFlags.None);
                            await socket.SendAsync(cut ? Whole.AsMemory(0, Half) : Whole, SocketFlags.None);
                            socket.Shutdown(SocketShutdown.Send);
                            // Until the client closes its side: closing with unread input would reset the connection.
                            var sink = new byte[256];
                            try { while (await socket.ReceiveAsync(sink, SocketFlags.None) > 0) { } }
                            catch (SocketException) { }
                        }
                    });
                }
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException) { }
        });
        var uri = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        return new Server(uri, () => Volatile.Read(ref requests), () => { listener.Stop(); return ValueTask.CompletedTask; });
    }

    /// <summary>The request line, headers and Content-Length bytes of body.</summary>
    private static async Task ReadRequestAsync(Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headEnd;
        while ((headEnd = IndexOf(received, "\r\n\r\n"u8.ToArray())) < 0)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None);
            if (n == 0) return;
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        var head = Encoding.ASCII.GetString(received.ToArray(), 0, headEnd);
        var length = Regex.Match(head, @"(?im)^content-length:\s*(\d+)") is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        while (received.Count < headEnd + 4 + length)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None);
            if (n == 0) return;
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Count; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    private static async Task<(Task<ApiResponse> Send, HttpPipeline Pipeline)> Send(Server server, ApiRequest request, int maxRetries = 4)
    {
        var clock = new FakeTimeProvider();
        var options = Expect.Options(server.Uri, clock);
        options.MaxRetries = maxRetries;
        var pipeline = new HttpPipeline(options, new TestVendor());
        var send = pipeline.SendAsync(request, CancellationToken.None);
        await Expect.StepsUntilDone(clock, send, TimeSpan.FromMilliseconds(250));
        return (send, pipeline);
    }

    private static ApiRequest Search(bool streamJson) =>
        new(HttpMethod.Post, "alerts/_search") { Body = "{}"u8.ToArray(), Idempotent = true, StreamJson = streamJson };

    [Theory]
    [InlineData(Cut.Json, false)]
    [InlineData(Cut.Json, true)]
    [InlineData(Cut.Connection, false)]
    [InlineData(Cut.Connection, true)]
    public async Task A_safe_request_whose_200_body_is_cut_is_sent_again_and_the_whole_answer_is_used(Cut how, bool streamJson)
    {
        await using var server = await StartServer(how, cutAnswers: 1);
        var (send, pipeline) = await Send(server, Search(streamJson));
        using (pipeline)
        {
            var response = await send;
            using var doc = response.ParseJson();
            Assert.Equal(300, doc.RootElement.GetProperty("hits").GetProperty("hits").GetArrayLength());
            Assert.Equal(1, response.Retries);
            Assert.Equal(2, server.Requests);
        }
    }

    [Theory]
    [InlineData(Cut.Json, false, ApiFailureKind.InvalidResponse)]
    [InlineData(Cut.Json, true, ApiFailureKind.InvalidResponse)]
    [InlineData(Cut.Connection, false, ApiFailureKind.Connection)]
    [InlineData(Cut.Connection, true, ApiFailureKind.Connection)]
    public async Task When_every_answer_is_cut_the_retries_end_and_the_failure_counts_the_bytes_that_came(Cut how, bool streamJson, ApiFailureKind kind)
    {
        await using var server = await StartServer(how, cutAnswers: 100);
        var (send, pipeline) = await Send(server, Search(streamJson), maxRetries: 2);
        using (pipeline)
        {
            var ex = await Assert.ThrowsAsync<SocApiException>(() => send);
            Assert.Equal(kind, ex.Kind);
            Assert.Equal(200, ex.StatusCode);
            Assert.Equal(2, ex.Retries);
            Assert.Equal(3, server.Requests);
            Assert.Contains("2 retries", ex.Message);
            Assert.DoesNotMatch(@"\b0 bytes", ex.Message);
            if (how == Cut.Json)
            {
                // The whole (short) body came; the length announced was the half that was sent.
                Assert.Contains($"{Count(Half)} of {Count(Half)} bytes", ex.Message);
                Assert.Contains("not valid JSON", ex.Message);
            }
            else
            {
                Assert.Contains($"after {Count(Half)} of {Count(Whole.Length)} bytes", ex.Message);
                Assert.Contains("complete response", ex.Message);
            }
        }
    }

    [Theory]
    [InlineData(Cut.Json)]
    [InlineData(Cut.Connection)]
    public async Task A_write_whose_200_body_is_cut_is_not_sent_again_blind_and_may_have_been_applied(Cut how)
    {
        await using var server = await StartServer(how, cutAnswers: 100);
        var (send, pipeline) = await Send(server, new ApiRequest(HttpMethod.Post, "cases/add") { Body = "{}"u8.ToArray() });
        using (pipeline)
        {
            var ex = await Assert.ThrowsAsync<SocApiException>(() => send);
            Assert.Equal(1, server.Requests);
            Assert.Equal(0, ex.Retries);
            Assert.True(AmbiguousWrite.MayHaveBeenApplied(ex), ex.Kind.ToString());
            Assert.DoesNotMatch(@"\b0 bytes", ex.Message);
            Assert.True(ex.Message.Contains(" bytes", StringComparison.Ordinal), ex.ToString());
        }
    }
}
