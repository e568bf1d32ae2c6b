using System.Management.Automation;

namespace PSSocAutomation.Core
{
    /// <summary>Disconnect-*: closes a connection (default: the session's); if it was the default, there is none afterwards.</summary>
    public abstract class DisconnectCommandBase<TConnection> : PSCmdlet where TConnection : class, IServiceConnection
    {
        /// <summary>The connection to close; default: the session's current one.</summary>
        [Parameter(ValueFromPipeline = true)]
        public TConnection? Connection { get; set; }

        /// <summary>"Elasticsearch", "DFIR-IRIS": how messages name the service.</summary>
        private protected abstract string ServiceName { get; }

        protected override void ProcessRecord()
        {
            var current = ConnectionRegistry<TConnection>.Current;
            var target = Connection ?? current;
            if (target is null)
            {
                WriteVerbose($"There is no {ServiceName} connection to close.");
                return;
            }
            target.Dispose();
            if (ReferenceEquals(target, current)) ConnectionRegistry<TConnection>.Current = null;
            WriteVerbose($"Disconnected from {ServiceName} at {target.Uri}.");
        }
    }
}
