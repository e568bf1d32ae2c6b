using System.Collections.Concurrent;
using System.Security;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws;

/// <summary>One subscription confirmed through its SubscribeURL, for tests to assert on.</summary>
public sealed record SnsConfirmation(string TopicArn, string Token, string SubscriptionArn, DateTimeOffset Time);

/// <summary>
/// The part of SNS an HTTPS subscriber talks to: the SubscribeURL of a SubscriptionConfirmation, an unsigned GET
/// /?Action=ConfirmSubscription&amp;TopicArn=...&amp;Token=... answered with ConfirmSubscriptionResponse XML
/// (contract 3.2). Tests issue a token with <see cref="IssueSubscription"/> and read <see cref="Confirmations"/>.
/// A token the Lab did not issue for that topic is SNS's 400 InvalidParameter.
/// </summary>
public sealed class AwsSnsService : IAwsEmulatedService
{
    public const string Name = "sns";
    public const string Namespace = "http://sns.amazonaws.com/doc/2010-03-31/";

    private readonly AwsLab _aws;
    private readonly ConcurrentDictionary<string, string> _issued = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SnsConfirmation> _confirmations = new();

    internal AwsSnsService(AwsLab aws) => _aws = aws;

    public string SigningName => Name;
    public AwsProtocol Protocol => AwsProtocol.Query;
    public string? QueryVersion => "2010-03-31";
    public string RegionFor(string labRegion) => labRegion;

    /// <summary>Every ConfirmSubscription the Lab answered, in order.</summary>
    public IReadOnlyList<SnsConfirmation> Confirmations => _confirmations.ToArray();

    /// <summary>
    /// A pending subscription to <paramref name="topicArn"/>: its token and the SubscribeURL (on this Lab's AWS
    /// endpoint) a SubscriptionConfirmation message would carry.
    /// </summary>
    public (string Token, Uri SubscribeUrl) IssueSubscription(string topicArn, Uri awsEndpoint)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(64)).ToLowerInvariant();
        _issued[token] = topicArn;
        var url = new Uri(awsEndpoint, $"?Action=ConfirmSubscription&TopicArn={Uri.EscapeDataString(topicArn)}&Token={token}");
        return (token, url);
    }

    public void Reset()
    {
        _issued.Clear();
        _confirmations.Clear();
    }

    public LabResponse Error(HttpContext context, int status, string code, string message) =>
        AwsErrors.Query(Namespace, status, code, message, AwsLab.RequestIdOf(context));

    public LabResponse Fault(HttpContext context, int status) =>
        Error(context, status, AwsStsService.QueryFaultCode(status), AwsStsService.QueryFaultMessage(status));

    public Task<LabResponse> HandleAsync(HttpContext context, AwsCaller? caller, byte[] body)
    {
        var parameters = AwsQueryRequest.Parameters(context.Request, body);
        var action = parameters.GetValueOrDefault("Action") ?? string.Empty;
        if (action != "ConfirmSubscription")
            return Task.FromResult(Error(context, 400, "InvalidAction", LabResponse.NotEmulatedMessage(context.Request) + $" (SNS action '{action}')"));
        var topic = parameters.GetValueOrDefault("TopicArn");
        var token = parameters.GetValueOrDefault("Token");
        if (string.IsNullOrEmpty(topic)) return Task.FromResult(Error(context, 400, "InvalidParameter", "Invalid parameter: TopicArn"));
        if (string.IsNullOrEmpty(token) || !_issued.TryGetValue(token, out var issuedFor) || issuedFor != topic)
            return Task.FromResult(Error(context, 400, "InvalidParameter", "Invalid parameter: Token"));

        var subscription = topic + ":" + Guid.NewGuid();
        _confirmations.Enqueue(new SnsConfirmation(topic, token, subscription, _aws.Now));
        var xml = $"""
            <ConfirmSubscriptionResponse xmlns="{Namespace}">
              <ConfirmSubscriptionResult>
                <SubscriptionArn>{SecurityElement.Escape(subscription)}</SubscriptionArn>
              </ConfirmSubscriptionResult>
              <ResponseMetadata>
                <RequestId>{AwsLab.RequestIdOf(context)}</RequestId>
              </ResponseMetadata>
            </ConfirmSubscriptionResponse>
            """;
        return Task.FromResult(new LabResponse(200, "text/xml", xml));
    }
}
