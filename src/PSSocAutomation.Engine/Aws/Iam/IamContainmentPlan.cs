using System;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws.Iam
{
    /// <summary>A planned containment or undo: its steps and the record they fill in as they run.</summary>
    public sealed class IamContainmentPlan
    {
        internal IamContainmentPlan(ResponsePlan plan, IamContainmentRecord record)
        {
            Plan = plan;
            Record = record;
        }

        public ResponsePlan Plan { get; }
        public IamContainmentRecord Record { get; }

        /// <summary>-WhatIf: every step Planned, nothing sent.</summary>
        public void MarkPlanned() => Plan.MarkPlanned();

        /// <summary>Runs the steps in order; a failure throws <see cref="ResponseStepException"/> with the record's steps as they stand.</summary>
        public Task RunAsync(Func<ResponseStep, CancellationToken, Task>? completed, CancellationToken cancellationToken) => Plan.RunAsync(completed, cancellationToken);
    }
}
