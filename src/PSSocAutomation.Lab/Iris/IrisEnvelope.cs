using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Iris;

/// <summary>One finished IRIS answer: status, content type and body text.</summary>
internal sealed record IrisReply(int Status, string ContentType, string Body)
{
    public Task WriteAsync(HttpContext context) => ToLabResponse().WriteAsync(context);

    public LabResponse ToLabResponse() => new(Status, ContentType, Body);
}

/// <summary>Leaves a handler early with a finished answer (401, 403, 415, a validation error ...).</summary>
internal sealed class IrisReplyException(IrisReply reply) : Exception(reply.Body)
{
    public IrisReply Reply { get; } = reply;
}

/// <summary>
/// The legacy envelope {"status","message","data"} (data is never null: None becomes []), always HTTP 200 on success,
/// plus the HTML pages Flask/werkzeug produce when the request never reaches IRIS's own error handling.
/// </summary>
internal static class IrisEnvelope
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IrisReply Success(string message = "", JsonNode? data = null) => Envelope(200, "success", message, data);

    public static IrisReply Error(string message, JsonNode? data = null, int status = 400) => Envelope(status, "error", message, data);

    public static IrisReplyException Fail(string message, JsonNode? data = null, int status = 400) => new(Error(message, data, status));

    private static IrisReply Envelope(int status, string outcome, string message, JsonNode? data)
    {
        var body = new JsonObject { ["status"] = outcome, ["message"] = message, ["data"] = data ?? new JsonArray() };
        return new IrisReply(status, "application/json", body.ToJsonString(Json));
    }

    public static string Serialize(JsonNode node) => node.ToJsonString(Json);

    public static IrisReply AuthenticationRequired() => Error("Authentication required", status: 401);

    public static IrisReply PermissionDenied() => Error("Permission denied", status: 403);

    /// <summary>ac_api_return_access_denied: the case-access refusal carries who, which case, and a fresh error uuid.</summary>
    public static IrisReply CaseAccessDenied(int userId, JsonNode? caseId) => Error("Permission denied", new JsonObject
    {
        ["user_id"] = userId,
        ["case_id"] = caseId?.DeepClone(),
        ["error_uuid"] = Guid.NewGuid().ToString(),
    }, 403);

    public static IrisReply InvalidCaseId() => Error("Invalid case ID", status: 404);

    public static IrisReply NotFound(HttpRequest request)
    {
        // IRIS's 404 handler answers JSON only to requests that declared a JSON body; browsers and bare GETs get its error page.
        var contentType = request.ContentType;
        return contentType is not null && contentType.Contains("application/json", StringComparison.Ordinal)
            ? Error("Resource not found", status: 404)
            : Html(404, "Page not found", "The page you are looking for does not exist on this IRIS instance.");
    }

    /// <summary>A route the Lab does not emulate: the envelope's 400, which is where IRIS clients look for a message.</summary>
    public static IrisReply NotEmulated(HttpRequest request) => Error(LabResponse.NotEmulatedMessage(request));

    public static IrisReply MethodNotAllowed() =>
        Html(405, "405 Method Not Allowed", "The method is not allowed for the requested URL.");

    public static IrisReply UnsupportedMediaType() =>
        Html(415, "415 Unsupported Media Type", "The request body was not read as JSON because its Content-Type is not application/json.");

    public static IrisReply BadRequest() =>
        Html(400, "400 Bad Request", "The browser (or proxy) sent a request that this server could not understand.");

    public static IrisReply InternalServerError() =>
        Html(500, "500 Internal Server Error", "The server encountered an internal error and was unable to complete your request.");

    public static IrisReply Html(int status, string title, string text)
    {
        var page = "<!doctype html>\n<html lang=en>\n<head><meta charset=\"utf-8\"><title>" + WebUtility.HtmlEncode(title) +
                   " - IRIS</title></head>\n<body>\n<h1>" + WebUtility.HtmlEncode(title) + "</h1>\n<p>" + WebUtility.HtmlEncode(text) +
                   "</p>\n</body>\n</html>\n";
        return new IrisReply(status, "text/html; charset=utf-8", page);
    }
}
