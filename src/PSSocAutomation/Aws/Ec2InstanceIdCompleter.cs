using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// Tab completion of -InstanceId: the instances of the session's (or -Connection's) AWS connection that are not
    /// terminated, matched on the id or the Name tag, read at most once a minute per connection and within two
    /// seconds, so the prompt never hangs on a slow or unreachable EC2 (it then offers nothing).
    /// </summary>
    public sealed class Ec2InstanceIdCompleter : IArgumentCompleter
    {
        private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);
        private static readonly TimeSpan Fresh = TimeSpan.FromMinutes(1);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var connection = PipelineInput.Unwrap(fakeBoundParameters?["Connection"]) as AwsConnection ?? ConnectionRegistry<AwsConnection>.Current;
            if (connection is null || connection.IsDisposed) return Array.Empty<CompletionResult>();
            var typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return InstancesOf(connection)
                .Where(i => i.InstanceId.StartsWith(typed, StringComparison.OrdinalIgnoreCase) || (i.Name ?? string.Empty).StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .OrderBy(i => i.Name ?? i.InstanceId, StringComparer.OrdinalIgnoreCase)
                .Select(i => new CompletionResult(i.InstanceId, i.Name is null ? i.InstanceId : i.InstanceId + " (" + i.Name + ")", CompletionResultType.ParameterValue,
                    i.InstanceId + (i.Name is null ? string.Empty : " " + i.Name) + " " + i.State + " " + i.PrivateIpAddress))
                .ToList();
        }

        private static IReadOnlyList<Ec2.Ec2Instance> InstancesOf(AwsConnection connection)
        {
            var now = DateTimeOffset.UtcNow;
            if (connection.KnownInstances is { } known && now - known.At < Fresh) return known.Instances;
            try
            {
                using var bound = new CancellationTokenSource(Bound);
                var instances = connection.Ec2.ListInstancesAsync(bound.Token).GetAwaiter().GetResult();
                connection.KnownInstances = (now, instances);
                return instances;
            }
            catch (Exception)
            {
                // A completer that throws shows nothing useful; an EC2 that cannot answer in time offers nothing.
                return Array.Empty<Ec2.Ec2Instance>();
            }
        }
    }
}
