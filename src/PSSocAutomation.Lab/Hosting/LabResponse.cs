using Microsoft.AspNetCore.Http;

namespace PSSocAutomation.Lab.Hosting;

/// <summary>
/// A finished answer in a vendor's own shape. Services build it; Hosting writes it for injected faults, refused
/// credentials and unmatched routes without knowing which vendor's shape it is.
/// </summary>
public sealed record LabResponse(int Status, string ContentType, string Body)
{
    /// <summary>Headers the answer needs besides the content type (WWW-Authenticate on a 401, Allow on a 405).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>
    /// One wording for every service, so whoever reads a failing test knows the gap is the Lab's and not the
    /// client's, whichever vendor's error shape carries it.
    /// </summary>
    public static string NotEmulatedMessage(HttpRequest request) =>
        $"{request.Method} {request.Path.Value} is not emulated by the PSSocAutomation Lab";

    public Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = Status;
        response.ContentType = ContentType;
        foreach (var (name, value) in Headers) response.Headers.Append(name, value);
        // HEAD gets the headers of the answer it stands for and no body, errors included.
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.WriteAsync(Body, context.RequestAborted);
    }
}
