using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using PSSocAutomation.Aws.Events;
using PSSocAutomation.Lab.Sns;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Aws.Events;

/// <summary>The shared AWS fixtures, the project's own Security Hub event, and a certificate source that counts its calls.</summary>
internal static class SnsTestSupport
{
    public const string TopicArn = "arn:aws:sns:us-east-1:111122223333:securityhub-findings";

    /// <summary>One signer for the test classes: generating its two RSA keys per test would cost most of the run.</summary>
    public static LabSnsSigner Signer { get; } = new();

    /// <summary>shared/fixtures/aws, or null outside the team (the tests using it are SharedFixtureFact, so they skip).</summary>
    public static string? AwsFixtures => RepositoryPaths.SharedFixtures is string shared ? Path.Combine(shared, "aws") : null;

    public static string Fixture(string relative) => File.ReadAllText(Path.Combine(AwsFixtures!, relative));

    public static X509Certificate2 FixtureCertificate() => SnsCertificatePem.Parse(Fixture("sns/signing-cert.sns.us-east-2.2021.pem"), "fixture");

    public static JsonArray SignedFixtures() => JsonNode.Parse(Fixture("sns/signed-notifications.php-validator.json"))!.AsArray();

    /// <summary>A Security Hub Imported event of the project's own (contract 3.1 shape), with one GuardDuty-like finding.</summary>
    public static string ImportedEvent(string detailType = "Security Hub Findings - Imported", string source = "aws.securityhub", int findings = 1, string id = "evt-1")
    {
        var list = new JsonArray();
        for (var i = 0; i < findings; i++)
        {
            list.Add(new JsonObject
            {
                ["SchemaVersion"] = "2018-10-08",
                ["Id"] = "arn:aws:guardduty:us-east-1:111122223333:detector/d1/finding/f" + i,
                ["ProductArn"] = "arn:aws:securityhub:us-east-1::product/aws/guardduty",
                ["AwsAccountId"] = "111122223333",
                ["Title"] = "Finding " + i + " with a line\nbreak and \"quotes\"",
                ["Severity"] = new JsonObject { ["Label"] = "HIGH", ["Normalized"] = 70 },
            });
        }
        var detail = new JsonObject { ["findings"] = list };
        if (detailType.EndsWith("Custom Action", StringComparison.Ordinal))
        {
            detail["actionName"] = "SendToSoc";
            detail["actionDescription"] = "Send the finding to the SOC runbook";
        }
        return new JsonObject
        {
            ["version"] = "0",
            ["id"] = id,
            ["detail-type"] = detailType,
            ["source"] = source,
            ["account"] = "111122223333",
            ["time"] = "2026-12-01T10:00:00Z",
            ["region"] = "us-east-1",
            ["resources"] = new JsonArray("arn:aws:securityhub:us-east-1::product/aws/guardduty/f0"),
            ["detail"] = detail,
        }.ToJsonString();
    }

    /// <summary>The envelope with one field set (or removed, for null), everything else as it was.</summary>
    public static string With(string envelope, string field, string? value)
    {
        var node = JsonNode.Parse(envelope)!.AsObject();
        if (value is null) node.Remove(field);
        else node[field] = value;
        return node.ToJsonString();
    }

    /// <summary>The text with one character changed to another of the same class (a base64 letter stays base64).</summary>
    public static string OneByteChanged(string text, int at)
    {
        var chars = text.ToCharArray();
        chars[at] = chars[at] == 'A' ? 'B' : chars[at] == '0' ? '1' : char.IsLetterOrDigit(chars[at]) ? 'A' : '0';
        return new string(chars);
    }
}

/// <summary>Hands out the inner source's certificates and counts how often it was asked, to prove refused URLs are never fetched.</summary>
internal sealed class CountingCertificateSource(ISnsCertificateSource inner) : ISnsCertificateSource
{
    public int Calls { get; private set; }

    public Task<X509Certificate2> GetCertificateAsync(Uri certificateUrl, CancellationToken cancellationToken)
    {
        Calls++;
        return inner.GetCertificateAsync(certificateUrl, cancellationToken);
    }
}
