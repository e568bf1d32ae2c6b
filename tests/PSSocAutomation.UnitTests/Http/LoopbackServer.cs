using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PSSocAutomation.Tests.Http;

/// <summary>What a <see cref="LoopbackServer"/> received.</summary>
public sealed record LoopbackRequest(string Method, string Path, string Query, string Body, string? ContentType, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// A tiny HTTP server on 127.0.0.1 for tests of the HTTP pipeline itself (token endpoints, XML and text bodies,
/// statuses in a given order): each test says how it answers. The Lab emulates whole services; this answers one test.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<LoopbackRequest> _requests = new();

    private LoopbackServer(WebApplication app) => _app = app;

    public Uri Uri { get; private set; } = null!;

    public IReadOnlyList<LoopbackRequest> Requests => _requests.ToArray();

    public IReadOnlyList<LoopbackRequest> To(string path) => _requests.Where(r => r.Path == path).ToArray();

    public static async Task<LoopbackServer> StartAsync(Func<LoopbackRequest, HttpContext, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LoopbackServer(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var request = new LoopbackRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? string.Empty, body,
                context.Request.ContentType, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            server._requests.Enqueue(request);
            await handle(request, context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Uri = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public static Task Answer(HttpContext context, int status, string body, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
