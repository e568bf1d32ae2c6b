using System.Management.Automation;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// <para type="synopsis">Finds AWS credentials and a region, checks them with STS GetCallerIdentity, and makes them the session's default for every AWS cmdlet.</para>
    /// <para type="description">Connect-Aws resolves credentials the way the AWS CLI and SDKs do: -Credential, else -ProfileName, else the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment variables, a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN), the AWS_PROFILE or default profile (static keys, credential_process, role_arn with source_profile or credential_source, or IAM Identity Center), the container endpoint, and last the EC2 instance metadata service, which is given about a second so that a machine off EC2 hears at once which sources were tried. The region comes from -Region, AWS_REGION, AWS_DEFAULT_REGION or the profile. It then asks STS who the credentials are, so wrong keys fail here and not in the middle of a response, and shows the account and ARN. Every AWS cmdlet uses this connection unless it is given its own -Region, -ProfileName, -Credential, -EndpointUrl or -Connection; a cmdlet's -Region alone keeps these credentials. An IAM Identity Center (SSO) profile (sso_session with an [sso-session] section, or the legacy sso_start_url) uses the sign-in 'aws sso login' cached in ~/.aws/sso/cache: the token is traded for the role's keys, and renewed (and written back) when it has expired and its session can be renewed; otherwise the error says to run 'aws sso login' again. Temporary credentials (instance metadata, credential_process, assumed roles, IAM Identity Center) are renewed before they expire.</para>
    /// </summary>
    /// <example><code>Connect-Aws -ProfileName soc-responder -Region eu-west-1</code><para>Uses the profile soc-responder of ~/.aws/credentials or ~/.aws/config in eu-west-1, and shows the account and ARN it signs as.</para></example>
    /// <example><code>$aws = Connect-Aws -Credential (Get-AWSCredential -ProfileName prod) -Region us-east-1 -NoDefault; Get-SecurityHubFinding -Connection $aws -Severity CRITICAL</code><para>Takes the credentials of an AWS Tools for PowerShell profile, leaves the session's default alone, and reads the critical findings with that connection.</para></example>
    [Cmdlet(VerbsCommunications.Connect, "Aws")]
    [OutputType(typeof(AwsConnection))]
    public sealed class ConnectAwsCommand : ConnectCommandBase
    {
        /// <summary>The region to work in (default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region).</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(AwsRegionCompleter))]
        public string? Region { get; set; }

        /// <summary>A profile of ~/.aws/credentials or ~/.aws/config (or of the files AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE name).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(AwsProfileCompleter))]
        public string? ProfileName { get; set; }

        /// <summary>AWS credentials: an AWSCredentials object (AWS Tools' Get-AWSCredential), a PSCredential (access key id and secret key), or a hashtable with AccessKeyId, SecretAccessKey and SessionToken.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Credential { get; set; }

        /// <summary>Send every AWS request to this URL instead of each service's public endpoint (a VPC endpoint, the Lab, LocalStack).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? EndpointUrl { get; set; }

        protected override void EndProcessing()
        {
            var template = CreatePipelineOptions(new System.Uri("https://sts.amazonaws.com/"), HttpAuth.None);
            var (connection, _) = AwsConnectionFactory.Resolve(this, null, Region, ProfileName, Credential, EndpointUrl, template, useDefault: false);
            var identity = FirstCall(connection, (c, ct) => c.IdentifyAsync(ct), AwsConnectionFactory.ErrorPrefix, connection.Uri);
            Publish(connection, "AWS", $"Connected to AWS account {identity.Account} in {connection.Region} as {identity.Arn} (credentials from {connection.CredentialSource}).");
        }
    }
}
