using System.Security;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// STS (Query protocol, version 2011-06-15): GetCallerIdentity for either Lab credential, answered as STS does
/// (GetCallerIdentityResponse / GetCallerIdentityResult {Arn, UserId, Account} / ResponseMetadata {RequestId}, text/xml).
/// Any other Action is STS's 400 InvalidAction.
/// </summary>
public sealed class AwsStsService : IAwsEmulatedService
{
    public const string Name = "sts";
    public const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
    private const string Version = "2011-06-15";

    private readonly AwsLab _aws;

    internal AwsStsService(AwsLab aws) => _aws = aws;

    public string SigningName => Name;
    public AwsProtocol Protocol => AwsProtocol.Query;
    public string? QueryVersion => Version;

    /// <summary>Regional STS endpoints take their own region; the Lab is one region.</summary>
    public string RegionFor(string labRegion) => labRegion;

    public LabResponse Error(HttpContext context, int status, string code, string message) =>
        AwsErrors.Query(Namespace, status, code, message, AwsLab.RequestIdOf(context));

    /// <summary>Query services throttle as 400 Throttling "Rate exceeded"; an injected 429 keeps its status with that code.</summary>
    public LabResponse Fault(HttpContext context, int status) => Error(context, status, QueryFaultCode(status), QueryFaultMessage(status));

    internal static string QueryFaultCode(int status) => status switch
    {
        429 => "Throttling",
        500 => "InternalFailure",
        503 => "ServiceUnavailable",
        _ => "InternalFailure",
    };

    internal static string QueryFaultMessage(int status) => status switch
    {
        429 => "Rate exceeded",
        503 => "Service Unavailable",
        _ => "Injected fault " + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public Task<LabResponse> HandleAsync(HttpContext context, AwsCaller? caller, byte[] body)
    {
        var parameters = AwsQueryRequest.Parameters(context.Request, body);
        if (!parameters.TryGetValue("Action", out var action) || action.Length == 0)
            return Task.FromResult(Error(context, 400, "MissingAction", "Missing Action"));
        if (action != "GetCallerIdentity" || caller is null)
            return Task.FromResult(Error(context, 400, "InvalidAction", $"Could not find operation {action} for version {Version}"));
        var who = caller.Credentials;
        var xml = $"""
            <GetCallerIdentityResponse xmlns="{Namespace}">
              <GetCallerIdentityResult>
                <Arn>{SecurityElement.Escape(who.Arn)}</Arn>
                <UserId>{SecurityElement.Escape(who.UserId)}</UserId>
                <Account>{who.Account}</Account>
              </GetCallerIdentityResult>
              <ResponseMetadata>
                <RequestId>{AwsLab.RequestIdOf(context)}</RequestId>
              </ResponseMetadata>
            </GetCallerIdentityResponse>
            """;
        return Task.FromResult(new LabResponse(200, "text/xml", xml));
    }
}
