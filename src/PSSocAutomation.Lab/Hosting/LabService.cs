using Microsoft.AspNetCore.Builder;

namespace PSSocAutomation.Lab.Hosting;

/// <summary>One emulated vendor service. Each runs on its own loopback port, so their routes never collide.</summary>
public interface ILabService
{
    /// <summary>Short name used in the journal and in fault rules ("elastic", "iris").</summary>
    string Name { get; }

    /// <summary>Serve over HTTPS with the Lab's self-signed certificate (IRIS does, like a default install).</summary>
    bool UseHttps { get; }

    /// <summary>Headers the real service puts on every response, injected faults included (X-Elastic-Product).</summary>
    IReadOnlyDictionary<string, string> EveryResponseHeaders { get; }

    void Map(WebApplication app);
}

/// <summary>Lets a service record who a request authenticated as, so the journal can show it without the secret.</summary>
public static class LabRequest
{
    public const string PrincipalKey = "lab.principal";

    public static void SetPrincipal(Microsoft.AspNetCore.Http.HttpContext context, string principal) =>
        context.Items[PrincipalKey] = principal;
}
