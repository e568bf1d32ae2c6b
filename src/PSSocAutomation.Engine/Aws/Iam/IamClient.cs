using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using PSSocAutomation.Http;
using static PSSocAutomation.Aws.AwsQueryProtocol;

namespace PSSocAutomation.Aws.Iam
{
    /// <summary>
    /// AWS IAM over the Query protocol (version 2010-05-08; global, signed for the partition's home region, which
    /// <see cref="AwsEndpoints"/> picks): what containing a user or role needs. Lists follow Marker to the end; policy
    /// documents, which IAM answers URL-encoded, come back decoded. Calls are marked idempotent only where sending them
    /// twice is harmless (reads, Put*Policy, UpdateAccessKey, Attach, Tag, Untag), so the pipeline retries only those
    /// after a dropped answer: a second DeleteLoginProfile or Detach would fail on what the first one did.
    /// </summary>
    public sealed class IamClient
    {
        public const string Version = "2010-05-08";
        /// <summary>IAM's code for "no such user, role, key, policy or password"; the readers below turn it into null or false.</summary>
        public const string NoSuchEntity = "NoSuchEntity";
        private readonly HttpPipeline _pipeline;

        public IamClient(HttpPipeline pipeline) => _pipeline = pipeline;

        private static KeyValuePair<string, string> P(string name, string value) => new KeyValuePair<string, string>(name, value);

        private static string NameParameter(IamPrincipalType type) => type == IamPrincipalType.User ? "UserName" : "RoleName";

        private static string Op(string verb, IamPrincipalType type, string noun = "Policy") => verb + type + noun;

        private Task<XElement> Call(string action, bool idempotent, CancellationToken cancellationToken, params KeyValuePair<string, string>[] parameters) =>
            CallAsync(_pipeline, action, Version, parameters, idempotent, cancellationToken);

        /// <summary>Whether a failure is IAM saying the thing does not exist.</summary>
        public static bool IsNoSuchEntity(Exception ex) => ex is SocApiException api && api.VendorType == NoSuchEntity;

        // ---- principals ----

        public async Task<IamPrincipalInfo> GetUserAsync(string userName, CancellationToken cancellationToken)
        {
            var root = await Call("GetUser", true, cancellationToken, P("UserName", userName)).ConfigureAwait(false);
            return ReadPrincipal(IamPrincipalType.User, Find(root, "User"), "GetUser");
        }

        public async Task<IamPrincipalInfo> GetRoleAsync(string roleName, CancellationToken cancellationToken)
        {
            var root = await Call("GetRole", true, cancellationToken, P("RoleName", roleName)).ConfigureAwait(false);
            return ReadPrincipal(IamPrincipalType.Role, Find(root, "Role"), "GetRole");
        }

        public Task<IamPrincipalInfo> GetPrincipalAsync(IamPrincipalType type, string name, CancellationToken cancellationToken) =>
            type == IamPrincipalType.User ? GetUserAsync(name, cancellationToken) : GetRoleAsync(name, cancellationToken);

        private IamPrincipalInfo ReadPrincipal(IamPrincipalType type, XElement? element, string action)
        {
            var name = Text(element, type == IamPrincipalType.User ? "UserName" : "RoleName");
            var arn = Text(element, "Arn");
            if (name is null || arn is null)
                throw new SocApiException(ApiFailureKind.Protocol, _pipeline.ServiceName, $"{_pipeline.ServiceName} answered {action} without a name or ARN: {_pipeline.BaseUri} may not be IAM.");
            return new IamPrincipalInfo(type, name, Text(element, "Path") ?? "/", Text(element, type == IamPrincipalType.User ? "UserId" : "RoleId") ?? string.Empty, arn);
        }

        public async Task<IamInstanceProfileInfo> GetInstanceProfileAsync(string instanceProfileName, CancellationToken cancellationToken)
        {
            var root = await Call("GetInstanceProfile", true, cancellationToken, P("InstanceProfileName", instanceProfileName)).ConfigureAwait(false);
            var profile = Find(root, "InstanceProfile");
            var roles = Items(profile is null ? null : Find(profile, "Roles")).Select(r => Text(r, "RoleName")).Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToList();
            return new IamInstanceProfileInfo(Text(profile, "InstanceProfileName") ?? instanceProfileName, Text(profile, "Arn") ?? string.Empty, roles);
        }

