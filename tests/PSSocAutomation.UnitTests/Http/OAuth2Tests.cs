using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;
using PSSocAutomation.Http;

namespace PSSocAutomation.Tests.Http;

/// <summary>
/// OAuth2 client credentials against a loopback token endpoint shaped like CrowdStrike Falcon's (POST /oauth2/token,
/// a form with client_id and client_secret, 201 with access_token and expires_in), on a fake clock.
/// </summary>
public sealed class OAuth2Tests : IAsyncLifetime
{
    private const string ClientId = "0123456789abcdef0123456789abcdef";
    private const string ClientSecret = "S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tABCD";

    private readonly FakeTimeProvider _clock = new();
    private readonly List<string> _issued = new();
    private LoopbackServer _server = null!;
    private volatile string? _valid;
    private volatile bool _refuseAll;
    private int _expiresIn = 1799;
    private TaskCompletionSource? _tokenGate;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(HandleAsync);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task HandleAsync(LoopbackRequest request, HttpContext context)
    {
        if (request.Path == "/oauth2/token")
        {
            var form = QueryHelpers.ParseQuery(request.Body);
            var secret = form.TryGetValue("client_secret", out var s) ? s.ToString() : string.Empty;
            if (form["client_id"] != ClientId || secret != ClientSecret)
            {
                // Some servers echo what they were sent; the message must still not show it.
                await LoopbackServer.Answer(context, 403, $"{{\"error\":\"Failed to issue access token - client_secret {secret} is not valid\"}}");
                return;
            }
            if (_tokenGate is TaskCompletionSource gate) await gate.Task;
            string token;
            lock (_issued)
            {
                token = $"tok-{_issued.Count + 1}-{Guid.NewGuid():N}";
                _issued.Add(token);
            }
            _valid = token;
            await LoopbackServer.Answer(context, 201, $"{{\"access_token\":\"{token}\",\"token_type\":\"bearer\",\"expires_in\":{_expiresIn}}}");
            return;
        }
        var auth = request.Header("Authorization") ?? string.Empty;
        if (_refuseAll || auth != "Bearer " + _valid)
        {
            await LoopbackServer.Answer(context, 401, $"{{\"error\":\"access denied: {auth} is not a valid token\"}}");
            return;
        }
        await LoopbackServer.Answer(context, 200, "{\"ok\":true}");
    }

    private HttpPipeline Pipeline(OAuth2ClientCredentials auth)
    {
        var options = Expect.Options(_server.Uri, _clock);
        options.Auth = auth;
        return new HttpPipeline(options, new TestVendor());
    }

