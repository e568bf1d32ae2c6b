using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws.Iam;

/// <summary>
/// IAM (signing name iam, Query, version 2010-05-08): what containing a user or a role needs. IAM is global: requests are
/// signed for us-east-1 whatever the Lab's region. Users (access keys, console password), roles (service-linked ones,
/// path /aws-service-role/, refuse every change with UnmodifiableEntity), instance profiles; inline policies (documents
/// checked to be JSON, answered URL-encoded as IAM does, the 2048 / 10240 character per-principal budget), managed
/// policies attached (the default quota of 10 per principal, attaching twice a no-op) and tags (key 128, value 256,
/// 50 per principal). Lists page with Marker / MaxItems / IsTruncated. Errors are ErrorResponse with IAM's statuses:
/// NoSuchEntity 404, LimitExceeded and EntityTemporarilyUnmodifiable 409, the rest 400. The Lab's own principals (user
/// lab-analyst with its access key, role lab-responder) exist from the start, so "never contain yourself" can be tried.
/// </summary>
public sealed class AwsIamService : IAwsEmulatedService
{
    public const string Name = "iam";
    public const string Namespace = "https://iam.amazonaws.com/doc/2010-05-08/";
    public const string ApiVersion = "2010-05-08";
    /// <summary>IAM's default quota of managed policies attached to one user or role.</summary>
    public const int ManagedPolicyQuota = 10;
    public const int MaxTags = 50;
    private const int UserInlineBudget = 2048;
    private const int RoleInlineBudget = 10240;
    private static readonly XNamespace Ns = Namespace;
    private static readonly HashSet<string> AwsManagedPolicies = new(StringComparer.Ordinal)
    {
        "AWSDenyAll", "ReadOnlyAccess", "AdministratorAccess", "PowerUserAccess", "SecurityAudit", "AmazonS3ReadOnlyAccess", "AmazonSSMManagedInstanceCore",
    };

    private readonly AwsLab _aws;
    private readonly object _gate = new();
    private readonly Dictionary<string, IamPrincipal> _principals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IamInstanceProfile> _profiles = new(StringComparer.Ordinal);
    private readonly List<IamCall> _calls = new();

    internal AwsIamService(AwsLab aws)
    {
        _aws = aws;
        SeedOwnPrincipals();
    }

    public string SigningName => Name;
    public AwsProtocol Protocol => AwsProtocol.Query;
    public string? QueryVersion => ApiVersion;

    /// <summary>IAM's endpoint is global and signed for us-east-1, whatever region the caller works in.</summary>
    public string RegionFor(string labRegion) => "us-east-1";

    public LabResponse Error(HttpContext context, int status, string code, string message) =>
        AwsErrors.Query(Namespace, status, code, message, AwsLab.RequestIdOf(context));

    public LabResponse Fault(HttpContext context, int status) =>
        Error(context, status, AwsStsService.QueryFaultCode(status), AwsStsService.QueryFaultMessage(status));

    /// <summary>The HTTP status IAM answers an error code with (IAM-model shapes' httpStatusCode).</summary>
    public static int StatusOf(string code) => code switch
    {
        "NoSuchEntity" => 404,
        "LimitExceeded" or "EntityTemporarilyUnmodifiable" or "EntityAlreadyExists" or "DeleteConflict" => 409,
        "ServiceFailure" => 500,
        _ => 400,
    };

    private static AwsQueryException Fail(string code, string message) => new(code, message, StatusOf(code));

    // ---- seeding and reading back ----

