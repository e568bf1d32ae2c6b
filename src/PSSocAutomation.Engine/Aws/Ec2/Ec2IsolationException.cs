using System;

namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>Why an instance cannot be isolated or released, before any change is made.</summary>
    public enum Ec2IsolationProblem
    {
        /// <summary>Terminated or shutting down: nothing is left to isolate.</summary>
        InstanceGone,
        /// <summary>Undo was asked for an instance that carries no isolation record.</summary>
        NoRecord,
        /// <summary>An interface has no VPC (EC2-Classic) or the record is not usable.</summary>
        Unsupported,
    }

    public sealed class Ec2IsolationException : Exception
    {
        public Ec2IsolationException(Ec2IsolationProblem problem, string message) : base(message) => Problem = problem;

        public Ec2IsolationProblem Problem { get; }
    }
}