    private static Task<ApiResponse> Get(HttpPipeline pipeline) => pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "api/thing"), CancellationToken.None);

    private IReadOnlyList<LoopbackRequest> TokenRequests => _server.To("/oauth2/token");
    private IReadOnlyList<LoopbackRequest> ApiRequests => _server.To("/api/thing");

    [Fact]
    public async Task The_token_is_fetched_on_first_use_as_a_form_and_then_reused()
    {
        var auth = new OAuth2ClientCredentials(ClientId, ClientSecret);
        using var pipeline = Pipeline(auth);
        Assert.Empty(TokenRequests);
        for (var i = 0; i < 3; i++) Assert.Equal(200, (await Get(pipeline)).Status);

        var token = Assert.Single(TokenRequests);
        Assert.Equal("POST", token.Method);
        Assert.StartsWith("application/x-www-form-urlencoded", token.ContentType);
        Assert.Null(token.Header("Authorization"));
        var form = QueryHelpers.ParseQuery(token.Body);
        Assert.Equal(ClientId, form["client_id"].ToString());
        Assert.Equal(ClientSecret, form["client_secret"].ToString());
        Assert.All(ApiRequests, r => Assert.Equal("Bearer " + _issued[0], r.Header("Authorization")));
        Assert.Equal("OAuth2 (" + ClientId + ")", auth.ToString());
    }

    [Fact]
    public async Task The_token_is_renewed_before_it_expires()
    {
        _expiresIn = 600; // renewed 240 s ahead (PSFalcon's margin): at 360 s
        using var pipeline = Pipeline(new OAuth2ClientCredentials(ClientId, ClientSecret));
        await Get(pipeline);
        _clock.Advance(TimeSpan.FromSeconds(359));
        await Get(pipeline);
        Assert.Single(TokenRequests);

        _clock.Advance(TimeSpan.FromSeconds(2));
        await Get(pipeline);
        Assert.Equal(2, TokenRequests.Count);
        Assert.Equal("Bearer " + _issued[1], ApiRequests[^1].Header("Authorization"));
    }

    [Fact]
    public async Task A_short_lived_token_is_renewed_halfway_not_on_every_request()
    {
        _expiresIn = 60; // shorter than the 240 s margin: renewed at half its life
        using var pipeline = Pipeline(new OAuth2ClientCredentials(ClientId, ClientSecret));
        await Get(pipeline);
        _clock.Advance(TimeSpan.FromSeconds(29));
        await Get(pipeline);
        Assert.Single(TokenRequests);
        _clock.Advance(TimeSpan.FromSeconds(2));
        await Get(pipeline);
        Assert.Equal(2, TokenRequests.Count);
    }

    [Fact]
    public async Task A_401_renews_the_token_once_and_sends_the_request_once_more()
    {
        using var pipeline = Pipeline(new OAuth2ClientCredentials(ClientId, ClientSecret));
        await Get(pipeline);
        _valid = null; // revoked on the server, long before it expires

        var log = new RecordingLog();
        RequestLog.Current = log;
        var response = await Get(pipeline);
        RequestLog.Current = null;
        Assert.Equal(200, response.Status);
        Assert.Equal(2, TokenRequests.Count);
        Assert.Equal(new[] { "Bearer " + _issued[0], "Bearer " + _issued[0], "Bearer " + _issued[1] }, ApiRequests.Select(r => r.Header("Authorization")));
        Assert.Contains(log.Lines("verbose"), l => l.Contains("401; renewed the OAuth2 credentials"));

        // A server that refuses every token: one renewal, one more send, then the 401 is the answer.
        _refuseAll = true;
        var ex = await Assert.ThrowsAsync<SocApiException>(() => Get(pipeline));
        Assert.Equal(ApiFailureKind.Authentication, ex.Kind);
        Assert.Equal(3, TokenRequests.Count);
        Assert.Equal(5, ApiRequests.Count);
    }

    [Fact]
    public async Task Concurrent_requests_share_one_token_fetch()
    {
        _tokenGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var pipeline = Pipeline(new OAuth2ClientCredentials(ClientId, ClientSecret));
        var requests = Enumerable.Range(0, 20).Select(_ => Task.Run(() => Get(pipeline))).ToArray();
        Expect.Eventually(() => TokenRequests.Count == 1, "the token request");
        _tokenGate.SetResult();
        var responses = await Task.WhenAll(requests);

        Assert.All(responses, r => Assert.Equal(200, r.Status));
        Assert.Single(TokenRequests);
        Assert.Equal(20, ApiRequests.Count);
        Assert.All(ApiRequests, r => Assert.Equal("Bearer " + _issued[0], r.Header("Authorization")));
    }

    [Fact]
    public async Task A_failed_fetch_is_not_kept_and_a_cancelled_caller_does_not_fail_the_others()
    {
        using var wrong = Pipeline(new OAuth2ClientCredentials(ClientId, "not-the-secret-but-long-enough"));
        await Assert.ThrowsAsync<SocApiException>(() => Get(wrong));
        await Assert.ThrowsAsync<SocApiException>(() => Get(wrong));
        Assert.Equal(2, TokenRequests.Count);

        _tokenGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var pipeline = Pipeline(new OAuth2ClientCredentials(ClientId, ClientSecret));
        using var stop = new CancellationTokenSource();
        var cancelled = pipeline.SendAsync(new ApiRequest(HttpMethod.Get, "api/thing"), stop.Token);
        var other = Get(pipeline);
        Expect.Eventually(() => TokenRequests.Count == 3, "the token request");
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _tokenGate.SetResult();
        Assert.Equal(200, (await other).Status);
        Assert.Equal(3, TokenRequests.Count);
    }

    [Fact]
    public async Task Neither_the_client_secret_nor_any_token_appears_in_any_message()
    {
        var log = new RecordingLog();
        RequestLog.Current = log;
        var texts = new List<string>();
        try
        {
            const string wrongSecret = "Wr0ngS3cr3tWr0ngS3cr3tWr0ngS3cr3tWr0ngS3";
            using (var wrong = Pipeline(new OAuth2ClientCredentials(ClientId, wrongSecret)))
            {
                var refused = await Assert.ThrowsAsync<SocApiException>(() => Get(wrong));
                Assert.Equal(403, refused.StatusCode);
                texts.AddRange(new[] { refused.ToString(), refused.ResponseBody ?? string.Empty, refused.VendorReason ?? string.Empty });
                Assert.Contains(SecretRedactor.Mask, refused.Message);
                Assert.DoesNotContain(wrongSecret, string.Join("\n", texts));
            }

            using var pipeline = Pipeline(new OAuth2ClientCredentials(ClientId, ClientSecret));
            await Get(pipeline);
            _valid = null;
            await Get(pipeline);
            _refuseAll = true;
            var ex = await Assert.ThrowsAsync<SocApiException>(() => Get(pipeline));
            texts.AddRange(new[] { ex.ToString(), ex.ResponseBody ?? string.Empty, ex.VendorReason ?? string.Empty });
        }
        finally
        {
            RequestLog.Current = null;
        }
        texts.AddRange(log.All);
        Assert.NotEmpty(log.Lines("debug"));
        Assert.Equal(3, _issued.Count);
        foreach (var text in texts)
        {
            Assert.DoesNotContain(ClientSecret, text);
            Assert.DoesNotContain(Uri.EscapeDataString(ClientSecret), text);
            foreach (var token in _issued) Assert.DoesNotContain(token, text);
        }
    }
}
