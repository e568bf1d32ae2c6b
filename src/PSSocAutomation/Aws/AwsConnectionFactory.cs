using System;
using System.Management.Automation;
using PSSocAutomation.Aws.Credentials;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// The one way an AWS cmdlet gets its connection from -Connection, -Region, -ProfileName, -Credential,
    /// -EndpointUrl and the session's Connect-Aws: what a cmdlet names wins, what it leaves out comes from the
    /// session's connection, and without one from the standard chain. Shared by Connect-Aws and every AWS cmdlet.
    /// </summary>
    internal static class AwsConnectionFactory
    {
        public const string ErrorPrefix = "Aws";

        /// <summary>The connection to use and whether the caller owns it (and so disposes it when done).</summary>
        public static (AwsConnection Connection, bool Owned) Resolve(SocCmdlet cmdlet, AwsConnection? given, string? region, string? profileName, object? credential,
            string? endpointUrl, HttpPipelineOptions? template, bool useDefault)
        {
            var endpoint = endpointUrl is null ? null : ParseEndpoint(cmdlet, endpointUrl);
            if (region != null && AwsEndpoints.CheckRegion(region) is string bad)
                Fail(cmdlet, new AwsCredentialsException(AwsCredentialsProblem.InvalidRegion, "-Region " + bad), region);
            AwsCredentialSet? explicitKeys = null;
            if (credential != null)
            {
                try { explicitKeys = AwsCredentialArgument.Convert(credential); }
                catch (ArgumentException ex) { cmdlet.ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidCredential", ErrorCategory.InvalidArgument, null)); }
            }
            var session = given ?? (useDefault ? ConnectionRegistry<AwsConnection>.Current : null);
            if (session != null && session.IsDisposed)
                cmdlet.ThrowTerminatingError(new ErrorRecord(new InvalidOperationException("This AWS connection was closed by Disconnect-Aws. Run Connect-Aws again, or leave -Connection out to use the standard credential chain."),
                    ErrorPrefix + "NotConnected", ErrorCategory.ConnectionError, session));
            if (session != null && explicitKeys is null && profileName is null)
            {
                if (region is null && endpoint is null) return (session, false);
                return (session.For(region, endpoint), true);
            }
            var request = new AwsCredentialRequest { Explicit = explicitKeys, ProfileName = profileName, Region = region ?? session?.Region };
            try
            {
                var connection = cmdlet.Run(ct => AwsConnection.CreateAsync(request, endpoint ?? session?.EndpointUrl, template ?? DefaultTemplate(), ct));
                cmdlet.WriteVerbose($"AWS: credentials from {connection.CredentialSource}, region {connection.Region}" + (connection.EndpointUrl is null ? "." : $", endpoint {connection.EndpointUrl}."));
                return (connection, true);
            }
            catch (AwsCredentialsException ex)
            {
                Fail(cmdlet, ex, profileName ?? region);
                throw;
            }
        }

        /// <summary>Trust, timeouts and retries of a connection no Connect-Aws set up: the module's defaults.</summary>
        private static HttpPipelineOptions DefaultTemplate() => new HttpPipelineOptions(new Uri("https://amazonaws.com/"));

        private static Uri ParseEndpoint(SocCmdlet cmdlet, string endpointUrl)
        {
            if (Uri.TryCreate(endpointUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && string.IsNullOrEmpty(uri.UserInfo))
                return uri;
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-EndpointUrl '{SecretRedactor.MaskUrlCredentials(endpointUrl)}' is not an http:// or https:// URL without credentials in it (such as https://vpce-0abc.securityhub.us-east-1.vpce.amazonaws.com)."),
                ErrorPrefix + "InvalidEndpointUrl", ErrorCategory.InvalidArgument, null));
            throw new InvalidOperationException();
        }

        private static void Fail(SocCmdlet cmdlet, AwsCredentialsException ex, object? target)
        {
            var id = ex.Problem switch
            {
                AwsCredentialsProblem.NotFound => "NoCredentials",
                AwsCredentialsProblem.ProfileNotFound => "ProfileNotFound",
                AwsCredentialsProblem.NoRegion => "NoRegion",
                AwsCredentialsProblem.InvalidRegion => "InvalidRegion",
                _ => "CredentialSourceFailed",
            };
            var category = ex.Problem == AwsCredentialsProblem.InvalidRegion ? ErrorCategory.InvalidArgument
                : ex.Problem == AwsCredentialsProblem.ProfileNotFound ? ErrorCategory.ObjectNotFound : ErrorCategory.AuthenticationError;
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + id, category, target));
        }
    }
}