    /// <summary>
    /// A user with <paramref name="accessKeys"/> active keys, a console password when <paramref name="loginProfile"/>,
    /// and <paramref name="attachedPolicies"/> customer managed policies ({name}-policy-1 ...) attached.
    /// </summary>
    public IamSeededUser SeedUser(string name, int accessKeys = 2, bool loginProfile = true, int attachedPolicies = 0, string path = "/",
        IReadOnlyDictionary<string, string>? tags = null)
    {
        if (accessKeys is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(accessKeys), "IAM allows at most two access keys per user.");
        if (attachedPolicies is < 0 or > ManagedPolicyQuota) throw new ArgumentOutOfRangeException(nameof(attachedPolicies), "At most the quota of 10.");
        lock (_gate)
        {
            var user = Add(IamPrincipalKind.User, name, path, "AIDA" + IdSuffix(17));
            var now = _aws.Now;
            for (var i = 0; i < accessKeys; i++)
                user.AccessKeys.Add(new IamAccessKey { Id = "AKIA" + IdSuffix(16), Status = "Active", Created = now - TimeSpan.FromDays(90 - i) });
            if (loginProfile) user.LoginProfileCreated = now - TimeSpan.FromDays(60);
            for (var i = 1; i <= attachedPolicies; i++) user.AttachedPolicies.Add($"arn:aws:iam::{Account}:policy/{name}-policy-{i.ToString(CultureInfo.InvariantCulture)}");
            foreach (var (k, v) in tags ?? new Dictionary<string, string>()) user.Tags.Add(new(k, v));
            return new IamSeededUser(user.Name, user.Arn, user.Id, user.AccessKeys.Select(k => k.Id).ToList(), user.AttachedPolicies.ToList());
        }
    }

    /// <summary>
    /// A role; <paramref name="serviceLinked"/> puts it under /aws-service-role/&lt;service&gt;/ (given a path already
    /// there, that one), where IAM refuses every change. <paramref name="attachedPolicies"/> customer managed policies are
    /// attached ({name}-policy-1 ...). Returns its ARN.
    /// </summary>
    public string SeedRole(string name, string path = "/", bool serviceLinked = false, int attachedPolicies = 0)
    {
        if (serviceLinked && !path.StartsWith("/aws-service-role/", StringComparison.Ordinal)) path = "/aws-service-role/elasticloadbalancing.amazonaws.com/";
        lock (_gate)
        {
            var role = Add(IamPrincipalKind.Role, name, path, "AROA" + IdSuffix(17));
            for (var i = 1; i <= attachedPolicies; i++) role.AttachedPolicies.Add($"arn:aws:iam::{Account}:policy/{name}-policy-{i.ToString(CultureInfo.InvariantCulture)}");
            return role.Arn;
        }
    }

    /// <summary>An instance profile holding <paramref name="roleName"/> (seeded when the Lab has no such role yet); returns its ARN. Seeding it again returns the same.</summary>
    public string SeedInstanceProfile(string name, string roleName)
    {
        lock (_gate)
        {
            if (!_principals.TryGetValue(roleName, out var role)) role = Add(IamPrincipalKind.Role, roleName, "/", "AROA" + IdSuffix(17));
            else if (role.Kind != IamPrincipalKind.Role) throw new ArgumentException($"{roleName} is a user, not a role.", nameof(roleName));
            if (!_profiles.TryGetValue(name, out var profile))
            {
                profile = new IamInstanceProfile { Name = name, Path = "/", Id = "AIPA" + IdSuffix(17), Arn = $"arn:aws:iam::{Account}:instance-profile/{name}", Created = _aws.Now - TimeSpan.FromDays(30) };
                _profiles.Add(name, profile);
            }
            if (!profile.Roles.Contains(roleName)) profile.Roles.Add(roleName);
            return profile.Arn;
        }
    }

    /// <summary>Whether the Lab has a user or role of that name.</summary>
    public bool Exists(string principalName)
    {
        lock (_gate) return _principals.ContainsKey(principalName);
    }

    /// <summary>The ARN of a user or role.</summary>
    public string ArnOf(string principalName)
    {
        lock (_gate) return Seeded(principalName).Arn;
    }

