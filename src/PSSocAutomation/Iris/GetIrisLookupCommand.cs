using System;
using System.Linq;
using System.Management.Automation;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Gets an IRIS reference list: severities, alert statuses, TLPs, IOC types, asset types, classifications, case states, templates.</para>
    /// <para type="description">Returns the entries of one of IRIS's reference lists (read once per connection and cached). These are the names that -Severity, -Status, -Classification, -Template, -Type and -Tlp accept on the other IRIS cmdlets; ids differ between installs, so the module never hard-codes them.</para>
    /// </summary>
    /// <example><code>Get-IrisLookup -Kind IocType -Name 'ip-*'</code></example>
    /// <example><code>Get-IrisLookup Severity</code></example>
    [Cmdlet(VerbsCommon.Get, "IrisLookup")]
    [OutputType(typeof(IrisLookupItem))]
    public sealed class GetIrisLookupCommand : IrisCommandBase
    {
        /// <summary>Which list: Severity, AlertStatus, AlertResolution, Tlp, IocType, AssetType, Classification, CaseState, CaseTemplate or AnalysisStatus.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        public IrisLookupKind Kind { get; set; }

        /// <summary>Entry names; wildcards allowed. Default: the whole list.</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        /// <summary>Read the list from the server again instead of the connection's cache.</summary>
        [Parameter]
        public SwitchParameter Refresh { get; set; }

        protected override void EndProcessing()
        {
            if (Refresh) Client.Lookups.Clear();
            System.Collections.Generic.IReadOnlyList<IrisLookupItem> items;
            try
            {
                items = Run(ct => Client.Lookups.GetAsync(Kind, ct));
            }
            catch (SocApiException ex)
            {
                ThrowApiError(ex, ErrorPrefix, Kind);
                return;
            }
            var patterns = (Name ?? Array.Empty<string>()).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
            foreach (var item in items)
                if (patterns.Count == 0 || patterns.Any(p => p.IsMatch(item.Name))) WriteObject(item);
        }
    }
}
