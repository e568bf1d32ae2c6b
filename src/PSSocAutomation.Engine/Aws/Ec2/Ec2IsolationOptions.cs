namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>What an isolation does beyond the network cut.</summary>
    public sealed class Ec2IsolationOptions
    {
        /// <summary>Forensic snapshots of every volume (looked up by tag first, so only once per isolation).</summary>
        public bool Snapshot { get; set; } = true;
        /// <summary>
        /// Move each interface to an all-access group before the isolation group. Security groups do not cut tracked
        /// connections; the all-access group makes them untracked, and untracked flows are cut by the next change.
        /// </summary>
        public bool FlushTrackedConnections { get; set; } = true;
        /// <summary>Remove the instance profile, so the instance can get no new role credentials.</summary>
        public bool DisassociateInstanceProfile { get; set; }
        /// <summary>The finding the isolation answers (recorded on the instance and the snapshots).</summary>
        public string? FindingId { get; set; }
    }
}
