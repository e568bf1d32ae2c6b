using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Aws.AutoScaling;
using PSSocAutomation.Aws.Elbv2;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>
    /// Plans the isolation of one instance (aws-api.md 4.3) as a <see cref="ResponsePlan"/>, in an order where nothing
    /// can terminate or replace the instance before its evidence is kept and the network cut comes last: record the
    /// original state on the instance, protect it, snapshot it, take it out of its Auto Scaling group and target
    /// groups, then move every interface to an all-access group and on to the isolation group of its VPC (so tracked
    /// connections are cut too), optionally remove its instance profile, verify, and mark the record complete.
    /// Planning reads; only running the plan changes anything. A second isolation of the same instance continues the
    /// record its tags hold and finds every step already done.
    /// </summary>
    public sealed partial class Ec2Isolation
    {
        public const string IsolationGroupTag = "pssoc:isolation-group";
        public const string AllAccessGroupTag = "pssoc:all-access-for";
        public const string SnapshotTag = "pssoc:isolation";

        private readonly Ec2Client _ec2;
        private readonly AutoScalingClient _autoScaling;
        private readonly Elbv2Client _elbv2;
        private readonly TimeProvider _time;

        public Ec2Isolation(Ec2Client ec2, AutoScalingClient autoScaling, Elbv2Client elbv2, TimeProvider time)
        {
            _ec2 = ec2;
            _autoScaling = autoScaling;
            _elbv2 = elbv2;
            _time = time;
        }

        public Ec2InstanceReader Reader => new Ec2InstanceReader(_ec2, _autoScaling, _elbv2);

        /// <summary>The isolation group's name in a VPC (group names are unique per VPC).</summary>
        public static string IsolationGroupName(string vpcId) => "pssoc-isolation-" + vpcId;

        public static string AllAccessGroupName(string instanceId) => "pssoc-all-access-" + instanceId;

        /// <summary>Reads the instance and plans its isolation; the record the plan fills is returned with it.</summary>
        public async Task<(Ec2IsolationRecord Record, ResponsePlan Plan)> PlanAsync(string instanceId, Ec2IsolationOptions options, CancellationToken cancellationToken)
        {
            var instance = await Reader.ReadAsync(instanceId, null, cancellationToken).ConfigureAwait(false);
            if (instance.State == "terminated" || instance.State == "shutting-down")
                throw new Ec2IsolationException(Ec2IsolationProblem.InstanceGone, $"Instance {instanceId} is {instance.State}; there is nothing left to isolate.");
            foreach (var eni in instance.NetworkInterfaces)
                if (eni.VpcId is null)
                    throw new Ec2IsolationException(Ec2IsolationProblem.Unsupported, $"Interface {eni.NetworkInterfaceId} of {instanceId} is in no VPC; isolation works on VPC security groups only.");

            var existing = instance.Isolation;
            var record = existing ?? NewRecord(instance, options);
            if (existing != null && existing.FindingId is null) existing.FindingId = options.FindingId;
            var plan = new ResponsePlan(_time);
            var target = instanceId;

            // 1. The record goes on the instance before the first change, so undo always has the original groups.
            plan.Add("RecordOriginalState", target, "Tag the instance with its original groups, fleet memberships, profile and protections (pssoc: tags)", async ct =>
            {
                if (existing != null) return ResponseStepResult.AlreadyDone("recorded by isolation " + existing.IsolationId);
                await _ec2.CreateTagsAsync(new[] { instanceId }, Ec2IsolationTags.Write(record), ct).ConfigureAwait(false);
                return ResponseStepResult.Done("isolation " + record.IsolationId);
            });

            // 2. Protect: nothing may terminate or stop it, a shutdown from inside stops it, and its volumes outlive it.
            plan.Add("TerminationProtection", target, "Turn on termination protection (DisableApiTermination)", ct =>
                Flag(instance.TerminationProtection == true, () => _ec2.SetInstanceAttributeAsync(instanceId, "DisableApiTermination", "true", ct)));
            plan.Add("StopProtection", target, "Turn on stop protection (DisableApiStop)", ct =>
                Flag(instance.StopProtection == true, () => _ec2.SetInstanceAttributeAsync(instanceId, "DisableApiStop", "true", ct)));
            plan.Add("ShutdownBehaviorStop", target, "Make a shutdown from inside the instance stop it, not terminate it", ct =>
                Flag(instance.ShutdownBehavior == "stop", () => _ec2.SetInstanceAttributeAsync(instanceId, "InstanceInitiatedShutdownBehavior", "stop", ct)));
            var deletable = instance.Volumes.Where(v => v.DeleteOnTermination == true).Select(v => v.DeviceName).ToList();
            plan.Add("KeepVolumesOnTermination", target, "Keep every volume when the instance is terminated (DeleteOnTermination false)", async ct =>
            {
                if (deletable.Count == 0) return ResponseStepResult.AlreadyDone("no volume is deleted on termination");
                await _ec2.SetDeleteOnTerminationAsync(instanceId, deletable, false, ct).ConfigureAwait(false);
                return ResponseStepResult.Done(string.Join(", ", deletable));
            });

            // 3. Evidence: CreateSnapshots is not idempotent, so the tag says whether this isolation already took them.
            if (!options.Snapshot)
                plan.Skip("Snapshot", target, "Snapshot every volume", "-NoSnapshot");
            else
                plan.Add("Snapshot", target, $"Snapshot every volume ({instance.Volumes.Count}), tagged {SnapshotTag}={SnapshotValue(record)}", async ct =>
                {
                    var found = await _ec2.SnapshotsTaggedAsync(SnapshotTag, SnapshotValue(record), ct).ConfigureAwait(false);
                    if (found.Count > 0)
                    {
                        Remember(record.Snapshots, found);
                        return ResponseStepResult.AlreadyDone(string.Join(", ", found));
                    }
                    var tags = new List<KeyValuePair<string, string>> { new KeyValuePair<string, string>(SnapshotTag, SnapshotValue(record)) };
                    if (record.FindingId != null && record.FindingId.Length <= Ec2IsolationTags.MaxValue)
                        tags.Add(new KeyValuePair<string, string>(Ec2IsolationTags.FindingKey, record.FindingId));
                    var made = await _ec2.CreateSnapshotsAsync(instanceId, "PSSocAutomation isolation " + record.IsolationId + " of " + instanceId, tags, ct).ConfigureAwait(false);
                    Remember(record.Snapshots, made);
                    return ResponseStepResult.Done(string.Join(", ", made));
                });

            // 4. Out of the fleet before the cut, or failing health checks make the group terminate and replace it.
            if (instance.AutoScalingGroupName is string group)
                plan.Add("DetachFromAutoScalingGroup", group, $"Detach {instanceId} from Auto Scaling group {group}, keeping its desired capacity (a replacement is launched)", async ct =>
                {
                    await _autoScaling.DetachAsync(group, instanceId, ct).ConfigureAwait(false);
                    return ResponseStepResult.Done();
                });
            else if (record.AutoScalingGroupName is string was)
                plan.Add("DetachFromAutoScalingGroup", was, $"Detach {instanceId} from Auto Scaling group {was}", _ =>
                    Task.FromResult(ResponseStepResult.AlreadyDone("no longer in the group")));
            else
                plan.Skip("DetachFromAutoScalingGroup", target, "Detach from its Auto Scaling group", "in no Auto Scaling group");

            var registrations = instance.TargetGroups.Select(r => new Ec2TargetRef(r.TargetGroupArn, r.Port)).ToList();
            foreach (var recorded in record.TargetGroups)
                if (!registrations.Any(r => r.TargetGroupArn == recorded.TargetGroupArn && r.Port == recorded.Port)) registrations.Add(recorded);
            if (registrations.Count == 0)
                plan.Skip("DeregisterFromTargetGroup", target, "Deregister from its target groups", "registered in no target group");
            foreach (var registration in registrations)
            {
                var live = instance.TargetGroups.Any(r => r.TargetGroupArn == registration.TargetGroupArn && r.Port == registration.Port);
                plan.Add("DeregisterFromTargetGroup", registration.ToString(), $"Deregister {instanceId} from target group {registration}", async ct =>
                {
                    if (!live) return ResponseStepResult.AlreadyDone("not registered");
                    await _elbv2.DeregisterAsync(registration.TargetGroupArn, instanceId, registration.Port, ct).ConfigureAwait(false);
                    return ResponseStepResult.Done();
                });
            }

            // 5. The network cut, per VPC of the interfaces.
            foreach (var vpc in instance.NetworkInterfaces.Select(n => n.VpcId!).Distinct(StringComparer.Ordinal))
                await PlanNetworkCutAsync(plan, record, instance, vpc, options, cancellationToken).ConfigureAwait(false);

            // 6. Credentials: without a profile the instance can get no new role credentials (those it has stay valid:
            // contain the role too).
            if (options.DisassociateInstanceProfile)
            {
                var association = instance.ProfileAssociation;
                if (association != null)
                    plan.Add("DisassociateInstanceProfile", association.AssociationId, $"Remove instance profile {association.InstanceProfileArn} from {instanceId}", async ct =>
                    {
                        try
                        {
                            await _ec2.DisassociateProfileAsync(association.AssociationId, ct).ConfigureAwait(false);
                        }
                        catch (SocApiException ex) when (ex.Kind == ApiFailureKind.NotFound)
                        {
                            return ResponseStepResult.AlreadyDone("the association was already gone");
                        }
                        return ResponseStepResult.Done(association.InstanceProfileArn);
                    });
                else if (record.InstanceProfileArn != null)
                    plan.Add("DisassociateInstanceProfile", target, "Remove the instance profile", _ => Task.FromResult(ResponseStepResult.AlreadyDone("no profile is associated")));
                else
                    plan.Skip("DisassociateInstanceProfile", target, "Remove the instance profile", "no instance profile");
            }

            // 7. Verify what EC2 now says, then mark the record complete.
            plan.Add("Verify", target, "Read the instance again: every interface is in its VPC's isolation group only", async ct =>
            {
                var now = await _ec2.DescribeInstanceAsync(instanceId, ct).ConfigureAwait(false);
                var wrong = now.NetworkInterfaces.Where(n => !(n.Groups.Count == 1 && record.IsolationGroups.TryGetValue(n.VpcId ?? string.Empty, out var sg) && n.Groups[0].GroupId == sg)).ToList();
                if (wrong.Count > 0)
                    throw new InvalidOperationException("EC2 shows " + string.Join("; ", wrong.Select(n => n.NetworkInterfaceId + " in " + string.Join(",", n.Groups.Select(g => g.GroupId)))) + ", not the isolation group only.");
                return ResponseStepResult.Done(string.Join("; ", now.NetworkInterfaces.Select(n => n.NetworkInterfaceId + ": " + n.Groups[0].GroupId)));
            });
            plan.Add("CompleteRecord", target, "Mark the record on the instance isolated, with the snapshots", async ct =>
            {
                record.State = "Isolated";
                var tags = Ec2IsolationTags.Write(record);
                var missing = tags.Where(t => !instance.Tags.TryGetValue(t.Key, out var v) || v != t.Value).ToList();
                if (missing.Count == 0) return ResponseStepResult.AlreadyDone();
                await _ec2.CreateTagsAsync(new[] { instanceId }, missing, ct).ConfigureAwait(false);
                return ResponseStepResult.Done();
            });
            record.Steps = plan.Steps;
            return (record, plan);
        }

        private Ec2IsolationRecord NewRecord(Ec2Instance instance, Ec2IsolationOptions options)
        {
            var record = new Ec2IsolationRecord(instance.InstanceId, instance.Region, _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture))
            {
                Name = instance.Name,
                FindingId = options.FindingId,
                AutoScalingGroupName = instance.AutoScalingGroupName,
                InstanceProfileArn = instance.ProfileAssociation?.InstanceProfileArn ?? instance.InstanceProfileArn,
                TerminationProtectionBefore = instance.TerminationProtection,
                StopProtectionBefore = instance.StopProtection,
                ShutdownBehaviorBefore = instance.ShutdownBehavior,
            };
            foreach (var eni in instance.NetworkInterfaces) record.OriginalGroups[eni.NetworkInterfaceId] = eni.Groups.Select(g => g.GroupId).ToArray();
            record.TargetGroups.AddRange(instance.TargetGroups.Select(r => new Ec2TargetRef(r.TargetGroupArn, r.Port)));
            record.DeleteOnTerminationBefore.AddRange(instance.Volumes.Where(v => v.DeleteOnTermination == true).Select(v => v.DeviceName));
            return record;
        }

        private async Task PlanNetworkCutAsync(ResponsePlan plan, Ec2IsolationRecord record, Ec2Instance instance, string vpc, Ec2IsolationOptions options, CancellationToken cancellationToken)
        {
            var isolationId = (await _ec2.GroupsTaggedAsync(vpc, IsolationGroupTag, vpc, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            if (isolationId != null) record.IsolationGroups[vpc] = isolationId;
            var interfaces = instance.NetworkInterfaces.Where(n => n.VpcId == vpc).ToList();
            var toMove = interfaces.Where(n => !(isolationId != null && n.Groups.Count == 1 && n.Groups[0].GroupId == isolationId)).ToList();

            plan.Add("PrepareIsolationGroup", vpc, $"Find or create the isolation group {IsolationGroupName(vpc)} of {vpc}, with no rules at all", async ct =>
            {
                var created = false;
                var id = isolationId;
                if (id is null)
                {
                    try
                    {
                        id = await _ec2.CreateSecurityGroupAsync(vpc, IsolationGroupName(vpc), "PSSocAutomation isolation: no inbound or outbound traffic",
                            new[] { new KeyValuePair<string, string>(IsolationGroupTag, vpc), new KeyValuePair<string, string>("Name", IsolationGroupName(vpc)) }, ct).ConfigureAwait(false);
                        created = true;
                    }
                    catch (SocApiException ex) when (ex.VendorType == "InvalidGroup.Duplicate")
                    {
                        // Made by an earlier run whose tag was removed: the name is unique per VPC, so it is that group.
                        id = await _ec2.GroupNamedAsync(vpc, IsolationGroupName(vpc), ct).ConfigureAwait(false);
                        if (id is null) throw;
                    }
                }
                record.IsolationGroups[vpc] = id;
                // A new group allows all outbound traffic; an old one may have been given rules since. Revoke by rule id.
                var rules = await _ec2.RulesAsync(id, ct).ConfigureAwait(false);
                var egress = rules.Where(r => r.IsEgress).Select(r => r.RuleId).ToList();
                var ingress = rules.Where(r => !r.IsEgress).Select(r => r.RuleId).ToList();
                if (egress.Count > 0) await _ec2.RevokeRulesAsync(id, true, egress, ct).ConfigureAwait(false);
                if (ingress.Count > 0) await _ec2.RevokeRulesAsync(id, false, ingress, ct).ConfigureAwait(false);
                var detail = id + (created ? " created" : " found") + (rules.Count > 0 ? ", " + rules.Count.ToString(CultureInfo.InvariantCulture) + " rule(s) revoked" : ", no rules");
                return created || rules.Count > 0 ? ResponseStepResult.Done(detail) : ResponseStepResult.AlreadyDone(detail);
            });

            var flush = options.FlushTrackedConnections && toMove.Count > 0;
            string? allAccess = null;
            if (flush)
                plan.Add("CreateAllAccessGroup", vpc, $"Find or create the all-access group {AllAccessGroupName(instance.InstanceId)} (every protocol in and out), so tracked connections become untracked", async ct =>
                {
                    allAccess = (await _ec2.GroupsTaggedAsync(vpc, AllAccessGroupTag, instance.InstanceId, ct).ConfigureAwait(false)).FirstOrDefault();
                    var created = allAccess is null;
                    if (allAccess is null)
                    {
                        try
                        {
                            allAccess = await _ec2.CreateSecurityGroupAsync(vpc, AllAccessGroupName(instance.InstanceId), "PSSocAutomation isolation step: all traffic, removed after the move",
                                new[] { new KeyValuePair<string, string>(AllAccessGroupTag, instance.InstanceId) }, ct).ConfigureAwait(false);
                        }
                        catch (SocApiException ex) when (ex.VendorType == "InvalidGroup.Duplicate")
                        {
                            allAccess = await _ec2.GroupNamedAsync(vpc, AllAccessGroupName(instance.InstanceId), ct).ConfigureAwait(false);
                            if (allAccess is null) throw;
                            created = false;
                        }
                    }
                    // Add only what is missing: authorizing the default egress rule again is InvalidPermission.Duplicate.
                    var rules = await _ec2.RulesAsync(allAccess, ct).ConfigureAwait(false);
                    bool Has(bool egress, bool v6) => rules.Any(r => r.IsEgress == egress && r.Protocol == "-1" && (v6 ? r.CidrIpv6 == "::/0" : r.CidrIpv4 == "0.0.0.0/0"));
                    foreach (var egress in new[] { false, true })
                    {
                        bool v4 = !Has(egress, false), v6 = !Has(egress, true);
                        if (v4 || v6) await _ec2.AuthorizeAllAsync(allAccess, egress, v4, v6, ct).ConfigureAwait(false);
                    }
                    return ResponseStepResult.Done(allAccess + (created ? " created" : " found"));
                });

            foreach (var eni in interfaces)
            {
                var moving = toMove.Contains(eni);
                if (flush && moving)
                    plan.Add("MoveToAllAccessGroup", eni.NetworkInterfaceId, $"Move {eni.NetworkInterfaceId} (now {string.Join(",", eni.Groups.Select(g => g.GroupId))}) to the all-access group", async ct =>
                    {
                        await _ec2.SetInterfaceGroupsAsync(eni.NetworkInterfaceId, new[] { allAccess! }, ct).ConfigureAwait(false);
                        return ResponseStepResult.Done(allAccess);
                    });
                plan.Add("MoveToIsolationGroup", eni.NetworkInterfaceId, $"Move {eni.NetworkInterfaceId} to the isolation group of {vpc} only", async ct =>
                {
                    if (!moving) return ResponseStepResult.AlreadyDone(record.IsolationGroups[vpc]);
                    await _ec2.SetInterfaceGroupsAsync(eni.NetworkInterfaceId, new[] { record.IsolationGroups[vpc] }, ct).ConfigureAwait(false);
                    return ResponseStepResult.Done(record.IsolationGroups[vpc]);
                });
            }

            if (flush)
                plan.Add("DeleteAllAccessGroup", vpc, "Delete the all-access group, now that no interface uses it", async ct =>
                {
                    try
                    {
                        await _ec2.DeleteSecurityGroupAsync(allAccess!, ct).ConfigureAwait(false);
                    }
                    catch (SocApiException ex) when (ex.Kind == ApiFailureKind.NotFound)
                    {
                        return ResponseStepResult.AlreadyDone("already gone");
                    }
                    return ResponseStepResult.Done(allAccess);
                });
        }

        private static string SnapshotValue(Ec2IsolationRecord record) => record.InstanceId + " " + record.IsolationId;

        private static async Task<ResponseStepResult> Flag(bool alreadySet, Func<Task> set)
        {
            if (alreadySet) return ResponseStepResult.AlreadyDone();
            await set().ConfigureAwait(false);
            return ResponseStepResult.Done();
        }

        private static void Remember(List<string> into, IEnumerable<string> ids)
        {
            foreach (var id in ids)
                if (!into.Contains(id)) into.Add(id);
        }
    }
}
