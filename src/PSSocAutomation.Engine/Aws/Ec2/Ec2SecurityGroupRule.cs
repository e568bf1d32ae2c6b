namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>One rule of a security group (sgr-), as DescribeSecurityGroupRules gives it.</summary>
    public sealed class Ec2SecurityGroupRule
    {
        public Ec2SecurityGroupRule(string ruleId, string groupId, bool isEgress, string? protocol, string? cidrIpv4, string? cidrIpv6)
        {
            RuleId = ruleId;
            GroupId = groupId;
            IsEgress = isEgress;
            Protocol = protocol;
            CidrIpv4 = cidrIpv4;
            CidrIpv6 = cidrIpv6;
        }

        public string RuleId { get; }
        public string GroupId { get; }
        public bool IsEgress { get; }
        /// <summary>-1 for every protocol.</summary>
        public string? Protocol { get; }
        public string? CidrIpv4 { get; }
        public string? CidrIpv6 { get; }

        /// <summary>Every protocol to or from anywhere (0.0.0.0/0 or ::/0).</summary>
        public bool IsAllOpen => Protocol == "-1" && (CidrIpv4 == "0.0.0.0/0" || CidrIpv6 == "::/0");

        public override string ToString() => RuleId + (IsEgress ? " egress " : " ingress ") + (Protocol ?? "?") + " " + (CidrIpv4 ?? CidrIpv6);
    }
}