        // ---- access keys and the console password ----

        /// <summary>Every access key of the user, through every page.</summary>
        public Task<IReadOnlyList<IamAccessKeyInfo>> ListAccessKeysAsync(string userName, CancellationToken cancellationToken) =>
            ListAllAsync("ListAccessKeys", "AccessKeyMetadata", m => new IamAccessKeyInfo(Text(m, "UserName") ?? userName, Text(m, "AccessKeyId") ?? string.Empty, Text(m, "Status") ?? string.Empty),
                cancellationToken, P("UserName", userName));

        /// <summary>Sets a key Active or Inactive: setting a state is harmless to repeat.</summary>
        public Task UpdateAccessKeyAsync(string userName, string accessKeyId, string status, CancellationToken cancellationToken) =>
            Call("UpdateAccessKey", true, cancellationToken, P("UserName", userName), P("AccessKeyId", accessKeyId), P("Status", status));

        /// <summary>The user a long-term key (AKIA...) belongs to, as GetAccessKeyLastUsed tells.</summary>
        public async Task<string> GetAccessKeyOwnerAsync(string accessKeyId, CancellationToken cancellationToken)
        {
            var root = await Call("GetAccessKeyLastUsed", true, cancellationToken, P("AccessKeyId", accessKeyId)).ConfigureAwait(false);
            return Text(Find(root, "GetAccessKeyLastUsedResult"), "UserName")
                ?? throw new SocApiException(ApiFailureKind.Protocol, _pipeline.ServiceName, $"{_pipeline.ServiceName} answered GetAccessKeyLastUsed for {accessKeyId} without a UserName.");
        }

        /// <summary>Whether the user has a console password (GetLoginProfile; NoSuchEntity is "no").</summary>
        public async Task<bool> HasLoginProfileAsync(string userName, CancellationToken cancellationToken)
        {
            try
            {
                await Call("GetLoginProfile", true, cancellationToken, P("UserName", userName)).ConfigureAwait(false);
                return true;
            }
            catch (SocApiException ex) when (IsNoSuchEntity(ex))
            {
                return false;
            }
        }

        /// <summary>Deletes the console password. Not idempotent: a retry after a lost answer meets NoSuchEntity.</summary>
        public Task DeleteLoginProfileAsync(string userName, CancellationToken cancellationToken) =>
            Call("DeleteLoginProfile", false, cancellationToken, P("UserName", userName));

        // ---- inline policies ----

        /// <summary>Puts (or replaces: same name overwrites) an inline policy.</summary>
        public Task PutPolicyAsync(IamPrincipalType type, string principalName, string policyName, string document, CancellationToken cancellationToken) =>
            Call(Op("Put", type), true, cancellationToken, P(NameParameter(type), principalName), P("PolicyName", policyName), P("PolicyDocument", document));

        /// <summary>An inline policy's document, decoded from the URL encoding IAM answers it in; null when there is none of that name.</summary>
        public async Task<string?> GetPolicyAsync(IamPrincipalType type, string principalName, string policyName, CancellationToken cancellationToken)
        {
            XElement root;
            try
            {
                root = await Call(Op("Get", type), true, cancellationToken, P(NameParameter(type), principalName), P("PolicyName", policyName)).ConfigureAwait(false);
            }
            catch (SocApiException ex) when (IsNoSuchEntity(ex))
            {
                return null;
            }
            var encoded = Text(Find(root, Op("Get", type) + "Result"), "PolicyDocument");
            return encoded is null ? null : Uri.UnescapeDataString(encoded);
        }

        public Task DeletePolicyAsync(IamPrincipalType type, string principalName, string policyName, CancellationToken cancellationToken) =>
            Call(Op("Delete", type), false, cancellationToken, P(NameParameter(type), principalName), P("PolicyName", policyName));

        public Task<IReadOnlyList<string>> ListPolicyNamesAsync(IamPrincipalType type, string principalName, CancellationToken cancellationToken) =>
            ListAllAsync(Op("List", type, "Policies"), "PolicyNames", m => m.Value, cancellationToken, P(NameParameter(type), principalName));

