using System;
using System.Management.Automation;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Adds indicators of compromise to an IRIS case.</para>
    /// <para type="description">Binds indicators by property name (Value and Type, or IRIS's ioc_value and ioc_type) and adds each to the case, always naming the case with ?cid= so nothing lands in the case the user last opened in the UI. The type is an IRIS IOC type name (ip-dst, domain, sha256 ...) or a common word (ip, hash, url, user ...) mapped to one; without a type it is inferred from the value. IRIS 2.4 links an IOC the case already has instead of adding it twice. A re-run adds nothing twice: IRIS 2.4 links an IOC the case has (same value and type) instead of adding it, and before 2.4 the case's IOCs are read first; either way the IOC comes back with Existing set to True.</para>
    /// </summary>
    /// <example><code>$case = Get-IrisCase -SocId 'alert-4711'
    /// Get-ElasticAlert -Index alerts -Since '1d' | Where-Object Id -eq 'alert-4711' | Get-AlertIndicator | Add-IrisCaseIoc -CaseId $case.CaseId -Tlp green</code><para>Adds every indicator found in the alert a case was opened for (addresses, domains, URLs, hashes) to its case as an IOC of the matching IRIS type, marked TLP:GREEN.</para></example>
    /// <example><code>Add-IrisCaseIoc -CaseId 42 -Value 'evil.example.net' -Type domain -Description 'C2 from the EDR alert' -Tag c2</code><para>Adds one domain to case 42 as an IOC with a description and a tag; an IOC with the same value and type already in the case is not added twice.</para></example>
    [Cmdlet(VerbsCommon.Add, "IrisCaseIoc", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(IrisIoc))]
    public sealed class AddIrisCaseIocCommand : IrisCommandBase
    {
        /// <summary>The case id (cid); bound from IrisCase objects.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("case_id", "cid")]
        public int CaseId { get; set; }

        /// <summary>The indicator value (an IP, a domain, a hash ...).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ioc_value", "Indicator")]
        [ValidateNotNullOrEmpty]
        public string Value { get; set; } = string.Empty;

        /// <summary>The IOC type: an IRIS type name or id, or a common word (ip, domain, url, hash, email, user); inferred from the value when absent.</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("ioc_type", "IocType")]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public string? Type { get; set; }

        /// <summary>A description of the indicator.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ioc_description")]
        public string? Description { get; set; }

        /// <summary>The TLP, by name or id (default amber).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public string Tlp { get; set; } = "amber";

        /// <summary>Tags for the IOC.</summary>
        [Parameter]
        public string[]? Tag { get; set; }

        private int _tlpId;
        private IrisLookupItem? _explicitType;

        protected override void Begin()
        {
            _tlpId = ResolveOrThrow(IrisLookupKind.Tlp, Tlp, "-Tlp");
            if (BoundOnCommandLine(nameof(Type)) && !string.IsNullOrEmpty(Type))
            {
                try { _explicitType = Run(ct => Client.Lookups.FindAsync(IrisLookupKind.IocType, Type!, ct)); }
                catch (ArgumentException)
                {
                    // Not an IRIS name: a common word (ip, hash ...) is mapped per value below.
                    if (IrisLookups.IocTypeCandidates(Type, string.Empty).Count <= 2)
                        ResolveOrThrow(IrisLookupKind.IocType, Type!, "-Type");
                }
                catch (SocApiException ex) { ThrowApiError(ex, ErrorPrefix, Type); }
            }
        }

        protected override void ProcessRecord()
        {
            var value = Value.Trim();
            if (!ShouldProcess($"DFIR-IRIS case {CaseId}", $"Add IOC '{value}'")) return;
            try
            {
                var type = _explicitType ?? Run(ct => Client.Lookups.ResolveIocTypeAsync(Type, value, ct));
                var request = new IrisIocCreate(value, type.Id, _tlpId) { Description = Description };
                foreach (var tag in Tag ?? Array.Empty<string>()) request.Tags.Add(tag);
                var ioc = Run(ct => Client.AddCaseIocAsync(CaseId, request, ct));
                ioc.Type ??= type.Name;
                ioc = Run(ct => Client.Lookups.FillNamesAsync(ioc, ct));
                if (!string.IsNullOrEmpty(ioc.Message)) WriteVerbose($"DFIR-IRIS case {CaseId}, IOC '{value}': {ioc.Message}");
                WriteObject(ioc);
            }
            catch (Exception ex) when (ex is SocApiException || ex is ArgumentException)
            {
                ReportFailure(ex, value);
            }
        }
    }
}
