using PSSocAutomation.Aws;
using PSSocAutomation.Aws.Iam;
using PSSocAutomation.Http;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.UnitTests.Aws;

/// <summary>
/// The IAM client against the Lab's IAM over signed HTTP (signed for us-east-1 while the Lab works in eu-west-1): the
/// Lab was written from IAM's documentation apart from this client, so names, list shapes, Marker paging, the URL
/// encoding of documents and the error codes each side uses are checked against the other.
/// </summary>
public sealed class IamClientTests : IAsyncLifetime
{
    private LabServer _lab = null!;
    private HttpPipeline _pipeline = null!;
    private IamClient _iam = null!;

    public async Task InitializeAsync()
    {
        _lab = await LabServer.StartAsync();
        _lab.Aws.Region = "eu-west-1";
        var keys = new FixedAwsCredentials(new AwsCredentialSet(_lab.Credentials.AwsAccessKeyId, _lab.Credentials.AwsSecretAccessKey));
        _pipeline = new HttpPipeline(new HttpPipelineOptions(_lab.AwsUri)
        {
            Auth = new AwsSigV4Authenticator(keys, AwsEndpoints.SigningRegion("iam", "eu-west-1"), "iam"), MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        }, new AwsErrors("AWS IAM"));
        _iam = new IamClient(_pipeline);
    }

    public async Task DisposeAsync()
    {
        _pipeline.Dispose();
        await _lab.DisposeAsync();
    }

    [Fact]
    public async Task Users_and_roles_come_with_their_path_id_and_ARN_and_a_service_linked_role_is_known_by_its_path()
    {
        var user = await _iam.GetUserAsync(LabCredentials.AwsUserName, CancellationToken.None);
        Assert.Equal((IamPrincipalType.User, _lab.Credentials.AwsUserArn, _lab.Credentials.AwsUserId, "/"), (user.Type, user.Arn, user.Id, user.Path));
        var role = await _iam.GetRoleAsync(LabCredentials.AwsRoleName, CancellationToken.None);
        Assert.Equal((_lab.Credentials.AwsRoleId, false), (role.Id, role.IsServiceLinked));

        _lab.Aws.Iam.SeedRole("AWSServiceRoleForSupport", serviceLinked: true);
        var linked = await _iam.GetPrincipalAsync(IamPrincipalType.Role, "AWSServiceRoleForSupport", CancellationToken.None);
        Assert.True(linked.IsServiceLinked);
        Assert.Contains(":role/aws-service-role/", linked.Arn, StringComparison.Ordinal);
        Assert.All(_lab.Aws.Calls(), c => Assert.Equal(("iam", 200), (c.Service, c.Status)));
    }

