using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Aws.AutoScaling;
using PSSocAutomation.Lab.Aws.Ec2;
using PSSocAutomation.Lab.Aws.Elbv2;
using PSSocAutomation.Lab.Aws.Iam;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// AWS on one loopback port, like LocalStack's edge port: every request's SigV4 signature is verified by the Lab's own
/// verifier, then <see cref="AwsRouter"/> hands it to the emulated service its credential scope names (Security Hub,
/// STS, EC2, Auto Scaling, ELBv2, IAM; SNS's unsigned SubscribeURL). Tests seed and read back through <see cref="SecurityHub"/>,
/// <see cref="Sns"/>, <see cref="Ec2"/>, <see cref="AutoScaling"/>, <see cref="Elbv2"/>, <see cref="Iam"/> (or
/// <see cref="SeedIsolationScenario"/>, <see cref="SeedContainmentScenario"/>),
/// and move the clock every signature and throttle is measured on with <see cref="Clock"/>.
/// </summary>
public sealed class AwsLab : ILabService
{
    internal const string RequestIdItem = "aws.requestId";
    private const string TargetItem = "aws.target";
    private const string CallerItem = "aws.caller";
    private const string BodyItem = "aws.body";

    private readonly LabServer _lab;
    private readonly AwsRouter _router;
    private readonly AwsSigV4Verifier _verifier;
    private volatile string _region = DefaultRegion;

    public const string DefaultRegion = "us-east-1";

    public AwsLab(LabServer lab)
    {
        _lab = lab;
        SecurityHub = new AwsSecurityHubService(this);
        Sts = new AwsStsService(this);
        Sns = new AwsSnsService(this);
        Ec2 = new AwsEc2Service(this);
        AutoScaling = new AwsAutoScalingService(this);
        Elbv2 = new AwsElbv2Service(this);
        Iam = new AwsIamService(this);
        Sso = new AwsSsoService(this);
        _router = new AwsRouter(SecurityHub, Sts, Sns, Ec2, AutoScaling, Elbv2, Iam, Sso);
        _verifier = new AwsSigV4Verifier(CredentialsOf, service => _router.Find(service)?.RegionFor(Region) ?? Region, () => Now);
    }

    public string Name => "aws";
    public bool UseHttps => false;

    /// <summary>AWS's front door checks the signature before any operation is looked up: no signature, no 404.</summary>
    public bool AuthenticatesBeforeRouting => true;

    /// <summary>Temporary credentials' token travels in its own header; the journal redacts it with Authorization.</summary>
    public IReadOnlyList<string> CredentialHeaders => ["X-Amz-Security-Token"];

    public AwsSecurityHubService SecurityHub { get; }
    public AwsStsService Sts { get; }
    public AwsSnsService Sns { get; }
    /// <summary>EC2: VPCs, security groups, ENIs, instances, snapshots, instance-profile associations (seed and read back here).</summary>
    public AwsEc2Service Ec2 { get; }
    /// <summary>Auto Scaling groups and the Detach/AttachInstances calls applied to them.</summary>
    public AwsAutoScalingService AutoScaling { get; }
    /// <summary>ELBv2 instance target groups and the Register/DeregisterTargets calls applied to them.</summary>
    public AwsElbv2Service Elbv2 { get; }
    /// <summary>IAM (global, signed for us-east-1): users, roles, instance profiles, their policies and tags, and the calls that changed them.</summary>
    public AwsIamService Iam { get; }

    /// <summary>IAM Identity Center's portal and token endpoints (unsigned: bearer tokens), for SSO profiles.</summary>
    public AwsSsoService Sso { get; }

    /// <summary>The AWS services the router knows, by signing name.</summary>
    public IReadOnlyCollection<string> Services => _router.ServiceNames;

    /// <summary>The Lab's region: requests must be signed for it (IAM's for us-east-1). Default us-east-1.</summary>
    public string Region
    {
        get => _region;
        set => _region = value;
    }

    /// <summary>What "now" is for the five-minute signature window, throttling, Note.UpdatedAt and DateRange filters.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    internal DateTimeOffset Now => Clock.GetUtcNow();
    internal LabCredentials Credentials => _lab.Credentials;

