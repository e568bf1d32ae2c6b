using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSSocAutomation.Core;
using PSSocAutomation.Elastic;

namespace PSSocAutomation.ElasticSecurity
{
    /// <summary>
    /// Tab completion of -Space: the space ids of the connection's Kibana, read once per connection within the bound,
    /// so the prompt never hangs on a slow Kibana (it then offers only "default").
    /// </summary>
    public sealed class KibanaSpaceCompleter : ConnectedCompleter<ElasticConnection>
    {
        private static readonly KeyValuePair<string, string>[] DefaultOnly = { new KeyValuePair<string, string>("default", "Default") };

        private protected override IEnumerable<CompletionResult> Complete(ElasticConnection? connection, string commandName, string parameterName, string typed, bool quoted)
        {
            var spaces = (connection is null ? null : SpacesOf(connection)) ?? DefaultOnly;
            return spaces
                .Where(s => s.Key.StartsWith(typed, System.StringComparison.OrdinalIgnoreCase))
                .Select(s => new CompletionResult(s.Key, s.Key, CompletionResultType.ParameterValue, s.Value == s.Key ? s.Key : $"{s.Key} ({s.Value})"))
                .ToList();
        }

        private static IReadOnlyList<KeyValuePair<string, string>>? SpacesOf(ElasticConnection connection)
        {
            if (connection.KnownSpaces != null || connection.Kibana is null) return connection.KnownSpaces;
            var kibana = connection.Kibana;
            var spaces = ReadWithinBound<IReadOnlyList<KeyValuePair<string, string>>?>(async ct => await kibana.ListSpacesAsync(Bound, ct).ConfigureAwait(false), null);
            if (spaces != null) connection.KnownSpaces = spaces;
            return spaces;
        }
    }
}
