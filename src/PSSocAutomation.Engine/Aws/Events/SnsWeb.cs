using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// What SNS verification fetches from the web, once per process: the signing certificates (fetched over TLS with
    /// the usual chain checks and cached by URL, so each is fetched once however many notifications name it) and the
    /// SubscribeURL visits. One client for all of them, bounded to 15 seconds a request, so no cmdlet keeps its own.
    /// </summary>
    public static class SnsWeb
    {
        private static readonly Lazy<HttpClient> Client = new Lazy<HttpClient>(() => new HttpClient { Timeout = TimeSpan.FromSeconds(15) }, LazyThreadSafetyMode.ExecutionAndPublication);
        private static readonly Lazy<HttpsSnsCertificateSource> SharedCertificates = new Lazy<HttpsSnsCertificateSource>(() => new HttpsSnsCertificateSource(Client.Value), LazyThreadSafetyMode.ExecutionAndPublication);

        /// <summary>The process's certificate source (HTTPS, cached, subject, validity and chain checked).</summary>
        public static ISnsCertificateSource Certificates => SharedCertificates.Value;

        /// <summary>Visits a verified confirmation's SubscribeURL (<see cref="SnsSubscriptionConfirmer.ConfirmAsync"/>).</summary>
        public static Task ConfirmAsync(SnsSubscriptionConfirmation confirmation, CancellationToken cancellationToken) =>
            SnsSubscriptionConfirmer.ConfirmAsync(Client.Value, confirmation, cancellationToken);
    }
}
