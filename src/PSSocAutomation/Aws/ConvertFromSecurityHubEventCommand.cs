using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Aws.Events;
using PSSocAutomation.Aws.SecurityHub;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// <para type="synopsis">Turns a Security Hub event (EventBridge event, SNS envelope or Azure Automation $WebhookData) into normalized alerts, refusing any SNS message whose signature does not verify.</para>
    /// <para type="description">ConvertFrom-SecurityHubEvent reads what a runbook or webhook receives: an EventBridge "Security Hub Findings" event, an SNS HTTPS notification carrying one, a GetFindings body, an array of those, or Azure Automation's $WebhookData (WebhookName, RequestHeader, RequestBody), as JSON text or as an object. Each finding comes out as the same normalized alert Get-SecurityHubFinding writes (Source SecurityHub, the ASFF finding intact in Original), so the same pipeline handles polled and pushed findings. Every SNS envelope's signature is verified (SignatureVersion 1 RSA-SHA1 and 2 RSA-SHA256), its SigningCertURL must be an Amazon SNS address, and its certificate is fetched over HTTPS once and cached for the process; -SigningCertificate pins certificates instead (offline runbooks, tests). A forged, unsigned or raw-delivery SNS message, or one from a topic outside -AllowedTopicArn, is refused as a SecurityError with an ErrorId such as SecurityHubEvent.SignatureInvalid; input that is no event is an InvalidData error (SecurityHubEvent.NotAnEvent, SecurityHubEvent.MalformedJson ...). Each refusal is a non-terminating error for that event only: the other events of the pipeline still come out. An SNS SubscriptionConfirmation comes out as an object with TopicArn, SubscribeUrl and Token; with -ConfirmSubscription its SubscribeURL is visited (only when its signature verified, and -WhatIf visits nothing) and the object says Confirmed and the SubscriptionArn. The Token and signatures are never written to any stream. Pass the body exactly as received (the string): converting an SNS envelope with ConvertFrom-Json first turns its Timestamp into a date, and the signature no longer matches the re-serialized text.</para>
    /// </summary>
    /// <example><code>param([object] $WebhookData)
    /// $WebhookData | ConvertFrom-SecurityHubEvent -AllowedTopicArn 'arn:aws:sns:eu-west-1:111122223333:securityhub-findings' -ConfirmSubscription | Where-Object { $_ -is [PSSocAutomation.Core.SocAlert] } | New-IrisAlert</code><para>An Azure Automation runbook behind an SNS HTTPS subscription: the first call (SNS's SubscriptionConfirmation) confirms the subscription; later calls verify each notification's signature and topic and send its findings to DFIR-IRIS as alerts.</para></example>
    /// <example><code>Get-Content ./event.json -Raw | ConvertFrom-SecurityHubEvent | Format-Table Time, Severity, Title, Host</code><para>Reads an EventBridge Security Hub event saved to a file (no SNS envelope, so there is no signature to check) and lists its findings.</para></example>
    /// <example><code>$body | ConvertFrom-SecurityHubEvent -SigningCertificate ./SimpleNotificationService-01d088a6f77103d0fe307c0069e40ed6.pem</code><para>Verifies an SNS notification offline, against a signing certificate saved earlier from its SigningCertURL, instead of fetching it.</para></example>
    [Cmdlet(VerbsData.ConvertFrom, "SecurityHubEvent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SocAlert), typeof(SnsSubscriptionConfirmation))]
    public sealed class ConvertFromSecurityHubEventCommand : SocCmdlet
    {
        private const string ErrorPrefix = "SecurityHubEvent.";

        /// <summary>The event: JSON text, an object or hashtable (EventBridge event, SNS envelope, GetFindings body), or Azure Automation's $WebhookData (WebhookName, RequestHeader, RequestBody).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [AllowEmptyString]
        public object? InputObject { get; set; }

        /// <summary>Read SNS envelopes without checking their signature (a warning says so). Only for input authenticated some other way; -AllowedTopicArn still applies, and a confirmation is then never visited.</summary>
        [Parameter]
        public SwitchParameter SkipSignatureCheck { get; set; }

        /// <summary>Accept SNS raw message delivery (x-amz-sns-rawdelivery: true, no envelope, so no signature), refused by default because anyone who knows the endpoint could post it.</summary>
        [Parameter]
        public SwitchParameter AllowUnsignedSnsDelivery { get; set; }

        /// <summary>SNS signing certificates to trust instead of fetching them: paths to .pem files saved from a SigningCertURL, or X509Certificate2 objects. With one, every SigningCertURL is checked against it; with several, each file is used for the SigningCertURL of the same file name.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public object[]? SigningCertificate { get; set; }

        /// <summary>The SNS topic ARNs to accept; a notification or confirmation from any other topic is refused (SecurityHubEvent.TopicRefused).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? AllowedTopicArn { get; set; }

        /// <summary>Visit the SubscribeURL of each verified SubscriptionConfirmation, confirming the subscription (supports -WhatIf).</summary>
        [Parameter]
        public SwitchParameter ConfirmSubscription { get; set; }

        private SecurityHubEventReader _reader = null!;
        private long _alerts;

        protected override void BeginProcessing()
        {
            ISnsCertificateSource certificates;
            try
            {
                certificates = SigningCertificate is null ? SnsWeb.Certificates : PinnedCertificates(SigningCertificate);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is SecurityHubEventException || ex is ArgumentException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidSigningCertificate", ErrorCategory.InvalidArgument, null)
                    { ErrorDetails = new ErrorDetails("-SigningCertificate: " + ex.Message + " Give the .pem file saved from the SigningCertURL (or an X509Certificate2).") });
                return;
            }
            var verifier = new SnsSignatureVerifier(certificates, AllowedTopicArn);
            if (SkipSignatureCheck)
                WriteWarning("-SkipSignatureCheck: SNS signatures are not checked, so a forged SNS message would be read as genuine. Use it only for input authenticated another way; no SubscribeURL is visited.");
            if (AllowUnsignedSnsDelivery)
                WriteVerbose("-AllowUnsignedSnsDelivery: SNS raw message delivery (unsigned) is accepted.");
            _reader = new SecurityHubEventReader(new SecurityHubEventReaderOptions
            {
                Verifier = verifier,
                SkipSignatureVerification = SkipSignatureCheck,
                AllowUnsignedSnsDelivery = AllowUnsignedSnsDelivery,
            });
        }

        protected override void ProcessRecord()
        {
            IReadOnlyList<SecurityHubEventItem> items;
            try
            {
                // The input is read (PowerShell objects turned into JSON) on the pipeline thread; only the reader runs apart.
                var read = Prepare(InputObject);
                items = Run(read);
            }
            catch (ArgumentException ex)
            {
                // An object that cannot be written as JSON (a scriptblock, a secure string...) is no event either.
                var error = new SecurityHubEventException(SecurityHubEventErrorKind.NotAnEvent,
                    "The input (" + PipelineInput.Unwrap(InputObject)?.GetType().Name + ") cannot be read as JSON: " + ex.Message + " Pass the event as JSON text or as the object ConvertFrom-Json makes.", ex);
                WriteError(new ErrorRecord(error, error.ErrorId, ErrorCategory.InvalidData, null) { ErrorDetails = new ErrorDetails(error.Message) });
                return;
            }
            foreach (var item in items) Write(item);
        }

        protected override void EndProcessing() => WriteVerbose($"ConvertFrom-SecurityHubEvent wrote {_alerts} finding(s).");

        private Func<CancellationToken, Task<IReadOnlyList<SecurityHubEventItem>>> Prepare(object? input)
        {
            var value = PipelineInput.Unwrap(input);
            switch (value)
            {
                case string text:
                    return ct => _reader.ReadAsync(text, ct);
                case JsonElement element:
                    return ct => _reader.ReadAsync(element, ct);
            }
            if (value != null && IsWebhookData(value))
            {
                var body = PipelineInput.Prop(value, "RequestBody");
                var bodyText = body is null ? null : body is string s ? s : JsonBody.ToJson(body);
                var headers = Headers(PipelineInput.Prop(value, "RequestHeader"));
                var name = PipelineInput.TextProp(value, "WebhookName");
                return ct => _reader.ReadWebhookAsync(bodyText, headers, name, ct);
            }
            var json = value is null ? "null" : JsonBody.ToJson(value);
            return ct => _reader.ReadAsync(json, ct);
        }

        /// <summary>Azure Automation's WebhookData: RequestBody with RequestHeader or WebhookName.</summary>
        private static bool IsWebhookData(object value)
        {
            var pso = value as PSObject ?? PSObject.AsPSObject(value);
            bool Has(string name) => pso.BaseObject is IDictionary d
                ? d.Keys.Cast<object>().Any(k => string.Equals(Convert.ToString(k, System.Globalization.CultureInfo.InvariantCulture), name, StringComparison.OrdinalIgnoreCase))
                : pso.Properties[name] != null;
            return Has("RequestBody") && (Has("RequestHeader") || Has("WebhookName"));
        }

        /// <summary>RequestHeader as the reader takes it: a hashtable as it is, a PSCustomObject's properties as one.</summary>
        private static IDictionary? Headers(object? headers)
        {
            switch (headers)
            {
                case null: return null;
                case IDictionary dictionary: return dictionary;
                case PSObject pso when pso.BaseObject is IDictionary inner: return inner;
                case PSObject pso:
                    var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                    foreach (var property in pso.Properties)
                    {
                        object? v;
                        try { v = property.Value; }
                        catch (GetValueException) { continue; }
                        table[property.Name] = PipelineInput.Unwrap(v);
                    }
                    return table;
                default:
                    return Headers(PSObject.AsPSObject(headers));
            }
        }

        private void Write(SecurityHubEventItem item)
        {
            switch (item.Kind)
            {
                case SecurityHubEventItemKind.Findings:
                    WriteVerbose(Describe(item) + ": " + item.Findings.Count + " finding(s).");
                    foreach (var finding in item.Findings)
                    {
                        WriteObject(SecurityHubFindingMapper.Map(finding));
                        _alerts++;
                    }
                    break;
                case SecurityHubEventItemKind.SubscriptionConfirmation:
                case SecurityHubEventItemKind.UnsubscribeConfirmation:
                    WriteConfirmation(item);
                    break;
                default:
                    var error = item.Error!;
                    var category = error.IsAuthenticityFailure ? ErrorCategory.SecurityError
                        : error.Kind == SecurityHubEventErrorKind.CertificateUnavailable ? ErrorCategory.ResourceUnavailable
                        : ErrorCategory.InvalidData;
                    WriteError(new ErrorRecord(error, error.ErrorId, category, item.Info) { ErrorDetails = new ErrorDetails(error.Message) });
                    break;
            }
        }

        private void WriteConfirmation(SecurityHubEventItem item)
        {
            var confirmation = new SnsSubscriptionConfirmation(item.Kind.ToString(), item.TopicArn, item.SubscribeUrl, item.Token, item.Info.SnsMessageId, item.Info.SignatureVerified);
            WriteVerbose($"SNS {item.Kind} {item.Info.SnsMessageId} for topic {item.TopicArn} (token {confirmation.TokenPreview}, signature verified: {item.Info.SignatureVerified}).");
            if (ConfirmSubscription && item.Kind == SecurityHubEventItemKind.SubscriptionConfirmation)
            {
                if (!confirmation.SignatureVerified)
                {
                    var refused = new InvalidOperationException("The SubscriptionConfirmation " + item.Info.SnsMessageId + " for topic " + item.TopicArn
                        + " was not signature-verified (-SkipSignatureCheck), so its SubscribeURL was not visited: only SNS's signature vouches for that URL. Run without -SkipSignatureCheck to confirm it.");
                    WriteError(new ErrorRecord(refused, ErrorPrefix + "ConfirmationNotVerified", ErrorCategory.SecurityError, confirmation) { ErrorDetails = new ErrorDetails(refused.Message) });
                    WriteObject(confirmation);
                    return;
                }
                var refusal = SnsSubscriptionConfirmer.SubscribeUrlRefusal(item.SubscribeUrl, requireSnsHost: SigningCertificate is null);
                if (refusal != null)
                {
                    var refused = new InvalidOperationException("The SubscribeURL of SubscriptionConfirmation " + item.Info.SnsMessageId + " for topic " + item.TopicArn
                        + " " + refusal + ", so it was not visited. Amazon SNS sends https://sns.<region>.amazonaws.com/?Action=ConfirmSubscription...: confirm the subscription in the SNS console if this one is expected.");
                    WriteError(new ErrorRecord(refused, ErrorPrefix + "SubscribeUrlRefused", ErrorCategory.SecurityError, confirmation) { ErrorDetails = new ErrorDetails(refused.Message) });
                    WriteObject(confirmation);
                    return;
                }
                var host = Uri.TryCreate(item.SubscribeUrl, UriKind.Absolute, out var url) ? url.Scheme + "://" + url.Authority : "(no SubscribeURL)";
                if (ShouldProcess("SNS subscription to " + item.TopicArn, "Confirm by visiting the SubscribeURL at " + host))
                {
                    try
                    {
                        Run(ct => SnsWeb.ConfirmAsync(confirmation, ct));
                        WriteVerbose($"Confirmed the subscription to {item.TopicArn}: {confirmation.SubscriptionArn}.");
                    }
                    catch (SnsConfirmationException ex)
                    {
                        WriteError(new ErrorRecord(ex, ErrorPrefix + "ConfirmationFailed", ErrorCategory.ConnectionError, confirmation) { ErrorDetails = new ErrorDetails(ex.Message) });
                    }
                }
            }
            WriteObject(confirmation);
        }

        private static string Describe(SecurityHubEventItem item)
        {
            var info = item.Info;
            var what = info.Delivery + " event " + (info.EventId ?? "(no id)");
            if (info.SnsMessageId != null) what += ", SNS message " + info.SnsMessageId + " from " + info.SnsTopicArn + (info.SignatureVerified ? " (signature verified)" : " (signature not verified)");
            return what;
        }

        private ISnsCertificateSource PinnedCertificates(object[] given)
        {
            var pinned = new List<(string? Name, X509Certificate2 Certificate)>();
            foreach (var entry in given.Select(PipelineInput.Unwrap))
            {
                switch (entry)
                {
                    case X509Certificate2 certificate:
                        pinned.Add((null, certificate));
                        break;
                    case string path when path.Length > 0:
                        var full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                        pinned.Add((Path.GetFileName(full), SnsCertificatePem.Parse(File.ReadAllText(full), full)));
                        break;
                    default:
                        throw new ArgumentException("'" + entry + "' is neither a path to a .pem file nor an X509Certificate2.");
                }
            }
            if (pinned.Count == 1) return new PinnedSnsCertificateSource(pinned[0].Certificate);
            return new ByFileName(pinned);
        }

        /// <summary>Several pinned certificates: the one whose file name is the SigningCertURL's (SimpleNotificationService-&lt;hex&gt;.pem).</summary>
        private sealed class ByFileName : ISnsCertificateSource
        {
            private readonly IReadOnlyList<(string? Name, X509Certificate2 Certificate)> _pinned;

            public ByFileName(IReadOnlyList<(string? Name, X509Certificate2 Certificate)> pinned) => _pinned = pinned;

            public Task<X509Certificate2> GetCertificateAsync(Uri certificateUrl, CancellationToken cancellationToken)
            {
                var name = certificateUrl.Segments.LastOrDefault();
                foreach (var (pinnedName, certificate) in _pinned)
                    if (pinnedName != null && string.Equals(pinnedName, name, StringComparison.OrdinalIgnoreCase)) return Task.FromResult(certificate);
                throw new SecurityHubEventException(SecurityHubEventErrorKind.CertificateUnavailable,
                    "None of the -SigningCertificate files is named " + name + " like the SNS signing certificate the message names. Save that .pem under its own name and pin it too.");
            }
        }
    }
}
