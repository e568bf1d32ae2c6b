using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Puts alerts in the DFIR-IRIS alert queue, never two for one source alert.</para>
    /// <para type="description">New-IrisAlert binds alerts from the pipeline by property name and creates IRIS alerts with the title, description, source, source reference (the alert's id), source link, source content (the original document, whole), event time (naive UTC), severity mapped from the normalized scale, status New, customer and tags; the alert's Indicators become IOCs (types resolved by name on the server, inferred from the value when needed) and its Host becomes an asset. It never creates a second IRIS alert for a source reference and customer: it looks first (an exact match on IRIS 2.4.17+, source_reference plus an exact compare on 2.4.15/16, one indexed scan of the last -DeduplicationWindow before that) and returns the existing alert with Existing set to True, after setting what differs from what was asked (severity, classification, missing tags; Action says Existing or Updated, or Incomplete with an IrisAlertIncomplete error after it). The look and the create run under a lock shared by the runs on this machine (not across machines). A create whose answer is lost (reset, 502/503/504, timeout) is looked for during -LateWriteWindow before it is sent again, and twins that appear anyway are reported in a warning naming the one kept. -ThrottleLimit creates several at once, keeping output and errors in input order.</para>
    /// </summary>
    /// <example><code>Get-ElasticAlert -Index '.alerts-security.alerts-default' -Since 15m | New-IrisAlert -Customer 'ACME' -Tag elastic,auto -ThrottleLimit 8</code><para>Sends the last fifteen minutes of Elastic Security alerts to IRIS as alerts, eight requests at a time; an alert sent before (same source reference) is not created twice.</para></example>
    /// <example><code>New-IrisAlert -Title 'Beaconing to 203.0.113.7' -SourceRef 'nids-88121' -Source 'Suricata' -Customer 1 -Severity High -Indicator '203.0.113.7' -HostName 'WS-0142'</code><para>Creates one alert from values given on the command line, with an indicator and the host it concerns.</para></example>
    [Cmdlet(VerbsCommon.New, "IrisAlert", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(IrisAlert))]
    public sealed class NewIrisAlertCommand : IrisCommandBase
    {
        /// <summary>An alert (a normalized alert, a search hit, any object); its original document becomes the IRIS alert's source content.</summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>The alert title; bound from the alert's Title.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("alert_title")]
        public string? Title { get; set; }

        /// <summary>The alert description (Markdown); bound from the alert's Description.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("alert_description")]
        public string? Description { get; set; }

        /// <summary>The source's id for the alert (alert_source_ref), bound from the alert's Id: the key that keeps a second IRIS alert from being created.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "alert_id", "alert_source_ref", "SourceReference")]
        public string? SourceRef { get; set; }

        /// <summary>Where the alert comes from (alert_source), e.g. Elasticsearch; bound from the alert's Source.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("alert_source")]
        public string? Source { get; set; }

        /// <summary>A link back to the alert in its source (alert_source_link); bound from the alert's Link.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("SourceLink", "alert_source_link")]
        public string? Link { get; set; }

        /// <summary>When the event happened (a DateTime, DateTimeOffset or ISO text); bound from the alert's Time. Sent as naive UTC.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("EventTime", "timestamp", "@timestamp")]
        public object? Time { get; set; }

        /// <summary>An IRIS severity name or id, or the alert's own severity (bound by property name and mapped: Low, Medium, High, Critical ...).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Severity { get; set; }

        /// <summary>Indicators to attach as IOCs: strings, or objects with Value and Type; bound from the alert's Indicators.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Indicators")]
        public object[]? Indicator { get; set; }

        /// <summary>Hosts to attach as assets: names, or objects with Name and Ip; bound from the alert's Host.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Host", "Hosts")]
        public object[]? HostName { get; set; }

        /// <summary>The IRIS customer, by name or id.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(IrisCustomerCompleter))]
        public object Customer { get; set; } = string.Empty;

        /// <summary>The IRIS alert status, by name or id (default New).</summary>
        [Parameter]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object Status { get; set; } = "New";

        /// <summary>A case classification for the alert, by name or id.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Classification { get; set; }

        /// <summary>Tags for every alert (sent as IRIS's comma-separated string).</summary>
        [Parameter]
        public string[]? Tag { get; set; }

        /// <summary>A note for every alert (alert_note).</summary>
        [Parameter]
        public string? Note { get; set; }

        /// <summary>The TLP of the IOCs, by name or id (default amber).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public string Tlp { get; set; } = "amber";

        /// <summary>The IRIS asset type of hosts, by name or id (default 'Windows - Computer').</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string HostAssetType { get; set; } = "Windows - Computer";

        /// <summary>Create an IRIS alert even when one with the source reference already exists.</summary>
        [Parameter]
        public SwitchParameter AllowDuplicate { get; set; }

        /// <summary>On IRIS before 2.4.15 (no source reference filter): how far back, by creation time, to look for an earlier alert (default 7 days).</summary>
        [Parameter]
        public TimeSpan DeduplicationWindow { get; set; } = TimeSpan.FromDays(7);

        /// <summary>After a create whose answer was lost (timeout, reset, 502/503/504), how long to look for the alert it may still make before creating again (default 30 seconds).</summary>
        [Parameter]
        public TimeSpan LateWriteWindow { get; set; } = PSSocAutomation.Http.AmbiguousWrite.DefaultLateWriteWindow;

        /// <summary>How many alerts to create at once (default 4); output stays in input order.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 4;

        private BatchedSink<IrisAlertDraft, IrisAlert>? _sink;
        private IrisAlertWriter? _writer;
        private IrisAlertDefaults? _defaults;
        private IrisLookups? _lookups;
        private bool _warnedNoRef;

        protected override void Begin()
        {
            if (!Version.HasAlerts)
                ThrowTerminatingError(new ErrorRecord(new NotSupportedException($"IRIS {Version} has no alert queue (alerts arrived in IRIS 2.1). Use New-IrisCase."), ErrorPrefix + "NoAlerts", ErrorCategory.NotImplemented, ResolvedConnection));
            if (DeduplicationWindow <= TimeSpan.Zero) ThrowArgumentError(ErrorPrefix + "InvalidDeduplicationWindow", "-DeduplicationWindow must be positive.", DeduplicationWindow);
            var (customerId, _) = ResolveCustomerOrThrow(Customer);
            _defaults = new IrisAlertDefaults
            {
                CustomerId = customerId,
                StatusId = ResolveOrThrow(IrisLookupKind.AlertStatus, Status, "-Status"),
                ClassificationId = Classification is null ? (int?)null : ResolveOrThrow(IrisLookupKind.Classification, Classification, "-Classification"),
                Tlp = Tlp,
                HostAssetType = HostAssetType,
            };
            foreach (var tag in Tag ?? Array.Empty<string>()) _defaults.Tags.Add(tag);
            if (BoundOnCommandLine(nameof(Severity)) && Severity != null) _defaults.SeverityId = ResolveSeverityOrThrow(Severity);
            // Bad -Tlp / -HostAssetType are setup mistakes: check them once, here.
            ResolveOrThrow(IrisLookupKind.Tlp, Tlp, "-Tlp");
            ResolveOrThrow(IrisLookupKind.AssetType, HostAssetType, "-HostAssetType");
            if (LateWriteWindow < TimeSpan.Zero) ThrowArgumentError(ErrorPrefix + "InvalidLateWriteWindow", "-LateWriteWindow cannot be negative.", LateWriteWindow);
            _writer = new IrisAlertWriter(Client) { AllowDuplicate = AllowDuplicate, DeduplicationWindow = DeduplicationWindow, LateWriteWindow = LateWriteWindow };
            _lookups = Client.Lookups;
            _sink = new BatchedSink<IrisAlertDraft, IrisAlert>(this, "New-IrisAlert", "alerts", ThrottleLimit, ErrorPrefix, SendAsync,
                KeyedOutcomes.Names, a => KeyedOutcomes.Of(a.Action), a => a.Problem, ErrorPrefix + "AlertIncomplete");
        }

        protected override void ProcessRecord()
        {
            var input = AlertInput.Of(InputObject);
            var draft = new IrisAlertDraft
            {
                SourceRef = SourceRef ?? input.Id,
                Source = Source ?? input.Source,
                SourceLink = Link ?? input.Link,
                Note = Note,
            };
            draft.Title = (!string.IsNullOrWhiteSpace(Title) ? Title : input.Title) ?? (draft.SourceRef != null ? "Alert " + draft.SourceRef : string.Empty);
            draft.Description = Description ?? input.Description;
            var target = $"'{draft.Title}' (source reference '{draft.SourceRef}')";
            try
            {
                draft.EventTime = Time != null ? PipelineInput.Time(Time) : input.Time;
                if (!_defaults!.SeverityId.HasValue) draft.Severity = PipelineInput.Unwrap(Severity) ?? input.Severity;
                draft.SourceContent = input.OriginalJson();
                foreach (var indicator in IrisInput.Indicators(Indicator != null ? AlertInput.ReadIndicators(Indicator) : input.Indicators)) draft.Indicators.Add(indicator);
                foreach (var host in IrisInput.Hosts(HostName ?? input.Host)) draft.Hosts.Add(host);
                if (string.IsNullOrWhiteSpace(draft.Title)) throw new ArgumentException("The alert has no title: give -Title, or pipe objects with a Title (or message) property.");
            }
            catch (ArgumentException ex)
            {
                _sink!.Reject(new ErrorRecord(ex, ErrorPrefix + "InvalidAlert", ErrorCategory.InvalidData, (object?)InputObject ?? target));
                return;
            }
            if (string.IsNullOrEmpty(draft.SourceRef) && !_warnedNoRef && !AllowDuplicate)
            {
                _warnedNoRef = true;
                WriteWarning("An alert without a source reference cannot be checked for duplicates; running this again will create it again. Give -SourceRef (or pipe alerts with an Id).");
            }
            _sink!.Offer(draft, target, "Create DFIR-IRIS alert");
        }

        protected override void EndProcessing() => _sink?.Complete();

        /// <summary>Names to this server's ids, then the create that never doubles an alert.</summary>
        private async Task<IrisAlert> SendAsync(IrisAlertDraft draft, CancellationToken cancellationToken)
        {
            var request = await IrisAlertBuilder.BuildAsync(draft, _defaults!, _lookups!, cancellationToken).ConfigureAwait(false);
            return await _writer!.CreateAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