    /// <summary>A principal's inline policies, by name, as parsed JSON (the document the client sent, decoded).</summary>
    public IReadOnlyDictionary<string, JsonNode> InlinePoliciesOf(string principalName)
    {
        lock (_gate) return Seeded(principalName).InlinePolicies.ToDictionary(p => p.Key, p => JsonNode.Parse(p.Value)!, StringComparer.Ordinal);
    }

    /// <summary>The ARNs of the managed policies attached to a user or role, in attach order.</summary>
    public IReadOnlyList<string> AttachedPoliciesOf(string principalName)
    {
        lock (_gate) return Seeded(principalName).AttachedPolicies.ToList();
    }

    /// <summary>A user's access keys with their status, oldest first.</summary>
    public IReadOnlyList<IamAccessKeyView> AccessKeysOf(string userName)
    {
        lock (_gate) return Seeded(userName).AccessKeys.Select(k => new IamAccessKeyView(k.Id, k.Status)).ToList();
    }

    /// <summary>Sets a key's status as if someone had (an Inactive key before a containment, say); not a recorded call.</summary>
    public void SetAccessKeyStatus(string userName, string accessKeyId, string status)
    {
        lock (_gate) Seeded(userName).AccessKeys.Single(k => k.Id == accessKeyId).Status = status;
    }

    public bool HasLoginProfile(string userName)
    {
        lock (_gate) return Seeded(userName).LoginProfileCreated is not null;
    }

    public IReadOnlyDictionary<string, string> TagsOf(string principalName)
    {
        lock (_gate) return Seeded(principalName).Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
    }

    /// <summary>When set, no page holds more than this many items whatever MaxItems asks: clients must follow Marker. Reset clears it.</summary>
    public int? MaxPageSize { get; set; }

    /// <summary>Every mutating call applied (a refused or failed one changes nothing and is not here), in order.</summary>
    public IReadOnlyList<IamCall> Calls
    {
        get
        {
            lock (_gate) return _calls.ToList();
        }
    }

