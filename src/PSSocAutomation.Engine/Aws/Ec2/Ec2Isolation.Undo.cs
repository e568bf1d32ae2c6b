using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>
    /// The release of an isolated instance (<see cref="PlanUndoAsync"/>) from its record (the one an isolation returned,
    /// or the one its tags hold): every interface gets exactly its original groups back, a leftover all-access group is removed, and, when
    /// asked, the fleet memberships, the instance profile and the protections are restored. Snapshots are evidence and
    /// stay unless asked. The pssoc: tags go last, so an undo that stops half-way can be run again.
    /// </summary>
    public sealed partial class Ec2Isolation
    {
        /// <summary><paramref name="record"/> null: the one the instance's tags hold (none there is <see cref="Ec2IsolationProblem.NoRecord"/>).</summary>
        public async Task<(Ec2IsolationRecord Record, ResponsePlan Plan)> PlanUndoAsync(string instanceId, Ec2IsolationRecord? record, Ec2IsolationUndoOptions options, CancellationToken cancellationToken)
        {
            var instance = await Reader.ReadAsync(instanceId, null, cancellationToken).ConfigureAwait(false);
            if (instance.State == "terminated")
                throw new Ec2IsolationException(Ec2IsolationProblem.InstanceGone, $"Instance {instanceId} is terminated; there is nothing to release.");
            record ??= instance.Isolation
                ?? throw new Ec2IsolationException(Ec2IsolationProblem.NoRecord,
                    $"Instance {instanceId} carries no isolation record (no {Ec2IsolationTags.IsolationKey} tag) and none was given; pipe the record Invoke-Ec2Isolation returned.");
            if (record.OriginalGroups.Count == 0)
                throw new Ec2IsolationException(Ec2IsolationProblem.Unsupported, $"The isolation record of {instanceId} names no interface and its groups; nothing can be restored from it.");
            var plan = new ResponsePlan(_time);

            foreach (var pair in record.OriginalGroups)
            {
                var eni = instance.NetworkInterfaces.FirstOrDefault(n => n.NetworkInterfaceId == pair.Key);
                var original = pair.Value;
                if (eni is null)
                {
                    plan.Skip("RestoreGroups", pair.Key, "Put the original groups back", "the interface is no longer attached to " + instanceId);
                    continue;
                }
                var same = eni.Groups.Select(g => g.GroupId).OrderBy(g => g, StringComparer.Ordinal).SequenceEqual(original.OrderBy(g => g, StringComparer.Ordinal));
                plan.Add("RestoreGroups", eni.NetworkInterfaceId, $"Put {eni.NetworkInterfaceId} back in {string.Join(",", original)}", async ct =>
                {
                    if (same) return ResponseStepResult.AlreadyDone(string.Join(",", original));
                    await _ec2.SetInterfaceGroupsAsync(eni.NetworkInterfaceId, original, ct).ConfigureAwait(false);
                    return ResponseStepResult.Done(string.Join(",", original));
                });
            }

            // An isolation that stopped between its two moves leaves its all-access group behind.
            foreach (var vpc in instance.NetworkInterfaces.Select(n => n.VpcId).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                var leftovers = await _ec2.GroupsTaggedAsync(vpc, AllAccessGroupTag, instanceId, cancellationToken).ConfigureAwait(false);
                foreach (var group in leftovers)
                    plan.Add("DeleteAllAccessGroup", group, $"Delete the all-access group {group} an interrupted isolation left", async ct =>
                    {
                        try
                        {
                            await _ec2.DeleteSecurityGroupAsync(group, ct).ConfigureAwait(false);
                        }
                        catch (SocApiException ex) when (ex.Kind == ApiFailureKind.NotFound)
                        {
                            return ResponseStepResult.AlreadyDone("already gone");
                        }
                        return ResponseStepResult.Done();
                    });
            }

            PlanFleet(plan, record, instance, options.Reattach);
            PlanProtection(plan, record, instance, options.RemoveProtection);

            if (record.Snapshots.Count > 0 && !options.RemoveSnapshots)
                plan.Skip("KeepSnapshots", instanceId, "Keep the forensic snapshots", "kept as evidence: " + string.Join(", ", record.Snapshots) + " (-RemoveSnapshot deletes them once the case is closed)");
            if (options.RemoveSnapshots)
                foreach (var snapshot in record.Snapshots)
                    plan.Add("DeleteSnapshot", snapshot, $"Delete forensic snapshot {snapshot}", async ct =>
                    {
                        try
                        {
                            await _ec2.DeleteSnapshotAsync(snapshot, ct).ConfigureAwait(false);
                        }
                        catch (SocApiException ex) when (ex.Kind == ApiFailureKind.NotFound)
                        {
                            return ResponseStepResult.AlreadyDone("already gone");
                        }
                        return ResponseStepResult.Done();
                    });

            var keys = Ec2IsolationTags.KeysOn(instance.Tags);
            plan.Add("RemoveRecord", instanceId, "Remove the pssoc: isolation tags from the instance", async ct =>
            {
                if (keys.Count == 0) return ResponseStepResult.AlreadyDone("no pssoc: tags");
                await _ec2.DeleteTagsAsync(instanceId, keys, ct).ConfigureAwait(false);
                return ResponseStepResult.Done(keys.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " tag(s)");
            });
            record.Steps = plan.Steps;
            return (record, plan);
        }

        private void PlanFleet(ResponsePlan plan, Ec2IsolationRecord record, Ec2Instance instance, bool reattach)
        {
            var id = instance.InstanceId;
            if (record.AutoScalingGroupName is string group)
            {
                if (!reattach) plan.Skip("AttachToAutoScalingGroup", group, $"Attach to Auto Scaling group {group}", "not asked (-Reattach)");
                else
                    plan.Add("AttachToAutoScalingGroup", group, $"Attach {id} to Auto Scaling group {group} again (its desired capacity grows by one)", async ct =>
                    {
                        if (instance.AutoScalingGroupName != null) return ResponseStepResult.AlreadyDone("in " + instance.AutoScalingGroupName);
                        await _autoScaling.AttachAsync(group, id, ct).ConfigureAwait(false);
                        return ResponseStepResult.Done();
                    });
            }
            foreach (var registration in record.TargetGroups)
            {
                if (!reattach)
                {
                    plan.Skip("RegisterWithTargetGroup", registration.ToString(), "Register in the target group", "not asked (-Reattach)");
                    continue;
                }
                var live = instance.TargetGroups.Any(r => r.TargetGroupArn == registration.TargetGroupArn && r.Port == registration.Port);
                plan.Add("RegisterWithTargetGroup", registration.ToString(), $"Register {id} in target group {registration} again", async ct =>
                {
                    if (live) return ResponseStepResult.AlreadyDone();
                    await _elbv2.RegisterAsync(registration.TargetGroupArn, id, registration.Port, ct).ConfigureAwait(false);
                    return ResponseStepResult.Done();
                });
            }
            if (record.InstanceProfileArn is string profile && instance.ProfileAssociation is null)
            {
                if (!reattach) plan.Skip("AssociateInstanceProfile", id, $"Associate instance profile {profile}", "not asked (-Reattach)");
                else
                    plan.Add("AssociateInstanceProfile", id, $"Associate instance profile {profile} again", async ct =>
                    {
                        await _ec2.AssociateProfileAsync(id, profile, ct).ConfigureAwait(false);
                        return ResponseStepResult.Done(profile);
                    });
            }
        }

        private void PlanProtection(ResponsePlan plan, Ec2IsolationRecord record, Ec2Instance instance, bool remove)
        {
            var id = instance.InstanceId;
            if (!remove)
            {
                plan.Skip("RestoreProtection", id, "Put the protections back as they were", "kept (-RemoveProtection restores them)");
                return;
            }
            if (record.TerminationProtectionBefore == false)
                plan.Add("TerminationProtection", id, "Turn termination protection off again", async ct =>
                {
                    if (instance.TerminationProtection == false) return ResponseStepResult.AlreadyDone();
                    await _ec2.SetInstanceAttributeAsync(id, "DisableApiTermination", "false", ct).ConfigureAwait(false);
                    return ResponseStepResult.Done();
                });
            if (record.StopProtectionBefore == false)
                plan.Add("StopProtection", id, "Turn stop protection off again", async ct =>
                {
                    if (instance.StopProtection == false) return ResponseStepResult.AlreadyDone();
                    await _ec2.SetInstanceAttributeAsync(id, "DisableApiStop", "false", ct).ConfigureAwait(false);
                    return ResponseStepResult.Done();
                });
            if (record.ShutdownBehaviorBefore is string behaviour)
                plan.Add("ShutdownBehavior", id, $"Put the shutdown behaviour back to {behaviour}", async ct =>
                {
                    if (instance.ShutdownBehavior == behaviour) return ResponseStepResult.AlreadyDone();
                    await _ec2.SetInstanceAttributeAsync(id, "InstanceInitiatedShutdownBehavior", behaviour, ct).ConfigureAwait(false);
                    return ResponseStepResult.Done();
                });
            var devices = record.DeleteOnTerminationBefore.Where(d => instance.Volumes.Any(v => v.DeviceName == d && v.DeleteOnTermination == false)).ToList();
            if (record.DeleteOnTerminationBefore.Count > 0)
                plan.Add("DeleteVolumesOnTermination", id, "Delete the volumes on termination again, as before: " + string.Join(", ", record.DeleteOnTerminationBefore), async ct =>
                {
                    if (devices.Count == 0) return ResponseStepResult.AlreadyDone();
                    await _ec2.SetDeleteOnTerminationAsync(id, devices, true, ct).ConfigureAwait(false);
                    return ResponseStepResult.Done(string.Join(", ", devices));
                });
        }
    }
}
