using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace PSSocAutomation.Lab.Hosting;

/// <summary>
/// One emulated vendor service. Each runs on its own loopback port, so their routes never collide. Hosting
/// (<see cref="LabServer"/>) journals, injects faults and calls these members without knowing which vendor it
/// serves: everything that differs from one vendor to the next (credentials, error shapes, what a path the Lab
/// lacks gets) is answered here, so a new service is one more implementation and no edit to Hosting.
/// </summary>
public interface ILabService
{
    /// <summary>Short name used in the journal and in fault rules ("elastic", "iris").</summary>
    string Name { get; }

    /// <summary>Serve over HTTPS with the Lab's self-signed certificate (IRIS does, like a default install).</summary>
    bool UseHttps { get; }

    /// <summary>
    /// Whether credentials are checked before the route is looked up. Elasticsearch authenticates in its HTTP layer,
    /// before the REST controller looks for a handler, so a path it lacks still needs credentials; a Flask app (IRIS)
    /// routes first, so a path it lacks is refused whoever asks.
    /// </summary>
    bool AuthenticatesBeforeRouting { get; }

    /// <summary>
    /// Request headers other than Authorization that carry this vendor's credentials (X-IRIS-AUTH). The journal
    /// redacts them and names the first one present as the request's auth scheme.
    /// </summary>
    IReadOnlyList<string> CredentialHeaders { get; }

    /// <summary>Headers the real service puts on every response, injected faults and refusals included (X-Elastic-Product).</summary>
    IEnumerable<KeyValuePair<string, string>> EveryResponseHeaders(HttpRequest request);

    /// <summary>The routes the Lab emulates. A request none of them takes goes to <see cref="Unmatched"/>.</summary>
    void Map(WebApplication app);

    /// <summary>
    /// Checks the request's credentials as the vendor does. Null lets the request go on, after recording who it is
    /// with <see cref="LabRequest.SetPrincipal"/>; otherwise the vendor's refusal (its 401 with its challenge, or the
    /// CSRF 400 IRIS's decorator gives before it reads the key). Called once per request that reaches a route, and
    /// for unmatched requests too when <see cref="AuthenticatesBeforeRouting"/>.
    /// </summary>
    ValueTask<LabResponse?> AuthenticateAsync(HttpContext context);

    /// <summary>An injected <see cref="FaultKind.Status"/> fault, in the vendor's error shape for that status.</summary>
    LabResponse Fault(HttpRequest request, int status);

    /// <summary>
    /// An injected fault with the error code (and message) a test chose (<see cref="FaultRule.Code"/>), in the vendor's
    /// shape; vendors without error codes answer as <see cref="Fault(HttpRequest, int)"/>.
    /// </summary>
    LabResponse Fault(HttpRequest request, int status, string code, string? message) => Fault(request, status);

    /// <summary>
    /// The names of the operation a request calls, for <see cref="FaultRule.Operation"/>, when its path does not say
    /// (AWS's Query protocol: every Action is a POST to /). <paramref name="body"/> is the request body as text. None by default.
    /// </summary>
    IReadOnlyList<string> OperationsOf(HttpRequest request, string body) => [];

    /// <summary>
    /// A request no mapped route takes. Where the path is one the Lab emulates, the vendor's own answer (a 405 for
    /// another method, Flask's 404 for a path parameter its converter refuses); anything else is 400 in the vendor's
    /// error shape carrying <see cref="LabResponse.NotEmulatedMessage"/>, so a test that strays beyond the contracts
    /// fails saying the gap is the Lab's, not the client's.
    /// </summary>
    LabResponse Unmatched(HttpRequest request);
}

/// <summary>Lets a service record who a request authenticated as, so the journal can show it without the secret.</summary>
public static class LabRequest
{
    public const string PrincipalKey = "lab.principal";

    public static void SetPrincipal(HttpContext context, string principal) => context.Items[PrincipalKey] = principal;
}
