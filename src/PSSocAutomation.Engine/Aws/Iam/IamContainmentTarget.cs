using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace PSSocAutomation.Aws.Iam
{
    /// <summary>
    /// Who a containment is about, as far as the input says: a user or role by name, an access key whose owner IAM
    /// must name, an instance profile whose role must be looked up, or the account's root (which IAM cannot restrict).
    /// <see cref="IamContainment.ResolveAsync"/> turns it into one user or role.
    /// </summary>
    public sealed class IamContainmentTarget
    {
        private IamContainmentTarget(IamPrincipalType? type, string? name, string? accessKeyId, string? instanceProfileArn, bool isRoot, string? arn)
        {
            Type = type;
            Name = name;
            AccessKeyId = accessKeyId;
            InstanceProfileArn = instanceProfileArn;
            IsRoot = isRoot;
            Arn = arn;
        }

        public IamPrincipalType? Type { get; }
        public string? Name { get; }
        public string? AccessKeyId { get; }
        public string? InstanceProfileArn { get; }
        /// <summary>The account's root user: IAM policies do not restrict it, so containment refuses it.</summary>
        public bool IsRoot { get; }
        public string? Arn { get; }

        public static IamContainmentTarget User(string name, string? arn = null) => new IamContainmentTarget(IamPrincipalType.User, name, null, null, false, arn);
        public static IamContainmentTarget Role(string name, string? arn = null) => new IamContainmentTarget(IamPrincipalType.Role, name, null, null, false, arn);
        public static IamContainmentTarget AccessKey(string accessKeyId) => new IamContainmentTarget(null, null, accessKeyId, null, false, null);
        public static IamContainmentTarget InstanceProfile(string arn) => new IamContainmentTarget(null, null, null, arn, false, null);
        public static IamContainmentTarget Root(string? arn) => new IamContainmentTarget(null, "root", null, null, true, arn);

        /// <summary>A temporary key (ASIA...): IAM keeps no record of it, so its owner cannot be asked of IAM.</summary>
        public static bool IsTemporaryKeyId(string accessKeyId) => accessKeyId.StartsWith("ASIA", StringComparison.Ordinal);

        /// <summary>
        /// The principal an ARN names: arn:...:iam::acct:user/path/name, role/path/name, instance-profile/name, the
        /// :root user, or an STS assumed-role session (whose role it is). Null for anything else.
        /// </summary>
        public static IamContainmentTarget? FromArn(string? arn)
        {
            if (AwsArn.Parse(arn) is not AwsArn parsed) return null;
            arn = parsed.Text;
            var resource = parsed.Resource;
            if (resource == "root") return Root(arn);
            var segments = resource.Split('/');
            if (segments.Length < 2 || segments[segments.Length - 1].Length == 0) return null;
            var last = segments[segments.Length - 1];
            switch (parsed.Service + ":" + segments[0])
            {
                case "iam:user": return User(last, arn);
                case "iam:role": return Role(last, arn);
                case "iam:instance-profile": return InstanceProfile(arn);
                case "sts:assumed-role": return segments.Length >= 3 ? Role(segments[1]) : null;
                default: return null;
            }
        }

        /// <summary>
        /// The principals an ASFF finding's Resources name: an AwsIamAccessKey by its PrincipalType (IAMUser: the user;
        /// AssumedRole: the role that issued the session, SessionContext.SessionIssuer.UserName; Root: the root user), an
        /// AwsIamRole or AwsIamUser by name or ARN, an AwsEc2Instance by its instance profile. Each once, in order.
        /// </summary>
        public static IReadOnlyList<IamContainmentTarget> FromFinding(ReadOnlyMemory<byte> findingUtf8)
        {
            var targets = new List<IamContainmentTarget>();
            using var doc = JsonDocument.Parse(findingUtf8);
            if (!doc.RootElement.TryGetProperty("Resources", out var resources) || resources.ValueKind != JsonValueKind.Array) return targets;
            foreach (var resource in resources.EnumerateArray())
            {
                var target = FromResource(resource);
                if (target != null && !targets.Any(t => t.Same(target))) targets.Add(target);
            }
            return targets;
        }

        private static IamContainmentTarget? FromResource(JsonElement resource)
        {
            var type = Text(resource, "Type");
            var details = resource.TryGetProperty("Details", out var d) && type != null && d.TryGetProperty(type, out var own) ? own : default;
            switch (type)
            {
                case "AwsIamAccessKey":
                    var principalType = Text(details, "PrincipalType");
                    var principalName = Text(details, "PrincipalName") ?? Text(details, "UserName");
                    var issuer = details.ValueKind == JsonValueKind.Object && details.TryGetProperty("SessionContext", out var session) && session.TryGetProperty("SessionIssuer", out var i) ? i : default;
                    switch (principalType)
                    {
                        case "Root": return Root(Text(issuer, "Arn"));
                        case "IAMUser": return principalName is null ? KeyOf(details) : User(principalName);
                        case "AssumedRole":
                            var role = Text(issuer, "UserName") ?? principalName;
                            return role is null ? null : Role(role, Text(issuer, "Arn"));
                        default:
                            // A federated user's session is issued by a user; anything else only through the key, when IAM knows it.
                            if (Text(issuer, "Type") == "IAMUser" && Text(issuer, "UserName") is string issuingUser) return User(issuingUser);
                            return KeyOf(details);
                    }
                case "AwsIamRole":
                    return Text(details, "RoleName") is string roleName ? Role(roleName, Text(resource, "Id")) : FromArn(Text(resource, "Id"));
                case "AwsIamUser":
                    return Text(details, "UserName") is string userName ? User(userName, Text(resource, "Id")) : FromArn(Text(resource, "Id"));
                case "AwsEc2Instance":
                    return Text(details, "IamInstanceProfileArn") is string profile ? InstanceProfile(profile) : null;
                default:
                    return null;
            }
        }

        private static IamContainmentTarget? KeyOf(JsonElement details) => Text(details, "AccessKeyId") is string key ? AccessKey(key) : null;

        private bool Same(IamContainmentTarget other) =>
            Type == other.Type && Name == other.Name && AccessKeyId == other.AccessKeyId && InstanceProfileArn == other.InstanceProfileArn && IsRoot == other.IsRoot;

        private static string? Text(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

        public override string ToString() =>
            IsRoot ? "the root user" : Type != null ? Type + " " + Name : AccessKeyId != null ? "access key " + AccessKeyId : "instance profile " + InstanceProfileArn;
    }
}