    [Fact]
    public async Task Every_list_follows_Marker_to_the_last_page()
    {
        var seeded = _lab.Aws.Iam.SeedUser("pager", accessKeys: 2, attachedPolicies: 3);
        _lab.Aws.Iam.MaxPageSize = 1;

        var keys = await _iam.ListAccessKeysAsync("pager", CancellationToken.None);
        var attached = await _iam.ListAttachedPolicyArnsAsync(IamPrincipalType.User, "pager", CancellationToken.None);

        Assert.Equal(seeded.AccessKeyIds, keys.Select(k => k.AccessKeyId));
        Assert.All(keys, k => Assert.True(k.IsActive));
        Assert.Equal(seeded.AttachedPolicyArns, attached);
        var lists = _lab.Journal.For("aws").Where(e => e.Body.Contains("Action=ListAccessKeys", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lists.Count);
        Assert.DoesNotContain("Marker=", lists[0].Body, StringComparison.Ordinal);
        Assert.Contains("Marker=", lists[1].Body, StringComparison.Ordinal);
        Assert.Equal(3, _lab.Aws.Calls().Count(c => c.Operation == "ListAttachedUserPolicies"));
    }

    [Fact]
    public async Task A_policy_document_comes_back_decoded_and_a_missing_one_is_null()
    {
        _lab.Aws.Iam.SeedRole("app");
        var document = IamContainment.RevokeDocument(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
        await _iam.PutPolicyAsync(IamPrincipalType.Role, "app", IamContainment.RevokePolicyName, document, CancellationToken.None);

        Assert.Equal(document, await _iam.GetPolicyAsync(IamPrincipalType.Role, "app", IamContainment.RevokePolicyName, CancellationToken.None));
        Assert.Null(await _iam.GetPolicyAsync(IamPrincipalType.Role, "app", "Nope", CancellationToken.None));
        Assert.Equal([IamContainment.RevokePolicyName], await _iam.ListPolicyNamesAsync(IamPrincipalType.Role, "app", CancellationToken.None));
        Assert.Contains("PolicyDocument=%7B%22Version%22", _lab.Journal.For("aws").First(e => e.Body.Contains("Action=PutRolePolicy", StringComparison.Ordinal)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_passwords_and_tags_read_and_change_as_IAM_names_them()
    {
        var seeded = _lab.Aws.Iam.SeedUser("dev");
        Assert.Equal("dev", await _iam.GetAccessKeyOwnerAsync(seeded.AccessKeyIds[1], CancellationToken.None));
        await _iam.UpdateAccessKeyAsync("dev", seeded.AccessKeyIds[1], "Inactive", CancellationToken.None);
        Assert.Equal(["Active", "Inactive"], (await _iam.ListAccessKeysAsync("dev", CancellationToken.None)).Select(k => k.Status));

        Assert.True(await _iam.HasLoginProfileAsync("dev", CancellationToken.None));
        await _iam.DeleteLoginProfileAsync("dev", CancellationToken.None);
        Assert.False(await _iam.HasLoginProfileAsync("dev", CancellationToken.None));

        await _iam.TagAsync(IamPrincipalType.User, "dev", [new("pssoc:contained-at", "2026-01-05T08:00:00Z"), new("team", "web")], CancellationToken.None);
        await _iam.UntagAsync(IamPrincipalType.User, "dev", ["team"], CancellationToken.None);
        Assert.Equal(new Dictionary<string, string> { ["pssoc:contained-at"] = "2026-01-05T08:00:00Z" }, await _iam.ListTagsAsync(IamPrincipalType.User, "dev", CancellationToken.None));

        var profileArn = _lab.Aws.Iam.SeedInstanceProfile("web-role", "web-role");
        var profile = await _iam.GetInstanceProfileAsync("web-role", CancellationToken.None);
        Assert.Equal((profileArn, "web-role"), (profile.Arn, Assert.Single(profile.RoleNames)));
    }

    [Fact]
    public async Task IAMs_error_codes_reach_the_caller_NoSuchEntity_as_NotFound()
    {
        var missing = await Assert.ThrowsAsync<SocApiException>(() => _iam.GetUserAsync("foobar", CancellationToken.None));
        Assert.Equal((ApiFailureKind.NotFound, "NoSuchEntity", 404), (missing.Kind, missing.VendorType, missing.StatusCode));
        Assert.Contains("The user with name foobar cannot be found.", missing.Message, StringComparison.Ordinal);
        Assert.True(IamClient.IsNoSuchEntity(missing));

        _lab.Aws.Iam.SeedUser("full", attachedPolicies: 10);
        var quota = await Assert.ThrowsAsync<SocApiException>(() => _iam.AttachPolicyAsync(IamPrincipalType.User, "full", IamContainment.DenyAllArn(_lab.Credentials.AwsUserArn), CancellationToken.None));
        Assert.Equal(("LimitExceeded", 409), (quota.VendorType, quota.StatusCode));

        _lab.Aws.Iam.SeedRole("AWSServiceRoleForSupport", serviceLinked: true);
        var linked = await Assert.ThrowsAsync<SocApiException>(() => _iam.PutPolicyAsync(IamPrincipalType.Role, "AWSServiceRoleForSupport", "x", IamContainment.DenyAllDocument, CancellationToken.None));
        Assert.Equal(("UnmodifiableEntity", 400), (linked.VendorType, linked.StatusCode));
    }

    [Fact]
    public async Task A_setting_call_is_retried_after_a_503_but_DeleteLoginProfile_is_not()
    {
        var seeded = _lab.Aws.Iam.SeedUser("retry");
        _lab.Faults.Add(new FaultRule { Service = "aws", Operation = "UpdateAccessKey", Status = 503, Times = 1 });
        _lab.Faults.Add(new FaultRule { Service = "aws", Operation = "DeleteLoginProfile", Status = 503, Times = 1 });

        await _iam.UpdateAccessKeyAsync("retry", seeded.AccessKeyIds[0], "Inactive", CancellationToken.None);
        var delete = await Assert.ThrowsAsync<SocApiException>(() => _iam.DeleteLoginProfileAsync("retry", CancellationToken.None));

        Assert.Equal(503, delete.StatusCode);
        Assert.Equal([503, 200], _lab.Aws.Calls().Where(c => c.Operation == "UpdateAccessKey").Select(c => c.Status));
        Assert.Equal([503], _lab.Aws.Calls().Where(c => c.Operation == "DeleteLoginProfile").Select(c => c.Status));
        Assert.True(_lab.Aws.Iam.HasLoginProfile("retry"));
    }

    [Fact]
    public void A_finding_names_its_principals_by_resource_type()
    {
        var finding = """
            {"Resources":[
              {"Type":"AwsIamAccessKey","Id":"AWS::IAM::AccessKey:ASIAX","Details":{"AwsIamAccessKey":{"AccessKeyId":"ASIAX","PrincipalType":"AssumedRole","PrincipalName":"app-role",
                "SessionContext":{"SessionIssuer":{"Type":"Role","UserName":"app-role","Arn":"arn:aws:iam::123456789012:role/app-role"}}}}},
              {"Type":"AwsIamAccessKey","Id":"AWS::IAM::AccessKey:AKIAX","Details":{"AwsIamAccessKey":{"AccessKeyId":"AKIAX","PrincipalType":"IAMUser","PrincipalName":"dev"}}},
              {"Type":"AwsEc2Instance","Id":"arn:aws:ec2:us-east-1:123456789012:instance/i-0abc","Details":{"AwsEc2Instance":{"IamInstanceProfileArn":"arn:aws:iam::123456789012:instance-profile/web-role"}}},
              {"Type":"AwsIamRole","Id":"arn:aws:iam::123456789012:role/ops/deployer"},
              {"Type":"AwsIamAccessKey","Id":"AWS::IAM::AccessKey:ASIAR","Details":{"AwsIamAccessKey":{"AccessKeyId":"ASIAR","PrincipalType":"Root"}}},
              {"Type":"AwsS3Bucket","Id":"arn:aws:s3:::logs"}]}
            """u8.ToArray();

        var targets = IamContainmentTarget.FromFinding(finding);

        Assert.Equal(["Role app-role", "User dev", "instance profile arn:aws:iam::123456789012:instance-profile/web-role", "Role deployer", "the root user"],
            targets.Select(t => t.ToString()));
        Assert.True(IamContainmentTarget.FromArn("arn:aws:iam::123456789012:root")!.IsRoot);
        Assert.Equal("Role lab-responder", IamContainmentTarget.FromArn("arn:aws:sts::123456789012:assumed-role/lab-responder/s1")!.ToString());
        Assert.Equal("arn:aws-cn:iam::aws:policy/AWSDenyAll", IamContainment.DenyAllArn("arn:aws-cn:iam::123456789012:user/dev"));
    }

    [Fact]
    public async Task IAMs_400_Throttling_is_retried_as_a_throttle_even_for_a_call_that_is_not_safe_to_repeat_and_reported_as_one_when_it_persists()
    {
        var user = _lab.Aws.Iam.SeedUser("throttled-user", accessKeys: 0, loginProfile: true);
        _lab.Faults.Add(new FaultRule { Service = "aws", Operation = "iam:DeleteLoginProfile", Status = 400, Code = "Throttling", Message = "Rate exceeded" });

        // Refused before any work: DeleteLoginProfile, which must never be sent twice after a dropped answer, is sent again.
        await _iam.DeleteLoginProfileAsync(user.UserName, CancellationToken.None);
        Assert.False(_lab.Aws.Iam.HasLoginProfile(user.UserName));

        _lab.Faults.Add(new FaultRule { Service = "aws", Operation = "iam:GetUser", Status = 400, Code = "Throttling", Message = "Rate exceeded", Times = 10 });
        var error = await Assert.ThrowsAsync<SocApiException>(() => _iam.GetUserAsync(user.UserName, CancellationToken.None));
        Assert.Equal(ApiFailureKind.Throttled, error.Kind);
        Assert.Equal(2, error.Retries);
    }

    [SharedFixtureFact]
    public async Task IAMs_own_ListAccessKeys_answer_from_the_fixture_reads_as_its_parsed_form()
    {
        // The body AWS documents, served as it is: the client must read IAM's real shape, not only the Lab's.
        var xml = File.ReadAllText(Path.Combine(RepositoryPaths.SharedFixtures!, "aws", "query-xml", "responses-iam-list-access-keys.xml"));
        _lab.Faults.Add(new FaultRule { Service = "aws", Operation = "iam:ListAccessKeys", Status = 200, Body = xml });

        var keys = await _iam.ListAccessKeysAsync("Bob", CancellationToken.None);

        Assert.Equal([("Bob", "AKIAIOSFODNN7EXAMPLE", "Active"), ("Bob", "AKIAI44QH8DHBEXAMPLE", "Inactive")], keys.Select(k => (k.UserName, k.AccessKeyId, k.Status)));
    }

    [Fact]
    public async Task A_Marker_handed_out_twice_stops_the_listing_instead_of_paging_forever()
    {
        const string Page = """
            <ListAccessKeysResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAccessKeysResult>
            <AccessKeyMetadata><member><UserName>Bob</UserName><AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId><Status>Active</Status></member></AccessKeyMetadata>
            <IsTruncated>true</IsTruncated><Marker>m1</Marker></ListAccessKeysResult>
            <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></ListAccessKeysResponse>
            """;
        _lab.Faults.Add(new FaultRule { Service = "aws", Operation = "iam:ListAccessKeys", Status = 200, Body = Page, Times = 3 });

        var error = await Assert.ThrowsAsync<SocApiException>(() => _iam.ListAccessKeysAsync("Bob", CancellationToken.None));

        Assert.Equal(ApiFailureKind.Protocol, error.Kind);
        Assert.Contains("Marker it had already given", error.Message);
        Assert.Equal(2, _lab.Journal.For("aws").Count(e => e.Body.Contains("Action=ListAccessKeys", StringComparison.Ordinal)));
    }
}
