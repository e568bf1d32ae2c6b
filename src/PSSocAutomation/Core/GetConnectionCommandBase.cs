using System.Management.Automation;

namespace PSSocAutomation.Core
{
    /// <summary>Get-*Connection: the session's current connection to one service, or nothing.</summary>
    public abstract class GetConnectionCommandBase<TConnection> : PSCmdlet where TConnection : class, IServiceConnection
    {
        protected override void EndProcessing()
        {
            var connection = ConnectionRegistry<TConnection>.Current;
            if (connection != null && !connection.IsDisposed) WriteObject(connection);
        }
    }
}
