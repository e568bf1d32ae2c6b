using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// <para type="synopsis">Closes an AWS connection made by Connect-Aws.</para>
    /// <para type="description">Closes the connection (default: the session's) and forgets it as the default; AWS cmdlets then use the standard credential chain again, unless given -Connection or credentials.</para>
    /// </summary>
    /// <example><code>Disconnect-Aws</code><para>Closes the session's default AWS connection.</para></example>
    /// <example><code>$aws = Connect-Aws -ProfileName audit -NoDefault; Get-SecurityHubFinding -Connection $aws; Disconnect-Aws -Connection $aws</code><para>Uses a connection for one task and closes it, leaving the session's default alone.</para></example>
    [Cmdlet(VerbsCommunications.Disconnect, "Aws")]
    [OutputType(typeof(void))]
    public sealed class DisconnectAwsCommand : DisconnectCommandBase<AwsConnection>
    {
        private protected override string ServiceName => "AWS";
    }
}