    /// <summary>Back to the Lab's own two principals, nothing else.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _principals.Clear();
            _profiles.Clear();
            _calls.Clear();
        }
        MaxPageSize = null;
        SeedOwnPrincipals();
    }

    private void SeedOwnPrincipals()
    {
        var credentials = _aws.Credentials;
        lock (_gate)
        {
            var user = Add(IamPrincipalKind.User, LabCredentials.AwsUserName, "/", credentials.AwsUserId);
            user.AccessKeys.Add(new IamAccessKey { Id = credentials.AwsAccessKeyId, Status = "Active", Created = _aws.Now - TimeSpan.FromDays(200) });
            Add(IamPrincipalKind.Role, LabCredentials.AwsRoleName, "/", credentials.AwsRoleId);
        }
    }

    private string Account => _aws.Credentials.AwsAccountId;

    private IamPrincipal Add(IamPrincipalKind kind, string name, string path, string id)
    {
        if (_principals.ContainsKey(name)) throw new ArgumentException($"The Lab's IAM has a user or role named {name} already (names are kept unique across both so read-backs need no kind).", nameof(name));
        var principal = new IamPrincipal
        {
            Kind = kind, Name = name, Path = path, Id = id, Created = _aws.Now - TimeSpan.FromDays(120),
            Arn = $"arn:aws:iam::{Account}:{(kind == IamPrincipalKind.User ? "user" : "role")}{path}{name}",
        };
        _principals.Add(name, principal);
        return principal;
    }

    private IamPrincipal Seeded(string name) =>
        _principals.TryGetValue(name, out var p) ? p : throw new ArgumentException($"The Lab's IAM has no user or role named {name}.", nameof(name));

    private const string KeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private static string IdSuffix(int length) => string.Concat(Enumerable.Range(0, length).Select(_ => KeyAlphabet[RandomNumberGenerator.GetInt32(KeyAlphabet.Length)]));

    // ---- the API ----

    public Task<LabResponse> HandleAsync(HttpContext context, AwsCaller? caller, byte[] body) =>
        AwsQueryXml.Serve(context, body, Namespace, ApiVersion, _gate, (action, args) => action switch
        {
            "GetUser" => () => GetUser(args, caller),
            "GetRole" => () => [RoleXml(Principal(args, IamPrincipalKind.Role), "Role")],
            "GetInstanceProfile" => () => GetInstanceProfile(args),
            "ListAccessKeys" => () => ListAccessKeys(args, caller),
            "UpdateAccessKey" => () => UpdateAccessKey(args, caller),
            "GetAccessKeyLastUsed" => () => GetAccessKeyLastUsed(args),
            "GetLoginProfile" => () => GetLoginProfile(args),
            "DeleteLoginProfile" => () => DeleteLoginProfile(args),
            "PutRolePolicy" => () => PutPolicy(args, IamPrincipalKind.Role, action),
            "PutUserPolicy" => () => PutPolicy(args, IamPrincipalKind.User, action),
            "GetRolePolicy" => () => GetPolicy(args, IamPrincipalKind.Role),
            "GetUserPolicy" => () => GetPolicy(args, IamPrincipalKind.User),
            "DeleteRolePolicy" => () => DeletePolicy(args, IamPrincipalKind.Role, action),
            "DeleteUserPolicy" => () => DeletePolicy(args, IamPrincipalKind.User, action),
            "ListRolePolicies" => () => ListPolicies(args, IamPrincipalKind.Role),
            "ListUserPolicies" => () => ListPolicies(args, IamPrincipalKind.User),
            "AttachRolePolicy" => () => Attach(args, IamPrincipalKind.Role, action),
            "AttachUserPolicy" => () => Attach(args, IamPrincipalKind.User, action),
            "DetachRolePolicy" => () => Detach(args, IamPrincipalKind.Role, action),
            "DetachUserPolicy" => () => Detach(args, IamPrincipalKind.User, action),
            "ListAttachedRolePolicies" => () => ListAttached(args, IamPrincipalKind.Role),
            "ListAttachedUserPolicies" => () => ListAttached(args, IamPrincipalKind.User),
            "TagRole" => () => Tag(args, IamPrincipalKind.Role, action),
            "TagUser" => () => Tag(args, IamPrincipalKind.User, action),
            "UntagRole" => () => Untag(args, IamPrincipalKind.Role, action),
            "UntagUser" => () => Untag(args, IamPrincipalKind.User, action),
            "ListRoleTags" => () => ListTags(args, IamPrincipalKind.Role),
            "ListUserTags" => () => ListTags(args, IamPrincipalKind.User),
            _ => null,
        });

    private static XElement E(string name, params object?[] content) => new(Ns + name, content);

    private static string NameParameter(IamPrincipalKind kind) => kind == IamPrincipalKind.User ? "UserName" : "RoleName";

    private static string KindWord(IamPrincipalKind kind) => kind == IamPrincipalKind.User ? "user" : "role";

    private IamPrincipal Principal(AwsQueryArgs args, IamPrincipalKind kind)
    {
        var parameter = NameParameter(kind);
        var name = AwsQueryXml.Required(args, parameter, char.ToLowerInvariant(parameter[0]) + parameter[1..]);
        return Find(name, kind);
    }

    private IamPrincipal Find(string name, IamPrincipalKind kind) =>
        _principals.TryGetValue(name, out var p) && p.Kind == kind ? p : throw Fail("NoSuchEntity", $"The {KindWord(kind)} with name {name} cannot be found.");

    /// <summary>A role or user about to change: a service-linked role belongs to its service.</summary>
    private IamPrincipal Changeable(AwsQueryArgs args, IamPrincipalKind kind)
    {
        var principal = Principal(args, kind);
        if (principal.ServiceLinked)
            throw Fail("UnmodifiableEntity", $"Cannot perform the operation on the protected role '{principal.Name}' - this role is only modifiable by AWS");
        return principal;
    }

    /// <summary>The user a call names, or the calling user when it names none (IAM's rule for user-scoped calls).</summary>
    private IamPrincipal UserOrCaller(AwsQueryArgs args, AwsCaller? caller)
    {
        if (args["UserName"] is { Length: > 0 } name) return Find(name, IamPrincipalKind.User);
        var arn = caller?.Credentials.Arn ?? string.Empty;
        var marker = ":user/";
        var at = arn.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) throw Fail("ValidationError", "Must specify userName when calling with non-User credentials");
        return Find(arn[(arn.LastIndexOf('/') + 1)..], IamPrincipalKind.User);
    }

    private void Record(string action, IamPrincipal principal, string? detail) => _calls.Add(new IamCall(action, principal.Name, detail, _aws.Now));

    private static XElement TagsXml(IamPrincipal p) => AwsQueryXml.Members(Ns, "Tags", p.Tags.Select(t => E("member", E("Key", t.Key), E("Value", t.Value))));

    private XElement UserXml(IamPrincipal u) => E("User",
        E("Path", u.Path), E("UserName", u.Name), E("UserId", u.Id), E("Arn", u.Arn), E("CreateDate", AwsQueryXml.Time(u.Created)),
        u.LoginProfileCreated is null ? null : E("PasswordLastUsed", AwsQueryXml.Time(_aws.Now - TimeSpan.FromDays(1))),
        u.Tags.Count == 0 ? null : TagsXml(u));

    private XElement RoleXml(IamPrincipal r, string element) => E(element,
        E("Path", r.Path), E("RoleName", r.Name), E("RoleId", r.Id), E("Arn", r.Arn), E("CreateDate", AwsQueryXml.Time(r.Created)),
        E("AssumeRolePolicyDocument", Uri.EscapeDataString(r.AssumeRolePolicyDocument)),
        E("MaxSessionDuration", "3600"),
        r.Tags.Count == 0 ? null : TagsXml(r),
        E("RoleLastUsed"));

    private IEnumerable<XElement?> GetUser(AwsQueryArgs args, AwsCaller? caller) => [UserXml(UserOrCaller(args, caller))];

    private IEnumerable<XElement?> GetInstanceProfile(AwsQueryArgs args)
    {
        var name = AwsQueryXml.Required(args, "InstanceProfileName", "instanceProfileName");
        if (!_profiles.TryGetValue(name, out var profile)) throw Fail("NoSuchEntity", $"Instance Profile {name} cannot be found.");
        return
        [
            E("InstanceProfile",
                E("Path", profile.Path), E("InstanceProfileName", profile.Name), E("InstanceProfileId", profile.Id), E("Arn", profile.Arn),
                E("CreateDate", AwsQueryXml.Time(profile.Created)),
                AwsQueryXml.Members(Ns, "Roles", profile.Roles.Where(_principals.ContainsKey).Select(r => RoleXml(_principals[r], "member")))),
        ];
    }

    /// <summary>
    /// One page of a list: MaxItems (1-1000, default 100) items from Marker on, and IsTruncated with the next Marker when
    /// more follow. Markers are opaque to clients, as IAM's are.
    /// </summary>
    private (IReadOnlyList<T> Page, XElement[] Tail) Page<T>(IReadOnlyList<T> items, AwsQueryArgs args)
    {
        var max = 100;
        if (args["MaxItems"] is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > 1000))
            throw Fail("ValidationError", $"1 validation error detected: Value '{text}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000");
        var start = 0;
        if (args["Marker"] is { Length: > 0 } marker)
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(marker));
                if (!decoded.StartsWith("lab:", StringComparison.Ordinal) || !int.TryParse(decoded.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > items.Count)
                    throw new FormatException();
            }
            catch (FormatException)
            {
                throw Fail("ValidationError", "Invalid Marker.");
            }
        }
        if (MaxPageSize is int cap && cap > 0) max = Math.Min(max, cap);
        var page = items.Skip(start).Take(max).ToList();
        var next = start + page.Count;
        var truncated = next < items.Count;
        return (page, truncated
            ? [E("IsTruncated", "true"), E("Marker", Convert.ToBase64String(Encoding.UTF8.GetBytes("lab:" + next.ToString(CultureInfo.InvariantCulture))))]
            : [E("IsTruncated", "false")]);
    }

    private IEnumerable<XElement?> ListAccessKeys(AwsQueryArgs args, AwsCaller? caller)
    {
        var user = UserOrCaller(args, caller);
        var (page, tail) = Page(user.AccessKeys, args);
        return new XElement?[]
        {
            E("UserName", user.Name),
            AwsQueryXml.Members(Ns, "AccessKeyMetadata", page.Select(k => E("member",
                E("UserName", user.Name), E("AccessKeyId", k.Id), E("Status", k.Status), E("CreateDate", AwsQueryXml.Time(k.Created))))),
        }.Concat(tail);
    }

    private IEnumerable<XElement?>? UpdateAccessKey(AwsQueryArgs args, AwsCaller? caller)
    {
        var user = UserOrCaller(args, caller);
        var id = AwsQueryXml.Required(args, "AccessKeyId", "accessKeyId");
        var status = AwsQueryXml.Required(args, "Status", "status");
        if (status is not ("Active" or "Inactive" or "Expired"))
            throw Fail("ValidationError", $"1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]");
        var key = user.AccessKeys.FirstOrDefault(k => k.Id == id) ?? throw Fail("NoSuchEntity", $"The Access Key with id {id} cannot be found.");
        key.Status = status;
        Record("UpdateAccessKey", user, id + "=" + status);
        return null;
    }

    private IEnumerable<XElement?> GetAccessKeyLastUsed(AwsQueryArgs args)
    {
        var id = AwsQueryXml.Required(args, "AccessKeyId", "accessKeyId");
        var owner = _principals.Values.FirstOrDefault(p => p.AccessKeys.Any(k => k.Id == id))
            ?? throw Fail("NoSuchEntity", $"The Access Key with id {id} cannot be found.");
        return [E("UserName", owner.Name), E("AccessKeyLastUsed", E("LastUsedDate", AwsQueryXml.Time(_aws.Now - TimeSpan.FromHours(2))), E("ServiceName", "s3"), E("Region", "us-east-1"))];
    }

    private IamPrincipal WithLoginProfile(AwsQueryArgs args)
    {
        var user = Principal(args, IamPrincipalKind.User);
        if (user.LoginProfileCreated is null) throw Fail("NoSuchEntity", $"Login Profile for User {user.Name} cannot be found.");
        return user;
    }

    private IEnumerable<XElement?> GetLoginProfile(AwsQueryArgs args)
    {
        var user = WithLoginProfile(args);
        return [E("LoginProfile", E("UserName", user.Name), E("CreateDate", AwsQueryXml.Time(user.LoginProfileCreated!.Value)), E("PasswordResetRequired", "false"))];
    }

    private IEnumerable<XElement?>? DeleteLoginProfile(AwsQueryArgs args)
    {
        var user = WithLoginProfile(args);
        user.LoginProfileCreated = null;
        Record("DeleteLoginProfile", user, null);
        return null;
    }

    /// <summary>IAM counts a principal's inline policies without whitespace against one budget.</summary>
    private static int Size(string document) => document.Count(c => !char.IsWhiteSpace(c));

    private IEnumerable<XElement?>? PutPolicy(AwsQueryArgs args, IamPrincipalKind kind, string action)
    {
        var principal = Changeable(args, kind);
        var name = AwsQueryXml.Required(args, "PolicyName", "policyName");
        var document = AwsQueryXml.Required(args, "PolicyDocument", "policyDocument");
        if (name.Length > 128)
            throw Fail("ValidationError", "1 validation error detected: Value at 'policyName' failed to satisfy constraint: Member must have length less than or equal to 128");
        try
        {
            if (JsonNode.Parse(document) is not JsonObject policy || policy["Statement"] is not (JsonObject or JsonArray))
                throw Fail("MalformedPolicyDocument", "Syntax errors in policy.");
        }
        catch (JsonException)
        {
            throw Fail("MalformedPolicyDocument", "Syntax errors in policy.");
        }
        var budget = kind == IamPrincipalKind.User ? UserInlineBudget : RoleInlineBudget;
        var total = principal.InlinePolicies.Where(p => p.Key != name).Sum(p => Size(p.Value)) + Size(document);
        if (total > budget)
            throw Fail("LimitExceeded", $"Maximum policy size of {budget.ToString(CultureInfo.InvariantCulture)} bytes exceeded for {KindWord(kind)} {principal.Name}");
        principal.InlinePolicies[name] = document;
        Record(action, principal, name);
        return null;
    }

    private string InlinePolicyName(AwsQueryArgs args, IamPrincipal principal)
    {
        var name = AwsQueryXml.Required(args, "PolicyName", "policyName");
        return principal.InlinePolicies.ContainsKey(name) ? name : throw Fail("NoSuchEntity", $"The {KindWord(principal.Kind)} policy with name {name} cannot be found.");
    }

    private IEnumerable<XElement?> GetPolicy(AwsQueryArgs args, IamPrincipalKind kind)
    {
        var principal = Principal(args, kind);
        var name = InlinePolicyName(args, principal);
        // IAM answers policy documents URL-encoded (RFC 3986), in every Get*Policy and in GetRole's trust policy.
        return [E(NameParameter(kind), principal.Name), E("PolicyName", name), E("PolicyDocument", Uri.EscapeDataString(principal.InlinePolicies[name]))];
    }

    private IEnumerable<XElement?>? DeletePolicy(AwsQueryArgs args, IamPrincipalKind kind, string action)
    {
        var principal = Changeable(args, kind);
        var name = InlinePolicyName(args, principal);
        principal.InlinePolicies.Remove(name);
        Record(action, principal, name);
        return null;
    }

    private IEnumerable<XElement?> ListPolicies(AwsQueryArgs args, IamPrincipalKind kind)
    {
        var principal = Principal(args, kind);
        var (page, tail) = Page(principal.InlinePolicies.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList(), args);
        return new XElement?[] { AwsQueryXml.Members(Ns, "PolicyNames", page.Select(n => E("member", n))) }.Concat(tail);
    }

    /// <summary>An AWS managed policy the Lab knows, or a customer managed one of the Lab's account; anything else is no policy.</summary>
    private string PolicyArn(AwsQueryArgs args)
    {
        var arn = AwsQueryXml.Required(args, "PolicyArn", "policyArn");
        var parts = arn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[5].StartsWith("policy/", StringComparison.Ordinal))
            throw Fail("InvalidInput", $"ARN {arn} is not valid.");
        var policyName = parts[5][(parts[5].LastIndexOf('/') + 1)..];
        var known = parts[1] == "aws" && (parts[4] == "aws" ? AwsManagedPolicies.Contains(policyName) : parts[4] == Account);
        return known ? arn : throw Fail("NoSuchEntity", $"Policy {arn} does not exist or is not attachable.");
    }

    private IEnumerable<XElement?>? Attach(AwsQueryArgs args, IamPrincipalKind kind, string action)
    {
        var principal = Changeable(args, kind);
        var arn = PolicyArn(args);
        if (principal.AttachedPolicies.Contains(arn)) return null;
        if (principal.AttachedPolicies.Count >= ManagedPolicyQuota)
            throw Fail("LimitExceeded", $"Cannot exceed quota for PoliciesPer{(kind == IamPrincipalKind.User ? "User" : "Role")}: {ManagedPolicyQuota.ToString(CultureInfo.InvariantCulture)}");
        principal.AttachedPolicies.Add(arn);
        Record(action, principal, arn);
        return null;
    }

    private IEnumerable<XElement?>? Detach(AwsQueryArgs args, IamPrincipalKind kind, string action)
    {
        var principal = Changeable(args, kind);
        var arn = AwsQueryXml.Required(args, "PolicyArn", "policyArn");
        if (!principal.AttachedPolicies.Remove(arn)) throw Fail("NoSuchEntity", $"Policy {arn} was not found.");
        Record(action, principal, arn);
        return null;
    }

    private IEnumerable<XElement?> ListAttached(AwsQueryArgs args, IamPrincipalKind kind)
    {
        var principal = Principal(args, kind);
        var (page, tail) = Page(principal.AttachedPolicies, args);
        return new XElement?[]
        {
            AwsQueryXml.Members(Ns, "AttachedPolicies", page.Select(arn => E("member", E("PolicyName", arn[(arn.LastIndexOf('/') + 1)..]), E("PolicyArn", arn)))),
        }.Concat(tail);
    }

    private IEnumerable<XElement?>? Tag(AwsQueryArgs args, IamPrincipalKind kind, string action)
    {
        var principal = Changeable(args, kind);
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var i in args.Indexes("Tags.member"))
        {
            var at = AwsQueryArgs.Index("Tags.member", i);
            var n = i.ToString(CultureInfo.InvariantCulture);
            var key = args[at + ".Key"];
            var value = args[at + ".Value"];
            if (string.IsNullOrEmpty(key))
                throw Fail("ValidationError", $"1 validation error detected: Value null at 'tags.{n}.member.key' failed to satisfy constraint: Member must not be null");
            if (value is null)
                throw Fail("ValidationError", $"1 validation error detected: Value null at 'tags.{n}.member.value' failed to satisfy constraint: Member must not be null");
            if (key.Length > 128)
                throw Fail("ValidationError", $"1 validation error detected: Value at 'tags.{n}.member.key' failed to satisfy constraint: Member must have length less than or equal to 128");
            if (value.Length > 256)
                throw Fail("ValidationError", $"1 validation error detected: Value at 'tags.{n}.member.value' failed to satisfy constraint: Member must have length less than or equal to 256");
            tags.Add(new(key, value));
        }
        if (tags.Count == 0) throw Fail("ValidationError", "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
        var after = principal.Tags.Select(t => t.Key).Concat(tags.Select(t => t.Key)).Distinct(StringComparer.OrdinalIgnoreCase).Count();
        if (after > MaxTags) throw Fail("LimitExceeded", $"The number of tags has reached the maximum limit of {MaxTags.ToString(CultureInfo.InvariantCulture)}.");
        foreach (var tag in tags)
        {
            // IAM tag keys are unique ignoring case: setting one again replaces its value under the spelling it has.
            var index = principal.Tags.FindIndex(t => string.Equals(t.Key, tag.Key, StringComparison.OrdinalIgnoreCase));
            if (index >= 0) principal.Tags[index] = new(principal.Tags[index].Key, tag.Value);
            else principal.Tags.Add(tag);
        }
        Record(action, principal, string.Join(",", tags.Select(t => t.Key)));
        return null;
    }

    private IEnumerable<XElement?>? Untag(AwsQueryArgs args, IamPrincipalKind kind, string action)
    {
        var principal = Changeable(args, kind);
        var keys = args.List("TagKeys.member");
        if (keys.Count == 0) throw Fail("ValidationError", "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
        principal.Tags.RemoveAll(t => keys.Contains(t.Key, StringComparer.OrdinalIgnoreCase));
        Record(action, principal, string.Join(",", keys));
        return null;
    }

    private IEnumerable<XElement?> ListTags(AwsQueryArgs args, IamPrincipalKind kind)
    {
        var principal = Principal(args, kind);
        var (page, tail) = Page(principal.Tags, args);
        return new XElement?[] { AwsQueryXml.Members(Ns, "Tags", page.Select(t => E("member", E("Key", t.Key), E("Value", t.Value)))) }.Concat(tail);
    }
}
