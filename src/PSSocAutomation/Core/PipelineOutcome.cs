using System.Management.Automation;
using System.Reflection;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Whether the pipeline a command ran in completed: no command in it met a terminating error and it was not stopped.
    /// </summary>
    /// <remarks>
    /// A source's EndProcessing runs before the EndProcessing of the commands after it, where sinks flush their last
    /// batch; only when the engine disposes the commands has the whole pipeline finished. The engine records the first
    /// terminating error of any command of the pipeline (its PipelineProcessor's first terminating error, the field
    /// behind the pipeline's failure, in Windows PowerShell 5.1 and PowerShell 7) but offers no public way to ask. It
    /// is read here by reflection; when it cannot be read the answer is null, and callers take that as "did not
    /// complete" (a checkpoint that does not move loses nothing).
    /// </remarks>
    internal static class PipelineOutcome
    {
        private const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

        /// <summary>True when it completed, false when it failed or was stopped, null when the engine would not say.</summary>
        public static bool? Completed(Cmdlet command)
        {
            var runtime = command.CommandRuntime;
            if (runtime is null) return null;
            var processor = runtime.GetType().GetProperty("PipelineProcessor", Internal)?.GetValue(runtime);
            if (processor is null) return null;
            var type = processor.GetType();
            var failure = type.GetField("_firstTerminatingError", Internal) ?? type.GetField("firstTerminatingError", Internal);
            if (failure is null) return null;
            if (type.GetProperty("Stopping", Internal)?.GetValue(processor) is true) return false;
            return failure.GetValue(processor) is null;
        }
    }
}
