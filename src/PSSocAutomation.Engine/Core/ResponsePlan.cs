using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// The ordered steps of a containment or an undo, each an action that checks the state it sets before it sends
    /// anything (so a second run reports AlreadyDone and changes nothing). Planned once, then either listed (-WhatIf,
    /// nothing is sent) or run in order, stopping at the first failure: the steps before it keep their outcomes, the
    /// failed one says why, the rest are NotRun, and <see cref="ResponseStepException"/> carries them all.
    /// </summary>
    public sealed class ResponsePlan
    {
        private readonly List<ResponseStep> _steps = new List<ResponseStep>();
        private readonly List<Func<CancellationToken, Task<ResponseStepResult>>> _actions = new List<Func<CancellationToken, Task<ResponseStepResult>>>();
        private readonly TimeProvider _time;

        public ResponsePlan(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

        public IReadOnlyList<ResponseStep> Steps => _steps;

        /// <summary>Adds a step; <paramref name="action"/> runs only when the plan runs, after every earlier step succeeded.</summary>
        public ResponseStep Add(string name, string target, string description, Func<CancellationToken, Task<ResponseStepResult>> action)
        {
            var step = new ResponseStep(name, target, description);
            _steps.Add(step);
            _actions.Add(action ?? throw new ArgumentNullException(nameof(action)));
            return step;
        }

        /// <summary>A step that does not apply, recorded so the record shows it was considered.</summary>
        public ResponseStep Skip(string name, string target, string description, string reason)
        {
            var step = new ResponseStep(name, target, description) { Outcome = ResponseStepOutcome.Skipped, Detail = reason };
            _steps.Add(step);
            _actions.Add(_ => Task.FromResult(ResponseStepResult.Skipped(reason)));
            return step;
        }

        /// <summary>-WhatIf: every step that would run is Planned; nothing is called.</summary>
        public void MarkPlanned()
        {
            foreach (var step in _steps)
                if (step.Outcome != ResponseStepOutcome.Skipped) step.Outcome = ResponseStepOutcome.Planned;
        }

        /// <summary>
        /// Runs the steps in order. <paramref name="completed"/> hears each step as it ends (progress, verbose, the
        /// record written back after each change). Cancellation counts as a failure of the step it interrupts.
        /// </summary>
        public async Task RunAsync(Func<ResponseStep, CancellationToken, Task>? completed, CancellationToken cancellationToken)
        {
            for (var i = 0; i < _steps.Count; i++)
            {
                var step = _steps[i];
                try
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var result = await _actions[i](cancellationToken).ConfigureAwait(false);
                    step.Outcome = result.Outcome;
                    step.Detail = result.Detail;
                    step.CompletedAt = _time.GetUtcNow();
                }
                catch (Exception ex) when (!(ex is ResponseStepException))
                {
                    step.Outcome = ResponseStepOutcome.Failed;
                    step.Detail = ex.Message;
                    step.ErrorCode = (ex as PSSocAutomation.Http.SocApiException)?.VendorType;
                    step.CompletedAt = _time.GetUtcNow();
                    for (var j = i + 1; j < _steps.Count; j++)
                        if (_steps[j].Outcome != ResponseStepOutcome.Skipped) _steps[j].Outcome = ResponseStepOutcome.NotRun;
                    if (completed != null) await completed(step, CancellationToken.None).ConfigureAwait(false);
                    throw new ResponseStepException(step, _steps, ex);
                }
                if (completed != null) await completed(step, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
