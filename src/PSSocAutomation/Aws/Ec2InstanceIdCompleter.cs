using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// Tab completion of -InstanceId: the instances of the session's (or -Connection's) AWS connection that are not
    /// terminated, matched on the id or the Name tag, read at most once a minute per connection and within the bound,
    /// so the prompt never hangs on a slow or unreachable EC2 (it then offers nothing).
    /// </summary>
    public sealed class Ec2InstanceIdCompleter : ConnectedCompleter<AwsConnection>
    {
        private static readonly TimeSpan Fresh = TimeSpan.FromMinutes(1);

        private protected override IEnumerable<CompletionResult> Complete(AwsConnection? connection, string commandName, string parameterName, string typed, bool quoted)
        {
            if (connection is null) return Array.Empty<CompletionResult>();
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
            var instances = ReadWithinBound<IReadOnlyList<Ec2.Ec2Instance>?>(async ct => await connection.Ec2.ListInstancesAsync(ct).ConfigureAwait(false), null);
            if (instances is null) return Array.Empty<Ec2.Ec2Instance>();
            connection.KnownInstances = (now, instances);
            return instances;
        }
    }
}
