using System;
using System.Management.Automation;
using System.Security;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Gets the session's current DFIR-IRIS connection.</para>
    /// <para type="description">Returns the connection Connect-Iris made the default in this session, or nothing when there is none.</para>
    /// </summary>
    /// <example><code>Get-IrisConnection | Format-List Uri, ServerVersion, Tls</code><para>Shows where the session's default DFIR-IRIS connection points, the server's version and how its certificate is trusted.</para></example>
    /// <example><code>if (-not (Get-IrisConnection)) { Connect-Iris -Uri https://iris.corp.example -ApiKey (Get-Secret IrisApiKey) }</code><para>Connects only when the session has no DFIR-IRIS connection yet.</para></example>
    [Cmdlet(VerbsCommon.Get, "IrisConnection")]
    [OutputType(typeof(IrisConnection))]
    public sealed class GetIrisConnectionCommand : GetConnectionCommandBase<IrisConnection>
    {
    }
}
