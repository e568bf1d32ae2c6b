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
    /// <example><code>Get-IrisLookup -Kind IocType -Name 'ip-*'</code><para>The IOC types whose name starts with ip-, as the server names them.</para></example>
    /// <example><code>Get-IrisLookup Severity</code><para>The severities the server knows, with their ids: the values -Severity accepts.</para></example>
    [Cmdlet(VerbsCommon.Get, "IrisLookup")]
    [OutputType(typeof(IrisLookupItem))]
    public sealed class GetIrisLookupCommand : IrisCommandBase
    {
        /// <summary>Which list: Severity, AlertStatus, AlertResolution, Tlp, IocType, AssetType, Classification, CaseState, CaseTemplate or AnalysisStatus (default Severity).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        public IrisLookupKind Kind { get; set; }

        /// <summary>Entry names; wildcards allowed. Default: the whole list. An exact name the list lacks is an error (IrisLookupNotFound); a wildcard that matches nothing returns nothing.</summary>
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
            if (Name is null || Name.Length == 0)
            {
                foreach (var item in items) WriteObject(item);
                return;
            }
            // The rule of every look-up (Get-IrisCustomer too, and Get-Command): a wildcard that matches nothing is an
            // empty answer; an exact name that is not there is an error that lists the names there are.
            foreach (var name in Name)
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                var matches = items.Where(i => pattern.IsMatch(i.Name)).ToList();
                foreach (var item in matches) WriteObject(item);
                if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                    WriteError(new ErrorRecord(new ArgumentException($"IRIS has no {Kind} named '{name}'. {Kind} names: {string.Join(", ", items.Take(30).Select(i => "'" + i.Name + "'"))}{(items.Count > 30 ? $" and {items.Count - 30} more (Get-IrisLookup {Kind})" : string.Empty)}."),
                        "IrisLookupNotFound", ErrorCategory.ObjectNotFound, name));
            }
        }
    }
}
