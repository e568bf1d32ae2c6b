using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// Tab completion of -Index: the indices, aliases and data streams of the session's (or -Connection's) cluster,
    /// read at most once a minute per connection and within the bound, so a slow or unreachable cluster leaves what
    /// was read last, or nothing. PowerShell completes each element of an array argument (a,b) itself; a quoted list
    /// ('a,b) is one string, so the name after its last comma is the one completed.
    /// </summary>
    public sealed class ElasticIndexCompleter : ConnectedCompleter<ElasticConnection>
    {
        private static readonly TimeSpan Fresh = TimeSpan.FromMinutes(1);

        private protected override IEnumerable<CompletionResult> Complete(ElasticConnection? connection, string commandName, string parameterName, string typed, bool quoted)
        {
            if (connection is null) return Array.Empty<CompletionResult>();
            var comma = typed.LastIndexOf(',');
            var before = comma < 0 ? string.Empty : typed.Substring(0, comma + 1);
            var last = typed.Substring(comma + 1);
            // A hidden name (leading dot) is offered only once the user has typed the dot, as Elasticsearch's own patterns do.
            return NamesOf(connection)
                .Where(n => n.Name.StartsWith(last, StringComparison.OrdinalIgnoreCase) && (last.StartsWith(".", StringComparison.Ordinal) || !n.Name.StartsWith(".", StringComparison.Ordinal)))
                .Select(n => new CompletionResult(quoted ? "'" + before + n.Name + "'" : before + n.Name, n.Name, CompletionResultType.ParameterValue, n.Name + " (" + n.Kind + ")"))
                .ToList();
        }

        private static IReadOnlyList<ElasticIndexName> NamesOf(ElasticConnection connection)
        {
            var now = DateTimeOffset.UtcNow;
            var known = connection.KnownIndices;
            if (known is { } k && now - k.At < Fresh) return k.Names;
            var names = ReadWithinBound<IReadOnlyList<ElasticIndexName>?>(async ct => await connection.Client.ListIndexNamesAsync("*,.*", Bound, ct).ConfigureAwait(false), null);
            if (names is null) return known?.Names ?? Array.Empty<ElasticIndexName>();
            connection.KnownIndices = (now, names);
            return names;
        }
    }
}
