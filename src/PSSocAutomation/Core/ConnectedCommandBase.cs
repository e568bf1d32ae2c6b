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

        /// <summary>
        /// Takes a source's -Checkpoint for this run (see <see cref="SourceCheckpoint"/>). What stops it is a
        /// terminating error: another run holding it past <paramref name="timeoutSec"/> (…CheckpointBusy), a checkpoint
        /// that is not this source's (…CheckpointInvalid), one that cannot be read (…CheckpointUnreadable).
        /// </summary>
        private protected SourceCheckpoint OpenCheckpoint(object checkpoint, string key, TimeSpan overlap, int timeoutSec)
        {
            ErrorRecord record;
            try
            {
                return Run(ct => SourceCheckpoint.OpenAsync(checkpoint, key, overlap, TimeSpan.FromSeconds(timeoutSec), ct));
            }
            catch (TimeoutException ex)
            {
                record = new ErrorRecord(ex, ErrorIdPrefix + "CheckpointBusy", ErrorCategory.ResourceBusy, checkpoint);
            }
            catch (System.IO.InvalidDataException ex)
            {
                record = new ErrorRecord(ex, ErrorIdPrefix + "CheckpointInvalid", ErrorCategory.InvalidData, checkpoint);
            }
            catch (ArgumentException ex)
            {
                record = new ErrorRecord(ex, ErrorIdPrefix + "CheckpointInvalid", ErrorCategory.InvalidArgument, checkpoint);
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
            {
                record = new ErrorRecord(new System.IO.IOException($"Could not read the checkpoint {checkpoint}: {ex.Message}", ex), ErrorIdPrefix + "CheckpointUnreadable", ErrorCategory.ReadError, checkpoint);
            }
            ThrowTerminatingError(record);
            throw new InvalidOperationException("unreachable");
        }

        /// <summary>BeginProcessing for the subclasses, after the connection is resolved.</summary>
        protected virtual void Begin()
        {
        }
    }
}
