using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using Xunit;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Aws;

/// <summary>
/// Invoke-IamContainment and Undo-IamContainment in a real engine against the Lab's IAM over real sockets: a user
/// named by a GuardDuty finding contained from the pipe, a role through an instance's profile, -WhatIf and second runs
/// sending no change, the managed-policy quota falling back to an inline deny, refusals (root, service-linked roles,
/// the caller itself, temporary keys, bad parameters) with stable ErrorIds, a failure half-way undone from the tags.
/// </summary>
public sealed class IamContainmentCmdletTests : IClassFixture<LabFixture>
{
    private const string DenyAllArn = "arn:aws:iam::aws:policy/AWSDenyAll";
    private static readonly string[] Mutating =
    [
        "UpdateAccessKey", "DeleteLoginProfile", "PutUserPolicy", "PutRolePolicy", "DeleteUserPolicy", "DeleteRolePolicy", "AttachUserPolicy", "AttachRolePolicy",
        "DetachUserPolicy", "DetachRolePolicy", "TagUser", "TagRole", "UntagUser", "UntagRole",
    ];

    private readonly LabFixture _fixture;

    public IamContainmentCmdletTests(LabFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        Lab.Aws.Reset();
    }

    private LabServer Lab => _fixture.Lab;

    private const string Connect = "Connect-Aws -Region us-east-1 -Credential $awsCredential -EndpointUrl $awsUri | Out-Null\n";

    /// <summary>Steps as Name=Outcome, joined with ';', for a record in $r.</summary>
    private const string Steps = "(($r.Steps | ForEach-Object { '{0}={1}' -f $_.Name, $_.Outcome }) -join ';')";

    private ScriptResult Run(string script, bool session = false, params (string Name, object? Value)[] extra)
    {
        var c = Lab.Credentials;
        var credential = new System.Collections.Hashtable
        {
            ["AccessKeyId"] = session ? c.AwsSessionAccessKeyId : c.AwsAccessKeyId,
            ["SecretAccessKey"] = session ? c.AwsSessionSecretAccessKey : c.AwsSecretAccessKey,
        };
        if (session) credential["SessionToken"] = c.AwsSessionToken;
        var variables = new Dictionary<string, object?> { ["awsCredential"] = credential, ["awsUri"] = Lab.AwsUri.ToString() };
        foreach (var (name, value) in extra) variables[name] = value;
        return _fixture.Session.Run(Connect + script, variables);
    }

    /// <summary>The IAM calls that change something the Lab received after journal sequence <paramref name="after"/>, whatever it answered.</summary>
    private List<string> MutatingCalls(long after = 0) =>
        Lab.Aws.Calls().Where(c => c.Service == "iam" && c.Sequence > after && Mutating.Contains(c.Operation)).Select(c => c.Operation).ToList();

    private long LastSequence() => Lab.Aws.Calls().Select(c => c.Sequence).DefaultIfEmpty(0).Max();

    private static string Line(ScriptResult result) => Assert.Single(result.OutputOf<string>());

    private static void AssertError(ScriptResult result, string errorId)
    {
        var ids = result.Errors.Select(e => e.FullyQualifiedErrorId).Concat(result.Terminating?.ErrorRecord is { } t ? [t.FullyQualifiedErrorId] : []).ToList();
        Assert.True(ids.Any(id => id == errorId || id.StartsWith(errorId + ",", StringComparison.Ordinal)), $"expected {errorId}, saw: {string.Join("; ", ids)}");
    }

