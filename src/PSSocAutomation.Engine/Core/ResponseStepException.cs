using System;
using System.Collections.Generic;
using System.Linq;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// A containment step failed: the message names the step and the steps already done, so whoever reads it knows the
    /// state the target was left in; <see cref="Steps"/> holds every step with its outcome.
    /// </summary>
    public sealed class ResponseStepException : Exception
    {
        public ResponseStepException(ResponseStep failed, IReadOnlyList<ResponseStep> steps, Exception inner)
            : base(MessageFor(failed, steps, inner), inner)
        {
            Failed = failed;
            Steps = steps;
        }

        public ResponseStep Failed { get; }
        public IReadOnlyList<ResponseStep> Steps { get; }

        private static string MessageFor(ResponseStep failed, IReadOnlyList<ResponseStep> steps, Exception inner)
        {
            var done = steps.Where(s => s.Succeeded).Select(s => s.Name + " " + s.Target).ToList();
            return $"Step {failed.Name} on {failed.Target} failed: {inner.Message} " +
                (done.Count == 0 ? "No step had been done before it." : "Done before it: " + string.Join(", ", done) + ".") +
                " The steps after it were not run.";
        }
    }
}
