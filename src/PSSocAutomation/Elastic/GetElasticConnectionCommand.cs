using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// <para type="synopsis">Gets the session's current Elasticsearch connection.</para>
    /// <para type="description">Returns the connection Connect-Elastic made the default in this session, or nothing when there is none.</para>
    /// </summary>
    /// <example><code>Get-ElasticConnection | Format-List</code></example>
    [Cmdlet(VerbsCommon.Get, "ElasticConnection")]
    [OutputType(typeof(ElasticConnection))]
    public sealed class GetElasticConnectionCommand : GetConnectionCommandBase<ElasticConnection>
    {
    }
}
