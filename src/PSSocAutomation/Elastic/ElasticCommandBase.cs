using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>What every Elastic cmdlet shares: -Connection, defaulting to the runspace's current connection.</summary>
    public abstract class ElasticCommandBase : ConnectedCommandBase<ElasticConnection>
    {
        internal const string ErrorPrefix = "Elastic";

        private protected override string ServiceName => "Elasticsearch";
        private protected override string ConnectNoun => "Elastic";
        private protected override string ErrorIdPrefix => ErrorPrefix;

        internal ElasticClient Client => ResolvedConnection.Client;
    }
}
