using System;
using System.Collections;
using System.Management.Automation;
using System.Net;
using PSSocAutomation.Aws;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// What -Credential of an AWS cmdlet accepts: an AWSCredentials object of AWS Tools for PowerShell (or of any AWS
    /// SDK for .NET, whichever AWSSDK.Core it came from: it is asked for its keys by name, never cast), a PSCredential
    /// (access key id as the user name, the secret as the password), a hashtable with AccessKeyId, SecretAccessKey and
    /// SessionToken, or keys this module returned.
    /// </summary>
    internal static class AwsCredentialArgument
    {
        public static AwsCredentialSet Convert(object value)
        {
            value = PipelineInput.Unwrap(value) ?? throw new ArgumentException("-Credential is null.");
            switch (value)
            {
                case AwsCredentialSet set:
                    return set;
                case PSCredential credential:
                    return new AwsCredentialSet(credential.UserName, new NetworkCredential(string.Empty, credential.Password).Password, null, null, "-Credential (PSCredential)");
                case IDictionary table:
                    return new AwsCredentialSet(Text(table, "AccessKeyId") ?? Text(table, "AccessKey") ?? throw new ArgumentException("The -Credential hashtable has no AccessKeyId."),
                        Text(table, "SecretAccessKey") ?? Text(table, "SecretKey") ?? throw new ArgumentException("The -Credential hashtable has no SecretAccessKey."),
                        Text(table, "SessionToken") ?? Text(table, "Token"), null, "-Credential (hashtable)");
            }
            // AWS Tools' Amazon.Runtime.AWSCredentials: GetCredentials() gives ImmutableCredentials (AccessKey, SecretKey, Token).
            var getCredentials = value.GetType().GetMethod("GetCredentials", Type.EmptyTypes);
            if (getCredentials != null)
            {
                var immutable = getCredentials.Invoke(value, null) ?? throw new ArgumentException("-Credential's GetCredentials() returned nothing.");
                string? Prop(string name) => immutable.GetType().GetProperty(name)?.GetValue(immutable) as string;
                var key = Prop("AccessKey");
                var secret = Prop("SecretKey");
                if (!string.IsNullOrEmpty(key) && !string.IsNullOrEmpty(secret))
                    return new AwsCredentialSet(key!, secret!, Prop("Token"), null, "-Credential (" + value.GetType().Name + ")");
            }
            throw new ArgumentException($"-Credential takes AWS credentials: an AWSCredentials object (such as AWS Tools' Get-AWSCredential gives), a PSCredential whose user name is the access key id and password the secret key, or @{{ AccessKeyId = ...; SecretAccessKey = ...; SessionToken = ... }}; a {value.GetType().Name} is none of these.");
        }

        private static string? Text(IDictionary table, string key)
        {
            foreach (DictionaryEntry entry in table)
                if (string.Equals(entry.Key?.ToString(), key, StringComparison.OrdinalIgnoreCase))
                    return PipelineInput.Unwrap(entry.Value) is object v ? v is System.Security.SecureString s ? new NetworkCredential(string.Empty, s).Password : v.ToString() : null;
            return null;
        }
    }
}
