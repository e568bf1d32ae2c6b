using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;

namespace PSSocAutomation.Core
{
    /// <summary>The parameters every Connect-* shares: TLS trust, timeout and retries, applied to that connection only.</summary>
    public abstract class ConnectCommandBase : SocCmdlet
    {
        /// <summary>Do not verify the server's certificate. For labs only: anyone on the path can read the credentials.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary>A PEM or DER file with the CA (or the server's own self-signed certificate) to trust for this connection.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CaCertificateFile { get; set; }

        /// <summary>SHA-256 (or SHA-1) thumbprint(s) of the server certificate to accept, as hex.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? CertificateThumbprint { get; set; }

        /// <summary>Seconds to wait for each request before giving up (default 100); also the whole budget of the server check this command makes (default 30).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 100;

        /// <summary>Retries for throttled (429), unavailable (502/503/504) and dropped requests that are safe to repeat (default 4).</summary>
        [Parameter]
        [ValidateRange(0, 20)]
        public int MaximumRetryCount { get; set; } = 4;

        /// <summary>Longest wait between retries in seconds, a server's Retry-After included (default 30).</summary>
        [Parameter]
        [ValidateRange(0, 600)]
        public int MaximumRetryDelaySec { get; set; } = 30;

        /// <summary>Return the connection without making it the session's default: for scripts that pass -Connection and leave the caller's default alone.</summary>
        [Parameter]
        public SwitchParameter NoDefault { get; set; }

        protected HttpPipelineOptions CreatePipelineOptions(Uri baseUri, IRequestAuthenticator auth)
        {
            if (SkipCertificateCheck && (CaCertificateFile != null || CertificateThumbprint != null))
                ThrowArgumentError("ConflictingTlsOptions", "-SkipCertificateCheck turns verification off; it cannot be combined with -CaCertificateFile or -CertificateThumbprint.", null);
            if (CaCertificateFile != null)
            {
                var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(CaCertificateFile);
                if (!System.IO.File.Exists(path)) ThrowArgumentError("CaCertificateFileNotFound", $"-CaCertificateFile '{path}' does not exist.", CaCertificateFile);
                // Read now, so a file that holds no certificate is named here rather than failing inside the TLS setup.
                try { Http.CaCertificateFile.Load(path).Dispose(); }
                catch (ArgumentException ex) { ThrowArgumentError("CaCertificateFileInvalid", ex.Message, CaCertificateFile); }
                CaCertificateFile = path;
            }
            foreach (var thumbprint in CertificateThumbprint ?? Array.Empty<string>())
            {
                try { TlsOptions.CheckThumbprint(thumbprint); }
                catch (ArgumentException ex) { ThrowArgumentError("CertificateThumbprintInvalid", ex.Message, thumbprint); }
            }
            if (SkipCertificateCheck && baseUri.Scheme == Uri.UriSchemeHttps)
                WriteWarning($"-SkipCertificateCheck: the certificate of {baseUri.Host} will not be verified, so anyone on the network path could read the credentials. Use -CertificateThumbprint or -CaCertificateFile outside a lab.");
            if (baseUri.Scheme == Uri.UriSchemeHttp && auth.Scheme != "None" && !IsLoopback(baseUri))
                WriteWarning($"{baseUri} is plain HTTP: the credentials travel unencrypted. Use https:// outside a lab.");

            var options = new HttpPipelineOptions(baseUri)
            {
                Auth = auth,
                Tls = new TlsOptions
                {
                    SkipCertificateCheck = SkipCertificateCheck,
                    CaCertificateFile = CaCertificateFile,
                    PinnedThumbprints = CertificateThumbprint ?? Array.Empty<string>(),
                },
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                MaxRetries = MaximumRetryCount,
                MaxRetryDelay = TimeSpan.FromSeconds(MaximumRetryDelaySec),
            };
            // The server check fails within SetupTimeout (30 s) by default; a user who names -TimeoutSec sets that budget too.
            if (MyInvocation.BoundParameters.ContainsKey(nameof(TimeoutSec))) options.SetupTimeout = TimeSpan.FromSeconds(TimeoutSec);
            return options;
        }

        /// <summary>
        /// A -Uri or -KibanaUri as a base URL, or a terminating error (ErrorId prefix + CredentialsInUri or InvalidUri)
        /// that names the parameter. Credentials written into the URL (user:password@) are refused, not used: the
        /// connection's URL is printed in Verbose, Debug and every error, so the error shows it with them masked.
        /// </summary>
        protected Uri ParseBaseUri(string uri, string parameter, string errorPrefix, string credentialsParameter)
        {
            var shown = SecretRedactor.MaskUrlCredentials(uri);
            if (!string.Equals(shown, uri, StringComparison.Ordinal))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"{parameter} '{shown}' has credentials in it (user:password@ before the host). They are not sent from a URL, and a URL is printed in Verbose, Debug and error messages: remove them from {parameter} and give them with {credentialsParameter}."),
                    errorPrefix + "CredentialsInUri", ErrorCategory.InvalidArgument, shown));
            string? problem = null;
            var port = PortOf.Match(uri);
            if (port.Success && (!int.TryParse(port.Groups[1].Value, out var number) || number < 1 || number > 65535))
                problem = $"has port {port.Groups[1].Value}, which is out of range (1-65535): give the port the service listens on, or none for the scheme's default.";
            else if (!System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || (parsed.Scheme != System.Uri.UriSchemeHttp && parsed.Scheme != System.Uri.UriSchemeHttps))
                problem = "is not an http:// or https:// URL.";
            else
                // A trailing slash makes relative request paths land under any path prefix (a proxy's /elastic/).
                return parsed.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? parsed : new Uri(parsed.AbsoluteUri + "/");
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"{parameter} '{uri}' {problem}"), errorPrefix + "InvalidUri", ErrorCategory.InvalidArgument, uri));
            throw new InvalidOperationException(); // ThrowTerminatingError does not return.
        }

        /// <summary>The port of scheme://[user@]host:port, whatever its size (Uri refuses one over 65535 without saying why).</summary>
        private static readonly Regex PortOf = new Regex(
            @"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^:/?#\[]*):([0-9]+)(?:[/?#]|$)", RegexOptions.CultureInvariant);

        /// <summary>The first call of a new client (the server check): if it fails, the client is closed and the command stops.</summary>
        protected T FirstCall<TClient, T>(TClient client, Func<TClient, CancellationToken, Task<T>> call, string errorIdPrefix, object target) where TClient : IDisposable
        {
            try
            {
                return Run(ct => call(client, ct));
            }
            catch (SocApiException ex)
            {
                client.Dispose();
                ThrowApiError(ex, errorIdPrefix, target);
                throw; // ThrowApiError does not return.
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        /// <summary>Makes the connection the session's default for its service (unless -NoDefault), says so, and writes it.</summary>
        protected void Publish<TConnection>(TConnection connection, string serviceName, string connectedTo) where TConnection : class, IServiceConnection
        {
            var previous = ConnectionRegistry<TConnection>.Current;
            if (!NoDefault) ConnectionRegistry<TConnection>.Current = connection;
            if (NoDefault) WriteVerbose($"Not made the default {serviceName} connection (-NoDefault): pass it with -Connection.");
            else if (previous != null && !ReferenceEquals(previous, connection)) WriteVerbose($"Replaced the default {serviceName} connection to {previous.Uri}.");
            WriteVerbose(connectedTo);
            WriteObject(connection);
        }

        private static bool IsLoopback(Uri uri) =>
            uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));

        protected static string Reveal(SecureString secret) => new NetworkCredential(string.Empty, secret).Password;
    }
}
