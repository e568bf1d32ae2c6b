using System.Collections.Generic;

namespace PSSocAutomation.Aws.Iam
{
    /// <summary>The two kinds of IAM principal containment acts on; IAM's calls come in a User and a Role flavour.</summary>
    public enum IamPrincipalType
    {
        User,
        Role,
    }

    /// <summary>A user or role as GetUser / GetRole answer: enough to refuse the untouchable and to name it in a record.</summary>
    public sealed class IamPrincipalInfo
    {
        public IamPrincipalInfo(IamPrincipalType type, string name, string path, string id, string arn)
        {
            Type = type;
            Name = name;
            Path = path;
            Id = id;
            Arn = arn;
        }

        public IamPrincipalType Type { get; }
        public string Name { get; }
        /// <summary>"/" for most; /aws-service-role/&lt;service&gt;/ for a service-linked role, which only AWS may change.</summary>
        public string Path { get; }
        /// <summary>AIDA... for a user, AROA... for a role.</summary>
        public string Id { get; }
        public string Arn { get; }

        public bool IsServiceLinked => Type == IamPrincipalType.Role && Path.StartsWith("/aws-service-role/", System.StringComparison.Ordinal);

        public override string ToString() => Arn;
    }

    /// <summary>One access key of a user (ListAccessKeys): its id and Active / Inactive status. The secret is never listed.</summary>
    public sealed class IamAccessKeyInfo
    {
        public IamAccessKeyInfo(string userName, string accessKeyId, string status)
        {
            UserName = userName;
            AccessKeyId = accessKeyId;
            Status = status;
        }

        public string UserName { get; }
        public string AccessKeyId { get; }
        public string Status { get; }

        public bool IsActive => Status == "Active";

        public override string ToString() => AccessKeyId + " (" + Status + ")";
    }

    /// <summary>An instance profile (GetInstanceProfile) and the roles it hands to its instances (at most one in practice).</summary>
    public sealed class IamInstanceProfileInfo
    {
        public IamInstanceProfileInfo(string name, string arn, IReadOnlyList<string> roleNames)
        {
            Name = name;
            Arn = arn;
            RoleNames = roleNames;
        }

        public string Name { get; }
        public string Arn { get; }
        public IReadOnlyList<string> RoleNames { get; }

        public override string ToString() => Arn;
    }
}
