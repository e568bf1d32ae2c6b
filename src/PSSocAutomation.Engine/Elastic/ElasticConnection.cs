using System;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>A connection to one Elasticsearch cluster (and its Kibana), as Connect-Elastic returns it. Holds no secret in view.</summary>
    public sealed class ElasticConnection : IServiceConnection
    {
        internal ElasticConnection(ElasticClient client, Uri uri, Uri? kibanaUri, ElasticClusterInfo info, string auth, string tls,
            ElasticSecurity.KibanaClient? kibana = null, string? kibanaVersion = null)
        {
            Client = client;
            Kibana = kibana;
            KibanaVersion = kibanaVersion;
            Uri = uri;
            KibanaUri = kibanaUri;
            ClusterName = info.ClusterName;
            NodeName = info.Name;
            Version = info.Version;
            Verified = info.Verified;
            Authentication = auth;
            Tls = ConnectionTls.Describe(uri, tls);
            ConnectedAt = DateTimeOffset.Now;
        }

        internal ElasticClient Client { get; }
        /// <summary>Kibana's detection-engine routes, when Connect-Elastic was given -KibanaUri (or a Cloud ID).</summary>
        internal ElasticSecurity.KibanaClient? Kibana { get; }
        /// <summary>Kibana's version, from its status at connect time (what -Reason of Set-ElasticAlertStatus depends on).</summary>
        public string? KibanaVersion { get; }
        /// <summary>Kibana's spaces as -Space completion last read them (id, name): asked once per connection.</summary>
        internal System.Collections.Generic.IReadOnlyList<System.Collections.Generic.KeyValuePair<string, string>>? KnownSpaces { get; set; }
        /// <summary>The index names -Index completion last read, and when (read at most once a minute per connection).</summary>
        internal (DateTimeOffset At, System.Collections.Generic.IReadOnlyList<ElasticIndexName> Names)? KnownIndices { get; set; }
        public Uri Uri { get; }
        public Uri? KibanaUri { get; }
        public string? ClusterName { get; }
        public string? NodeName { get; }
        public string? Version { get; }
        /// <summary>False when the server could not be confirmed as Elasticsearch (GET / refused for lack of privilege).</summary>
        public bool Verified { get; }
        /// <summary>The scheme and who it names (Basic (elastic), ApiKey (id)), never the secret.</summary>
        public string Authentication { get; }
        public string Tls { get; }
        public DateTimeOffset ConnectedAt { get; }
        public bool IsDisposed { get; private set; }

        public void Dispose()
        {
            if (IsDisposed) return;
            IsDisposed = true;
            Client.Dispose();
            Kibana?.Dispose();
        }

        public override string ToString() => $"{Uri} ({ClusterName ?? "cluster"} {Version}, {Authentication})";
    }
}
