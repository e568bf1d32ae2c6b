using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PSSocAutomation.Lab.Aws;
using PSSocAutomation.Lab.Elastic;
using PSSocAutomation.Lab.Iris;
using PSSocAutomation.Lab.Kibana;

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
        Kibana = new KibanaLab(this);
        Aws = new AwsLab(this);
    }

    public LabOptions Options { get; }
    public LabCredentials Credentials { get; }
    public LabJournal Journal { get; } = new();
    public LabFaults Faults { get; } = new();
    /// <summary>The self-signed certificate the HTTPS services present.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate's SHA-256 hash in hex: what Connect-Iris -CertificateThumbprint pins.</summary>
    public string CertificateSha256 => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Certificate.RawData));

    public ElasticLab Elastic { get; }
    public IrisLab Iris { get; }
    /// <summary>Kibana's detection engine, over the alerts stored in <see cref="Elastic"/>.</summary>
    public KibanaLab Kibana { get; }
    /// <summary>AWS on one endpoint (Security Hub, STS, SNS's SubscribeURL), routed by the signature's service.</summary>
    public AwsLab Aws { get; }

    public Uri ElasticUri => UriOf(Elastic.Name);
    public Uri IrisUri => UriOf(Iris.Name);
    public Uri KibanaUri => UriOf(Kibana.Name);
    public Uri AwsUri => UriOf(Aws.Name);

    public Uri UriOf(string service) => _apps.First(a => a.Service.Name == service).Uri;

    public static async Task<LabServer> StartAsync(LabOptions? options = null, CancellationToken cancellationToken = default)
    {
        var lab = new LabServer(options ?? new LabOptions());
        try
        {
            foreach (var service in new ILabService[] { lab.Elastic, lab.Iris, lab.Kibana, lab.Aws })
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
        // The slim builder leaves the regex constraint out; vendors' path parameters need it (Flask's <int:> is digits only).
        builder.Services.Configure<RouteOptions>(routing => routing.SetParameterPolicy<RegexInlineRouteConstraint>("regex"));
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
        // Every path, file-like ones included, so nothing reaches ASP.NET's empty 404 instead of the vendor's answer.
        app.MapFallback("{*path}", context => service.Unmatched(context.Request).WriteAsync(context)).WithMetadata(UnmatchedRoute.Instance);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _apps.Add((service, app, new Uri(address.Replace("[::]", "127.0.0.1").TrimEnd('/') + "/")));
    }

    /// <summary>
    /// Journal every request, apply the faults and latency tests asked for, then the service's credentials and routes.
    /// The journal entry is added just before the first response byte goes out (or the connection is dropped), so a
    /// test that awaited its call reads the entry straight away, with the status the client saw.
    /// </summary>
    private async Task HandleAsync(ILabService service, HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var body = string.Empty;
        // A fault rule on the operation needs the body even when the journal keeps none (the Query Action is in it).
        var needsOperation = Faults.MatchesOperations(service.Name);
        if ((Options.JournalBodies || needsOperation) && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0))
        {
            request.EnableBuffering();
            using var reader = new StreamReader(request.Body, Encoding.UTF8, false, 8192, leaveOpen: true);
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            request.Body.Position = 0;
        }
        var requestBody = body;
        if (!Options.JournalBodies) body = string.Empty;
        else if (body.Length > MaxJournalBody) body = body[..MaxJournalBody] + "…(truncated by the journal)";

        foreach (var (name, value) in service.EveryResponseHeaders(request)) context.Response.Headers[name] = value;
        var sequence = Journal.NextSequence();
        var started = DateTimeOffset.UtcNow;
        var recorded = 0;
        void Record(int status)
        {
            if (Interlocked.Exchange(ref recorded, 1) != 0) return;
            Journal.Add(new JournalEntry(
                sequence, service.Name, request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, body,
                AuthSchemeOf(service, request), context.Items.TryGetValue(LabRequest.PrincipalKey, out var p) ? p as string : null,
                request.Headers.ToDictionary(h => h.Key, h => IsSecret(service, h.Key) ? "(redacted)" : h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                status, started));
        }
        // Kestrel runs this before it writes the status line, whoever starts the response and however.
        context.Response.OnStarting(() =>
        {
            Record(context.Response.StatusCode);
            return Task.CompletedTask;
        });

        var failed = false;
        try
        {
            var latency = Faults.LatencyFor(service.Name);
            if (latency > TimeSpan.Zero) await Task.Delay(latency, context.RequestAborted).ConfigureAwait(false);

            var fault = Faults.Match(service.Name, request.Method, request.Path.Value ?? "/", () => service.OperationsOf(request, requestBody));
            switch (fault?.Kind)
            {
                case null:
                    await ServeAsync(service, context, next).ConfigureAwait(false);
                    break;
                case FaultKind.Delay:
                    await Task.Delay(fault.Delay, context.RequestAborted).ConfigureAwait(false);
                    await ServeAsync(service, context, next).ConfigureAwait(false);
                    break;
                case FaultKind.Status:
                    var rendered = fault.Code is { } code ? service.Fault(request, fault.Status, code, fault.Message) : service.Fault(request, fault.Status);
                    if (fault.Body is not null) rendered = rendered with { Body = fault.Body };
                    if (fault.RetryAfterSeconds is int seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                    await rendered.WriteAsync(context).ConfigureAwait(false);
                    break;
                case FaultKind.Html:
                    // A proxy's page, not the vendor's: the same for every service behind one.
                    await new LabResponse(fault.Status == 503 ? 502 : fault.Status, "text/html", fault.Body ??
                        "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>" +
                        "<hr><center>nginx</center></body></html>").WriteAsync(context).ConfigureAwait(false);
                    break;
                case FaultKind.Reset:
                    // No response will start: record before the client can see the connection drop.
                    Record(context.Response.StatusCode);
                    context.Abort();
                    break;
                case FaultKind.Truncate:
                {
                    var (bytes, real) = await CaptureAsync(context, c => ServeAsync(service, c, next)).ConfigureAwait(false);
                    // Announce the full length, send half, then drop the connection: what a client sees when a proxy dies mid-body.
                    context.Response.ContentLength = bytes.Length;
                    await real.Stream.WriteAsync(bytes.AsMemory(0, Math.Max(1, bytes.Length / 2))).ConfigureAwait(false);
                    await real.Stream.FlushAsync().ConfigureAwait(false);
                    context.Abort();
                    break;
                }
                case FaultKind.LandLate:
                    await LandLateAsync(context, fault.Delay, c => ServeAsync(service, c, next)).ConfigureAwait(false);
                    break;
                case FaultKind.AnswerLate:
                    var answer = await CaptureAsync(context, c => ServeAsync(service, c, next)).ConfigureAwait(false);
                    await Task.Delay(fault.Delay, context.RequestAborted).ConfigureAwait(false);
                    await answer.Original.Stream.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
                    break;
                case FaultKind.ApplyThenReset:
                    await CaptureAsync(context, c => ServeAsync(service, c, next)).ConfigureAwait(false);
                    Record(context.Response.StatusCode);
                    context.Abort();
                    break;
                case FaultKind.TruncateBody:
                {
                    var (bytes, real) = await CaptureAsync(context, c => ServeAsync(service, c, next)).ConfigureAwait(false);
                    // A complete response of half the body: nothing on the wire is wrong, only the JSON ends early.
                    var half = Math.Max(1, bytes.Length / 2);
                    context.Response.ContentLength = half;
                    await real.Stream.WriteAsync(bytes.AsMemory(0, half)).ConfigureAwait(false);
                    break;
                }
            }
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            // Reached without a response started: an exception (Kestrel answers 500 after this) or an aborted request.
            Record(failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode);
        }
    }

    /// <summary>The service's credentials, before or after routing as the vendor checks them, then its route or its unmatched answer.</summary>
    private static async Task ServeAsync(ILabService service, HttpContext context, RequestDelegate next)
    {
        var unmatched = context.GetEndpoint()?.Metadata.GetMetadata<UnmatchedRoute>() is not null;
        if (service.AuthenticatesBeforeRouting || !unmatched)
        {
            if (await service.AuthenticateAsync(context).ConfigureAwait(false) is { } refusal)
            {
                await refusal.WriteAsync(context).ConfigureAwait(false);
                return;
            }
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// The real response, written to a buffer instead of the client (services write to BodyWriter, not only to Body), so
    /// a fault can send part of it, later, or nothing: returns the body and the real body feature to write it to.
    /// </summary>
    private static async Task<(byte[] Body, IHttpResponseBodyFeature Original)> CaptureAsync(HttpContext context, RequestDelegate next)
    {
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
        return (buffer.ToArray(), original);
    }

    private static async Task LandLateAsync(HttpContext context, TimeSpan delay, RequestDelegate next)
    {
        // The body is read now, while the client is still there; the service then runs on its own clock, deaf to the
        // client leaving (as a server does that keeps writing after a proxy timed the caller out).
        context.Request.EnableBuffering();
        await context.Request.Body.CopyToAsync(Stream.Null).ConfigureAwait(false);
        context.Request.Body.Position = 0;
        var clientGone = context.RequestAborted;
        context.RequestAborted = CancellationToken.None;
        await Task.Delay(delay).ConfigureAwait(false);
        var answer = await CaptureAsync(context, next).ConfigureAwait(false);
        if (clientGone.IsCancellationRequested) return;
        try { await answer.Original.Stream.WriteAsync(answer.Body, clientGone).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    private static bool IsSecret(ILabService service, string header) =>
        LabJournal.SecretHeaders.Contains(header) || service.CredentialHeaders.Contains(header, StringComparer.OrdinalIgnoreCase);

    private static string? AuthSchemeOf(ILabService service, HttpRequest request)
    {
        var auth = request.Headers.Authorization.ToString();
        if (auth.Length == 0) return service.CredentialHeaders.FirstOrDefault(request.Headers.ContainsKey);
        var space = auth.IndexOf(' ');
        return space > 0 ? auth[..space] : "(raw)";
    }

    /// <summary>Marks the fallback endpoint, so credentials a vendor checks after routing are not asked of a path it lacks.</summary>
    private sealed class UnmatchedRoute
    {
        public static readonly UnmatchedRoute Instance = new();
    }

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
