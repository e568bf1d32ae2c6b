using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// Tab completion of the parameters that name an entry of an IRIS reference list (-Severity, -Status, -Resolution,
    /// -Classification, -Tlp, -State, -Template, and -Type of IOCs and assets): the names this IRIS holds, which differ
    /// between installs, so no set is fixed. The list follows from the parameter (and, for -Type, the command).
    /// </summary>
    public sealed class IrisLookupCompleter : IrisListCompleter
    {
        private protected override Task<IEnumerable<KeyValuePair<string, string>>> ListAsync(IrisLookups lookups, string commandName, string parameterName, CancellationToken cancellationToken) =>
            KindOf(commandName, parameterName) is IrisLookupKind kind ? NamesAsync(lookups, kind, cancellationToken) : Task.FromResult(Enumerable.Empty<KeyValuePair<string, string>>());

        internal static IrisLookupKind? KindOf(string commandName, string parameterName)
        {
            switch (parameterName.ToUpperInvariant())
            {
                case "SEVERITY": return IrisLookupKind.Severity;
                case "STATUS": return IrisLookupKind.AlertStatus;
                case "RESOLUTION": return IrisLookupKind.AlertResolution;
                case "CLASSIFICATION": return IrisLookupKind.Classification;
                case "TLP": return IrisLookupKind.Tlp;
                case "STATE": return IrisLookupKind.CaseState;
                case "TEMPLATE": return IrisLookupKind.CaseTemplate;
                case "TYPE":
                    if (commandName.EndsWith("IrisCaseIoc", StringComparison.OrdinalIgnoreCase)) return IrisLookupKind.IocType;
                    if (commandName.EndsWith("IrisCaseAsset", StringComparison.OrdinalIgnoreCase)) return IrisLookupKind.AssetType;
                    return null;
                default: return null;
            }
        }

        private static async Task<IEnumerable<KeyValuePair<string, string>>> NamesAsync(IrisLookups lookups, IrisLookupKind kind, CancellationToken cancellationToken) =>
            (await lookups.GetAsync(kind, cancellationToken).ConfigureAwait(false))
                .Select(i => new KeyValuePair<string, string>(i.Name, string.IsNullOrEmpty(i.Description) ? i.Name : $"{i.Name}: {i.Description}"));
    }
}
