namespace PSSocAutomation.Core
{
    /// <summary>What a step's action reports back: changed something, found it done, or did not apply.</summary>
    public readonly struct ResponseStepResult
    {
        private ResponseStepResult(ResponseStepOutcome outcome, string? detail)
        {
            Outcome = outcome;
            Detail = detail;
        }

        public ResponseStepOutcome Outcome { get; }
        public string? Detail { get; }

        public static ResponseStepResult Done(string? detail = null) => new ResponseStepResult(ResponseStepOutcome.Done, detail);
        public static ResponseStepResult AlreadyDone(string? detail = null) => new ResponseStepResult(ResponseStepOutcome.AlreadyDone, detail);
        public static ResponseStepResult Skipped(string reason) => new ResponseStepResult(ResponseStepOutcome.Skipped, reason);
    }
}
