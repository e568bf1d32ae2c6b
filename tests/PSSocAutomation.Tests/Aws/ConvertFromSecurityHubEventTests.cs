using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Lab.Sns;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Aws;

/// <summary>One Lab SNS signer for the class: making its two RSA keys per test would cost most of the run.</summary>
public sealed class SnsSignerFixture : IDisposable
{
    public LabSnsSigner Signer { get; } = new();

    public void Dispose() => Signer.Dispose();
}

/// <summary>
/// ConvertFrom-SecurityHubEvent in a real runspace (the built module): EventBridge events, SNS envelopes signed by the
/// Lab's signer and by AWS (the shared fixtures), WebhookData, and SubscriptionConfirmations visited on the Lab.
/// </summary>
public sealed class ConvertFromSecurityHubEventTests : IClassFixture<LabFixture>, IClassFixture<SnsSignerFixture>
{
    private const string Topic = "arn:aws:sns:us-east-1:111122223333:securityhub-findings";
    private const string AlertType = "PSSocAutomation.Core.SocAlert";
    private const string ConfirmationType = "PSSocAutomation.Aws.Events.SnsSubscriptionConfirmation";

    private readonly LabFixture _fixture;
    private readonly LabSnsSigner _signer;

    public ConvertFromSecurityHubEventTests(LabFixture fixture, SnsSignerFixture signer)
    {
        _fixture = fixture;
        _signer = signer.Signer;
        _fixture.Reset();
        _fixture.Lab.Aws.Reset();
    }

    private LabServer Lab => _fixture.Lab;

    private static string Aws(string relative) => File.ReadAllText(Path.Combine(RepositoryPaths.SharedFixtures!, "aws", relative));

    private static string GuardDutyEvent => Aws("eventbridge/securityhub-findings-imported.guardduty.json");
    private static string Ec2Event => Aws("eventbridge/securityhub-findings-imported.afsbp-ec2.7.json");

    private ScriptResult Run(string script, Dictionary<string, object?>? variables = null, params string[] secrets)
    {
        variables ??= new();
        variables["cert"] = _signer.Certificate;
        var result = _fixture.Session.Run(script, variables);
        foreach (var secret in secrets)
            Assert.DoesNotContain(result.AllText(), t => t.Contains(secret, StringComparison.Ordinal));
        return result;
    }

    private static JsonNode FindingOf(string eventJson, int index = 0) => JsonNode.Parse(eventJson)!["detail"]!["findings"]![index]!;

    /// <summary>"Source|Id|OriginalJson" for every alert the script wrote, so the ASFF finding can be compared whole.</summary>
    private const string AlertLines = " | ForEach-Object { if ($_.PSObject.TypeNames -contains 'PSSocAutomation.Core.SocAlert') { \"$($_.Source)|$($_.Id)|$($_.OriginalJson())\" } else { $_ } }";

    private static List<(string Source, string Id, JsonNode Original)> Alerts(ScriptResult result) =>
        result.Output.Select(o => o.BaseObject).OfType<string>().Select(line =>
        {
            var parts = line.Split('|', 3);
            return (parts[0], parts[1], JsonNode.Parse(parts[2])!);
        }).ToList();

