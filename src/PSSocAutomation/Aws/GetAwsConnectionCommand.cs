using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// <para type="synopsis">Gets the session's current AWS connection.</para>
    /// <para type="description">Returns the connection Connect-Aws made the default in this session (account, ARN, region, where the credentials came from; never the keys), or nothing when there is none.</para>
    /// </summary>
    /// <example><code>Get-AwsConnection | Format-List</code><para>Shows the account, principal ARN, region and credential source AWS cmdlets use by default.</para></example>
    /// <example><code>if (-not (Get-AwsConnection)) { Connect-Aws -Region us-east-1 }</code><para>Connects only when the session has no AWS connection yet.</para></example>
    [Cmdlet(VerbsCommon.Get, "AwsConnection")]
    [OutputType(typeof(AwsConnection))]
    public sealed class GetAwsConnectionCommand : GetConnectionCommandBase<AwsConnection>
    {
    }
}