    [Fact]
    public void A_user_named_by_a_piped_GuardDuty_finding_loses_its_keys_password_and_permissions_and_keeps_the_record_in_tags()
    {
        var scenario = Lab.Aws.SeedContainmentScenario("dev-mallory");

        var result = Run("$r = Get-SecurityHubFinding | Where-Object Id -eq $findingId | Invoke-IamContainment -Confirm:$false\n" +
            "'{0}|{1}|{2}|{3}|{4}|{5}' -f $r.PrincipalType, $r.PrincipalName, ($r.DeactivatedAccessKeyIds -join ','), $r.Succeeded, ($r.AppliedPolicies -join ','), " + Steps,
            extra: ("findingId", scenario.FindingId));

        AssertClean(result);
        var parts = Line(result).Split('|');
        Assert.Equal(["User", "dev-mallory", string.Join(",", scenario.AccessKeyIds), "True"], parts[..4]);
        Assert.Equal([DenyAllArn, "AWSRevokeOlderSessions"], parts[4].Split(','));
        Assert.Equal($"RecordOnPrincipal=Done;DeactivateAccessKey=Done;DeactivateAccessKey=Done;DeleteLoginProfile=Done;DenyAll=Done;RevokeOlderSessions=Done", parts[5]);

        var iam = Lab.Aws.Iam;
        Assert.All(iam.AccessKeysOf("dev-mallory"), k => Assert.Equal("Inactive", k.Status));
        Assert.False(iam.HasLoginProfile("dev-mallory"));
        Assert.Equal([DenyAllArn], iam.AttachedPoliciesOf("dev-mallory"));
        var revoke = iam.InlinePoliciesOf("dev-mallory")["AWSRevokeOlderSessions"];
        var statement = revoke["Statement"]![0]!;
        Assert.Equal(("Deny", "*", "*"), ((string)statement["Effect"]!, (string)statement["Action"]![0]!, (string)statement["Resource"]![0]!));
        var issued = DateTimeOffset.Parse((string)statement["Condition"]!["DateLessThan"]!["aws:TokenIssueTime"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(issued, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
        var tags = iam.TagsOf("dev-mallory");
        Assert.Equal(string.Join(",", scenario.AccessKeyIds), tags["pssoc:deactivated-keys"]);
        Assert.Equal(DenyAllArn, tags["pssoc:deny"]);
        Assert.Equal("deleted", tags["pssoc:login-profile"]);
        Assert.True(DateTimeOffset.TryParse(tags["pssoc:contained-at"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _));
        // What the Lab received, in order: the record first, so an undo after any later failure knows what to reverse.
        Assert.Equal(["TagUser", "UpdateAccessKey", "UpdateAccessKey", "DeleteLoginProfile", "AttachUserPolicy", "PutUserPolicy"], MutatingCalls());
        Assert.Equal(scenario.AccessKeyIds, iam.Calls.Where(c => c.Action == "UpdateAccessKey").Select(c => c.Detail!.Split('=')[0]));
    }

    [Fact]
    public void WhatIf_lists_the_steps_and_sends_no_change_and_a_second_run_changes_nothing_unless_asked_to_refresh_the_revocation()
    {
        var scenario = Lab.Aws.SeedContainmentScenario("dev-trudy");

        var whatIf = Run("$r = Invoke-IamContainment -UserName dev-trudy -WhatIf\n'{0}|{1}' -f $r.State, " + Steps);
        AssertClean(whatIf);
        Assert.Equal("Planned|RecordOnPrincipal=Planned;DeactivateAccessKey=Planned;DeactivateAccessKey=Planned;DeleteLoginProfile=Planned;DenyAll=Planned;RevokeOlderSessions=Planned", Line(whatIf));
        Assert.Empty(MutatingCalls());
        Assert.Empty(Lab.Aws.Iam.Calls);
        Assert.Contains(Lab.Aws.Calls(), c => c.Operation == "ListAccessKeys");
        Assert.All(Lab.Aws.Iam.AccessKeysOf("dev-trudy"), k => Assert.Equal("Active", k.Status));

        AssertClean(Run("Invoke-IamContainment -UserName dev-trudy -Confirm:$false | Out-Null"));
        var before = LastSequence();
        var firstRevocation = (string)Lab.Aws.Iam.InlinePoliciesOf("dev-trudy")["AWSRevokeOlderSessions"]["Statement"]![0]!["Condition"]!["DateLessThan"]!["aws:TokenIssueTime"]!;

        var again = Run("$r = Invoke-IamContainment -UserName dev-trudy -Confirm:$false\n'{0}|{1}' -f ($r.DeactivatedAccessKeyIds -join ','), " + Steps);

        AssertClean(again);
        var parts = Line(again).Split('|');
        Assert.Equal(string.Join(",", scenario.AccessKeyIds), parts[0]);
        Assert.Equal("RecordOnPrincipal=AlreadyDone;DeactivateAccessKey=AlreadyDone;DeactivateAccessKey=AlreadyDone;DeleteLoginProfile=AlreadyDone;DenyAll=AlreadyDone;RevokeOlderSessions=AlreadyDone", parts[1]);
        // Nothing changes: the revocation keeps the time this containment set, so a replayed event cuts no session opened since.
        Assert.Empty(MutatingCalls(before));
        Assert.Equal(firstRevocation, (string)Lab.Aws.Iam.InlinePoliciesOf("dev-trudy")["AWSRevokeOlderSessions"]["Statement"]![0]!["Condition"]!["DateLessThan"]!["aws:TokenIssueTime"]!);

        // Asked to, it moves the time to now, as the IAM console's "Revoke active sessions" does.
        var refreshed = Run("$r = Invoke-IamContainment -UserName dev-trudy -RefreshSessionRevocation -Confirm:$false\n" + Steps);
        AssertClean(refreshed);
        Assert.EndsWith("RevokeOlderSessions=Done", Line(refreshed), StringComparison.Ordinal);
        Assert.Equal(["PutUserPolicy"], MutatingCalls(before));
        Assert.True(string.CompareOrdinal(firstRevocation, (string)Lab.Aws.Iam.InlinePoliciesOf("dev-trudy")["AWSRevokeOlderSessions"]["Statement"]![0]!["Condition"]!["DateLessThan"]!["aws:TokenIssueTime"]!) <= 0);
    }

    [Fact]
    public void A_full_managed_policy_quota_gets_an_inline_deny_all_which_undo_removes()
    {
        Lab.Aws.Iam.SeedUser("full-quota", attachedPolicies: 10);

        var result = Run("$r = Invoke-IamContainment -UserName full-quota -Confirm:$false\n'{0}|{1}' -f ($r.AppliedPolicies -join ','), (($r.Steps | Where-Object Name -eq DenyAll).Detail)");

        AssertClean(result);
        var parts = Line(result).Split('|');
        Assert.Contains("PSSocAutomationDenyAll", parts[0].Split(','));
        Assert.Contains("quota is full", parts[1], StringComparison.Ordinal);
        Assert.DoesNotContain(DenyAllArn, Lab.Aws.Iam.AttachedPoliciesOf("full-quota"));
        Assert.Equal(10, Lab.Aws.Iam.AttachedPoliciesOf("full-quota").Count);
        var deny = Lab.Aws.Iam.InlinePoliciesOf("full-quota")["PSSocAutomationDenyAll"]["Statement"]![0]!;
        Assert.Equal(("Deny", "*"), ((string)deny["Effect"]!, (string)deny["Action"]![0]!));
        Assert.Equal("inline:PSSocAutomationDenyAll", Lab.Aws.Iam.TagsOf("full-quota")["pssoc:deny"]);
        Assert.Contains(Lab.Aws.Calls(), c => c.Operation == "AttachUserPolicy" && c.Status == 409);

        AssertClean(Run("Undo-IamContainment -UserName full-quota -Confirm:$false | Out-Null"));
        Assert.Equal(["AWSRevokeOlderSessions"], Lab.Aws.Iam.InlinePoliciesOf("full-quota").Keys);
        Assert.Empty(Lab.Aws.Iam.TagsOf("full-quota"));
    }

    [Fact]
    public void A_role_is_contained_through_the_instance_profile_a_finding_names_and_by_name_without_deny_all()
    {
        var isolation = Lab.Aws.SeedIsolationScenario();
        Lab.Aws.Iam.SeedRole("batch-role");

        var result = Run("$r = Get-SecurityHubFinding | Where-Object Id -eq $findingId | Invoke-IamContainment -DenyAll -Confirm:$false\n'{0}|{1}|{2}' -f $r.PrincipalType, $r.PrincipalName, " + Steps + "\n" +
            "$r = [pscustomobject]@{ RoleName = 'batch-role' } | Invoke-IamContainment -Confirm:$false\n'{0}|{1}|{2}' -f $r.PrincipalType, $r.PrincipalName, " + Steps,
            extra: ("findingId", isolation.FindingId));

        AssertClean(result);
        var lines = result.OutputOf<string>().ToList();
        Assert.Equal($"Role|{isolation.RoleName}|RecordOnPrincipal=Done;RevokeOlderSessions=Done;DenyAll=Done", lines[0]);
        Assert.Equal("Role|batch-role|RecordOnPrincipal=Done;RevokeOlderSessions=Done;DenyAll=Skipped", lines[1]);
        Assert.Equal([DenyAllArn], Lab.Aws.Iam.AttachedPoliciesOf(isolation.RoleName));
        Assert.Contains("AWSRevokeOlderSessions", Lab.Aws.Iam.InlinePoliciesOf(isolation.RoleName).Keys);
        Assert.Empty(Lab.Aws.Iam.AttachedPoliciesOf("batch-role"));
        Assert.Contains(Lab.Aws.Calls(), c => c.Operation == "GetInstanceProfile");
        Assert.Contains("PutRolePolicy", MutatingCalls());

        // An instance from Get-Ec2Instance carries InstanceProfileArn: the same role, found contained already.
        var piped = Run("$r = Get-Ec2Instance -InstanceId $instanceId | Invoke-IamContainment -DenyAll -Confirm:$false\n'{0}|{1}' -f $r.PrincipalName, " + Steps,
            extra: ("instanceId", isolation.Instance.InstanceId));
        AssertClean(piped);
        Assert.Equal($"{isolation.RoleName}|RecordOnPrincipal=AlreadyDone;RevokeOlderSessions=AlreadyDone;DenyAll=AlreadyDone", Line(piped));
    }

    [Fact]
    public void A_connection_to_eu_west_1_still_signs_IAM_for_us_east_1()
    {
        Lab.Aws.Region = "eu-west-1";
        Lab.Aws.Iam.SeedRole("eu-app");
        var c = Lab.Credentials;
        var credential = new System.Collections.Hashtable { ["AccessKeyId"] = c.AwsAccessKeyId, ["SecretAccessKey"] = c.AwsSecretAccessKey };

        var result = _fixture.Session.Run("Connect-Aws -Region eu-west-1 -Credential $awsCredential -EndpointUrl $awsUri | Out-Null\n" +
            "$r = Invoke-IamContainment -RoleName eu-app -Confirm:$false\n" + Steps,
            new Dictionary<string, object?> { ["awsCredential"] = credential, ["awsUri"] = Lab.AwsUri.ToString() });

        AssertClean(result);
        Assert.Equal("RecordOnPrincipal=Done;RevokeOlderSessions=Done;DenyAll=Skipped", Line(result));
        var iam = Lab.Journal.For("aws").Where(e => e.Body.Contains("Version=2010-05-08", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(iam);
        // The Lab refuses with 403 an IAM request scoped to any region but us-east-1 (AwsLabIamTests); none was.
        Assert.DoesNotContain(iam, e => e.Status == 403);
        Assert.Contains(iam, e => e.Body.Contains("Action=PutRolePolicy", StringComparison.Ordinal) && e.Status == 200);
    }

    [Fact]
    public void An_EventBridge_event_about_an_assumed_role_session_contains_the_role_that_issued_it()
    {
        var scenario = Lab.Aws.SeedContainmentScenario("dev-sybil");
        Lab.Aws.Iam.SeedRole("app-role");
        var finding = Lab.Aws.SecurityHub.Finding(scenario.FindingId)!.DeepClone().AsObject();
        var details = finding["Resources"]![0]!["Details"]!["AwsIamAccessKey"]!.AsObject();
        details["AccessKeyId"] = "ASIAIOSFODNN7EXAMPLE";
        details["PrincipalType"] = "AssumedRole";
        details["PrincipalName"] = "app-role";
        details["SessionContext"] = new JsonObject
        {
            ["SessionIssuer"] = new JsonObject { ["Type"] = "Role", ["UserName"] = "app-role", ["Arn"] = Lab.Aws.Iam.ArnOf("app-role") },
        };
        var eventJson = new JsonObject
        {
            ["version"] = "0", ["id"] = "1d2c3b4a-0000-4000-8000-000000000001", ["detail-type"] = "Security Hub Findings - Imported", ["source"] = "aws.securityhub",
            ["account"] = Lab.Credentials.AwsAccountId, ["time"] = "2026-01-05T08:00:00Z", ["region"] = "us-east-1", ["resources"] = new JsonArray(scenario.FindingId),
            ["detail"] = new JsonObject { ["findings"] = new JsonArray(finding) },
        }.ToJsonString();

        var result = Run("$r = $eventJson | ConvertFrom-SecurityHubEvent | Invoke-IamContainment -Confirm:$false\n'{0}|{1}|{2}' -f $r.PrincipalType, $r.PrincipalName, " + Steps,
            extra: ("eventJson", eventJson));

        AssertClean(result);
        Assert.Equal("Role|app-role|RecordOnPrincipal=Done;RevokeOlderSessions=Done;DenyAll=Skipped", Line(result));
        Assert.Contains("AWSRevokeOlderSessions", Lab.Aws.Iam.InlinePoliciesOf("app-role").Keys);
        Assert.All(Lab.Aws.Iam.AccessKeysOf("dev-sybil"), k => Assert.Equal("Active", k.Status));
    }

    [Fact]
    public void Root_service_linked_roles_and_the_callers_own_identity_are_refused_before_any_change()
    {
        var scenario = Lab.Aws.SeedContainmentScenario("dev-oscar");
        var root = Lab.Aws.SecurityHub.Finding(scenario.FindingId)!.DeepClone().AsObject();
        root["Id"] = scenario.FindingId + "-root";
        root["Resources"]![0]!["Details"]!["AwsIamAccessKey"]!["PrincipalType"] = "Root";
        root["Resources"]![0]!["Details"]!["AwsIamAccessKey"]!["PrincipalName"] = "root";
        Lab.Aws.SecurityHub.Seed([root]);
        Lab.Aws.Iam.SeedRole("AWSServiceRoleForElasticLoadBalancing", serviceLinked: true);

        var refused = Run("Get-SecurityHubFinding | Where-Object Id -eq $rootId | Invoke-IamContainment -Confirm:$false\n" +
            "Invoke-IamContainment -RoleName AWSServiceRoleForElasticLoadBalancing -Confirm:$false\n" +
            "Invoke-IamContainment -UserName " + LabCredentials.AwsUserName + " -Confirm:$false", extra: ("rootId", (string)root["Id"]!));
        var self = Run("Invoke-IamContainment -RoleName " + LabCredentials.AwsRoleName + " -Confirm:$false", session: true);

        Assert.Empty(refused.Output);
        Assert.Equal(3, refused.Errors.Count);
        AssertError(refused, "AwsIamRootRefused");
        AssertError(refused, "AwsIamServiceLinkedRoleRefused");
        AssertError(refused, "AwsIamSelfRefused");
        AssertError(self, "AwsIamSelfRefused");
        Assert.Contains("-ContainSelf", self.Errors[0].ToString(), StringComparison.Ordinal);
        Assert.Contains("root", refused.Errors[0].ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(MutatingCalls());

        var allowed = Run("Invoke-IamContainment -RoleName " + LabCredentials.AwsRoleName + " -ContainSelf -WhatIf", session: true);
        AssertClean(allowed);
        Assert.Empty(MutatingCalls());
    }

    [Fact]
    public void Bad_parameters_are_clear_errors_with_stable_ids_and_send_nothing()
    {
        Lab.Aws.Iam.SeedUser("dev-ivan");

        AssertError(Run("Invoke-IamContainment -RoleName a -UserName dev-ivan -Confirm:$false"), "AwsIamAmbiguousTarget");
        AssertError(Run("Invoke-IamContainment -RoleName '' -Confirm:$false"), "ParameterArgumentValidationError");
        AssertError(Run("Invoke-IamContainment -UserName 'dev ivan' -Confirm:$false"), "AwsIamInvalidName");
        AssertError(Run("Invoke-IamContainment -Confirm:$false"), "AwsIamNoTarget");
        AssertError(Run("Undo-IamContainment -RoleName a -UserName b -Confirm:$false"), "AwsIamAmbiguousTarget");
        var temporary = Run("Invoke-IamContainment -AccessKeyId ASIAIOSFODNN7EXAMPLE -Confirm:$false");
        AssertError(temporary, "AwsIamTemporaryAccessKey");
        Assert.Contains("-RoleName", temporary.Errors.Single().ToString(), StringComparison.Ordinal);
        var unknown = Run("Invoke-IamContainment -UserName nobody -Confirm:$false");
        AssertError(unknown, "AwsIamNotFound");
        Assert.Contains("The user with name nobody cannot be found.", unknown.Errors.Single().ToString(), StringComparison.Ordinal);
        Assert.Empty(MutatingCalls());
        Assert.DoesNotContain(Lab.Aws.Calls(), c => c.Operation == "GetAccessKeyLastUsed");
    }

    [Fact]
    public void An_access_key_id_leads_to_its_user()
    {
        var user = Lab.Aws.Iam.SeedUser("dev-peggy", loginProfile: false);

        var result = Run("$r = Invoke-IamContainment -AccessKeyId $keyId -Confirm:$false\n'{0}|{1}' -f $r.PrincipalName, " + Steps, extra: ("keyId", user.AccessKeyIds[1]));

        AssertClean(result);
        Assert.Equal("dev-peggy|RecordOnPrincipal=Done;DeactivateAccessKey=Done;DeactivateAccessKey=Done;DeleteLoginProfile=AlreadyDone;DenyAll=Done;RevokeOlderSessions=Done", Line(result));
        Assert.Contains(Lab.Aws.Calls(), c => c.Operation == "GetAccessKeyLastUsed");
    }

    [Fact]
    public void A_failure_half_way_is_a_terminating_error_naming_the_done_steps_and_undo_from_the_tags_restores_the_user()
    {
        var scenario = Lab.Aws.SeedContainmentScenario("dev-eve");
        Lab.Faults.Add(new FaultRule { Service = "aws", Operation = "DeleteLoginProfile", Status = 403, Times = 2, Code = "AccessDenied", Message = "User is not authorized to perform: iam:DeleteLoginProfile" });

        var failed = Run("try { Invoke-IamContainment -UserName dev-eve -Confirm:$false; 'not reached' }\n" +
            "catch { $r = $_.TargetObject; '{0}|{1}|{2}|{3}|{4}' -f $_.FullyQualifiedErrorId, $_.CategoryInfo.Category, $_.Exception.Message, " + Steps + ", $r.State }");

        AssertClean(failed);
        var parts = Line(failed).Split('|');
        Assert.Equal("AwsIamContainmentStepFailed", parts[0]);
        Assert.Equal("PermissionDenied", parts[1]);
        Assert.Contains("Step DeleteLoginProfile on dev-eve failed", parts[2], StringComparison.Ordinal);
        Assert.Contains("Done before it: RecordOnPrincipal dev-eve, DeactivateAccessKey " + scenario.AccessKeyIds[0], parts[2], StringComparison.Ordinal);
        Assert.Equal("RecordOnPrincipal=Done;DeactivateAccessKey=Done;DeactivateAccessKey=Done;DeleteLoginProfile=Failed;DenyAll=NotRun;RevokeOlderSessions=NotRun", parts[3]);
        Assert.Equal("Failed", parts[4]);
        // The record is written too, and the script stops: nothing after the failed containment runs.
        Assert.Single(failed.Output, o => o.BaseObject.GetType().Name == "IamContainmentRecord");
        var stopped = Run("Invoke-IamContainment -UserName dev-eve -Confirm:$false | Out-Null; 'went on'");
        Assert.DoesNotContain("went on", stopped.OutputOf<string>());
        AssertError(stopped, "AwsIamContainmentStepFailed");
        Assert.All(Lab.Aws.Iam.AccessKeysOf("dev-eve"), k => Assert.Equal("Inactive", k.Status));
        Assert.Empty(Lab.Aws.Iam.AttachedPoliciesOf("dev-eve"));

        // The record object is gone (a new session, say): the tags written first are enough to undo.
        var undo = Run("$r = Undo-IamContainment -UserName dev-eve -Confirm:$false\n'{0}|{1}|{2}' -f $r.Operation, ($r.ReactivatedAccessKeyIds -join ','), " + Steps);

        AssertClean(undo);
        parts = Line(undo).Split('|');
        Assert.Equal(["Undo", string.Join(",", scenario.AccessKeyIds)], parts[..2]);
        Assert.Equal("RemoveDenyAll=AlreadyDone;ReactivateAccessKey=Done;ReactivateAccessKey=Done;RestoreLoginProfile=Skipped;RemoveSessionRevocation=Skipped;RemoveRecord=Done", parts[2]);
        Assert.All(Lab.Aws.Iam.AccessKeysOf("dev-eve"), k => Assert.Equal("Active", k.Status));
        Assert.Empty(Lab.Aws.Iam.TagsOf("dev-eve"));
        Assert.True(Lab.Aws.Iam.HasLoginProfile("dev-eve"));
        // Nothing the failure carries (message, details, record, inner exceptions) holds a key or token.
        var c = Lab.Credentials;
        SecretScan.AssertNoSecret(stopped.Terminating?.ErrorRecord ?? stopped.Errors.Single(), "the step failure", [c.AwsSecretAccessKey, c.AwsSessionSecretAccessKey, c.AwsSessionToken]);
        Assert.DoesNotMatch("Signature=[0-9a-f]{64}", string.Join("\n", failed.AllText().Concat(undo.AllText())));
    }

    [Fact]
    public void Undo_turns_on_only_the_keys_that_were_active_keeps_the_revocation_unless_asked_and_a_second_undo_changes_nothing()
    {
        var user = Lab.Aws.Iam.SeedUser("dev-walter");
        Lab.Aws.Iam.SetAccessKeyStatus("dev-walter", user.AccessKeyIds[1], "Inactive");

        var result = Run("$c = Invoke-IamContainment -UserName dev-walter -Confirm:$false\n" +
            "$r = $c | Undo-IamContainment -Confirm:$false\n" +
            "'{0}|{1}|{2}|{3}' -f ($c.DeactivatedAccessKeyIds -join ','), ($r.ReactivatedAccessKeyIds -join ','), ($r.RemovedPolicies -join ','), " + Steps + "\n" +
            "(($r.Steps | Where-Object Name -eq RestoreLoginProfile).Detail)");

        AssertClean(result);
        var lines = result.OutputOf<string>().ToList();
        var parts = lines[0].Split('|');
        Assert.Equal([user.AccessKeyIds[0], user.AccessKeyIds[0], DenyAllArn], parts[..3]);
        Assert.Equal("RemoveDenyAll=Done;ReactivateAccessKey=Done;RestoreLoginProfile=Skipped;RemoveSessionRevocation=Skipped;RemoveRecord=Done", parts[3]);
        Assert.Contains("create-login-profile", lines[1], StringComparison.Ordinal);
        Assert.Equal(["Active", "Inactive"], Lab.Aws.Iam.AccessKeysOf("dev-walter").Select(k => k.Status));
        Assert.Empty(Lab.Aws.Iam.AttachedPoliciesOf("dev-walter"));
        Assert.Equal(["AWSRevokeOlderSessions"], Lab.Aws.Iam.InlinePoliciesOf("dev-walter").Keys);

        var before = LastSequence();
        var again = Run("$r = Undo-IamContainment -UserName dev-walter -Confirm:$false\n" + Steps);
        AssertClean(again);
        Assert.Equal("RemoveDenyAll=Skipped;ReactivateAccessKey=Skipped;RemoveRecord=AlreadyDone", Line(again));
        Assert.Empty(MutatingCalls(before));

        var removed = Run("$r = Undo-IamContainment -UserName dev-walter -RemoveSessionRevocation -Confirm:$false\n" + Steps);
        AssertClean(removed);
        Assert.Contains("RemoveSessionRevocation=Done", Line(removed), StringComparison.Ordinal);
        Assert.Contains(removed.Warnings, w => w.Contains("valid again", StringComparison.Ordinal));
        Assert.Empty(Lab.Aws.Iam.InlinePoliciesOf("dev-walter"));
    }
}
