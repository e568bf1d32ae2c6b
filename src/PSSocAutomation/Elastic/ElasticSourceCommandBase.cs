using System;
using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// What the Elastic alert sources (Get-ElasticAlert, Get-ElasticSecurityAlert) share: -Checkpoint, -Overlap and
    /// -CheckpointTimeoutSec, the window a resumed run reads, writing only what an earlier run did not deliver, and the
    /// save at the end that happens only when the whole pipeline completed.
    /// </summary>
    public abstract class ElasticSourceCommandBase : ElasticCommandBase
    {
        /// <summary>Resume where the last run on this checkpoint stopped: a file, a folder of checkpoints, or a checkpoint store. The watermark is saved only when the whole pipeline completes.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Checkpoint { get; set; }

        /// <summary>How far before the saved watermark to look again, for alerts indexed late (default 5m); alerts already delivered are skipped.</summary>
        [Parameter]
        [ValidateNotNull]
        public object Overlap { get; set; } = "5m";

        /// <summary>Seconds to wait for another run that holds the same checkpoint before stopping with an error (default 60).</summary>
        [Parameter]
        [ValidateRange(0, 86400)]
        public int CheckpointTimeoutSec { get; set; } = 60;

        private protected SourceCheckpoint? ResumeCheckpoint { get; private set; }

        /// <summary>Set when the source itself failed: its watermark is then never saved, whatever the pipeline did.</summary>
        private protected bool SourceFailed { get; set; }

        /// <summary>
        /// Takes -Checkpoint for this run under <paramref name="key"/> (what the source reads) and returns the window to
        /// read: from the saved watermark less -Overlap, or -Since when that is later (and on a first run).
        /// </summary>
        private protected TimeWindow? Resume(TimeWindow? since, string key)
        {
            var overlap = ParseTime(Overlap, nameof(Overlap))!;
            if (overlap.RelativeSpan is not TimeSpan span)
            {
                ThrowArgumentError(ErrorPrefix + "InvalidOverlap", $"-Overlap '{Overlap}' must be a length of time such as '5m' or '1h', not a date.", Overlap);
                return since;
            }
            ResumeCheckpoint = OpenCheckpoint(Checkpoint!, key, span, CheckpointTimeoutSec);
            if (ResumeCheckpoint.Run.ReadFrom is not DateTimeOffset from) return since;
            WriteVerbose($"Resuming from the checkpoint {ResumeCheckpoint.Where}: alerts since {from:o} ({Overlap} before the last run's newest), skipping those already delivered.");
            return since != null && since.StartFrom(DateTimeOffset.UtcNow) > from ? since : TimeWindow.Parse(from);
        }

        /// <summary>
        /// Writes a page: whole when there is no checkpoint (one call per page: the engine enumerates it, skipping
        /// per-call checks a million times); otherwise the alerts an earlier run did not deliver, one by one, so the
        /// watermark counts only what went down the pipeline. Each is marked before it is written: a write that throws
        /// either failed the pipeline (nothing is saved then) or was Select-Object -First taking this alert as its last
        /// (it was delivered). Returns how many were written.
        /// </summary>
        private protected long WritePage(SocAlert[] page)
        {
            if (ResumeCheckpoint is null)
            {
                WriteObject(page, enumerateCollection: true);
                return page.Length;
            }
            var run = ResumeCheckpoint.Run;
            long written = 0;
            foreach (var alert in page)
            {
                var id = alert.Index + "/" + (alert.DocumentId ?? alert.Id);
                if (!run.IsNew(id)) continue;
                run.MarkDelivered(id, alert.Time);
                written++;
                WriteObject(alert);
            }
            return written;
        }

        /// <summary>What the verbose summary adds about a resumed run.</summary>
        private protected string SkippedNote() =>
            ResumeCheckpoint is null ? string.Empty : $" {ResumeCheckpoint.Run.Skipped} were delivered by an earlier run and skipped.";

        protected override void Release() => ResumeCheckpoint?.Finish(this, SourceFailed);
    }
}
