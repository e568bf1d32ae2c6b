using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// <para type="synopsis">Closes an Elasticsearch connection and forgets its credentials.</para>
    /// <para type="description">Closes the given connection (default: the session's current one). If it was the default, the session has no default afterwards.</para>
    /// </summary>
    /// <example><code>Disconnect-Elastic</code></example>
    [Cmdlet(VerbsCommunications.Disconnect, "Elastic")]
    [OutputType(typeof(void))]
    public sealed class DisconnectElasticCommand : PSCmdlet
    {
        /// <summary>The connection to close; default: the session's current one.</summary>
        [Parameter(ValueFromPipeline = true)]
        public ElasticConnection? Connection { get; set; }

        protected override void ProcessRecord()
        {
            var current = ConnectionRegistry<ElasticConnection>.Current;
            var target = Connection ?? current;
            if (target is null)
            {
                WriteVerbose("There is no Elasticsearch connection to close.");
                return;
            }
            target.Dispose();
            if (ReferenceEquals(target, current)) ConnectionRegistry<ElasticConnection>.Current = null;
            WriteVerbose($"Disconnected from Elasticsearch at {target.Uri}.");
        }
    }
}
