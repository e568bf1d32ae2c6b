using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>
    /// The isolation record as tags on the instance, under pssoc: keys. A tag value holds at most 256 characters, so a
    /// list that is longer (an interface with many groups, many target groups or snapshots) continues in key#2, key#3
    /// ..., split between items, and is joined again on reading.
    /// </summary>
    public static class Ec2IsolationTags
    {
        public const string Prefix = "pssoc:";
        public const string IsolationKey = "pssoc:isolation";
        public const string GroupsPrefix = "pssoc:sg:";
        public const string AutoScalingKey = "pssoc:asg";
        public const string TargetGroupsKey = "pssoc:tg";
        public const string ProfileKey = "pssoc:profile";
        public const string BeforeKey = "pssoc:before";
        public const string SnapshotsKey = "pssoc:snapshots";
        public const string FindingKey = "pssoc:finding";
        public const int MaxValue = 256;

        /// <summary>The tags that hold <paramref name="record"/>.</summary>
        public static IReadOnlyList<KeyValuePair<string, string>> Write(Ec2IsolationRecord record)
        {
            var tags = new List<KeyValuePair<string, string>> { Tag(IsolationKey, record.IsolationId + " " + StateWord(record.State)) };
            foreach (var pair in record.OriginalGroups) tags.AddRange(Split(GroupsPrefix + pair.Key, pair.Value));
            if (record.AutoScalingGroupName != null) tags.Add(Tag(AutoScalingKey, record.AutoScalingGroupName));
            if (record.TargetGroups.Count > 0) tags.AddRange(Split(TargetGroupsKey, record.TargetGroups.Select(t => t.ToString())));
            if (record.InstanceProfileArn != null) tags.Add(Tag(ProfileKey, record.InstanceProfileArn));
            var before = new List<string>();
            if (record.TerminationProtectionBefore is bool t) before.Add("termination=" + (t ? "true" : "false"));
            if (record.StopProtectionBefore is bool s) before.Add("stop=" + (s ? "true" : "false"));
            if (record.ShutdownBehaviorBefore != null) before.Add("shutdown=" + record.ShutdownBehaviorBefore);
            before.AddRange(record.DeleteOnTerminationBefore.Select(d => "delete=" + d));
            if (before.Count > 0) tags.AddRange(Split(BeforeKey, before));
            if (record.Snapshots.Count > 0) tags.AddRange(Split(SnapshotsKey, record.Snapshots));
            if (record.FindingId != null) tags.AddRange(Split(FindingKey, new[] { record.FindingId }));
            return tags;
        }

        /// <summary>The record the instance's tags hold, or null when it carries none.</summary>
        public static Ec2IsolationRecord? Read(Ec2Instance instance) => Read(instance.InstanceId, instance.Region, instance.Tags);

        public static Ec2IsolationRecord? Read(string instanceId, string region, IReadOnlyDictionary<string, string> tags)
        {
            if (!tags.TryGetValue(IsolationKey, out var head)) return null;
            var parts = head.Split(' ');
            var record = new Ec2IsolationRecord(instanceId, region, parts[0]) { State = parts.Length > 1 ? StateName(parts[1]) : "InProgress" };
            record.Name = tags.TryGetValue("Name", out var name) ? name : null;
            foreach (var key in tags.Keys.Where(k => k.StartsWith(GroupsPrefix, StringComparison.Ordinal) && k.IndexOf('#') < 0))
                record.OriginalGroups[key.Substring(GroupsPrefix.Length)] = Joined(tags, key).ToArray();
            record.AutoScalingGroupName = tags.TryGetValue(AutoScalingKey, out var asg) ? asg : null;
            foreach (var item in Joined(tags, TargetGroupsKey))
            {
                var at = item.LastIndexOf('@');
                if (at > 0 && int.TryParse(item.Substring(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                    record.TargetGroups.Add(new Ec2TargetRef(item.Substring(0, at), port));
            }
            record.InstanceProfileArn = tags.TryGetValue(ProfileKey, out var profile) ? profile : null;
            foreach (var item in Joined(tags, BeforeKey))
            {
                var eq = item.IndexOf('=');
                if (eq < 0) continue;
                var value = item.Substring(eq + 1);
                switch (item.Substring(0, eq))
                {
                    case "termination": record.TerminationProtectionBefore = value == "true"; break;
                    case "stop": record.StopProtectionBefore = value == "true"; break;
                    case "shutdown": record.ShutdownBehaviorBefore = value; break;
                    case "delete": record.DeleteOnTerminationBefore.Add(value); break;
                }
            }
            record.Snapshots.AddRange(Joined(tags, SnapshotsKey));
            var finding = string.Join(",", Joined(tags, FindingKey));
            record.FindingId = finding.Length == 0 ? null : finding;
            return record;
        }

        /// <summary>The pssoc: keys present on the instance (what undo removes).</summary>
        public static IReadOnlyList<string> KeysOn(IReadOnlyDictionary<string, string> tags) =>
            tags.Keys.Where(k => k.StartsWith(Prefix, StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal).ToList();

        /// <summary>
        /// A comma list as one tag, or as key, key#2 ... when it is longer than a tag value may be. An item longer than a
        /// whole value cannot be split between items and is refused, so a record is never written cut short.
        /// </summary>
        public static IEnumerable<KeyValuePair<string, string>> Split(string key, IEnumerable<string> items)
        {
            var parts = new List<string>();
            var current = new StringBuilder();
            foreach (var item in items)
            {
                if (item.Length > MaxValue) throw new ArgumentException($"'{item}' is longer than an EC2 tag value may be ({MaxValue} characters); it cannot be recorded under {key}.", nameof(items));
                if (current.Length > 0 && current.Length + 1 + item.Length > MaxValue)
                {
                    parts.Add(current.ToString());
                    current.Clear();
                }
                if (current.Length > 0) current.Append(',');
                current.Append(item);
            }
            if (current.Length > 0) parts.Add(current.ToString());
            for (var i = 0; i < parts.Count; i++)
                yield return Tag(i == 0 ? key : key + "#" + (i + 1).ToString(CultureInfo.InvariantCulture), parts[i]);
        }

        private static IEnumerable<string> Joined(IReadOnlyDictionary<string, string> tags, string key)
        {
            for (var i = 1; ; i++)
            {
                var k = i == 1 ? key : key + "#" + i.ToString(CultureInfo.InvariantCulture);
                if (!tags.TryGetValue(k, out var value)) yield break;
                foreach (var item in value.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries)) yield return item;
            }
        }

        private static KeyValuePair<string, string> Tag(string key, string value) => new KeyValuePair<string, string>(key, value);

        private static string StateWord(string state) => state == "Isolated" ? "isolated" : "in-progress";

        private static string StateName(string word) => word == "isolated" ? "Isolated" : "InProgress";
    }
}
