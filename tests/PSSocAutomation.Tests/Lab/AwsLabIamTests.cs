using System.Xml.Linq;
using PSSocAutomation.Lab.Aws.Iam;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit;

namespace PSSocAutomation.Tests.Lab;

/// <summary>
/// The Lab's IAM over signed HTTP: the fixtures' shapes (ListAccessKeys, the NoSuchEntity ErrorResponse), IAM's statuses
/// per code, the managed-policy quota, URL-encoded policy documents, service-linked roles refusing change, Marker paging,
/// tag limits, and signing for us-east-1 whatever the Lab's region.
/// </summary>
public sealed class AwsLabIamTests : IClassFixture<LabFixture>, IDisposable
{
    private static readonly XNamespace Ns = AwsIamService.Namespace;
    private const string V = AwsIamService.ApiVersion;
    private readonly LabServer _lab;
    private readonly AwsQueryTestClient _aws;

    public AwsLabIamTests(LabFixture fixture)
    {
        _lab = fixture.Lab;
        _lab.Aws.Reset();
        fixture.Reset();
        _aws = new AwsQueryTestClient(_lab);
    }

    public void Dispose() => _aws.Dispose();

    /// <summary>IAM is signed for us-east-1 whatever the Lab's region is.</summary>
    private Task<AwsQueryTestClient.Reply> Call(string action, params (string, string)[] members) =>
        _aws.Send("iam", AwsQueryTestClient.Form(action, V, members), region: "us-east-1");

    private static XElement Result(AwsQueryTestClient.Reply reply, string action)
    {
        Assert.True(reply.Code == 200, reply.Text);
        Assert.Equal(Ns + (action + "Response"), reply.Root.Name);
        Assert.Equal(reply.RequestIdHeader, reply.Root.Element(Ns + "ResponseMetadata")!.Element(Ns + "RequestId")!.Value);
        return reply.Root.Element(Ns + (action + "Result"))!;
    }

    private static void NoResult(AwsQueryTestClient.Reply reply, string action)
    {
        Assert.True(reply.Code == 200, reply.Text);
        Assert.Equal(Ns + (action + "Response"), reply.Root.Name);
        Assert.Null(reply.Root.Element(Ns + (action + "Result")));
        Assert.NotNull(reply.Root.Element(Ns + "ResponseMetadata")!.Element(Ns + "RequestId"));
    }

    private static (int Status, string Type, string Code, string Message) Error(AwsQueryTestClient.Reply reply)
    {
        Assert.Equal(Ns + "ErrorResponse", reply.Root.Name);
        var error = reply.Root.Element(Ns + "Error")!;
        Assert.Equal(reply.RequestIdHeader, reply.Root.Element(Ns + "RequestId")!.Value);
        return (reply.Code, error.Element(Ns + "Type")!.Value, error.Element(Ns + "Code")!.Value, error.Element(Ns + "Message")!.Value);
    }

    /// <summary>Each element path of <paramref name="expected"/>, in document order, without repeats: the shape to compare.</summary>
    private static List<string> Paths(XElement root) =>
        root.DescendantsAndSelf().Select(e => string.Join("/", e.AncestorsAndSelf().Reverse().Select(a => a.Name.LocalName))).Distinct().ToList();

    [SharedFixtureFact]
    public async Task ListAccessKeys_answers_in_the_fixtures_shape_field_for_field()
    {
        var fixture = XDocument.Load(Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "query-xml", "responses-iam-list-access-keys.xml")).Root!;
        var bob = _lab.Aws.Iam.SeedUser("Bob", accessKeys: 2, loginProfile: false);
        NoResult(await Call("UpdateAccessKey", ("UserName", "Bob"), ("AccessKeyId", bob.AccessKeyIds[1]), ("Status", "Inactive")), "UpdateAccessKey");

        var reply = await Call("ListAccessKeys", ("UserName", "Bob"));

