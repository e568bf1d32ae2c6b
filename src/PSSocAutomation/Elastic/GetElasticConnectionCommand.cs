using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// <para type="synopsis">Gets the session's current Elasticsearch connection.</para>
    /// <para type="description">Returns the connection Connect-Elastic made the default in this session, or nothing when there is none.</para>
    /// </summary>
    /// <example><code>Get-ElasticConnection | Format-List</code><para>Shows the session's default Elasticsearch connection: its URL, the server's version, the user and the TLS settings.</para></example>
    /// <example><code>if (-not (Get-ElasticConnection)) { Connect-Elastic -Uri https://es.corp.example:9200 -Credential $cred }</code><para>Connects only when the session has no Elasticsearch connection yet.</para></example>
    [Cmdlet(VerbsCommon.Get, "ElasticConnection")]
    [OutputType(typeof(ElasticConnection))]
    public sealed class GetElasticConnectionCommand : GetConnectionCommandBase<ElasticConnection>
    {
    }
}
