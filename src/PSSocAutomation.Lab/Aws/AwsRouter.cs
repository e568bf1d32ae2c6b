using Microsoft.AspNetCore.Http;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// The one place that maps an AWS service name to the Lab's handler for it. A signed request goes by the service in
/// its credential scope (the only thing every AWS protocol has in common on one endpoint); the few unsigned requests
/// AWS serves (SNS's SubscribeURL, a plain GET with Action=ConfirmSubscription) go by their Action.
/// </summary>
public sealed class AwsRouter
{
    private readonly Dictionary<string, IAwsEmulatedService> _services = new(StringComparer.Ordinal);

    public AwsRouter(params IAwsEmulatedService[] services)
    {
        foreach (var service in services) _services.Add(service.SigningName, service);
    }

    public IReadOnlyCollection<string> ServiceNames => _services.Keys;

    public IAwsEmulatedService? Find(string? signingName) =>
        signingName is not null && _services.TryGetValue(signingName, out var service) ? service : null;

    /// <summary>The service an unsigned request is meant for when AWS serves it unsigned; null when it needs a signature.</summary>
    public IAwsEmulatedService? Unsigned(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Query["Action"] == "ConfirmSubscription" ? Find(AwsSnsService.Name)
        // IAM Identity Center's portal and OIDC token endpoints take a bearer token, not a signature.
        : HttpMethods.IsGet(request.Method) && request.Path == "/federation/credentials" || HttpMethods.IsPost(request.Method) && request.Path == "/token" ? Find(AwsSsoService.Name)
        : null;

    /// <summary>
    /// Who answers a request whose signature cannot be checked: the service its scope names when known, else the Query
    /// service whose API Version the request names (EC2's 2016-11-15), else by the request's look (an Action parameter
    /// or a form body is the Query protocol, as STS; anything else rest-json).
    /// </summary>
    public IAwsEmulatedService RefusalShapeFor(HttpRequest request, string? scopeService, byte[]? body = null)
    {
        if (Find(scopeService) is { } named) return named;
        var form = request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;
        var version = request.Query["Version"].ToString();
        if (version.Length == 0 && form && body is { Length: > 0 } &&
            Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body)).TryGetValue("Version", out var v))
            version = v.ToString();
        if (version.Length > 0 && _services.Values.FirstOrDefault(s => s.QueryVersion == version) is { } versioned) return versioned;
        return form || request.Query.ContainsKey("Action") ? Find(AwsStsService.Name)! : Find(AwsSecurityHubService.Name)!;
    }
}
