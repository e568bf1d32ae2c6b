namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>What an undo puts back beyond the interfaces' original groups.</summary>
    public sealed class Ec2IsolationUndoOptions
    {
        /// <summary>Re-attach to the Auto Scaling group, re-register in the target groups, re-associate the instance profile.</summary>
        public bool Reattach { get; set; }
        /// <summary>Put termination and stop protection, the shutdown behaviour and DeleteOnTermination back as they were.</summary>
        public bool RemoveProtection { get; set; }
        /// <summary>Delete the forensic snapshots isolation took (evidence: only once the case is closed).</summary>
        public bool RemoveSnapshots { get; set; }
    }
}
