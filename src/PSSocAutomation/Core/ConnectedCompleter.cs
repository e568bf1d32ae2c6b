using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Base of the tab completers that ask a service: the connection is -Connection as typed so far, else the session's;
    /// a read is bounded to two seconds, retries included, so the prompt never hangs on a slow or unreachable server.
    /// A completer that throws shows nothing useful, so a read that fails or runs out of time gives the fallback.
    /// </summary>
    public abstract class ConnectedCompleter<TConnection> : IArgumentCompleter where TConnection : class, IServiceConnection
    {
        private protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var connection = PipelineInput.Unwrap(fakeBoundParameters?["Connection"]) as TConnection ?? ConnectionRegistry<TConnection>.Current;
            var word = wordToComplete ?? string.Empty;
            var quoted = word.StartsWith("'", StringComparison.Ordinal) || word.StartsWith("\"", StringComparison.Ordinal);
            return Complete(connection is null || connection.IsDisposed ? null : connection, commandName, parameterName, word.Trim('\'', '"'), quoted);
        }

        /// <param name="connection">Null when there is none (or it was closed).</param>
        /// <param name="commandName">The command completed, as PowerShell names it.</param>
        /// <param name="parameterName">The parameter completed (its name, not an alias).</param>
        /// <param name="typed">What was typed, without its quotes.</param>
        /// <param name="quoted">Whether the user opened a quote: the completion must then be one quoted string.</param>
        private protected abstract IEnumerable<CompletionResult> Complete(TConnection? connection, string commandName, string parameterName, string typed, bool quoted);

        /// <summary>The answer of <paramref name="read"/> within the bound, or <paramref name="fallback"/>.</summary>
        private protected static T ReadWithinBound<T>(Func<CancellationToken, Task<T>> read, T fallback)
        {
            try
            {
                using var bound = new CancellationTokenSource(Bound);
                return read(bound.Token).GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                return fallback;
            }
        }
    }
}
