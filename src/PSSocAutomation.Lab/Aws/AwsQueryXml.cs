using System.Globalization;
using System.Xml.Linq;
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

    public static XElement Members(XNamespace ns, string name, IEnumerable<XElement> members) => new(ns + name, members.Cast<object>().ToArray());

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Required(AwsQueryArgs args, string name, string memberName) =>
        args[name] is { Length: > 0 } value ? value
            : throw new AwsQueryException("ValidationError", $"1 validation error detected: Value null at '{memberName}' failed to satisfy constraint: Member must not be null");
}
