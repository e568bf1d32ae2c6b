using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using PSSocAutomation.Core;
using PSSocAutomation.Elastic;

namespace PSSocAutomation.ElasticSecurity
{
    /// <summary>
    /// Tab completion of -Space: the space ids of the connection's Kibana, read once per connection with a short bound,
    /// so the prompt never hangs on a slow Kibana (it then offers only "default").
    /// </summary>
    public sealed class KibanaSpaceCompleter : IArgumentCompleter
    {
        private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var connection = PipelineInput.Unwrap(fakeBoundParameters?["Connection"]) as ElasticConnection ?? ConnectionRegistry<ElasticConnection>.Current;
            var spaces = connection is null || connection.IsDisposed ? null : SpacesOf(connection);
            spaces ??= new[] { new KeyValuePair<string, string>("default", "Default") };
            var typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return spaces
                .Where(s => s.Key.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(s => new CompletionResult(s.Key, s.Key, CompletionResultType.ParameterValue, s.Value == s.Key ? s.Key : $"{s.Key} ({s.Value})"))
                .ToList();
        }

        private static IReadOnlyList<KeyValuePair<string, string>>? SpacesOf(ElasticConnection connection)
        {
            if (connection.KnownSpaces != null || connection.Kibana is null) return connection.KnownSpaces;
            try
            {
                using var bound = new CancellationTokenSource(Bound);
                connection.KnownSpaces = connection.Kibana.ListSpacesAsync(Bound, bound.Token).GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                // A completer that throws shows nothing useful; a Kibana that cannot list its spaces leaves "default".
                return null;
            }
            return connection.KnownSpaces;
        }
    }
}
