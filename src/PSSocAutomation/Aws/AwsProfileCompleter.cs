using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace PSSocAutomation.Aws
{
    /// <summary>Tab completion of -ProfileName: the profiles of ~/.aws/credentials and ~/.aws/config (or the files AWS_* names).</summary>
    public sealed class AwsProfileCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            IEnumerable<string> names;
            try
            {
                names = Credentials.AwsSharedConfig.Load(Environment.GetEnvironmentVariable).ProfileNames();
            }
            catch (Exception)
            {
                // An unreadable file offers nothing rather than an error at the prompt.
                return Array.Empty<CompletionResult>();
            }
            return names.Where(n => n.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n.IndexOf(' ') >= 0 ? "'" + n + "'" : n, n, CompletionResultType.ParameterValue, n)).ToList();
        }
    }
}
