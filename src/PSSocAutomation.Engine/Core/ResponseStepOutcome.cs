namespace PSSocAutomation.Core
{
    /// <summary>What became of one step of a containment or its undo.</summary>
    public enum ResponseStepOutcome
    {
        /// <summary>-WhatIf: it would run; nothing was sent.</summary>
        Planned,
        /// <summary>It ran and changed something.</summary>
        Done,
        /// <summary>The state it sets was already there (a second run), so nothing was sent.</summary>
        AlreadyDone,
        /// <summary>It does not apply (no Auto Scaling group, -NoSnapshot ...); the detail says why.</summary>
        Skipped,
        /// <summary>It was sent and failed; the steps after it did not run.</summary>
        Failed,
        /// <summary>An earlier step failed, so this one was not tried.</summary>
        NotRun,
    }
}