        var result = Result(reply, "ListAccessKeys");
        Assert.Equal(fixture.Name, reply.Root.Name);
        // Every element the fixture has is there, in the same order; the Lab adds only CreateDate, which IAM also sends.
        var lab = Paths(reply.Root);
        var expected = Paths(fixture);
        Assert.Equal(expected, lab.Where(expected.Contains).ToList());
        Assert.Equal(["ListAccessKeysResponse/ListAccessKeysResult/AccessKeyMetadata/member/CreateDate"], lab.Except(expected));
        var members = result.Element(Ns + "AccessKeyMetadata")!.Elements(Ns + "member").ToList();
        Assert.Equal(bob.AccessKeyIds, members.Select(m => m.Element(Ns + "AccessKeyId")!.Value));
        Assert.Equal(["Active", "Inactive"], members.Select(m => m.Element(Ns + "Status")!.Value));
        Assert.All(members, m => Assert.Equal("Bob", m.Element(Ns + "UserName")!.Value));
        Assert.Equal("false", result.Element(Ns + "IsTruncated")!.Value);
        Assert.Equal(["Active", "Inactive"], _lab.Aws.Iam.AccessKeysOf("Bob").Select(k => k.Status));
    }

    [SharedFixtureFact]
    public async Task An_unknown_user_is_the_fixtures_NoSuchEntity_ErrorResponse_with_404()
    {
        var fixture = XDocument.Load(Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "query-xml", "errors-iam-get-user.xml")).Root!;

        var reply = await Call("GetUser", ("UserName", "foobar"));

        Assert.Equal(Paths(fixture), Paths(reply.Root));
        var fixtureError = fixture.Element(Ns + "Error")!;
        Assert.Equal((404, fixtureError.Element(Ns + "Type")!.Value, fixtureError.Element(Ns + "Code")!.Value, fixtureError.Element(Ns + "Message")!.Value), Error(reply));
        Assert.Equal("text/xml", reply.ContentType);
    }

    [Fact]
    public async Task IAM_is_signed_for_us_east_1_even_when_the_Lab_works_in_eu_west_1()
    {
        _lab.Aws.Region = "eu-west-1";

        var user = Result(await Call("GetUser", ("UserName", LabCredentials.AwsUserName)), "GetUser").Element(Ns + "User")!;
        Assert.Equal(_lab.Credentials.AwsUserArn, user.Element(Ns + "Arn")!.Value);
        Assert.Equal(_lab.Credentials.AwsUserId, user.Element(Ns + "UserId")!.Value);

        var wrong = await _aws.Send("iam", AwsQueryTestClient.Form("GetUser", V, ("UserName", LabCredentials.AwsUserName)), region: "eu-west-1");
        Assert.Equal(403, wrong.Code);
        Assert.Equal(Ns + "ErrorResponse", wrong.Root.Name);
        Assert.Equal("iam", Assert.Single(_lab.Aws.Calls(), c => c.Status == 200).Service);
    }

    [Fact]
    public async Task The_Labs_own_principals_exist_and_GetAccessKeyLastUsed_names_a_keys_user()
    {
        var role = Result(await Call("GetRole", ("RoleName", LabCredentials.AwsRoleName)), "GetRole").Element(Ns + "Role")!;
        Assert.Equal(_lab.Credentials.AwsRoleId, role.Element(Ns + "RoleId")!.Value);
        Assert.Equal("/", role.Element(Ns + "Path")!.Value);
        Assert.Contains("sts%3AAssumeRole", role.Element(Ns + "AssumeRolePolicyDocument")!.Value, StringComparison.Ordinal);

        var own = Result(await Call("GetAccessKeyLastUsed", ("AccessKeyId", _lab.Credentials.AwsAccessKeyId)), "GetAccessKeyLastUsed");
        Assert.Equal(LabCredentials.AwsUserName, own.Element(Ns + "UserName")!.Value);
        Assert.NotNull(own.Element(Ns + "AccessKeyLastUsed")!.Element(Ns + "Region"));

        var unknown = await Call("GetAccessKeyLastUsed", ("AccessKeyId", "AKIAIOSFODNN7EXAMPLE"));
        Assert.Equal((404, "NoSuchEntity"), (Error(unknown).Status, Error(unknown).Code));
        var noRole = await Call("GetRole", ("RoleName", "nope"));
        Assert.Equal("The role with name nope cannot be found.", Error(noRole).Message);
        var missing = await Call("GetRole");
        Assert.Equal((400, "ValidationError"), (Error(missing).Status, Error(missing).Code));
        Assert.Equal("InvalidAction", Error(await Call("CreateUser", ("UserName", "x"))).Code);
    }

    [Fact]
    public async Task Policy_documents_go_in_as_JSON_and_come_back_URL_encoded_and_bad_JSON_is_MalformedPolicyDocument()
    {
        _lab.Aws.Iam.SeedUser("alice");
        const string document = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-01-05T08:00:00Z"}}}]}""";
        NoResult(await Call("PutUserPolicy", ("UserName", "alice"), ("PolicyName", "AWSRevokeOlderSessions"), ("PolicyDocument", document)), "PutUserPolicy");

        var got = Result(await Call("GetUserPolicy", ("UserName", "alice"), ("PolicyName", "AWSRevokeOlderSessions")), "GetUserPolicy");
        var encoded = got.Element(Ns + "PolicyDocument")!.Value;
        Assert.Equal(Uri.EscapeDataString(document), encoded);
        Assert.StartsWith("%7B%22Version%22", encoded, StringComparison.Ordinal);
        Assert.Equal(document, Uri.UnescapeDataString(encoded));
        Assert.Equal("alice", got.Element(Ns + "UserName")!.Value);
        Assert.Equal("2026-01-05T08:00:00Z", (string)_lab.Aws.Iam.InlinePoliciesOf("alice")["AWSRevokeOlderSessions"]["Statement"]![0]!["Condition"]!["DateLessThan"]!["aws:TokenIssueTime"]!);
        var names = Result(await Call("ListUserPolicies", ("UserName", "alice")), "ListUserPolicies");
        Assert.Equal(["AWSRevokeOlderSessions"], names.Element(Ns + "PolicyNames")!.Elements(Ns + "member").Select(m => m.Value));

        var bad = await Call("PutUserPolicy", ("UserName", "alice"), ("PolicyName", "Broken"), ("PolicyDocument", "{\"Statement\": [ "));
        Assert.Equal((400, "Sender", "MalformedPolicyDocument"), (Error(bad).Status, Error(bad).Type, Error(bad).Code));

        NoResult(await Call("DeleteUserPolicy", ("UserName", "alice"), ("PolicyName", "AWSRevokeOlderSessions")), "DeleteUserPolicy");
        var gone = await Call("DeleteUserPolicy", ("UserName", "alice"), ("PolicyName", "AWSRevokeOlderSessions"));
        Assert.Equal((404, "NoSuchEntity", "The user policy with name AWSRevokeOlderSessions cannot be found."), (Error(gone).Status, Error(gone).Code, Error(gone).Message));
        Assert.Equal(["PutUserPolicy", "DeleteUserPolicy"], _lab.Aws.Iam.Calls.Select(c => c.Action));
    }

    [Fact]
    public async Task The_managed_policy_quota_is_ten_and_attaching_twice_is_a_quiet_success()
    {
        _lab.Aws.Iam.SeedUser("full", attachedPolicies: 10);
        _lab.Aws.Iam.SeedRole("app", attachedPolicies: 9);
        const string deny = "arn:aws:iam::aws:policy/AWSDenyAll";

        var full = await Call("AttachUserPolicy", ("UserName", "full"), ("PolicyArn", deny));
        Assert.Equal((409, "LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10"), (Error(full).Status, Error(full).Code, Error(full).Message));

        NoResult(await Call("AttachRolePolicy", ("RoleName", "app"), ("PolicyArn", deny)), "AttachRolePolicy");
        NoResult(await Call("AttachRolePolicy", ("RoleName", "app"), ("PolicyArn", deny)), "AttachRolePolicy");
        Assert.Single(_lab.Aws.Iam.Calls);
        Assert.Equal(10, _lab.Aws.Iam.AttachedPoliciesOf("app").Count);
        var attached = Result(await Call("ListAttachedRolePolicies", ("RoleName", "app")), "ListAttachedRolePolicies").Element(Ns + "AttachedPolicies")!.Elements(Ns + "member").Last();
        Assert.Equal(("AWSDenyAll", deny), (attached.Element(Ns + "PolicyName")!.Value, attached.Element(Ns + "PolicyArn")!.Value));

        NoResult(await Call("DetachRolePolicy", ("RoleName", "app"), ("PolicyArn", deny)), "DetachRolePolicy");
        var again = await Call("DetachRolePolicy", ("RoleName", "app"), ("PolicyArn", deny));
        Assert.Equal((404, "NoSuchEntity"), (Error(again).Status, Error(again).Code));
        var unknown = await Call("AttachRolePolicy", ("RoleName", "app"), ("PolicyArn", "arn:aws:iam::aws:policy/NoSuchPolicy"));
        Assert.Equal((404, "NoSuchEntity"), (Error(unknown).Status, Error(unknown).Code));
    }

    [Fact]
    public async Task A_service_linked_role_refuses_every_change_with_UnmodifiableEntity()
    {
        _lab.Aws.Iam.SeedRole("AWSServiceRoleForElasticLoadBalancing", serviceLinked: true);
        const string role = "AWSServiceRoleForElasticLoadBalancing";
        var got = Result(await Call("GetRole", ("RoleName", role)), "GetRole");
        Assert.StartsWith("/aws-service-role/", got.Element(Ns + "Role")!.Element(Ns + "Path")!.Value, StringComparison.Ordinal);

        var replies = new[]
        {
            await Call("PutRolePolicy", ("RoleName", role), ("PolicyName", "AWSRevokeOlderSessions"), ("PolicyDocument", "{\"Statement\":[]}")),
            await Call("AttachRolePolicy", ("RoleName", role), ("PolicyArn", "arn:aws:iam::aws:policy/AWSDenyAll")),
            await Call("TagRole", ("RoleName", role), ("Tags.member.1.Key", "pssoc:deny"), ("Tags.member.1.Value", "x")),
        };
        Assert.All(replies, r => Assert.Equal((400, "UnmodifiableEntity"), (Error(r).Status, Error(r).Code)));
        Assert.Contains("only modifiable by AWS", Error(replies[0]).Message, StringComparison.Ordinal);
        Assert.Empty(_lab.Aws.Iam.Calls);
    }

    [Fact]
    public async Task Lists_page_through_Marker_and_MaxItems()
    {
        _lab.Aws.Iam.SeedUser("pager", accessKeys: 2);
        var first = Result(await Call("ListAccessKeys", ("UserName", "pager"), ("MaxItems", "1")), "ListAccessKeys");
        Assert.Equal("true", first.Element(Ns + "IsTruncated")!.Value);
        var marker = first.Element(Ns + "Marker")!.Value;
        var second = Result(await Call("ListAccessKeys", ("UserName", "pager"), ("MaxItems", "1"), ("Marker", marker)), "ListAccessKeys");
        Assert.Equal("false", second.Element(Ns + "IsTruncated")!.Value);
        Assert.Null(second.Element(Ns + "Marker"));
        Assert.Equal(_lab.Aws.Iam.AccessKeysOf("pager").Select(k => k.AccessKeyId),
            new[] { first, second }.Select(r => r.Descendants(Ns + "AccessKeyId").Single().Value));

        Assert.Equal("ValidationError", Error(await Call("ListAccessKeys", ("UserName", "pager"), ("Marker", "not-a-marker"))).Code);
        Assert.Equal("ValidationError", Error(await Call("ListAccessKeys", ("UserName", "pager"), ("MaxItems", "0"))).Code);
    }

    [Fact]
    public async Task Tags_are_limited_to_128_and_256_characters_and_50_a_principal()
    {
        _lab.Aws.Iam.SeedRole("tagged");
        NoResult(await Call("TagRole", ("RoleName", "tagged"), ("Tags.member.1.Key", "pssoc:contained-at"), ("Tags.member.1.Value", "2026-01-05T08:00:00Z"),
            ("Tags.member.2.Key", "owner"), ("Tags.member.2.Value", "soc")), "TagRole");
        var page = Result(await Call("ListRoleTags", ("RoleName", "tagged"), ("MaxItems", "1")), "ListRoleTags");
        Assert.Equal(("pssoc:contained-at", "true"), (page.Descendants(Ns + "Key").Single().Value, page.Element(Ns + "IsTruncated")!.Value));

        var longValue = await Call("TagRole", ("RoleName", "tagged"), ("Tags.member.1.Key", "k"), ("Tags.member.1.Value", new string('v', 257)));
        Assert.Equal((400, "ValidationError"), (Error(longValue).Status, Error(longValue).Code));
        var longKey = await Call("TagRole", ("RoleName", "tagged"), ("Tags.member.1.Key", new string('k', 129)), ("Tags.member.1.Value", "v"));
        Assert.Equal((400, "ValidationError"), (Error(longKey).Status, Error(longKey).Code));
        var many = Enumerable.Range(1, 49).SelectMany(i => new[] { ($"Tags.member.{i}.Key", "k" + i), ($"Tags.member.{i}.Value", "v") }).ToArray();
        var tooMany = await Call("TagRole", [("RoleName", "tagged"), .. many]);
        Assert.Equal((409, "LimitExceeded"), (Error(tooMany).Status, Error(tooMany).Code));

        NoResult(await Call("UntagRole", ("RoleName", "tagged"), ("TagKeys.member.1", "pssoc:contained-at")), "UntagRole");
        Assert.Equal(["owner"], _lab.Aws.Iam.TagsOf("tagged").Keys);
    }

    [Fact]
    public async Task A_console_password_deleted_is_gone_and_deleting_it_again_is_NoSuchEntity()
    {
        _lab.Aws.Iam.SeedUser("carol");
        Result(await Call("GetLoginProfile", ("UserName", "carol")), "GetLoginProfile");
        NoResult(await Call("DeleteLoginProfile", ("UserName", "carol")), "DeleteLoginProfile");
        Assert.False(_lab.Aws.Iam.HasLoginProfile("carol"));
        var again = await Call("DeleteLoginProfile", ("UserName", "carol"));
        Assert.Equal((404, "NoSuchEntity", "Login Profile for User carol cannot be found."), (Error(again).Status, Error(again).Code, Error(again).Message));
        Assert.Equal(["iam:DeleteLoginProfile:200", "iam:DeleteLoginProfile:404"],
            _lab.Aws.Calls().Where(c => c.Operation == "DeleteLoginProfile").Select(c => $"{c.Service}:{c.Operation}:{c.Status}"));
    }

    [Fact]
    public async Task The_scenarios_seed_the_instance_profiles_role_and_a_user_named_by_its_finding()
    {
        var isolation = _lab.Aws.SeedIsolationScenario();
        var profileName = isolation.Instance.InstanceProfileArn![(isolation.Instance.InstanceProfileArn!.LastIndexOf('/') + 1)..];
        var profile = Result(await Call("GetInstanceProfile", ("InstanceProfileName", profileName)), "GetInstanceProfile").Element(Ns + "InstanceProfile")!;
        Assert.Equal(isolation.Instance.InstanceProfileArn, profile.Element(Ns + "Arn")!.Value);
        Assert.Equal(isolation.RoleName, profile.Element(Ns + "Roles")!.Element(Ns + "member")!.Element(Ns + "RoleName")!.Value);
        _lab.Aws.SeedIsolationScenario("db-01");

        var scenario = _lab.Aws.SeedContainmentScenario("dev-bob");
        Assert.Equal(2, scenario.AccessKeyIds.Count);
        Assert.All(_lab.Aws.Iam.AccessKeysOf("dev-bob"), k => Assert.Equal("Active", k.Status));
        Assert.True(_lab.Aws.Iam.HasLoginProfile("dev-bob"));
        var finding = _lab.Aws.SecurityHub.Findings.Single(f => (string)f["Id"]! == scenario.FindingId);
        var details = finding["Resources"]![0]!["Details"]!["AwsIamAccessKey"]!;
        Assert.Equal(("IAMUser", "dev-bob", scenario.AccessKeyIds[0]), ((string)details["PrincipalType"]!, (string)details["PrincipalName"]!, (string)details["AccessKeyId"]!));
        Assert.Equal("AwsIamAccessKey", (string)finding["Resources"]![0]!["Type"]!);
        Assert.Equal("HIGH", (string)finding["Severity"]!["Label"]!);
    }
}
