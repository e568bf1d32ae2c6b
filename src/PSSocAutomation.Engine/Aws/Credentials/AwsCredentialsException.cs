using System;

namespace PSSocAutomation.Aws.Credentials
{
    /// <summary>No usable AWS credentials or region: the message names each source tried and what to do.</summary>
    public sealed class AwsCredentialsException : Exception
    {
        public AwsCredentialsException(string message, Exception? inner = null) : this(AwsCredentialsProblem.SourceFailed, message, inner)
        {
        }

        public AwsCredentialsException(AwsCredentialsProblem problem, string message, Exception? inner = null) : base(message, inner) => Problem = problem;

        /// <summary>Which of the failures it is: the cmdlets' ErrorIds are made from it.</summary>
        public AwsCredentialsProblem Problem { get; }

        /// <summary>The sources tried, in order, each with why it gave nothing ("environment: AWS_ACCESS_KEY_ID not set").</summary>
        public string[] Tried { get; set; } = Array.Empty<string>();
    }
}

namespace PSSocAutomation.Aws.Credentials
{
    public enum AwsCredentialsProblem
    {
        /// <summary>A source that was named or found could not give keys (a credential_process that failed, an SSO profile).</summary>
        SourceFailed,
        /// <summary>No source had any credentials.</summary>
        NotFound,
        /// <summary>-ProfileName names a profile neither file has.</summary>
        ProfileNotFound,
        /// <summary>No region anywhere.</summary>
        NoRegion,
        /// <summary>A region that is not a region name.</summary>
        InvalidRegion,
    }
}
