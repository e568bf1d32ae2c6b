using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// <para type="synopsis">Closes an Elasticsearch connection and forgets its credentials.</para>
    /// <para type="description">Closes the given connection (default: the session's current one). If it was the default, the session has no default afterwards.</para>
    /// </summary>
    /// <example><code>Disconnect-Elastic</code><para>Closes the session's default Elasticsearch connection; Elastic cmdlets then ask for Connect-Elastic again.</para></example>
    /// <example><code>$es = Connect-Elastic -Uri https://es.corp.example:9200 -Credential $cred -NoDefault; Get-ElasticAlert -Index alerts -Since 1h -Connection $es; Disconnect-Elastic -Connection $es</code><para>Uses a connection for one task and closes it, leaving the session's default alone.</para></example>
    [Cmdlet(VerbsCommunications.Disconnect, "Elastic")]
    [OutputType(typeof(void))]
    public sealed class DisconnectElasticCommand : DisconnectCommandBase<ElasticConnection>
    {
        private protected override string ServiceName => "Elasticsearch";
    }
}
