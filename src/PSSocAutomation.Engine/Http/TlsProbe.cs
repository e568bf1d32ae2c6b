using System;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// Asks a server that dropped a plain-HTTP request whether it speaks TLS on that port, as Elasticsearch with
    /// security on does (it closes the connection on plain HTTP): so the failure can say "use https://" instead of
    /// "the connection was dropped".
    /// </summary>
    internal static class TlsProbe
    {
        /// <summary>True when a TLS handshake with the host and port completes within <paramref name="timeout"/>; false on any failure, or behind a proxy.</summary>
        public static async Task<bool> SpeaksTlsAsync(Uri uri, TimeSpan timeout, CancellationToken cancellationToken)
        {
            // Through a proxy the drop may be the proxy's, and a direct probe would answer for another path.
            if (UsesProxy(uri)) return false;
            using var tcp = new TcpClient();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            // .NET Framework's ConnectAsync and AuthenticateAsClientAsync take no token: closing the socket ends them.
            using var stop = limit.Token.Register(() => tcp.Dispose());
            try
            {
                await tcp.ConnectAsync(uri.DnsSafeHost, uri.Port).ConfigureAwait(false);
                // Only whether a handshake completes matters; nothing is sent over it, so its certificate is not judged here.
                using var ssl = new SslStream(tcp.GetStream(), false, (sender, certificate, chain, errors) => true);
                await ssl.AuthenticateAsClientAsync(uri.DnsSafeHost).ConfigureAwait(false);
                return true;
            }
            catch (Exception)
            {
                // Refused, reset, not TLS, or out of time: in every case the server is not shown to speak TLS.
                return false;
            }
        }

        private static bool UsesProxy(Uri uri)
        {
#if NETSTANDARD2_0
            var proxy = EnvironmentProxy.FromEnvironment();
#else
            var proxy = System.Net.Http.HttpClient.DefaultProxy;
#endif
            if (proxy is null || proxy.IsBypassed(uri)) return false;
            var via = proxy.GetProxy(uri);
            return via != null && via != uri;
        }
    }
}
