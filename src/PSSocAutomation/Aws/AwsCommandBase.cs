using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// Base of every AWS cmdlet: the parameters AWS Tools users know (-Region, -ProfileName, -Credential,
    /// -EndpointUrl), over the session's Connect-Aws when there is one, else the standard credential chain. A
    /// connection made for one command is closed when it ends.
    /// </summary>
    public abstract class AwsCommandBase : SocCmdlet
    {
        private (AwsConnection Connection, bool Owned)? _resolved;

        /// <summary>The region to work in (default: the session's Connect-Aws, else AWS_REGION, else the profile's region).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(AwsRegionCompleter))]
        public string? Region { get; set; }

        /// <summary>A profile of ~/.aws/credentials or ~/.aws/config (static keys, credential_process, role_arn ...).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(AwsProfileCompleter))]
        public string? ProfileName { get; set; }

        /// <summary>AWS credentials: an AWSCredentials object (AWS Tools' Get-AWSCredential), a PSCredential (access key id and secret key), or a hashtable with AccessKeyId, SecretAccessKey and SessionToken.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Credential { get; set; }

        /// <summary>Send requests to this URL instead of the service's public endpoint (a VPC endpoint, a test double).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? EndpointUrl { get; set; }

        /// <summary>A connection from Connect-Aws; default: the session's, else the standard credential chain.</summary>
        [Parameter]
        public AwsConnection? Connection { get; set; }

        private protected const string ErrorPrefix = AwsConnectionFactory.ErrorPrefix;

        private protected AwsConnection ResolvedConnection => _resolved!.Value.Connection;

        protected sealed override void BeginProcessing()
        {
            _resolved = AwsConnectionFactory.Resolve(this, Connection, Region, ProfileName, Credential, EndpointUrl, null, useDefault: true);
            Begin();
        }

        /// <summary>BeginProcessing for the subclasses, once the connection is resolved.</summary>
        protected virtual void Begin()
        {
        }

        protected override void Release()
        {
            if (_resolved is { Owned: true } resolved) resolved.Connection.Dispose();
            base.Release();
        }
    }
}
