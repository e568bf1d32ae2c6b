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
    public sealed class DisconnectElasticCommand : DisconnectCommandBase<ElasticConnection>
    {
        private protected override string ServiceName => "Elasticsearch";
    }
}
