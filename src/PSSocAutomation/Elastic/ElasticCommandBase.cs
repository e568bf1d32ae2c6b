using System;
using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>What every Elastic cmdlet shares: -Connection, defaulting to the runspace's current connection.</summary>
    public abstract class ElasticCommandBase : SocCmdlet
    {
        internal const string ErrorPrefix = "Elastic";

        /// <summary>The connection from Connect-Elastic; default: the last one made in this session.</summary>
        [Parameter]
        public ElasticConnection? Connection { get; set; }

        private ElasticConnection? _resolved;

        /// <summary>
        /// Resolved here, on the pipeline thread: the session's default lives with the runspace, which async client
        /// code running on pool threads cannot see.
        /// </summary>
        protected override void BeginProcessing()
        {
            try { _resolved = ElasticConnection.Resolve(Connection); }
            catch (InvalidOperationException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "ElasticNotConnected", ErrorCategory.ConnectionError, Connection));
            }
        }

        internal ElasticConnection ResolvedConnection =>
            _resolved ?? throw new InvalidOperationException("BeginProcessing resolves the connection before any record is processed.");

        internal ElasticClient Client => ResolvedConnection.Client;
    }
}
