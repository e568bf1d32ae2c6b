using System.Diagnostics;
using System.Management.Automation;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Write-Progress with one activity id per cmdlet, at most a few updates a second (Windows PowerShell 5.1 renders
    /// progress slowly enough to dominate run time), and always a Completed record when something was shown.
    /// </summary>
    internal sealed class ProgressReporter
    {
        private static readonly long Interval = Stopwatch.Frequency / 4;
        private readonly Cmdlet _cmdlet;
        private readonly int _activityId;
        private readonly string _activity;
        private long _last = -Interval;
        private bool _shown;

        public ProgressReporter(Cmdlet cmdlet, int activityId, string activity)
        {
            _cmdlet = cmdlet;
            _activityId = activityId;
            _activity = activity;
        }

        public void Report(string status, long done, long? total = null)
        {
            var now = Stopwatch.GetTimestamp();
            if (now - _last < Interval) return;
            _last = now;
            var record = new ProgressRecord(_activityId, _activity, status);
            if (total is long t && t > 0) record.PercentComplete = (int)System.Math.Min(100, done * 100 / t);
            _cmdlet.WriteProgress(record);
            _shown = true;
        }

        public void Complete()
        {
            if (!_shown) return;
            _cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
            _shown = false;
        }
    }
}
