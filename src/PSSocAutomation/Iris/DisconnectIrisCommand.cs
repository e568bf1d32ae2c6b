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
    /// <example><code>Disconnect-Iris</code><para>Closes the session's default DFIR-IRIS connection.</para></example>
    /// <example><code>$iris = Connect-Iris -Uri https://iris.corp.example -ApiKey $key -NoDefault; Get-IrisCase -Connection $iris -State Open; Disconnect-Iris -Connection $iris</code><para>Uses a connection for one task and closes it, leaving the session's default alone.</para></example>
    [Cmdlet(VerbsCommunications.Disconnect, "Iris")]
    [OutputType(typeof(void))]
    public sealed class DisconnectIrisCommand : DisconnectCommandBase<IrisConnection>
    {
        private protected override string ServiceName => "DFIR-IRIS";
    }
}