    /// <summary>
    /// Story 3 in one call: a HIGH GuardDuty finding naming an instance (<see cref="AwsEc2Service.SeedIsolationTarget"/>:
    /// two ENIs, two volumes, profile web-role) that is in Auto Scaling group {name}-asg (min 1, desired 1) and target
    /// group {name}-tg; a neighbour instance sits in {name}-other-tg (port 8080), so a client must ask each group's health.
    /// </summary>
    public AwsIsolationScenario SeedIsolationScenario(string name = "web-01") => AwsIsolationScenarioSeeder.Seed(this, name);

    /// <summary>
    /// Story 3's IAM half in one call: IAM user {name} with two active access keys and a console password, and a HIGH,
    /// NEW, ACTIVE GuardDuty IAM finding in Security Hub whose AwsIamAccessKey resource names the user (PrincipalType
    /// IAMUser) and its first key.
    /// </summary>
    public IamContainmentScenario SeedContainmentScenario(string name = "compromised-dev") => AwsIsolationScenarioSeeder.SeedContainment(this, name);

    /// <summary>
    /// Every AWS call the journal holds, in order, as service and operation: the Query Action with the service its
    /// Version names (2016-11-15 ec2, 2011-01-01 autoscaling, 2015-12-01 elasticloadbalancing, 2010-05-08 iam, 2011-06-15 sts), Security
    /// Hub's operation by path. Faulted and refused calls are included with the status the client saw. Empty when the
    /// Lab keeps no bodies (<see cref="LabOptions.JournalBodies"/>), since the Action travels in the body.
    /// </summary>
    public IReadOnlyList<AwsCall> Calls()
    {
        var calls = new List<AwsCall>();
        foreach (var entry in _lab.Journal.For(Name))
        {
            var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(entry.Query);
            if (entry.Body.Length > 0 && !entry.Body.TrimStart().StartsWith('{'))
                foreach (var (key, value) in Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(entry.Body)) form[key] = value;
            var action = form.TryGetValue("Action", out var a) ? a.ToString() : null;
            var service = form.TryGetValue("Version", out var v) ? v.ToString() switch
            {
                AwsEc2Service.ApiVersion => AwsEc2Service.Name,
                AwsAutoScalingService.ApiVersion => AwsAutoScalingService.Name,
                AwsElbv2Service.ApiVersion => AwsElbv2Service.Name,
                AwsIamService.ApiVersion => AwsIamService.Name,
                "2011-06-15" => AwsStsService.Name,
                "2010-03-31" => AwsSnsService.Name,
                var other => other,
            } : null;
            if (action is null)
            {
                (service, action) = (entry.Method, entry.Path) switch
                {
                    ("POST", "/findings") => (AwsSecurityHubService.Name, "GetFindings"),
                    ("PATCH", "/findings/batchupdate") => (AwsSecurityHubService.Name, "BatchUpdateFindings"),
                    ("GET", "/federation/credentials") => (AwsSsoService.Name, "GetRoleCredentials"),
                    ("POST", "/token") => ("sso-oauth", "CreateToken"),
                    _ => (null, null),
                };
            }
            if (action is not null) calls.Add(new AwsCall(entry.Sequence, service ?? "?", action, entry.Status));
        }
        return calls;
    }

    /// <summary>Back to defaults: us-east-1, the system clock, and each service's own reset (findings, throttles, confirmations).</summary>
    public void Reset()
    {
        Region = DefaultRegion;
        Clock = TimeProvider.System;
        SecurityHub.Reset();
        Sns.Reset();
        Ec2.Reset();
        AutoScaling.Reset();
        Elbv2.Reset();
        Iam.Reset();
        Sso.Reset();
    }

    private AwsCredentialSet? CredentialsOf(string accessKeyId)
    {
        var credentials = _lab.Credentials;
        if (accessKeyId == credentials.AwsAccessKeyId) return credentials.AwsUser;
        if (accessKeyId == credentials.AwsSessionAccessKeyId) return credentials.AwsSession;
        return null;
    }

