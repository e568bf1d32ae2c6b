using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Kibana;

/// <summary>
/// Kibana's two error shapes. The platform (hapi/Boom) answers {statusCode, error, message}; Security Solution
/// routes answer through siemResponse.error as {status_code, message}, snake_case. A client has to read both, so the
/// Lab gives each where the real one does.
/// </summary>
internal static class KibanaErrors
{
    public static LabResponse Platform(int status, string? message = null) =>
        Json(status, new JsonObject
        {
            ["statusCode"] = status,
            ["error"] = ReasonPhrases.GetReasonPhrase(status),
            ["message"] = message ?? ReasonPhrases.GetReasonPhrase(status),
        });

    public static LabResponse Security(int status, string message) =>
        Json(status, new JsonObject { ["status_code"] = status, ["message"] = message });

    /// <summary>JSON.stringify escapes only what JSON requires: quotes stay \" and non-ASCII stays as it is.</summary>
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static LabResponse Json(int status, JsonNode body) => new(status, "application/json; charset=utf-8", body.ToJsonString(Relaxed));

    public static string ToJson(JsonNode body) => body.ToJsonString(Relaxed);
}

/// <summary>A route's refusal, thrown from deep in validation and written by the Kibana Lab's error middleware.</summary>
internal sealed class KibanaException : Exception
{
    public KibanaException(LabResponse response) : base(response.Body) => Response = response;

    public LabResponse Response { get; }

    /// <summary>The request-body validation failure of a Security Solution route: "[request body]: ...".</summary>
    public static KibanaException BadBody(string detail) => new(KibanaErrors.Security(400, "[request body]: " + detail));
}
