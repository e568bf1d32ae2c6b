using System;
using System.Collections;
using System.Management.Automation;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Creates DFIR-IRIS cases from alerts or from parameters, one per SOC id and customer.</para>
    /// <para type="description">New-IrisCase takes alerts from the pipeline by property name (the SOC id is the alert's Id, the name its Title, the description the alert rendered readably with its key fields and a link back) or explicit -Name, -Description and -SocId. It sends IRIS only the fields its create route accepts (the severity only from IRIS 2.4.17, set by an update before that, like tags), and checks the fields itself because IRIS 2.4.8 and later hide which field failed. Exactly one case per source alert: by default it creates no second case for a SOC id that already has the case this module opened for it (marked by a footer in the description and the PSSocAutomation tag); it returns that case with Existing set to True, after setting what differs from what was asked (severity, classification, missing tags; Action says Existing or Updated). A case with the SOC id that the module did not open (IRIS gives an escalated alert's case the IRIS alert id as SOC id) is named in a warning and not taken, unless -AdoptExisting. The look and the create run under a lock shared by the runs on this machine, so overlapping scheduled runs make one case; runs on two machines are not covered by the lock. A create whose answer is lost (timeout, reset, 502/503/504: a proxy may answer while IRIS still writes) is looked for during -LateWriteWindow before it is sent again, and twin cases that appear anyway are reported in a warning naming the one kept. A case created whose tags or severity could not be set is still output (Action Incomplete) with an IrisCaseIncomplete error after it; running again finishes it. -AllowDuplicate creates anyway. With -WhatIf that check still runs (it only reads): "What if:" names each case that already exists and announces a create only for the others. -ThrottleLimit creates several cases at once while keeping output and errors in input order; inputs with the same SOC id still give one case.</para>
    /// </summary>
    /// <example><code>Get-ElasticAlert -Index alerts -UniqueBy alert_id -Since 1h | New-IrisCase -Customer 'ACME' -Classification 'malicious-code:infected-system' -ThrottleLimit 8</code><para>Opens a case for each distinct alert of the last hour, classified as an infected system, eight requests at a time; a case already opened for an alert is not opened again.</para></example>
    /// <example><code>New-IrisCase -Name 'Phishing wave' -Description 'Reported by users on 3 sites' -SocId 'INC-1042' -Customer 1 -Severity High -Tag phishing,email</code><para>Opens one case from values given on the command line, for the customer whose id is 1.</para></example>
    [Cmdlet(VerbsCommon.New, "IrisCase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(IrisCase))]
    public sealed class NewIrisCaseCommand : IrisCommandBase
    {
        /// <summary>An alert (a normalized alert from Get-ElasticAlert and friends, a search hit, any object): rendered into the description.</summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>The case name (IRIS prefixes it with "#id - "); bound from the alert's Title. At least 2 characters.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Title", "case_name")]
        public string? Name { get; set; }

        /// <summary>The case description (Markdown); default: the piped alert rendered with its key fields and a link. At least 2 characters.</summary>
        [Parameter(Position = 1)]
        [Alias("case_description")]
        public string? Description { get; set; }

        /// <summary>The SOC ticket or alert reference (case_soc_id), bound from the alert's Id; the key that keeps a second case from being created.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "alert_id", "case_soc_id")]
        public string? SocId { get; set; }

        /// <summary>The IRIS customer, by name or id.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(IrisCustomerCompleter))]
        public object Customer { get; set; } = string.Empty;

        /// <summary>An IRIS severity name or id (Low, Medium, High, Critical ...), or the alert's own severity (bound by property name and mapped).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Severity { get; set; }

        /// <summary>The case classification, by name (e.g. 'malicious-code:virus') or id.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Classification { get; set; }

        /// <summary>A case template, by name or id (IRIS applies its tasks, notes and title prefix).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public object? Template { get; set; }

        /// <summary>Tags for the case (set by an update after the create, which does not take them).</summary>
        [Parameter]
        public string[]? Tag { get; set; }

        /// <summary>Values for the custom attributes an IRIS administrator defined for cases.</summary>
        [Parameter]
        public Hashtable? CustomAttributes { get; set; }

        /// <summary>Create a case even when one with the SOC id already exists for the customer.</summary>
        [Parameter]
        public SwitchParameter AllowDuplicate { get; set; }

        /// <summary>Take a case that has the SOC id but was not opened by PSSocAutomation (an escalated alert's case, a case made by hand) as this alert's case, and mark it; without it such a case is named in a warning and the module opens its own.</summary>
        [Parameter]
        public SwitchParameter AdoptExisting { get; set; }

        /// <summary>After a create whose answer was lost (timeout, reset, 502/503/504), how long to look for the case it may still make before creating again (default 30 seconds).</summary>
        [Parameter]
        public TimeSpan LateWriteWindow { get; set; } = AmbiguousWrite.DefaultLateWriteWindow;

        /// <summary>How many cases to create at once (default 4); output stays in input order.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 4;

        /// <summary>A case to create, and the alert's own severity to map once the server's list is at hand.</summary>
        private sealed class Pending
        {
            public Pending(IrisCaseCreate request, object? severity) { Request = request; Severity = severity; }
            public IrisCaseCreate Request { get; }
            public object? Severity { get; }
        }

        private BatchedSink<Pending, IrisCase>? _sink;
        private IrisCaseWriter? _writer;
        private IrisLookups? _lookups;
        private int _customerId;
        private string? _customerName;
        private int? _classificationId;
        private int? _templateId;
        private int? _severityId;
        private bool _severityExplicit;
        private JsonObject? _customAttributes;
        private bool _warnedSeverity, _warnedNoSocId, _whatIf;

        protected override void Begin()
        {
            (_customerId, _customerName) = ResolveCustomerOrThrow(Customer);
            if (Classification != null) _classificationId = ResolveOrThrow(IrisLookupKind.Classification, Classification, "-Classification");
            if (Template != null) _templateId = ResolveOrThrow(IrisLookupKind.CaseTemplate, Template, "-Template");
            if (BoundOnCommandLine(nameof(Severity)) && Severity != null)
            {
                _severityExplicit = true;
                _severityId = ResolveSeverityOrThrow(Severity);
            }
            if (CustomAttributes != null)
            {
                try { _customAttributes = JsonBody.ToJsonObject(CustomAttributes, "-CustomAttributes"); }
                catch (ArgumentException ex) { ThrowTerminatingError(new ErrorRecord(ex, "IrisInvalidCustomAttributes", ErrorCategory.InvalidArgument, CustomAttributes)); }
            }
            if (LateWriteWindow < TimeSpan.Zero) ThrowArgumentError(ErrorPrefix + "InvalidLateWriteWindow", "-LateWriteWindow cannot be negative.", LateWriteWindow);
            _writer = new IrisCaseWriter(Client) { AllowDuplicate = AllowDuplicate, AdoptExisting = AdoptExisting, LateWriteWindow = LateWriteWindow };
            _whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf)
                ? ((SwitchParameter)whatIf).IsPresent
                : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
            _lookups = Client.Lookups;
            _sink = new BatchedSink<Pending, IrisCase>(this, "New-IrisCase", "cases", ThrottleLimit, ErrorPrefix, SendAsync,
                KeyedOutcomes.Names, c => KeyedOutcomes.Of(c.Action), c => c.Problem, ErrorPrefix + "CaseIncomplete");
        }

        protected override void ProcessRecord()
        {
            var input = AlertInput.Of(InputObject);
            var socId = SocId ?? input.Id ?? string.Empty;
            var name = !string.IsNullOrWhiteSpace(Name) ? Name : input.Title ?? (socId.Length > 0 ? "Alert " + socId : null);
            var description = Description;
            if (description is null && input.Value != null)
                description = IrisCaseDescription.Render(name, socId, input.Source, input.Description, input.KeyFields(), input.Link);

            var request = new IrisCaseCreate
            {
                Name = name ?? string.Empty,
                Description = description ?? string.Empty,
                SocId = socId,
                CustomerId = _customerId,
                ClassificationId = _classificationId,
                TemplateId = _templateId,
                SeverityId = _severityId,
                CustomAttributes = _customAttributes,
            };
            foreach (var tag in Tag ?? Array.Empty<string>()) request.Tags.Add(tag);
            var target = $"'{request.Name}' (SOC id '{socId}') for customer {_customerName ?? _customerId.ToString()}";
            try
            {
                // Said before IRIS's own rule ("at least 2 characters"), which reads as if a title had been given.
                if (string.IsNullOrWhiteSpace(name))
                    throw new ArgumentException("The case has no title: give -Name, or pipe alerts, strings, or objects with a Title (or message) property.");
                request.Validate();
            }
            catch (ArgumentException ex)
            {
                _sink!.Reject(new ErrorRecord(ex, ErrorPrefix + "InvalidCase", ErrorCategory.InvalidData, (object?)InputObject ?? target));
                return;
            }
            if (socId.Length == 0 && !_warnedNoSocId && !AllowDuplicate)
            {
                _warnedNoSocId = true;
                WriteWarning("A case without a SOC id cannot be checked for duplicates; running this again will create it again. Give -SocId (or pipe alerts with an Id).");
            }

            // The alert's own severity is mapped when the case is sent (the server's list is read once, off this thread).
            var severity = _severityExplicit ? null : PipelineInput.Unwrap(Severity) ?? input.Severity;
            if (severity != null && !Version.HasCaseSeverity)
            {
                severity = null;
                if (!_warnedSeverity) { _warnedSeverity = true; WriteWarning($"IRIS {Version} cases have no severity (it arrived in 2.3.4); the severity is not set."); }
            }
            if (_whatIf && socId.Length > 0 && !AllowDuplicate && DescribeExisting(socId)) return;
            _sink!.Offer(new Pending(request, severity), target, "Create DFIR-IRIS case");
        }

        protected override void EndProcessing() => _sink?.Complete();

        /// <summary>
        /// -WhatIf: the duplicate check is a read, so it runs, and a case that exists is named instead of being announced
        /// as created. True when one exists (and "What if:" said so).
        /// </summary>
        private bool DescribeExisting(string socId)
        {
            IrisCaseMatch match;
            try { match = Run(ct => _writer!.FindAsync(_customerId, socId, ct)); }
            catch (SocApiException ex)
            {
                WriteWarning($"Could not check whether SOC id '{socId}' already has a case: {ex.Message}");
                return false;
            }
            var customer = _customerName ?? _customerId.ToString();
            var existing = match.Kept ?? (AdoptExisting && match.Unmarked.Count > 0 ? match.Unmarked[0] : null);
            if (existing is null)
            {
                if (match.Unmarked.Count > 0)
                    WriteWarning($"DFIR-IRIS case #{match.Unmarked[0].CaseId} '{match.Unmarked[0].Title}' has SOC id '{socId}' but was not opened by PSSocAutomation: a new case would be created (-AdoptExisting takes that one instead).");
                return false;
            }
            var verb = match.Kept is null ? "would be adopted (marked and brought to what was asked)" : "would be returned (and updated where it differs from what was asked)";
            ShouldProcess($"DFIR-IRIS case #{existing.CaseId} '{existing.Title}' already exists for SOC id '{socId}' and customer {customer}: it {verb}, nothing created.", null, null);
            return true;
        }

        private async Task<IrisCase> SendAsync(Pending item, CancellationToken cancellationToken)
        {
            if (item.Severity != null && item.Request.SeverityId is null)
                item.Request.SeverityId = await IrisSeverityMap.ResolveAsync(_lookups!, item.Severity, strict: false, cancellationToken).ConfigureAwait(false);
            var created = await _writer!.CreateAsync(item.Request, cancellationToken).ConfigureAwait(false);
            return await _lookups!.FillNamesAsync(created, cancellationToken).ConfigureAwait(false);
        }
    }
}
