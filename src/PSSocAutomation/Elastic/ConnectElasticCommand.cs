using System;
using System.Management.Automation;
using System.Security;
using PSSocAutomation.Core;
using PSSocAutomation.ElasticSecurity;
using PSSocAutomation.Http;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// <para type="synopsis">Connects to Elasticsearch, checks the server, and makes the connection the session's default.</para>
    /// <para type="description">Connect-Elastic authenticates with a user and password (-Credential), an API key (-ApiKey, the 'encoded' form or 'id:api_key') or a bearer token, checks on connect that the server is Elasticsearch, and returns a connection that every Elastic cmdlet uses by default. TLS is verified unless -SkipCertificateCheck; -CaCertificateFile or -CertificateThumbprint trust a private CA or pin a certificate for this connection only.</para>
    /// </summary>
    /// <example><code>Connect-Elastic -Uri https://es.corp.example:9200 -Credential (Get-Credential elastic)</code><para>Asks for the password of the user elastic, checks that the server is Elasticsearch, and makes the connection the session's default.</para></example>
    /// <example><code>Connect-Elastic -CloudId $cloudId -ApiKey (Get-Secret ElasticApiKey)</code><para>Connects to an Elastic Cloud deployment (Elasticsearch and its Kibana, both named by the Cloud ID) with an API key kept in a SecretManagement vault.</para></example>
    [Cmdlet(VerbsCommunications.Connect, "Elastic", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(ElasticConnection))]
    public sealed class ConnectElasticCommand : ConnectCommandBase
    {
        private const string UriSet = "Uri";
        private const string CloudSet = "CloudId";
        private const string CredentialParameters = "-Credential (or -ApiKey)";

        /// <summary>The Elasticsearch endpoint, e.g. https://es.corp.example:9200.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = UriSet)]
        [ValidateNotNullOrEmpty]
        public string Uri { get; set; } = string.Empty;

        /// <summary>An Elastic Cloud deployment's Cloud ID; gives both the Elasticsearch and the Kibana URL.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CloudSet)]
        [ValidateNotNullOrEmpty]
        public string CloudId { get; set; } = string.Empty;

        /// <summary>User and password for Basic authentication.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>An API key: the 'encoded' value Elasticsearch returned, or 'id:api_key'.</summary>
        [Parameter]
        public SecureString? ApiKey { get; set; }

        /// <summary>A bearer token from Elasticsearch's token service or an OAuth provider.</summary>
        [Parameter]
        public SecureString? BearerToken { get; set; }

        /// <summary>Kibana's URL, for the Elastic Security cmdlets (Get-ElasticSecurityAlert, Set-ElasticAlertStatus); checked on connect with the same credentials.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KibanaUri { get; set; }

        protected override void EndProcessing()
        {
            Uri baseUri;
            Uri? kibana = null;
            if (ParameterSetName == CloudSet)
            {
                try
                {
                    (baseUri, kibana) = ElasticCloudId.Parse(CloudId);
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "ElasticInvalidUri", ErrorCategory.InvalidArgument, null));
                    return;
                }
            }
            else
            {
                baseUri = ParseBaseUri(Uri, "-Uri", ElasticCommandBase.ErrorPrefix, CredentialParameters);
            }
            if (KibanaUri != null) kibana = ParseBaseUri(KibanaUri, "-KibanaUri", ElasticCommandBase.ErrorPrefix, CredentialParameters);

            var given = (Credential != null ? 1 : 0) + (ApiKey != null ? 1 : 0) + (BearerToken != null ? 1 : 0);
            if (given > 1) ThrowArgumentError("ElasticConflictingCredentials", "Give one of -Credential, -ApiKey or -BearerToken, not several.", null);

            HttpAuth auth;
            string? password = null;
            try
            {
                if (ApiKey != null) auth = HttpAuth.ElasticApiKey(Reveal(ApiKey));
                else if (BearerToken != null) auth = HttpAuth.Bearer(Reveal(BearerToken));
                else if (Credential != null)
                {
                    password = Credential.GetNetworkCredential().Password;
                    auth = HttpAuth.Basic(Credential.UserName, password);
                }
                else auth = HttpAuth.None;
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "ElasticInvalidApiKey", ErrorCategory.InvalidArgument, null));
                return;
            }

            var options = CreatePipelineOptions(baseUri, auth);
            if (password != null) options.ExtraSecrets.Add(password);
            var client = new ElasticClient(options);
            var info = FirstCall(client, (c, ct) => c.GetInfoAsync(ct), ElasticCommandBase.ErrorPrefix, baseUri);
            KibanaClient? kibanaClient = null;
            string? kibanaVersion = null;
            if (kibana != null)
            {
                var kibanaOptions = CreatePipelineOptions(kibana, auth);
                if (password != null) kibanaOptions.ExtraSecrets.Add(password);
                kibanaClient = new KibanaClient(kibanaOptions);
                if (KibanaUri is null)
                {
                    // Only the Cloud ID named this Kibana: a deployment without one still connects to Elasticsearch.
                    try { kibanaVersion = Run(ct => kibanaClient.GetStatusAsync(ct)).Version; }
                    catch (SocApiException ex)
                    {
                        WriteWarning($"Kibana at {kibana} (from the Cloud ID) did not answer its status check, so the Elastic Security cmdlets will read the alerts index directly: {ex.Message}");
                        kibanaClient.Dispose();
                        kibanaClient = null;
                        kibana = null;
                    }
                }
                else
                {
                    try
                    {
                        kibanaVersion = FirstCall(kibanaClient, (c, ct) => c.GetStatusAsync(ct), ElasticCommandBase.ErrorPrefix + "Kibana", kibana).Version;
                    }
                    catch
                    {
                        client.Dispose();
                        throw;
                    }
                }
            }
            var connection = new ElasticConnection(client, baseUri, kibana, info, auth.ToString(), options.Tls.Describe(), kibanaClient, kibanaVersion);
            Publish(connection, "Elasticsearch", $"Connected to Elasticsearch {info.Version} at {baseUri} as {auth}." + (kibanaVersion is null ? string.Empty : $" Kibana {kibanaVersion} at {kibana}."));
        }
    }
}