        // ---- managed policies ----

        /// <summary>Attaches a managed policy; attaching one already attached succeeds, so a retry is harmless.</summary>
        public Task AttachPolicyAsync(IamPrincipalType type, string principalName, string policyArn, CancellationToken cancellationToken) =>
            Call(Op("Attach", type), true, cancellationToken, P(NameParameter(type), principalName), P("PolicyArn", policyArn));

        public Task DetachPolicyAsync(IamPrincipalType type, string principalName, string policyArn, CancellationToken cancellationToken) =>
            Call(Op("Detach", type), false, cancellationToken, P(NameParameter(type), principalName), P("PolicyArn", policyArn));

        /// <summary>The ARNs of the managed policies attached, through every page.</summary>
        public Task<IReadOnlyList<string>> ListAttachedPolicyArnsAsync(IamPrincipalType type, string principalName, CancellationToken cancellationToken) =>
            ListAllAsync("ListAttached" + type + "Policies", "AttachedPolicies", m => Text(m, "PolicyArn") ?? string.Empty, cancellationToken, P(NameParameter(type), principalName));

        // ---- tags ----

        public Task TagAsync(IamPrincipalType type, string principalName, IEnumerable<KeyValuePair<string, string>> tags, CancellationToken cancellationToken)
        {
            var parameters = new List<KeyValuePair<string, string>> { P(NameParameter(type), principalName) };
            var n = 0;
            foreach (var tag in tags)
            {
                var at = "Tags.member." + (++n).ToString(CultureInfo.InvariantCulture);
                parameters.Add(P(at + ".Key", tag.Key));
                parameters.Add(P(at + ".Value", tag.Value));
            }
            return Call("Tag" + type, true, cancellationToken, parameters.ToArray());
        }

        /// <summary>Removes tags; removing one that is not there succeeds, so this too may be retried.</summary>
        public Task UntagAsync(IamPrincipalType type, string principalName, IEnumerable<string> keys, CancellationToken cancellationToken)
        {
            var parameters = new List<KeyValuePair<string, string>> { P(NameParameter(type), principalName) };
            parameters.AddRange(keys.Select((k, i) => P("TagKeys.member." + (i + 1).ToString(CultureInfo.InvariantCulture), k)));
            return Call("Untag" + type, true, cancellationToken, parameters.ToArray());
        }

        public async Task<IReadOnlyDictionary<string, string>> ListTagsAsync(IamPrincipalType type, string principalName, CancellationToken cancellationToken)
        {
            var tags = await ListAllAsync("List" + type + "Tags", "Tags", m => P(Text(m, "Key") ?? string.Empty, Text(m, "Value") ?? string.Empty), cancellationToken,
                P(NameParameter(type), principalName)).ConfigureAwait(false);
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var tag in tags) map[tag.Key] = tag.Value;
            return map;
        }

        // ---- paging ----

        /// <summary>
        /// Every item of an IAM list: pages are read while IsTruncated says more follow, each asked for with the Marker
        /// the last one gave. The lists containment reads are short (two keys, ten policies, fifty tags), so they are
        /// gathered rather than streamed.
        /// </summary>
        private async Task<IReadOnlyList<T>> ListAllAsync<T>(string action, string listName, Func<XElement, T> read, CancellationToken cancellationToken,
            params KeyValuePair<string, string>[] parameters)
        {
            var items = await ReadAllAsync(_pipeline, action, Version, parameters, "Marker", root =>
            {
                var result = Find(root, action + "Result");
                if (!string.Equals(Text(result, "IsTruncated"), "true", StringComparison.OrdinalIgnoreCase)) return null;
                return Text(result, "Marker") is { Length: > 0 } marker ? marker
                    : throw new SocApiException(ApiFailureKind.Protocol, _pipeline.ServiceName, $"{_pipeline.ServiceName} answered {action} with IsTruncated but no Marker to go on with.");
            }, root => Items(Find(root, action + "Result") is XElement result ? Find(result, listName) : null), cancellationToken).ConfigureAwait(false);
            return items.Select(read).ToList();
        }
    }
}