    private static void NoErrors(ScriptResult result) =>
        Assert.True(result.Errors.Count == 0 && result.Terminating is null,
            string.Join("\n", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message).Append(result.Terminating?.Message ?? string.Empty)));

    private static ErrorRecord SingleError(ScriptResult result) => result.Terminating?.ErrorRecord ?? Assert.Single(result.Errors);

    private static string Tamper(string envelope)
    {
        var node = JsonNode.Parse(envelope)!.AsObject();
        var message = node["Message"]!.GetValue<string>();
        // One byte changed: the event's account id digit.
        var at = message.IndexOf("\"account\":\"", StringComparison.Ordinal) + 11;
        var changed = message.Substring(0, at) + (message[at] == '9' ? '8' : '9') + message.Substring(at + 1);
        node["Message"] = changed;
        return node.ToJsonString();
    }

    // ---- AWS's own signed notifications ----

    [SharedFixtureFact]
    public void The_four_AWS_signed_notifications_verify_against_the_pinned_certificate_and_one_changed_byte_does_not()
    {
        var envelopes = JsonNode.Parse(Aws("sns/signed-notifications.php-validator.json"))!.AsArray().Select(n => n!.ToJsonString()).ToList();
        var pem = Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "sns", "signing-cert.sns.us-east-2.2021.pem");

        // They carry "Hello world", not an event: verified, they are refused as NotAnEvent (invalid data), never as forged.
        var result = Run("$in | ConvertFrom-SecurityHubEvent -SigningCertificate $pem", new() { ["in"] = envelopes.ToArray(), ["pem"] = pem });
        Assert.Empty(result.Output);
        Assert.Equal(4, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.Equal("SecurityHubEvent.NotAnEvent", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
            Assert.Contains("carries text, not an EventBridge event", e.Exception.Message);
        });

        var tampered = JsonNode.Parse(envelopes[1])!.AsObject();
        tampered["Message"] = "Hello World";
        envelopes[1] = tampered.ToJsonString();
        result = Run("$in | ConvertFrom-SecurityHubEvent -SigningCertificate $pem", new() { ["in"] = envelopes.ToArray(), ["pem"] = pem });
        var ids = result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]).ToList();
        Assert.Equal(new[] { "SecurityHubEvent.NotAnEvent", "SecurityHubEvent.SignatureInvalid", "SecurityHubEvent.NotAnEvent", "SecurityHubEvent.NotAnEvent" }, ids);
        var forged = result.Errors[1];
        Assert.Equal(ErrorCategory.SecurityError, forged.CategoryInfo.Category);
        Assert.Contains("17dea24b-55c2-540b-8362-f916557af765", forged.Exception.Message);
        Assert.Contains("does not match its signature", forged.Exception.Message);
        var signature = JsonNode.Parse(envelopes[1])!["Signature"]!.GetValue<string>();
        Assert.DoesNotContain(result.AllText(), t => t.Contains(signature.Substring(0, 40), StringComparison.Ordinal));
    }

    // ---- SNS notifications carrying Security Hub events ----

    [SharedFixtureFact]
    public void Signed_notifications_become_the_alerts_Get_SecurityHubFinding_writes_and_a_forged_one_stops_only_itself()
    {
        var first = _signer.SignNotification(GuardDutyEvent, Topic, signatureVersion: 1);
        var second = Tamper(_signer.SignNotification(GuardDutyEvent, Topic, signatureVersion: 2));
        var third = _signer.SignNotification(Ec2Event, Topic, signatureVersion: 2);

        var result = Run("$in | ConvertFrom-SecurityHubEvent -SigningCertificate $cert" + AlertLines, new() { ["in"] = new[] { first, second, third } });

        var alerts = Alerts(result);
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal("SecurityHub", a.Source));
        Assert.True(JsonNode.DeepEquals(FindingOf(GuardDutyEvent), alerts[0].Original));
        Assert.True(JsonNode.DeepEquals(FindingOf(Ec2Event), alerts[1].Original));
        Assert.Equal(FindingOf(GuardDutyEvent)["Id"]!.GetValue<string>(), alerts[0].Id);
        var error = Assert.Single(result.Errors);
        Assert.Equal("SecurityHubEvent.SignatureInvalid", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.SecurityError, error.CategoryInfo.Category);
        Assert.Contains("Do not act on it", error.ErrorDetails.Message);
    }

    [SharedFixtureFact]
    public void An_alert_is_the_same_whether_polled_or_pushed()
    {
        var envelope = _signer.SignNotification(GuardDutyEvent, Topic);
        var result = Run("""
            $pushed = $in | ConvertFrom-SecurityHubEvent -SigningCertificate $cert
            $pushed.GetType().FullName
            "$($pushed.Title)|$($pushed.Severity)|$($pushed.SourceFields.ProductArn)|$($pushed.Host)"
            """, new() { ["in"] = envelope });
        NoErrors(result);
        Assert.Equal(AlertType, result.Output[0].ToString());
        var finding = FindingOf(GuardDutyEvent);
        var line = result.Output[1].ToString().Split('|');
        Assert.Equal(finding["Title"]!.GetValue<string>(), line[0]);
        Assert.Equal(finding["ProductArn"]!.GetValue<string>(), line[2]);
    }

    [SharedFixtureFact]
    public void An_EventBridge_event_is_read_directly_as_text_or_as_an_object()
    {
        var result = Run("$text | ConvertFrom-SecurityHubEvent" + AlertLines + "; ($text | ConvertFrom-Json) | ConvertFrom-SecurityHubEvent" + AlertLines,
            new() { ["text"] = Ec2Event });
        NoErrors(result);
        var alerts = Alerts(result);
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal("SecurityHub", a.Source));
        Assert.True(JsonNode.DeepEquals(FindingOf(Ec2Event), alerts[0].Original));
        Assert.Equal(alerts[0].Id, alerts[1].Id);
    }

    [SharedFixtureFact]
    public void WebhookData_with_a_RequestBody_string_and_RequestHeader_is_read()
    {
        var envelope = _signer.SignNotification(GuardDutyEvent, Topic, signatureVersion: 2);
        var headers = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in LabSnsSigner.HeadersFor(envelope)) headers[k] = v;
        var result = Run("""
            $WebhookData = [pscustomobject]@{ WebhookName = 'securityhub'; RequestHeader = $headers; RequestBody = $body }
            $WebhookData | ConvertFrom-SecurityHubEvent -SigningCertificate $cert -AllowedTopicArn $topic
            """ + AlertLines + """

            $asObject = [pscustomobject]@{ WebhookName = 'securityhub'; RequestHeader = [pscustomobject]$headers; RequestBody = $body }
            ConvertFrom-SecurityHubEvent -InputObject $asObject -SigningCertificate $cert
            """ + AlertLines, new() { ["headers"] = headers, ["body"] = envelope, ["topic"] = Topic });
        NoErrors(result);
        var alerts = Alerts(result);
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.True(JsonNode.DeepEquals(FindingOf(GuardDutyEvent), a.Original)));
    }

    [SharedFixtureFact]
    public void An_unsigned_envelope_is_refused_unless_the_check_is_skipped_with_a_warning()
    {
        var node = JsonNode.Parse(_signer.SignNotification(GuardDutyEvent, Topic))!.AsObject();
        node.Remove("Signature");
        var unsigned = node.ToJsonString();

        var refused = Run("$in | ConvertFrom-SecurityHubEvent -SigningCertificate $cert", new() { ["in"] = unsigned });
        Assert.Empty(refused.Output);
        var error = SingleError(refused);
        Assert.Equal("SecurityHubEvent.SignatureMissing", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.SecurityError, error.CategoryInfo.Category);

        var skipped = Run("$in | ConvertFrom-SecurityHubEvent -SkipSignatureCheck" + AlertLines, new() { ["in"] = new[] { unsigned, unsigned } });
        NoErrors(skipped);
        Assert.Equal(2, Alerts(skipped).Count);
        var warning = Assert.Single(skipped.Warnings);
        Assert.Contains("-SkipSignatureCheck", warning);
    }

    [SharedFixtureFact]
    public void Raw_delivery_is_refused_unless_unsigned_SNS_delivery_is_allowed()
    {
        var headers = new System.Collections.Hashtable
        {
            ["x-amz-sns-rawdelivery"] = "true",
            ["x-amz-sns-message-type"] = "Notification",
            ["x-amz-sns-topic-arn"] = Topic,
            ["x-amz-sns-message-id"] = "raw-1",
        };
        var variables = new Dictionary<string, object?> { ["headers"] = headers, ["body"] = GuardDutyEvent };
        const string webhook = "$wd = [pscustomobject]@{ WebhookName = 'raw'; RequestHeader = $headers; RequestBody = $body }\n";

        var refused = Run(webhook + "$wd | ConvertFrom-SecurityHubEvent", variables);
        Assert.Empty(refused.Output);
        var error = SingleError(refused);
        Assert.Equal("SecurityHubEvent.RawDeliveryRefused", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.SecurityError, error.CategoryInfo.Category);
        Assert.Contains("RawMessageDelivery", error.Exception.Message);

        var allowed = Run(webhook + "$wd | ConvertFrom-SecurityHubEvent -AllowUnsignedSnsDelivery" + AlertLines, variables);
        NoErrors(allowed);
        Assert.True(JsonNode.DeepEquals(FindingOf(GuardDutyEvent), Assert.Single(Alerts(allowed)).Original));
    }

    [SharedFixtureFact]
    public void A_notification_from_a_topic_not_allowed_is_refused()
    {
        var other = _signer.SignNotification(GuardDutyEvent, "arn:aws:sns:us-east-1:444455556666:someone-else");
        var mine = _signer.SignNotification(GuardDutyEvent, Topic);
        var result = Run("$in | ConvertFrom-SecurityHubEvent -SigningCertificate $cert -AllowedTopicArn $topic" + AlertLines,
            new() { ["in"] = new[] { other, mine }, ["topic"] = Topic });
        Assert.Single(Alerts(result));
        var error = Assert.Single(result.Errors);
        Assert.Equal("SecurityHubEvent.TopicRefused", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.SecurityError, error.CategoryInfo.Category);
        Assert.Contains("444455556666:someone-else", error.Exception.Message);
    }

    // ---- SubscriptionConfirmation ----

    private (string Envelope, string Token) Confirmation(int signatureVersion = 1)
    {
        var (token, url) = Lab.Aws.Sns.IssueSubscription(Topic, Lab.AwsUri);
        return (_signer.SignSubscriptionConfirmation(Topic, url.ToString(), token, signatureVersion), token);
    }

    [Fact]
    public void A_confirmation_is_written_as_an_object_and_nothing_is_visited_without_ConfirmSubscription()
    {
        var (envelope, token) = Confirmation();
        var result = Run("$c = $in | ConvertFrom-SecurityHubEvent -SigningCertificate $cert; $c.GetType().FullName; $c.TopicArn; $c.Token -eq $token; $c.SubscribeUrl.Contains($token); $c.Confirmed; $c.SignatureVerified; $c | Out-String -Width 400; $c.ToString(); $c | Format-List | Out-String -Width 400",
            new() { ["in"] = envelope, ["token"] = token });
        NoErrors(result);
        Assert.Equal(new[] { ConfirmationType, Topic, "True", "True", "False", "True" }, result.Output.Take(6).Select(o => o.ToString()));
        Assert.Contains(Topic, result.Output[6].ToString());
        // The default view and ToString never show the token.
        Assert.DoesNotContain(token, result.Output[6].ToString());
        Assert.Equal("SubscriptionConfirmation for " + Topic + " (not confirmed)", result.Output[7].ToString());
        Assert.Contains("TokenPreview", result.Output[8].ToString());
        Assert.DoesNotContain(token, result.Output[8].ToString());
        Assert.Empty(Lab.Journal.For("aws"));
    }

    [Fact]
    public void ConfirmSubscription_visits_the_SubscribeURL_of_a_verified_confirmation()
    {
        var (envelope, token) = Confirmation(signatureVersion: 2);
        var result = Run("$in | ConvertFrom-SecurityHubEvent -SigningCertificate $cert -ConfirmSubscription -Verbose | ForEach-Object { \"$($_.Confirmed)|$($_.SubscriptionArn)\" }",
            new() { ["in"] = envelope }, token);
        NoErrors(result);
        var confirmed = Assert.Single(Lab.Aws.Sns.Confirmations);
        Assert.Equal((Topic, token), (confirmed.TopicArn, confirmed.Token));
        Assert.Equal("True|" + confirmed.SubscriptionArn, Assert.Single(result.Output).ToString());
        var request = Assert.Single(Lab.Journal.For("aws"));
        Assert.Equal("GET", request.Method);
        Assert.Contains("Action=ConfirmSubscription", request.Query);
        Assert.Equal(200, request.Status);
    }

    [Fact]
    public void WhatIf_visits_nothing()
    {
        var (envelope, token) = Confirmation();
        var result = Run("$in | ConvertFrom-SecurityHubEvent -SigningCertificate $cert -ConfirmSubscription -WhatIf | ForEach-Object { \"$($_.Confirmed)\" }",
            new() { ["in"] = envelope }, token);
        NoErrors(result);
        Assert.Equal("False", Assert.Single(result.Output).ToString());
        Assert.Empty(Lab.Journal.For("aws"));
        Assert.Empty(Lab.Aws.Sns.Confirmations);
    }

    [Fact]
    public void An_unverified_confirmation_is_never_visited()
    {
        var (envelope, token) = Confirmation();
        var forged = JsonNode.Parse(envelope)!.AsObject();
        forged["Message"] = forged["Message"]!.GetValue<string>() + " ";
        var result = Run("$in | ConvertFrom-SecurityHubEvent -SigningCertificate $cert -ConfirmSubscription", new() { ["in"] = forged.ToJsonString() }, token);
        Assert.Empty(result.Output);
        var error = SingleError(result);
        Assert.Equal("SecurityHubEvent.SignatureInvalid", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.SecurityError, error.CategoryInfo.Category);

        var skipped = Run("$in | ConvertFrom-SecurityHubEvent -SkipSignatureCheck -ConfirmSubscription | ForEach-Object { \"$($_.Confirmed)\" }", new() { ["in"] = envelope }, token);
        var notVerified = SingleError(skipped);
        Assert.Equal("SecurityHubEvent.ConfirmationNotVerified", notVerified.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.SecurityError, notVerified.CategoryInfo.Category);
        Assert.Equal("False", Assert.Single(skipped.Output).ToString());
        Assert.Empty(Lab.Journal.For("aws"));
        Assert.Empty(Lab.Aws.Sns.Confirmations);
    }

    [Fact]
    public void A_confirmation_SNS_refuses_is_an_error_saying_so_and_the_object_says_not_confirmed()
    {
        // A token the Lab never issued: SNS answers 400 InvalidParameter, as for an expired token.
        var envelope = _signer.SignSubscriptionConfirmation(Topic, Lab.AwsUri + "?Action=ConfirmSubscription&TopicArn=" + Uri.EscapeDataString(Topic) + "&Token=0123456789abcdef", "0123456789abcdef");
        var result = Run("$in | ConvertFrom-SecurityHubEvent -SigningCertificate $cert -ConfirmSubscription | ForEach-Object { \"$($_.Confirmed)\" }",
            new() { ["in"] = envelope }, "0123456789abcdef");
        var error = SingleError(result);
        Assert.Equal("SecurityHubEvent.ConfirmationFailed", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("HTTP 400, InvalidParameter", error.Exception.Message);
        Assert.Equal("False", Assert.Single(result.Output).ToString());
        Assert.Equal(400, Assert.Single(Lab.Journal.For("aws")).Status);
        Assert.Empty(Lab.Aws.Sns.Confirmations);
    }

    [SharedFixtureFact]
    public void Several_pinned_certificate_files_are_matched_to_the_SigningCertURL_by_file_name()
    {
        var folder = Directory.CreateTempSubdirectory("shevent-").FullName;
        try
        {
            var labPem = Path.Combine(folder, new Uri(_signer.SigningCertUrl).Segments.Last());
            File.WriteAllText(labPem, _signer.CertificatePem);
            var awsPem = Path.Combine(folder, "SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem");
            File.Copy(Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "sns", "signing-cert.sns.us-east-2.2021.pem"), awsPem);
            var aws = JsonNode.Parse(Aws("sns/signed-notifications.php-validator.json"))![0]!.ToJsonString();
            var lab = _signer.SignNotification(GuardDutyEvent, Topic);
            var result = Run("$in | ConvertFrom-SecurityHubEvent -SigningCertificate $pems" + AlertLines,
                new() { ["in"] = new[] { aws, lab }, ["pems"] = new[] { awsPem, labPem } });
            Assert.Single(Alerts(result));
            // The AWS one verified too: it is refused only for carrying no event.
            Assert.Equal("SecurityHubEvent.NotAnEvent", Assert.Single(result.Errors).FullyQualifiedErrorId.Split(',')[0]);

            var missing = Run("$in | ConvertFrom-SecurityHubEvent -SigningCertificate $pems", new() { ["in"] = lab, ["pems"] = new[] { awsPem, awsPem } });
            var error = SingleError(missing);
            Assert.Equal("SecurityHubEvent.CertificateUnavailable", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    // ---- input that is no event ----

    [Theory]
    [InlineData("this is not json", "SecurityHubEvent.MalformedJson", "not valid JSON")]
    [InlineData("{\"hello\":\"world\",\"n\":1}", "SecurityHubEvent.NotAnEvent", "hello, n")]
    [InlineData("{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"EC2 Instance State-change Notification\",\"source\":\"aws.ec2\",\"detail\":{}}", "SecurityHubEvent.NotSecurityHub", "aws.ec2")]
    public void Input_that_is_no_event_is_an_invalid_data_error_with_a_stable_id(string input, string errorId, string said)
    {
        var result = Run("$in | ConvertFrom-SecurityHubEvent", new() { ["in"] = input });
        Assert.Empty(result.Output);
        var error = SingleError(result);
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains(said, error.Exception.Message);
    }

    [Fact]
    public void A_missing_signing_certificate_file_stops_the_command_with_a_clear_error()
    {
        var result = Run("'{}' | ConvertFrom-SecurityHubEvent -SigningCertificate ./no-such-file.pem");
        var error = SingleError(result);
        Assert.Equal("SecurityHubEvent.InvalidSigningCertificate", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("-SigningCertificate", error.ErrorDetails.Message);
    }
}
