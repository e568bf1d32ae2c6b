using System;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// Where each AWS service answers for a region, and which region its requests are signed for. IAM is global and
    /// signed for its partition's home region (us-east-1 in the aws partition) whatever region the caller works in.
    /// With an endpoint URL (a VPC endpoint, the Lab, LocalStack) every service is sent there, still signed per service.
    /// </summary>
    public static class AwsEndpoints
    {
        private static readonly Regex RegionName = new Regex(@"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", RegexOptions.CultureInvariant);

        /// <summary>Null when <paramref name="region"/> looks like a region name (us-east-1, eu-central-2, cn-north-1, us-gov-west-1); else why not.</summary>
        public static string? CheckRegion(string region) =>
            RegionName.IsMatch(region)
                ? null
                : $"'{region}' is not an AWS region name; regions look like us-east-1 or eu-west-2 (see 'aws ec2 describe-regions').";

        /// <summary>aws, aws-cn or aws-us-gov: ARNs and the global services' home regions differ per partition.</summary>
        public static string Partition(string region) =>
            region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";

        public static string DnsSuffix(string region) => Partition(region) == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";

        /// <summary>The region requests to <paramref name="service"/> are signed for.</summary>
        public static string SigningRegion(string service, string region)
        {
            if (!string.Equals(service, "iam", StringComparison.Ordinal)) return region;
            switch (Partition(region))
            {
                case "aws-cn": return "cn-north-1";
                case "aws-us-gov": return "us-gov-west-1";
                default: return "us-east-1";
            }
        }

        /// <summary>The base URL of <paramref name="service"/> (its endpoint prefix: securityhub, sts, ec2, iam ...).</summary>
        public static Uri BaseUri(string service, string region, Uri? endpointUrl)
        {
            if (endpointUrl != null) return endpointUrl.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? endpointUrl : new Uri(endpointUrl.AbsoluteUri + "/");
            if (string.Equals(service, "iam", StringComparison.Ordinal))
            {
                switch (Partition(region))
                {
                    case "aws-cn": return new Uri("https://iam.cn-north-1.amazonaws.com.cn/");
                    case "aws-us-gov": return new Uri("https://iam.us-gov.amazonaws.com/");
                    default: return new Uri("https://iam.amazonaws.com/");
                }
            }
            return new Uri($"https://{service}.{region}.{DnsSuffix(region)}/");
        }
    }
}
