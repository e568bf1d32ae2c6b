using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Where a resumable source keeps how far it got (an Elastic search_after position and time, a Security Hub
    /// UpdatedAt), by key, so the next scheduled run starts there instead of at the beginning or at "now - 15m".
    /// </summary>
    /// <remarks>
    /// <para>
    /// The contract that makes a re-run lose nothing: a source reads its checkpoint when the run starts and calls
    /// <see cref="SetAsync"/> only when the run has completed, after every alert it read went down the pipeline. A run
    /// that fails or is stopped leaves the old checkpoint, so the next run reads those alerts again; the sinks'
    /// idempotence (IRIS alert_source_ref, a Jira label, an Elastic _id) keeps them from being doubled.
    /// </para>
    /// <para>
    /// The value is the source's own text (it chooses the format, usually JSON); a store keeps it verbatim and never
    /// interprets it. A key names one source and query ("elastic:alerts-*:rule-x"); stores map it to whatever names
    /// they allow.
    /// </para>
    /// <para>
    /// <see cref="FileCheckpointStore"/> is the default: one file per key under a folder, written atomically and safe
    /// between processes. Another store plugs in by implementing these two methods. An Azure Automation runbook, whose
    /// sandbox keeps no files between jobs, would use an Automation variable per key: GetAsync reads it with
    /// Get-AutomationVariable -Name (prefix + key) (null when it holds nothing yet), SetAsync writes it with
    /// Set-AutomationVariable. Those cmdlets exist only inside the runbook sandbox and the variable must be created
    /// beforehand in the Automation account (a string variable, one per key), so such a store lives on the cmdlet
    /// side and calls them through the runspace. Automation variables have no lock: two jobs of one runbook must not
    /// run against the same key at once.
    /// </para>
    /// </remarks>
    public interface ICheckpointStore
    {
        /// <summary>The checkpoint saved under <paramref name="key"/>, or null when none has been saved yet.</summary>
        Task<string?> GetAsync(string key, CancellationToken cancellationToken);

        /// <summary>
        /// Saves <paramref name="value"/> under <paramref name="key"/>, replacing the previous one as a whole (a reader
        /// sees the old or the new value, never a mix). Call it only when a run has completed.
        /// </summary>
        Task SetAsync(string key, string value, CancellationToken cancellationToken);
    }
}
