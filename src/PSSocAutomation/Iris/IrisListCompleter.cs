using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// Tab completion from one of the IRIS connection's reference lists (customers, severities, TLPs ...). The lists are
    /// read once per connection and kept by <see cref="IrisLookups"/>, which the cmdlets share; a completer waits at most
    /// the bound for the first read, so a slow IRIS offers nothing then, while the read goes on in the background and
    /// the next Tab offers its answer. Any value is still accepted: ids, and names the list does not hold yet.
    /// </summary>
    public abstract class IrisListCompleter : ConnectedCompleter<IrisConnection>
    {
        /// <summary>The (name, tooltip) pairs of the list this parameter draws from; empty when the parameter has none.</summary>
        private protected abstract Task<IEnumerable<KeyValuePair<string, string>>> ListAsync(IrisLookups lookups, string commandName, string parameterName, CancellationToken cancellationToken);

        private protected override IEnumerable<CompletionResult> Complete(IrisConnection? connection, string commandName, string parameterName, string typed, bool quoted)
        {
            if (connection is null) return Array.Empty<CompletionResult>();
            var items = ReadWithinBound(ct => ListAsync(connection.Client.Lookups, commandName, parameterName, ct), Enumerable.Empty<KeyValuePair<string, string>>());
            return items
                .Where(i => i.Key.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .OrderBy(i => i.Key, StringComparer.OrdinalIgnoreCase)
                .Select(i => new CompletionResult(Quote(i.Key, quoted), i.Key, CompletionResultType.ParameterValue, i.Value))
                .ToList();
        }

        // IRIS names hold spaces, dashes and bars ("Windows - Computer", "In progress", "ip-dst|port"): quoted so the completed line parses.
        private static string Quote(string name, bool alreadyQuoted) =>
            alreadyQuoted || name.Any(c => char.IsWhiteSpace(c) || "'\"$`(){}[];,|&<>@#".IndexOf(c) >= 0) ? "'" + name.Replace("'", "''") + "'" : name;
    }
}
