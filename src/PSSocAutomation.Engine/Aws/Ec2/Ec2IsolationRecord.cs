using System;
using System.Collections.Generic;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>A target group registration isolation removed, so undo can put it back.</summary>
    public sealed class Ec2TargetRef
    {
        public Ec2TargetRef(string targetGroupArn, int port)
        {
            TargetGroupArn = targetGroupArn;
            Port = port;
        }

        public string TargetGroupArn { get; }
        public int Port { get; }

        public override string ToString() => TargetGroupArn + "@" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// What an isolation changed and what was there before: the groups of every interface, the fleet memberships, the
    /// instance profile, the protections, the snapshots, and each step with its outcome. Written to the instance's
    /// tags before the first change (<see cref="Ec2IsolationTags"/>), so undo works from the instance alone even when
    /// the run stopped half-way or the returned object was lost.
    /// </summary>
    public sealed class Ec2IsolationRecord
    {
        public Ec2IsolationRecord(string instanceId, string region, string isolationId)
        {
            InstanceId = instanceId;
            Region = region;
            IsolationId = isolationId;
        }

        public string InstanceId { get; }
        public string Region { get; }
        /// <summary>When the isolation started (yyyyMMddTHHmmssZ); the same on every later run of the same isolation.</summary>
        public string IsolationId { get; }
        /// <summary>Planned (-WhatIf), InProgress, Isolated, Failed, or Released (after undo).</summary>
        public string State { get; set; } = "InProgress";
        /// <summary>The instance's Name tag, for people.</summary>
        public string? Name { get; set; }
        /// <summary>The finding the isolation answers, when it came from one.</summary>
        public string? FindingId { get; set; }
        /// <summary>Every interface and the group ids it had before isolation.</summary>
        public IDictionary<string, string[]> OriginalGroups { get; } = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        /// <summary>The isolation group used in each VPC.</summary>
        public IDictionary<string, string> IsolationGroups { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
        public List<string> Snapshots { get; } = new List<string>();
        public string? AutoScalingGroupName { get; set; }
        public List<Ec2TargetRef> TargetGroups { get; } = new List<Ec2TargetRef>();
        /// <summary>The instance profile it had (re-associated by undo -Reattach when isolation removed it).</summary>
        public string? InstanceProfileArn { get; set; }
        public bool? TerminationProtectionBefore { get; set; }
        public bool? StopProtectionBefore { get; set; }
        public string? ShutdownBehaviorBefore { get; set; }
        /// <summary>The devices whose volumes were set to be deleted on termination before isolation kept them.</summary>
        public List<string> DeleteOnTerminationBefore { get; } = new List<string>();
        public IReadOnlyList<ResponseStep> Steps { get; set; } = Array.Empty<ResponseStep>();

        public override string ToString() => InstanceId + " " + State + " (" + IsolationId + ")";
    }
}
