using System.Globalization;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws;

/// <summary>A Query-protocol service error (IAM-style ErrorResponse): its code, message and HTTP status.</summary>
internal sealed class AwsQueryException(string code, string message, int status = 400) : Exception(message)
{
    public string Code { get; } = code;
    public int Status { get; } = status;
}

/// <summary>
/// The answers of the Query services that speak as IAM does (Auto Scaling, ELBv2): ActionResponse in the service's
/// namespace with ActionResult (PascalCase members, lists of &lt;member&gt;) and ResponseMetadata/RequestId.
/// </summary>
internal static class AwsQueryXml
{
    /// <summary>
    /// <paramref name="result"/> null: an action whose output has no members (AttachInstances), answered with
    /// ResponseMetadata alone; empty: an empty ActionResult element (DeregisterTargets).
    /// </summary>
    public static LabResponse Response(XNamespace ns, string action, string requestId, IEnumerable<XElement?>? result)
    {
        var root = new XElement(ns + (action + "Response"),
            result is null ? null : new XElement(ns + (action + "Result"), result.Cast<object?>().ToArray()),
            new XElement(ns + "ResponseMetadata", new XElement(ns + "RequestId", requestId)));
        return new LabResponse(200, "text/xml", root.ToString());
    }

    /// <summary>
    /// Serves one request of such a service: reads the parameters, runs the action <paramref name="dispatch"/> names
    /// under the service's lock, and answers its result, or its <see cref="AwsQueryException"/> in the ErrorResponse
    /// shape. A missing Action is MissingAction; one <paramref name="dispatch"/> does not know (null) is InvalidAction.
    /// </summary>
    public static Task<LabResponse> Serve(HttpContext context, byte[] body, string @namespace, string apiVersion, object gate,
        Func<string, AwsQueryArgs, Func<IEnumerable<XElement?>?>?> dispatch)
    {
        var args = new AwsQueryArgs(AwsQueryRequest.Parameters(context.Request, body));
        var requestId = AwsLab.RequestIdOf(context);
        var action = args["Action"] ?? string.Empty;
        try
        {
            if (action.Length == 0) throw new AwsQueryException("MissingAction", "Missing Action");
            var run = dispatch(action, args) ?? throw new AwsQueryException("InvalidAction", $"Could not find operation {action} for version {apiVersion}");
            IEnumerable<XElement?>? result;
            lock (gate) result = run();
            return Task.FromResult(Response(@namespace, action, requestId, result));
        }
        catch (AwsQueryException e)
        {
            return Task.FromResult(AwsErrors.Query(@namespace, e.Status, e.Code, e.Message, requestId));
        }
    }

    public static XElement Members(XNamespace ns, string name, IEnumerable<XElement> members) => new(ns + name, members.Cast<object>().ToArray());

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Required(AwsQueryArgs args, string name, string memberName) =>
        args[name] is { Length: > 0 } value ? value
            : throw new AwsQueryException("ValidationError", $"1 validation error detected: Value null at '{memberName}' failed to satisfy constraint: Member must not be null");
}
