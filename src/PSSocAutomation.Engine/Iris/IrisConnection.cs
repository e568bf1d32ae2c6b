using System;
using PSSocAutomation.Core;

namespace PSSocAutomation.Iris
{
    /// <summary>A connection to one DFIR-IRIS server, as Connect-Iris returns it. Holds no secret in view.</summary>
    public sealed class IrisConnection : IServiceConnection
    {
        internal IrisConnection(IrisClient client, Uri uri, IrisVersionInfo version, string tls)
        {
            Client = client;
            Uri = uri;
            ServerVersion = version.Server.Text;
            ApiVersion = version.ApiCurrent;
            ApiMinimumVersion = version.ApiMinimum;
            Tls = ConnectionTls.Describe(uri, tls);
            ConnectedAt = DateTimeOffset.Now;
        }

        internal IrisClient Client { get; }
        internal IrisServerVersion Version => Client.Version!;

        public Uri Uri { get; }
        /// <summary>The IRIS release the server reported (iris_current), e.g. v2.4.20; it decides which routes and filters are used.</summary>
        public string ServerVersion { get; }
        /// <summary>The legacy API version (api_current), e.g. 2.0.5.</summary>
        public string? ApiVersion { get; }
        public string? ApiMinimumVersion { get; }
        /// <summary>How the server certificate is checked (system trust store, CA file, pinned thumbprint, or not at all).</summary>
        public string Tls { get; }
        public DateTimeOffset ConnectedAt { get; }
        public bool IsDisposed { get; private set; }

        public void Dispose()
        {
            if (IsDisposed) return;
            IsDisposed = true;
            Client.Dispose();
        }

        public override string ToString() => $"{Uri} (IRIS {ServerVersion})";
    }
}
