using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace PSSocAutomation.Aws
{
    /// <summary>Tab completion of -Region: AWS's commercial, China and GovCloud regions, from a list (no call, never hangs).</summary>
    public sealed class AwsRegionCompleter : IArgumentCompleter
    {
        /// <summary>The regions as AWS lists them in late 2026; a newer one can still be typed in full.</summary>
        internal static readonly string[] Regions =
        {
            "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
            "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
            "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1",
            "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1", "me-central-1", "mx-central-1",
            "sa-east-1", "cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1",
        };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return Regions.Where(r => r.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(r => new CompletionResult(r, r, CompletionResultType.ParameterValue, r)).ToList();
        }
    }
}
