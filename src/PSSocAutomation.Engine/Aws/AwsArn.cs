using System;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// An Amazon Resource Name, arn:partition:service:region:account:resource, read in one place. The resource part
    /// may hold further colons (and slashes): it is kept whole. Region and account are empty for global resources
    /// (IAM, Security Hub products).
    /// </summary>
    public sealed class AwsArn
    {
        private AwsArn(string text, string partition, string service, string region, string account, string resource)
        {
            Text = text;
            Partition = partition;
            Service = service;
            Region = region;
            Account = account;
            Resource = resource;
        }

        public string Text { get; }
        public string Partition { get; }
        public string Service { get; }
        public string Region { get; }
        public string Account { get; }
        public string Resource { get; }

        public static AwsArn? Parse(string? text)
        {
            if (string.IsNullOrEmpty(text) || !text!.StartsWith("arn:", StringComparison.Ordinal)) return null;
            var parts = text.Split(new[] { ':' }, 6);
            return parts.Length == 6 ? new AwsArn(text, parts[1], parts[2], parts[3], parts[4], parts[5]) : null;
        }

        public override string ToString() => Text;
    }
}
