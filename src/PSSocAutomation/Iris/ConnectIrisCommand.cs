using System;
using System.Management.Automation;
using System.Security;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Connects to DFIR-IRIS with an API key, reads the server version, and makes the connection the session's default.</para>
    /// <para type="description">Connect-Iris authenticates with an IRIS API key (My settings > API key in the IRIS web interface, best kept in a SecretManagement vault) sent as a bearer token, checks the key and the server with GET /api/versions, and keeps the IRIS release it reports: every IRIS cmdlet chooses its routes and filters from it. Cookies are never kept (IRIS 2.4.7 and earlier reject POSTs that carry its session cookie). A default IRIS install presents a self-signed, expired certificate: pin it with -CertificateThumbprint, trust it with -CaCertificateFile, or (labs only) use -SkipCertificateCheck.</para>
    /// </summary>
    /// <example><code>Connect-Iris -Uri https://iris.corp.example -ApiKey (Get-Secret IrisApiKey) -CertificateThumbprint 3F1A9C0B...</code><para>Connects with an API key from a SecretManagement vault and trusts the server's self-signed certificate by its thumbprint only.</para></example>
    /// <example><code>$iris = Connect-Iris -Uri https://127.0.0.1:8443 -ApiKey $key -SkipCertificateCheck; $iris.ServerVersion</code><para>Connects to a test instance without checking its certificate (with a warning) and shows the IRIS version it runs.</para></example>
    [Cmdlet(VerbsCommunications.Connect, "Iris")]
    [OutputType(typeof(IrisConnection))]
    public sealed class ConnectIrisCommand : ConnectCommandBase
    {
        /// <summary>The address of the IRIS web interface, e.g. https://iris.corp.example (the API is served on the same port).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Uri { get; set; } = string.Empty;

        /// <summary>The API key of the IRIS user (a service account is best), as a SecureString.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNull]
        public SecureString ApiKey { get; set; } = new SecureString();

        protected override void EndProcessing()
        {
            // IRIS authenticates API calls with the key alone, so a user:password@ in the URL has nowhere to go.
            var baseUri = ParseBaseUri(Uri, "-Uri", IrisCommandBase.ErrorPrefix, "-ApiKey");

            var key = Reveal(ApiKey).Trim();
            if (key.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) key = key.Substring(7).Trim();
            if (key.Length == 0) ThrowArgumentError("IrisEmptyApiKey", "-ApiKey is empty. Copy the key from IRIS (My settings > API key).", null);

            var options = CreatePipelineOptions(baseUri, HttpAuth.Bearer(key));
            // nginx in front of IRIS gives up after 90 s (proxy_read_timeout); waiting longer only hides a 504.
            if (!MyInvocation.BoundParameters.ContainsKey(nameof(TimeoutSec))) options.Timeout = TimeSpan.FromSeconds(90);
            var client = new IrisClient(options);
            var info = FirstCall(client, (c, ct) => c.ConnectAsync(ct), IrisCommandBase.ErrorPrefix, baseUri);

            if (info.Server.Major > 2 || (info.Server.Major == 2 && info.Server.Minor >= 5))
                WriteWarning($"IRIS {info.Server} is newer than the 2.4 line this module was built against; it uses the legacy routes (/manage, /alerts, /case), which 2.5 marks deprecated.");
            else if (!info.Server.HasAlerts)
                WriteWarning($"IRIS {info.Server} has no alert queue (alerts arrived in 2.1): New-IrisAlert and Get-IrisAlert will not work.");

            var connection = new IrisConnection(client, baseUri, info, options.Tls.Describe());
            Publish(connection, "DFIR-IRIS", $"Connected to DFIR-IRIS {info.Server} (API {info.ApiCurrent}) at {baseUri}.");
        }
    }
}
