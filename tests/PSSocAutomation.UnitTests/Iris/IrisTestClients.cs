using PSSocAutomation.Http;
using PSSocAutomation.Iris;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Tests.Iris;

/// <summary>IRIS clients on the Lab, for the tests that call the client directly.</summary>
internal static class IrisTestClients
{
    /// <summary>A client on the Lab's IRIS, trusting its self-signed certificate by pin, with short back-offs.</summary>
    public static IrisClient Client(LabServer lab, string? apiKey = null, int maxRetries = 4)
    {
        var options = new HttpPipelineOptions(lab.IrisUri)
        {
            Auth = HttpAuth.Bearer(apiKey ?? lab.Iris.AdministratorApiKey),
            Tls = new TlsOptions { PinnedThumbprints = new[] { lab.Certificate.Thumbprint } },
            MaxRetries = maxRetries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            Timeout = TimeSpan.FromSeconds(30),
        };
        return new IrisClient(options);
    }

    /// <summary>The typed twin of IrisTestSupport.AlertBody: what the alert writer takes.</summary>
    public static IrisAlertCreate AlertRequest(string sourceRef, int customerId, string? title = null) => new()
    {
        Title = title ?? "Alert " + sourceRef,
        Description = "test",
        Source = "Tests",
        SourceRef = sourceRef,
        SeverityId = 4,
        StatusId = 2,
        CustomerId = customerId,
        EventTime = new DateTimeOffset(2024, 9, 20, 12, 0, 0, TimeSpan.Zero),
    };

    public static async Task<IrisClient> ConnectedClient(LabServer lab, string? apiKey = null, int maxRetries = 4)
    {
        var client = Client(lab, apiKey, maxRetries);
        await client.ConnectAsync(CancellationToken.None);
        return client;
    }
}
