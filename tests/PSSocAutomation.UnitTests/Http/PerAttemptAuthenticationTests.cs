using System.Net.Http;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using PSSocAutomation.Http;

namespace PSSocAutomation.Tests.Http;

/// <summary>The authenticator runs on every attempt, on the final request, after any wait for a permit: what a SigV4 signer needs.</summary>
public sealed class PerAttemptAuthenticationTests
{
    /// <summary>Signs like SigV4 would: the clock's time and a hash of the body, fresh on every attempt.</summary>
    private sealed class StampingAuthenticator : IRequestAuthenticator
    {
        private readonly TimeProvider _clock;
        public readonly List<(Uri? Uri, string Body, DateTimeOffset At)> Calls = new();

        public StampingAuthenticator(TimeProvider clock) => _clock = clock;

        public string Scheme => "Stamp";
        public string? Principal => null;
        public void Attach(HttpPipeline pipeline) { }

        public ValueTask AuthenticateAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add((request.RequestUri, Encoding.UTF8.GetString(body.Span), _clock.GetUtcNow()));
                request.Headers.TryAddWithoutValidation("X-Stamp", Calls.Count + "@" + _clock.GetUtcNow().ToUnixTimeSeconds());
            }
            return default;
        }

        public ValueTask<bool> OnUnauthorizedAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken) => new(false);
    }

    [Fact]
    public async Task Every_attempt_is_authenticated_anew_with_the_absolute_uri_and_the_final_body()
    {
        var calls = 0;
        await using var server = await LoopbackServer.StartAsync((_, context) =>
            LoopbackServer.Answer(context, Interlocked.Increment(ref calls) <= 2 ? 503 : 200, "{}"));
        var clock = new FakeTimeProvider();
        var auth = new StampingAuthenticator(clock);
        var options = Expect.Options(server.Uri, clock);
        options.Auth = auth;
        using var pipeline = new HttpPipeline(options, new TestVendor());
        var send = pipeline.SendAsync(new ApiRequest(HttpMethod.Post, "findings?x=1") { Body = Encoding.UTF8.GetBytes("{\"MaxResults\":100}"), Idempotent = true }, CancellationToken.None);
        await Expect.StepsUntilDone(clock, send, TimeSpan.FromMilliseconds(250));
        Assert.Equal(200, (await send).Status);

        Assert.Equal(3, auth.Calls.Count);
        Assert.All(auth.Calls, c => Assert.Equal(new Uri(server.Uri, "findings?x=1"), c.Uri));
        Assert.All(auth.Calls, c => Assert.Equal("{\"MaxResults\":100}", c.Body));
        // Each attempt carried its own stamp, dated when it was sent.
        Assert.Equal(3, server.Requests.Select(r => r.Header("X-Stamp")).Distinct().Count());
        Assert.True(auth.Calls[2].At > auth.Calls[0].At);
    }

    [Fact]
    public async Task A_paced_request_is_authenticated_after_its_permit_not_before()
    {
        await using var server = await LoopbackServer.StartAsync((_, context) => LoopbackServer.Answer(context, 200, "{}"));
        var clock = new FakeTimeProvider();
        var auth = new StampingAuthenticator(clock);
        using var bucket = PacedTokenBucket.PerMinute(4, time: clock);
        var options = Expect.Options(server.Uri, clock);
        options.Auth = auth;
        options.RateLimiter = bucket;
        using var pipeline = new HttpPipeline(options, new TestVendor());
        await pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "files/a"), CancellationToken.None);

        var second = pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "files/b"), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(14));
        Assert.Single(auth.Calls);
        clock.Advance(TimeSpan.FromSeconds(1));
        await second;
        Assert.Equal(2, auth.Calls.Count);
        // Signed at the time it went out, 15 s after the first: a signature made before the wait could have gone stale.
        Assert.Equal(TimeSpan.FromSeconds(15), auth.Calls[1].At - auth.Calls[0].At);
    }

    /// <summary>A credential source that cannot give keys when the request is signed (an expired sign-in, say).</summary>
    private sealed class FailingAuthenticator : IRequestAuthenticator
    {
        private readonly Exception _failure;
        public int Calls;

        public FailingAuthenticator(Exception failure) => _failure = failure;

        public string Scheme => "Failing";
        public string? Principal => null;
        public void Attach(HttpPipeline pipeline) { }

        public ValueTask AuthenticateAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            throw _failure;
        }

        public ValueTask<bool> OnUnauthorizedAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken) => new(false);
    }

    [Fact]
    public async Task Credentials_that_cannot_be_had_fail_as_authentication_once_with_nothing_sent()
    {
        await using var server = await LoopbackServer.StartAsync((_, context) => LoopbackServer.Answer(context, 200, "{}"));
        var cause = new IOException("The sign-in for profile responder has expired. Run 'aws sso login --profile responder'.");
        var auth = new FailingAuthenticator(cause);
        var options = Expect.Options(server.Uri, new FakeTimeProvider());
        options.Auth = auth;
        using var pipeline = new HttpPipeline(options, new TestVendor());
        // Idempotent, and an IOException: were it taken for a dropped connection it would be sent again.
        var ex = await Assert.ThrowsAsync<SocApiException>(() => pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "findings") { Idempotent = true }, CancellationToken.None));

        Assert.Equal(ApiFailureKind.Authentication, ex.Kind);
        Assert.Contains($"GET {new Uri(server.Uri, "findings")} on ", ex.Message);
        Assert.Contains("was not sent: The sign-in for profile responder has expired. Run 'aws sso login --profile responder'.", ex.Message);
        Assert.Same(cause, ex.InnerException);
        Assert.Equal(0, ex.Retries);
        Assert.Equal(1, auth.Calls);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_credential_source_that_failed_an_api_call_of_its_own_reports_that_call()
    {
        await using var server = await LoopbackServer.StartAsync((_, context) => LoopbackServer.Answer(context, 200, "{}"));
        var sts = new SocApiException(ApiFailureKind.Throttled, "AWS STS", "AWS STS throttled AssumeRole.");
        var options = Expect.Options(server.Uri, new FakeTimeProvider());
        options.Auth = new FailingAuthenticator(sts);
        using var pipeline = new HttpPipeline(options, new TestVendor());
        var ex = await Assert.ThrowsAsync<SocApiException>(() => pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "findings"), CancellationToken.None));
        Assert.Equal(ApiFailureKind.Throttled, ex.Kind);
        Assert.Equal("AWS STS", ex.Service);
        Assert.Empty(server.Requests);
    }
}
