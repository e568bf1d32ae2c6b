using System;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// One step of a containment (isolate an instance, lock a principal) or of its undo: what it does, to what, and what
    /// became of it. Steps are written into the record a containment returns, so the record says exactly which changes
    /// were made when a later step failed.
    /// </summary>
    public sealed class ResponseStep
    {
        public ResponseStep(string name, string target, string description)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Target = target ?? throw new ArgumentNullException(nameof(target));
            Description = description ?? throw new ArgumentNullException(nameof(description));
        }

        /// <summary>A stable name (DisableApiTermination, DetachFromAutoScalingGroup ...), the same in every run.</summary>
        public string Name { get; }
        /// <summary>What it acts on: an instance, interface, group or principal id.</summary>
        public string Target { get; }
        /// <summary>The sentence -WhatIf shows.</summary>
        public string Description { get; }
        public ResponseStepOutcome Outcome { get; set; } = ResponseStepOutcome.NotRun;
        /// <summary>What it found or made (snapshot ids, "was already on"), or why it failed.</summary>
        public string? Detail { get; set; }
        /// <summary>The service's error code when it failed (UnauthorizedOperation ...).</summary>
        public string? ErrorCode { get; set; }
        public DateTimeOffset? CompletedAt { get; set; }

        /// <summary>Done or AlreadyDone: the state the step sets is in place.</summary>
        public bool Succeeded => Outcome == ResponseStepOutcome.Done || Outcome == ResponseStepOutcome.AlreadyDone;

        public override string ToString() => Name + " " + Target + ": " + Outcome + (Detail is null ? string.Empty : " (" + Detail + ")");
    }
}
