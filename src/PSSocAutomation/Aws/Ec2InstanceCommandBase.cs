using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// Base of the cmdlets that act on EC2 instances: -InstanceId or anything piped that names one (a finding, an
    /// instance, an isolation record), each worked on in the region its ARN or record names, with one connection per
    /// region for the whole pipeline.
    /// </summary>
    public abstract class Ec2InstanceCommandBase : AwsCommandBase
    {
        private readonly Dictionary<string, AwsConnection> _regional = new Dictionary<string, AwsConnection>(StringComparer.Ordinal);

        /// <summary>The instance ids (i-0123456789abcdef0), or instance ARNs.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "InstanceId")]
        [ValidateNotNullOrEmpty]
        [Alias("Id")]
        [ArgumentCompleter(typeof(Ec2InstanceIdCompleter))]
        public string[]? InstanceId { get; set; }

        /// <summary>A Security Hub finding (its AwsEc2Instance resources), an instance from Get-Ec2Instance, an isolation record, or any object with InstanceId.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "InputObject")]
        public PSObject? InputObject { get; set; }

        protected override void ProcessRecord()
        {
            if (InstanceId != null)
            {
                foreach (var text in InstanceId)
                {
                    var target = Ec2InstanceInput.FromText(text, null);
                    if (target is null)
                    {
                        WriteError(new ErrorRecord(new ArgumentException($"'{text}' is not an EC2 instance id (i- and 8 or 17 hexadecimal digits) or instance ARN."),
                            ErrorPrefix + "Ec2InvalidInstanceId", ErrorCategory.InvalidArgument, text));
                        continue;
                    }
                    Process(target, ConnectionFor(target), text);
                }
                return;
            }
            var targets = Ec2InstanceInput.Read(InputObject);
            if (targets.Count == 0)
            {
                WriteError(new ErrorRecord(new ArgumentException($"{MyInvocation.MyCommand.Name} was given an object that names no EC2 instance: pipe a finding about an instance, an instance from Get-Ec2Instance, an isolation record, or use -InstanceId."),
                    ErrorPrefix + "Ec2InputWithoutInstance", ErrorCategory.InvalidArgument, InputObject));
                return;
            }
            foreach (var target in targets) Process(target, ConnectionFor(target), InputObject);
        }

        /// <summary>One instance; <paramref name="source"/> is what named it (the error target when it fails).</summary>
        private protected abstract void Process(Ec2InstanceTarget target, AwsConnection connection, object? source);

        /// <summary>The session's connection, or the same credentials in the region the finding or record names.</summary>
        private AwsConnection ConnectionFor(Ec2InstanceTarget target)
        {
            var connection = ResolvedConnection;
            if (target.Region is null || target.Region == connection.Region || BoundOnCommandLine(nameof(Region))) return connection;
            if (!_regional.TryGetValue(target.Region, out var regional))
            {
                regional = connection.For(target.Region, null);
                _regional[target.Region] = regional;
            }
            return regional;
        }

        protected override void Release()
        {
            foreach (var connection in _regional.Values) connection.Dispose();
            _regional.Clear();
            base.Release();
        }
    }
}