    /// <summary>Every AWS answer carries x-amzn-RequestId; the same id goes into Query bodies' RequestId.</summary>
    public IEnumerable<KeyValuePair<string, string>> EveryResponseHeaders(HttpRequest request)
    {
        var id = Guid.NewGuid().ToString();
        request.HttpContext.Items[RequestIdItem] = id;
        yield return new("x-amzn-RequestId", id);
    }

    internal static string RequestIdOf(HttpContext context) =>
        context.Items.TryGetValue(RequestIdItem, out var id) && id is string text ? text : Guid.NewGuid().ToString();

    public void Map(WebApplication app) =>
        app.Map("/{**path}", async context =>
        {
            var target = (IAwsEmulatedService)context.Items[TargetItem]!;
            var caller = context.Items.TryGetValue(CallerItem, out var c) ? c as AwsCaller : null;
            var body = (byte[])context.Items[BodyItem]!;
            var response = await target.HandleAsync(context, caller, body).ConfigureAwait(false);
            await response.WriteAsync(context).ConfigureAwait(false);
        });

    public async ValueTask<LabResponse?> AuthenticateAsync(HttpContext context)
    {
        var request = context.Request;
        // The body is part of the signature, and the service reads it again after: keep the bytes.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var body = buffer.ToArray();
        context.Items[BodyItem] = body;

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0 && _router.Unsigned(request) is { } open)
        {
            context.Items[TargetItem] = open;
            return null;
        }

        var scopeService = AwsSigV4Verifier.ServiceOf(authorization.Length == 0 ? null : authorization);
        var (caller, failure) = _verifier.Verify(AwsSignedRequest.From(request, body));
        if (failure is not null)
        {
            var shape = _router.RefusalShapeFor(request, scopeService, body);
            var (status, code, message) = AwsErrors.Refusal(failure, shape.Protocol);
            return shape.Error(context, status, code, message);
        }
        LabRequest.SetPrincipal(context, caller!.Credentials.AccessKeyId);
        if (_router.Find(caller.Service) is not { } target)
            return AwsErrors.Gateway(400, "InvalidInputException", $"AWS service '{caller.Service}' is not emulated by the PSSocAutomation Lab");
        context.Items[TargetItem] = target;
        context.Items[CallerItem] = caller;
        return null;
    }

    public LabResponse Fault(HttpRequest request, int status)
    {
        var scope = AwsSigV4Verifier.ServiceOf(request.Headers.Authorization.ToString());
        var shape = scope is null && _router.Unsigned(request) is { } open ? open : _router.RefusalShapeFor(request, scope);
        return shape.Fault(request.HttpContext, status);
    }

    /// <summary>A test's chosen error code (RequestLimitExceeded, say) in the target service's own error shape.</summary>
    public LabResponse Fault(HttpRequest request, int status, string code, string? message)
    {
        var scope = AwsSigV4Verifier.ServiceOf(request.Headers.Authorization.ToString());
        var shape = scope is null && _router.Unsigned(request) is { } open ? open : _router.RefusalShapeFor(request, scope);
        return shape.Error(request.HttpContext, status, code, message ?? "Injected fault " + code);
    }

    /// <summary>
    /// The operation a request calls: the Query Action (query string or form body) or the X-Amz-Target operation, bare
    /// and prefixed with the signing name of its credential scope ("ec2:DescribeInstances"), as IAM policies name them.
    /// </summary>
    public IReadOnlyList<string> OperationsOf(HttpRequest request, string body)
    {
        string? operation = request.Query["Action"].ToString();
        if (operation.Length == 0 && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
            operation = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(body).TryGetValue("Action", out var action) ? action.ToString() : null;
        if (string.IsNullOrEmpty(operation) && request.Headers["X-Amz-Target"].ToString() is { Length: > 0 } target)
            operation = target[(target.LastIndexOf('.') + 1)..];
        if (string.IsNullOrEmpty(operation)) return [];
        var service = AwsSigV4Verifier.ServiceOf(request.Headers.Authorization.ToString());
        return service is null ? [operation] : [operation, service + ":" + operation];
    }

    /// <summary>Never reached in practice (the catch-all route takes every path); kept in the rest-json shape for completeness.</summary>
    public LabResponse Unmatched(HttpRequest request) => AwsErrors.Gateway(400, "InvalidInputException", LabResponse.NotEmulatedMessage(request));
}
