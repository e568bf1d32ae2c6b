using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws.Iam
{
    /// <summary>
    /// Locking a compromised IAM user or role, and undoing it, as steps of a <see cref="ResponsePlan"/> (contract 5.4,
    /// the IR playbook's credential-compromise sequence). Role: AWSRevokeOlderSessions (an inline deny for sessions
    /// issued before now: the only way to cut live role sessions), then optionally deny-all. User: every access key set
    /// Inactive (deactivated, not deleted: reversible, and CloudTrail keeps naming it), the console password deleted,
    /// deny-all, and AWSRevokeOlderSessions for the sessions minted from the user. Deny-all is the managed AWSDenyAll, or
    /// an inline copy when the principal's managed-policy quota is full. Each step first reads the state it sets and
    /// reports AlreadyDone when it is there, so a second run sends nothing. The revocation's time is the start of the
    /// containment: a second run of the same containment (the principal still carries its record) keeps it, so a
    /// replayed event does not cut the sessions responders opened since; a new containment, or one asked to refresh it,
    /// moves it to now as the IAM console's button does. The record is also kept on the principal as pssoc: tags, written first, so an
    /// undo after a failure half-way knows what to reverse. Planning only reads; refusals (root, service-linked roles,
    /// the caller itself) come before anything is changed.
    /// </summary>
    public sealed class IamContainment
    {
        public const string RevokePolicyName = "AWSRevokeOlderSessions";
        public const string InlineDenyPolicyName = "PSSocAutomationDenyAll";
        public const string TagPrefix = "pssoc:";
        public const string ContainedAtTag = "pssoc:contained-at";
        public const string DeactivatedKeysTag = "pssoc:deactivated-keys";
        public const string DenyTag = "pssoc:deny";
        public const string LoginProfileTag = "pssoc:login-profile";
        public const string RevokeTag = "pssoc:revoke";
        private const string InlineDenyTagValue = "inline:" + InlineDenyPolicyName;
        private const int MaxTagValue = 256;

        /// <summary>The document of AWSDenyAll itself, for the inline copy.</summary>
        public const string DenyAllDocument = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyAll\",\"Effect\":\"Deny\",\"Action\":[\"*\"],\"Resource\":\"*\"}]}";

        private readonly IamClient _iam;
        private readonly TimeProvider _time;

        public IamContainment(IamClient iam, TimeProvider? time = null)
        {
            _iam = iam;
            _time = time ?? TimeProvider.System;
        }

        /// <summary>AWSDenyAll in the principal's partition (aws, aws-cn, aws-us-gov).</summary>
        public static string DenyAllArn(string principalArn)
        {
            var partition = AwsArn.Parse(principalArn)?.Partition;
            return "arn:" + (string.IsNullOrEmpty(partition) ? "aws" : partition) + ":iam::aws:policy/AWSDenyAll";
        }

        /// <summary>The console's revocation: deny everything to sessions whose token was issued before <paramref name="before"/>.</summary>
        public static string RevokeDocument(DateTimeOffset before) =>
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"*\"],\"Resource\":[\"*\"],\"Condition\":{\"DateLessThan\":{\"aws:TokenIssueTime\":\"" +
            Format(before) + "\"}}}]}";

        private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        private static IamContainmentRefusedException Refused(IamContainmentRefusal reason, string message) => new IamContainmentRefusedException(reason, message);

        /// <summary>
        /// The one user or role a target means: a key's owner through GetAccessKeyLastUsed, an instance profile's role
        /// through GetInstanceProfile. Refuses root, and temporary keys, whose owner IAM does not know.
        /// </summary>
        public async Task<(IamPrincipalType Type, string Name)> ResolveAsync(IamContainmentTarget target, CancellationToken cancellationToken)
        {
            if (target.IsRoot)
                throw Refused(IamContainmentRefusal.Root, "The finding names the account's root user. IAM policies cannot restrict root, so there is nothing to contain through IAM: " +
                    "secure it instead (change its password, delete its access keys, check its MFA device) and review CloudTrail for what it did.");
            if (target.Type != null) return (target.Type.Value, target.Name!);
            if (target.AccessKeyId is string key)
            {
                if (IamContainmentTarget.IsTemporaryKeyId(key))
                    throw Refused(IamContainmentRefusal.TemporaryAccessKey,
                        $"Access key {key} is temporary (ASIA...): IAM keeps no record of session keys, so its owner cannot be looked up. Find the role that issued the session " +
                        "(the finding's SessionContext.SessionIssuer, or CloudTrail's userIdentity.sessionContext.sessionIssuer) and use -RoleName.");
                return (IamPrincipalType.User, await _iam.GetAccessKeyOwnerAsync(key, cancellationToken).ConfigureAwait(false));
            }
            var arn = target.InstanceProfileArn!;
            var name = arn.Substring(arn.LastIndexOf('/') + 1);
            var profile = await _iam.GetInstanceProfileAsync(name, cancellationToken).ConfigureAwait(false);
            if (profile.RoleNames.Count == 0)
                throw Refused(IamContainmentRefusal.InstanceProfileWithoutRole, $"Instance profile {name} holds no role, so its instances get no IAM credentials to contain.");
            return (IamPrincipalType.Role, profile.RoleNames[0]);
        }

        /// <summary>
        /// The containment of one user or role, planned from what IAM says now (reads only). <paramref name="callerArn"/> is
        /// who the connection signs as: that principal is refused unless <paramref name="allowSelf"/>.
        /// </summary>
        /// <param name="type">User or role.</param>
        /// <param name="name">Its name.</param>
        /// <param name="denyAll">For a role, also deny it everything (a user always gets it).</param>
        /// <param name="callerArn">Who the connection signs as.</param>
        /// <param name="allowSelf">Contain that principal too.</param>
        /// <param name="cancellationToken">Ends the reads.</param>
        /// <param name="refreshRevocation">Move the revocation's time to now even when this containment set it already.</param>
        public async Task<IamContainmentPlan> PlanAsync(IamPrincipalType type, string name, bool denyAll, string? callerArn, bool allowSelf, CancellationToken cancellationToken,
            bool refreshRevocation = false)
        {
            var principal = await _iam.GetPrincipalAsync(type, name, cancellationToken).ConfigureAwait(false);
            Guard(principal);
            if (!allowSelf && IsSelf(principal, callerArn))
                throw Refused(IamContainmentRefusal.Self, $"{principal.Type} {principal.Name} is who this connection signs as ({callerArn}): containing it would lock this response out half-way. " +
                    "Connect with other credentials, or add -ContainSelf if that is what you mean.");
            var user = type == IamPrincipalType.User;
            var tags = await _iam.ListTagsAsync(type, principal.Name, cancellationToken).ConfigureAwait(false);
            var keys = user ? await _iam.ListAccessKeysAsync(principal.Name, cancellationToken).ConfigureAwait(false) : Array.Empty<IamAccessKeyInfo>();
            var hasPassword = user && await _iam.HasLoginProfileAsync(principal.Name, cancellationToken).ConfigureAwait(false);

            var plan = new ResponsePlan(_time);
            var record = new IamContainmentRecord("Contain", principal, _time.GetUtcNow(), plan.Steps);
            var denyArn = DenyAllArn(principal.Arn);
            foreach (var earlier in KeysOf(tags)) record.DeactivatedAccessKeyIds.Add(earlier);
            record.LoginProfileDeleted = Tag(tags, LoginProfileTag) == "deleted";

            // The principal carries this containment's record: running it again continues that containment.
            var continuing = Tag(tags, ContainedAtTag) != null;
            var desired = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ContainedAtTag] = Tag(tags, ContainedAtTag) ?? Format(record.StartedAt),
                [RevokeTag] = RevokePolicyName,
            };
            var keyList = record.DeactivatedAccessKeyIds.Concat(keys.Where(k => k.IsActive).Select(k => k.AccessKeyId)).Distinct(StringComparer.Ordinal).ToList();
            if (keyList.Count > 0) desired[DeactivatedKeysTag] = JoinKeys(keyList);
            if (user || denyAll) desired[DenyTag] = Tag(tags, DenyTag) ?? denyArn;
            if (hasPassword || record.LoginProfileDeleted) desired[LoginProfileTag] = "deleted";
            AddRecordStep(plan, principal, tags, desired);

            if (user)
            {
                if (keys.Count == 0) plan.Skip("DeactivateAccessKey", principal.Name, "Set the user's access keys Inactive.", "The user has no access keys.");
                foreach (var key in keys) AddDeactivateStep(plan, record, principal, key);
                AddDeleteLoginProfileStep(plan, record, principal);
                AddDenyStep(plan, record, principal, denyArn);
                AddRevokeStep(plan, record, principal, continuing, refreshRevocation);
            }
            else
            {
                AddRevokeStep(plan, record, principal, continuing, refreshRevocation);
                if (denyAll) AddDenyStep(plan, record, principal, denyArn);
                else plan.Skip("DenyAll", principal.Name, "Deny every action to the role (AWSDenyAll).",
                    "Not asked for (-DenyAll): sessions issued from now on keep the role's permissions.");
            }
            return new IamContainmentPlan(plan, record);
        }

        /// <summary>
        /// The undo of a containment, from what the principal's pssoc: tags say and, when given, the record the
        /// containment returned: deny-all removed, the keys it deactivated set Active again, its tags removed. The
        /// revocation stays unless <paramref name="removeSessionRevocation"/>: removing it brings back the stolen sessions.
        /// </summary>
        public async Task<IamContainmentPlan> PlanUndoAsync(IamPrincipalType type, string name, IEnumerable<string>? recordKeys, IEnumerable<string>? recordPolicies,
            bool recordLoginProfileDeleted, bool removeSessionRevocation, CancellationToken cancellationToken)
        {
            var principal = await _iam.GetPrincipalAsync(type, name, cancellationToken).ConfigureAwait(false);
            Guard(principal);
            var user = type == IamPrincipalType.User;
            var tags = await _iam.ListTagsAsync(type, principal.Name, cancellationToken).ConfigureAwait(false);
            var keys = user ? await _iam.ListAccessKeysAsync(principal.Name, cancellationToken).ConfigureAwait(false) : Array.Empty<IamAccessKeyInfo>();
            var denyArn = DenyAllArn(principal.Arn);
            var policies = recordPolicies?.ToList() ?? new List<string>();
            var contained = tags.Keys.Any(k => k.StartsWith(TagPrefix, StringComparison.Ordinal)) || recordKeys != null || policies.Count > 0;
            var toReactivate = KeysOf(tags).Concat(recordKeys ?? Enumerable.Empty<string>()).Distinct(StringComparer.Ordinal).ToList();
            var denyRecorded = tags.ContainsKey(DenyTag) || policies.Contains(denyArn) || policies.Contains(InlineDenyPolicyName);
            var loginDeleted = Tag(tags, LoginProfileTag) == "deleted" || recordLoginProfileDeleted;

            var plan = new ResponsePlan(_time);
            var record = new IamContainmentRecord("Undo", principal, _time.GetUtcNow(), plan.Steps);
            var what = principal.Type.ToString().ToLowerInvariant();

            if (denyRecorded) AddRemoveDenyStep(plan, record, principal, denyArn);
            else plan.Skip("RemoveDenyAll", principal.Name, "Remove the deny-all policy containment applied.", $"No containment deny-all is recorded for the {what} (no pssoc:deny tag, no record).");

            if (user)
            {
                if (toReactivate.Count == 0) plan.Skip("ReactivateAccessKey", principal.Name, "Set Active again the keys containment deactivated.", "No key deactivated by a containment is recorded.");
                foreach (var id in toReactivate)
                {
                    var key = keys.FirstOrDefault(k => k.AccessKeyId == id);
                    if (key is null)
                    {
                        plan.Skip("ReactivateAccessKey", id, $"Set access key {id} Active again.", "The user no longer has this key (deleted since the containment).");
                        continue;
                    }
                    plan.Add("ReactivateAccessKey", id, $"Set access key {id} of user {principal.Name} Active again (it was Active before the containment).", async ct =>
                    {
                        if (key.IsActive) return ResponseStepResult.AlreadyDone("It is Active.");
                        await _iam.UpdateAccessKeyAsync(principal.Name, id, "Active", ct).ConfigureAwait(false);
                        record.ReactivatedAccessKeyIds.Add(id);
                        return ResponseStepResult.Done("Active again.");
                    });
                }
                if (loginDeleted)
                {
                    record.LoginProfileDeleted = true;
                    plan.Skip("RestoreLoginProfile", principal.Name, "Give the user back a console password.",
                        $"The console password containment deleted cannot be restored. Once the investigation is over, set a new one (aws iam create-login-profile --user-name {principal.Name} --password-reset-required) and hand it to its owner.");
                }
            }

            if (removeSessionRevocation)
            {
                plan.Add("RemoveSessionRevocation", principal.Name,
                    $"Delete inline policy {RevokePolicyName}: sessions issued before its time work again, the stolen ones among them.", async ct =>
                    {
                        var document = await _iam.GetPolicyAsync(type, principal.Name, RevokePolicyName, ct).ConfigureAwait(false);
                        if (document is null) return ResponseStepResult.AlreadyDone($"There is no {RevokePolicyName} policy.");
                        await _iam.DeletePolicyAsync(type, principal.Name, RevokePolicyName, ct).ConfigureAwait(false);
                        record.RemovedPolicies.Add(RevokePolicyName);
                        return ResponseStepResult.Done($"Deleted. Sessions issued before the revocation are valid again until they expire, including any an attacker still holds.");
                    });
            }
            else if (contained)
            {
                plan.Skip("RemoveSessionRevocation", principal.Name, $"Delete inline policy {RevokePolicyName}.",
                    $"Kept: removing {RevokePolicyName} would let the sessions issued before the containment work again, the stolen ones among them. " +
                    "It stops nothing issued since; run again with -RemoveSessionRevocation once those old sessions have expired.");
            }

            var ours = tags.Keys.Where(k => k.StartsWith(TagPrefix, StringComparison.Ordinal)).ToList();
            plan.Add("RemoveRecord", principal.Name, $"Remove the containment record (the pssoc: tags) from the {what}.", async ct =>
            {
                if (ours.Count == 0) return ResponseStepResult.AlreadyDone("No pssoc: tags.");
                await _iam.UntagAsync(type, principal.Name, ours, ct).ConfigureAwait(false);
                return ResponseStepResult.Done("Removed " + string.Join(", ", ours) + ".");
            });
            return new IamContainmentPlan(plan, record);
        }

        private static void Guard(IamPrincipalInfo principal)
        {
            if (principal.Arn.EndsWith(":root", StringComparison.Ordinal))
                throw Refused(IamContainmentRefusal.Root, "IAM policies cannot restrict the account's root user; secure its credentials and MFA instead.");
            if (principal.IsServiceLinked)
                throw Refused(IamContainmentRefusal.ServiceLinkedRole,
                    $"Role {principal.Name} is service-linked (path {principal.Path}): only its AWS service may change it, and IAM refuses every change (UnmodifiableEntity). " +
                    "Contain the resources that use it instead.");
        }

        private static bool IsSelf(IamPrincipalInfo principal, string? callerArn)
        {
            if (string.IsNullOrEmpty(callerArn)) return false;
            if (string.Equals(principal.Arn, callerArn, StringComparison.OrdinalIgnoreCase)) return true;
            var caller = IamContainmentTarget.FromArn(callerArn);
            // IAM names are unique ignoring case within an account.
            return caller?.Type == principal.Type && string.Equals(caller.Name, principal.Name, StringComparison.OrdinalIgnoreCase);
        }

        private static string? Tag(IReadOnlyDictionary<string, string> tags, string key) => tags.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

        private static IEnumerable<string> KeysOf(IReadOnlyDictionary<string, string> tags) =>
            (Tag(tags, DeactivatedKeysTag) ?? string.Empty).Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(k => k.Trim()).Where(k => k.Length > 0);

        /// <summary>A comma list within a tag value's 256 characters; the newest keys are kept when rotations made it longer.</summary>
        private static string JoinKeys(IReadOnlyList<string> keys)
        {
            var kept = keys.ToList();
            while (kept.Count > 1 && string.Join(",", kept).Length > MaxTagValue) kept.RemoveAt(0);
            return string.Join(",", kept);
        }

        private static void Note(IList<string> list, string value)
        {
            if (!list.Contains(value)) list.Add(value);
        }

        private void AddRecordStep(ResponsePlan plan, IamPrincipalInfo principal, IReadOnlyDictionary<string, string> existing, IReadOnlyDictionary<string, string> desired)
        {
            var what = principal.Type.ToString().ToLowerInvariant();
            plan.Add("RecordOnPrincipal", principal.Name,
                $"Write the containment record to the {what} as pssoc: tags (when, the keys deactivated, the deny-all policy), so Undo-IamContainment can work from the {what} alone.", async ct =>
                {
                    var changed = desired.Where(d => !existing.TryGetValue(d.Key, out var value) || value != d.Value).ToList();
                    if (changed.Count == 0) return ResponseStepResult.AlreadyDone("The tags were there.");
                    try
                    {
                        await _iam.TagAsync(principal.Type, principal.Name, changed, ct).ConfigureAwait(false);
                    }
                    catch (SocApiException ex) when (ex.VendorType == "LimitExceeded")
                    {
                        // The record is a convenience; containment must not wait for it.
                        return ResponseStepResult.Skipped($"The {what} has too many tags for the record ({ex.VendorReason}); keep this command's output for Undo-IamContainment -InputObject.");
                    }
                    return ResponseStepResult.Done("Tagged " + string.Join(", ", changed.Select(c => c.Key)) + ".");
                });
        }

        private void AddDeactivateStep(ResponsePlan plan, IamContainmentRecord record, IamPrincipalInfo user, IamAccessKeyInfo key)
        {
            plan.Add("DeactivateAccessKey", key.AccessKeyId,
                $"Set access key {key.AccessKeyId} of user {user.Name} Inactive (UpdateAccessKey): kept, not deleted, so CloudTrail still names it and undo can turn it on again.", async ct =>
                {
                    if (!key.IsActive) return ResponseStepResult.AlreadyDone("It was already Inactive.");
                    await _iam.UpdateAccessKeyAsync(user.Name, key.AccessKeyId, "Inactive", ct).ConfigureAwait(false);
                    Note(record.DeactivatedAccessKeyIds, key.AccessKeyId);
                    return ResponseStepResult.Done("Inactive; it was Active.");
                });
        }

        private void AddDeleteLoginProfileStep(ResponsePlan plan, IamContainmentRecord record, IamPrincipalInfo user)
        {
            const string cannotRestore = "It cannot be restored: once the investigation is over, set a new one (aws iam create-login-profile --password-reset-required).";
            plan.Add("DeleteLoginProfile", user.Name,
                $"Delete the console password of user {user.Name} (DeleteLoginProfile): IAM has no way to disable one, and a deleted password cannot be restored, only replaced.", async ct =>
                {
                    if (!await _iam.HasLoginProfileAsync(user.Name, ct).ConfigureAwait(false))
                        return ResponseStepResult.AlreadyDone("The user has no console password" + (record.LoginProfileDeleted ? " (an earlier containment deleted it). " + cannotRestore : "."));
                    try
                    {
                        await _iam.DeleteLoginProfileAsync(user.Name, ct).ConfigureAwait(false);
                    }
                    catch (SocApiException ex) when (IamClient.IsNoSuchEntity(ex))
                    {
                        return ResponseStepResult.AlreadyDone("The console password was deleted meanwhile. " + cannotRestore);
                    }
                    record.LoginProfileDeleted = true;
                    return ResponseStepResult.Done("Console password deleted. " + cannotRestore);
                });
        }

        private void AddDenyStep(ResponsePlan plan, IamContainmentRecord record, IamPrincipalInfo principal, string denyArn)
        {
            var what = principal.Type.ToString().ToLowerInvariant();
            plan.Add("DenyAll", principal.Name,
                $"Deny every action to the {what}: attach {denyArn}, or inline policy {InlineDenyPolicyName} when its managed policy quota is full.", async ct =>
                {
                    var attached = await _iam.ListAttachedPolicyArnsAsync(principal.Type, principal.Name, ct).ConfigureAwait(false);
                    if (attached.Contains(denyArn))
                    {
                        Note(record.AppliedPolicies, denyArn);
                        return ResponseStepResult.AlreadyDone("AWSDenyAll is attached.");
                    }
                    var inline = await _iam.ListPolicyNamesAsync(principal.Type, principal.Name, ct).ConfigureAwait(false);
                    if (inline.Contains(InlineDenyPolicyName))
                    {
                        Note(record.AppliedPolicies, InlineDenyPolicyName);
                        return ResponseStepResult.AlreadyDone($"Inline policy {InlineDenyPolicyName} is there.");
                    }
                    try
                    {
                        await _iam.AttachPolicyAsync(principal.Type, principal.Name, denyArn, ct).ConfigureAwait(false);
                        Note(record.AppliedPolicies, denyArn);
                        return ResponseStepResult.Done("AWSDenyAll attached.");
                    }
                    catch (SocApiException ex) when (ex.VendorType == "LimitExceeded")
                    {
                        await _iam.PutPolicyAsync(principal.Type, principal.Name, InlineDenyPolicyName, DenyAllDocument, ct).ConfigureAwait(false);
                        Note(record.AppliedPolicies, InlineDenyPolicyName);
                        // The record said AWSDenyAll; say what is really there, for the undo.
                        await _iam.TagAsync(principal.Type, principal.Name, new[] { new KeyValuePair<string, string>(DenyTag, InlineDenyTagValue) }, ct).ConfigureAwait(false);
                        return ResponseStepResult.Done($"The managed policy quota is full ({attached.Count.ToString(CultureInfo.InvariantCulture)} attached): inline policy {InlineDenyPolicyName} denies everything instead.");
                    }
                });
        }

        private void AddRevokeStep(ResponsePlan plan, IamContainmentRecord record, IamPrincipalInfo principal, bool continuing, bool refresh)
        {
            var user = principal.Type == IamPrincipalType.User;
            plan.Add("RevokeOlderSessions", principal.Name,
                $"Deny everything to sessions issued before now: inline policy {RevokePolicyName}, as the IAM console's \"Revoke active sessions\"" +
                (user ? " (for a user: its GetSessionToken / GetFederationToken sessions; its keys are deactivated above)." : "."), async ct =>
                {
                    var existing = await _iam.GetPolicyAsync(principal.Type, principal.Name, RevokePolicyName, ct).ConfigureAwait(false);
                    if (existing != null && continuing && !refresh && RevokedBefore(existing) is DateTimeOffset kept)
                    {
                        record.SessionsRevokedBefore = kept;
                        Note(record.AppliedPolicies, RevokePolicyName);
                        return ResponseStepResult.AlreadyDone($"Sessions issued before {Format(kept)} are denied since this containment began; -RefreshSessionRevocation moves that to now.");
                    }
                    var now = _time.GetUtcNow();
                    var before = new DateTimeOffset(now.UtcDateTime.Ticks - now.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
                    await _iam.PutPolicyAsync(principal.Type, principal.Name, RevokePolicyName, RevokeDocument(before), ct).ConfigureAwait(false);
                    record.SessionsRevokedBefore = before;
                    Note(record.AppliedPolicies, RevokePolicyName);
                    return ResponseStepResult.Done(existing is null
                        ? $"Sessions issued before {Format(before)} are denied."
                        : $"Moved to now: sessions issued before {Format(before)} are denied (an earlier {RevokePolicyName} was there).");
                });
        }

        /// <summary>The aws:TokenIssueTime of a revocation document, or null when it is not one this module can read.</summary>
        private static DateTimeOffset? RevokedBefore(string document)
        {
            var match = System.Text.RegularExpressions.Regex.Match(document, "\"aws:TokenIssueTime\"\\s*:\\s*\"([^\"]+)\"");
            return match.Success && DateTimeOffset.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
                ? at : (DateTimeOffset?)null;
        }

        private void AddRemoveDenyStep(ResponsePlan plan, IamContainmentRecord record, IamPrincipalInfo principal, string denyArn)
        {
            plan.Add("RemoveDenyAll", principal.Name, $"Detach {denyArn} and delete inline policy {InlineDenyPolicyName}, whichever containment applied.", async ct =>
            {
                var removed = new List<string>();
                var attached = await _iam.ListAttachedPolicyArnsAsync(principal.Type, principal.Name, ct).ConfigureAwait(false);
                if (attached.Contains(denyArn))
                {
                    try
                    {
                        await _iam.DetachPolicyAsync(principal.Type, principal.Name, denyArn, ct).ConfigureAwait(false);
                    }
                    catch (SocApiException ex) when (IamClient.IsNoSuchEntity(ex))
                    {
                        // Detached meanwhile: the state this step sets.
                    }
                    removed.Add(denyArn);
                }
                var inline = await _iam.ListPolicyNamesAsync(principal.Type, principal.Name, ct).ConfigureAwait(false);
                if (inline.Contains(InlineDenyPolicyName))
                {
                    try
                    {
                        await _iam.DeletePolicyAsync(principal.Type, principal.Name, InlineDenyPolicyName, ct).ConfigureAwait(false);
                    }
                    catch (SocApiException ex) when (IamClient.IsNoSuchEntity(ex))
                    {
                    }
                    removed.Add(InlineDenyPolicyName);
                }
                foreach (var policy in removed) record.RemovedPolicies.Add(policy);
                return removed.Count == 0 ? ResponseStepResult.AlreadyDone("No deny-all policy is there.") : ResponseStepResult.Done("Removed " + string.Join(", ", removed) + ".");
            });
        }
    }
}
