using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PSSocAutomation.Lab.Elastic;
using PSSocAutomation.Lab.Iris;

namespace PSSocAutomation.Lab.Hosting;

public sealed class LabOptions
{
    /// <summary>Keep request bodies in the journal (off for benchmarks that send millions of requests).</summary>
    public bool JournalBodies { get; init; } = true;
    public LabCredentials Credentials { get; init; } = new();
}

/// <summary>
/// The loopback emulator: one Kestrel app per vendor service on 127.0.0.1 and an ephemeral port, sharing one
/// journal and one set of faults. Tests start it in-process; `dotnet run --project src/PSSocAutomation.Lab` starts it as a process.
/// </summary>
public sealed class LabServer : IAsyncDisposable
{
    private const int MaxJournalBody = 1 << 20;
    private readonly List<(ILabService Service, WebApplication App, Uri Uri)> _apps = new();

    private LabServer(LabOptions options)
    {
        Options = options;
        Credentials = options.Credentials;
        Certificate = LabCertificate.Create();
        Elastic = new ElasticLab(this);
        Iris = new IrisLab(this);
    }

    public LabOptions Options { get; }
    public LabCredentials Credentials { get; }
    public LabJournal Journal { get; } = new();
    public LabFaults Faults { get; } = new();
    /// <summary>The self-signed certificate the HTTPS services present.</summary>
    public X509Certificate2 Certificate { get; }

    public ElasticLab Elastic { get; }
    public IrisLab Iris { get; }

    public Uri ElasticUri => UriOf(Elastic.Name);
    public Uri IrisUri => UriOf(Iris.Name);

    public Uri UriOf(string service) => _apps.First(a => a.Service.Name == service).Uri;

    public static async Task<LabServer> StartAsync(LabOptions? options = null, CancellationToken cancellationToken = default)
    {
        var lab = new LabServer(options ?? new LabOptions());
        try
        {
            foreach (var service in new ILabService[] { lab.Elastic, lab.Iris })
                await lab.StartServiceAsync(service, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await lab.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return lab;
    }

    private async Task StartServiceAsync(ILabService service, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 200L * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (service.UseHttps) listen.UseHttps(Certificate);
            });
        });
        var app = builder.Build();
        app.Use((context, next) => HandleAsync(service, context, next));
        service.Map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _apps.Add((service, app, new Uri(address.Replace("[::]", "127.0.0.1").TrimEnd('/') + "/")));
    }

    /// <summary>Journal every request and apply the faults and latency tests asked for.</summary>
    private async Task HandleAsync(ILabService service, HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var body = string.Empty;
        if (Options.JournalBodies && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0))
        {
            request.EnableBuffering();
            using var reader = new StreamReader(request.Body, Encoding.UTF8, false, 8192, leaveOpen: true);
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            if (body.Length > MaxJournalBody) body = body[..MaxJournalBody] + "…(truncated by the journal)";
            request.Body.Position = 0;
        }

        foreach (var (name, value) in service.EveryResponseHeaders) context.Response.Headers[name] = value;
        var sequence = Journal.NextSequence();
        var started = DateTimeOffset.UtcNow;
        try
        {
            var latency = Faults.LatencyFor(service.Name);
            if (latency > TimeSpan.Zero) await Task.Delay(latency, context.RequestAborted).ConfigureAwait(false);

            var fault = Faults.Match(service.Name, request.Method, request.Path.Value ?? "/");
            switch (fault?.Kind)
            {
                case null:
                    await next(context).ConfigureAwait(false);
                    break;
                case FaultKind.Delay:
                    await Task.Delay(fault.Delay, context.RequestAborted).ConfigureAwait(false);
                    await next(context).ConfigureAwait(false);
                    break;
                case FaultKind.Status:
                    context.Response.StatusCode = fault.Status;
                    if (fault.RetryAfterSeconds is int seconds) context.Response.Headers.RetryAfter = seconds.ToString();
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(fault.Body ?? DefaultFaultBody(service, fault.Status)).ConfigureAwait(false);
                    break;
                case FaultKind.Html:
                    context.Response.StatusCode = fault.Status == 503 ? 502 : fault.Status;
                    context.Response.ContentType = "text/html";
                    await context.Response.WriteAsync(
                        "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>" +
                        "<hr><center>nginx</center></body></html>").ConfigureAwait(false);
                    break;
                case FaultKind.Reset:
                    context.Abort();
                    break;
                case FaultKind.Truncate:
                    await TruncateAsync(context, next).ConfigureAwait(false);
                    break;
            }
        }
        finally
        {
            Journal.Add(new JournalEntry(
                sequence, service.Name, request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, body,
                AuthSchemeOf(request), context.Items.TryGetValue(LabRequest.PrincipalKey, out var p) ? p as string : null,
                request.Headers.ToDictionary(h => h.Key, h => LabJournal.SecretHeaders.Contains(h.Key) ? "(redacted)" : h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                context.Response.StatusCode, started));
        }
    }

    private static async Task TruncateAsync(HttpContext context, RequestDelegate next)
    {
        // Capture the real response through the body feature (services write to BodyWriter, not only to Body).
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var buffer = new MemoryStream();
        var capture = new StreamResponseBodyFeature(buffer);
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        try
        {
            await next(context).ConfigureAwait(false);
            await capture.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            context.Features.Set(original);
        }
        var bytes = buffer.ToArray();
        var half = Math.Max(1, bytes.Length / 2);
        // Announce the full length, send half, then drop the connection: what a client sees when a proxy dies mid-body.
        context.Response.ContentLength = bytes.Length;
        await original.Stream.WriteAsync(bytes.AsMemory(0, half)).ConfigureAwait(false);
        await original.Stream.FlushAsync().ConfigureAwait(false);
        context.Abort();
    }

    private static string? AuthSchemeOf(HttpRequest request)
    {
        var auth = request.Headers.Authorization.ToString();
        if (auth.Length == 0) return request.Headers.ContainsKey("X-IRIS-AUTH") ? "X-IRIS-AUTH" : null;
        var space = auth.IndexOf(' ');
        return space > 0 ? auth[..space] : "(raw)";
    }

    private static string DefaultFaultBody(ILabService service, int status) => service.Name switch
    {
        "elastic" => $"{{\"error\":{{\"root_cause\":[{{\"type\":\"es_rejected_execution_exception\",\"reason\":\"rejected execution (injected by the Lab)\"}}],\"type\":\"es_rejected_execution_exception\",\"reason\":\"rejected execution (injected by the Lab)\"}},\"status\":{status}}}",
        _ => $"{{\"status\":\"error\",\"message\":\"Injected fault {status}\",\"data\":[]}}",
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, app, _) in _apps)
        {
            try { await app.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false); } catch { /* shutting down anyway */ }
            await app.DisposeAsync().ConfigureAwait(false);
        }
        _apps.Clear();
        Certificate.Dispose();
    }
}
