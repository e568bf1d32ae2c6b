using System;
using System.Management.Automation;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Base of every cmdlet that talks to one service: -Connection, defaulting to the session's, resolved on the
    /// pipeline thread (the session's default lives with the runspace, which the pool threads running the async work
    /// do not see).
    /// </summary>
    public abstract class ConnectedCommandBase<TConnection> : SocCmdlet where TConnection : class, IServiceConnection
    {
        private TConnection? _resolved;

        /// <summary>The connection from the service's Connect-* cmdlet; default: the last one made in this session.</summary>
        [Parameter]
        public TConnection? Connection { get; set; }

        /// <summary>"Elasticsearch", "DFIR-IRIS": how messages name the service.</summary>
        private protected abstract string ServiceName { get; }

        /// <summary>The noun of the service's Connect-/Disconnect- cmdlets ("Elastic", "Iris").</summary>
        private protected abstract string ConnectNoun { get; }

        /// <summary>The first word of every ErrorId this service's cmdlets write.</summary>
        private protected abstract string ErrorIdPrefix { get; }

        internal TConnection ResolvedConnection =>
            _resolved ?? throw new InvalidOperationException("The connection is resolved in BeginProcessing, before any record is processed.");

        protected sealed override void BeginProcessing()
        {
            var connection = Connection ?? ConnectionRegistry<TConnection>.Current;
            var problem = connection is null
                ? $"Not connected to {ServiceName}. Run Connect-{ConnectNoun} first, or pass -Connection."
                : connection.IsDisposed ? $"This {ServiceName} connection was closed by Disconnect-{ConnectNoun}. Run Connect-{ConnectNoun} again." : null;
            if (problem != null)
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(problem), ErrorIdPrefix + "NotConnected", ErrorCategory.ConnectionError, Connection));
            _resolved = connection;
            Begin();
        }

        /// <summary>BeginProcessing for the subclasses, after the connection is resolved.</summary>
        protected virtual void Begin()
        {
        }
    }
}
