using System;
using System.Management.Automation;
using System.Security;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Closes a DFIR-IRIS connection and forgets its API key.</para>
    /// <para type="description">Closes the given connection (default: the session's current one). If it was the default, the session has no default afterwards.</para>
    /// </summary>
    /// <example><code>Disconnect-Iris</code></example>
    [Cmdlet(VerbsCommunications.Disconnect, "Iris")]
    [OutputType(typeof(void))]
    public sealed class DisconnectIrisCommand : PSCmdlet
    {
        /// <summary>The connection to close; default: the session's current one.</summary>
        [Parameter(ValueFromPipeline = true)]
        public IrisConnection? Connection { get; set; }

        protected override void ProcessRecord()
        {
            var current = ConnectionRegistry<IrisConnection>.Current;
            var target = Connection ?? current;
            if (target is null)
            {
                WriteVerbose("There is no DFIR-IRIS connection to close.");
                return;
            }
            target.Dispose();
            if (ReferenceEquals(target, current)) ConnectionRegistry<IrisConnection>.Current = null;
            WriteVerbose($"Disconnected from DFIR-IRIS at {target.Uri}.");
        }
    }
}
