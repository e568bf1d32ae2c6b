using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// One emulated AWS service behind the Lab's single AWS endpoint (as LocalStack's edge port): the router
/// (<see cref="AwsRouter"/>) picks it by the service name in the signature's credential scope. A new service (ec2,
/// iam, autoscaling, elasticloadbalancing) is one more implementation registered there.
/// </summary>
public interface IAwsEmulatedService
{
    /// <summary>The SigV4 signing name, as in the credential scope ("securityhub", "sts").</summary>
    string SigningName { get; }

    AwsProtocol Protocol { get; }

    /// <summary>A Query service's API Version ("2016-11-15" for EC2): how an unsigned request is told apart when no scope names the service.</summary>
    string? QueryVersion => null;

    /// <summary>The region requests must be scoped to, given the Lab's (IAM answers only for us-east-1 in the aws partition).</summary>
    string RegionFor(string labRegion);

    /// <summary>A refusal or error in this service's shape (a Query service's XML carries the request id and its namespace).</summary>
    LabResponse Error(HttpContext context, int status, string code, string message);

    /// <summary>An injected status fault, in this service's shape with a code AWS gives for that status.</summary>
    LabResponse Fault(HttpContext context, int status);

    /// <summary>Serves one request whose signature has been verified (or that needs none, <see cref="AwsCaller"/> null).</summary>
    Task<LabResponse> HandleAsync(HttpContext context, AwsCaller? caller, byte[] body);
}
