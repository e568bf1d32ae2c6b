using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// The two bodies that carry ASFF findings: an EventBridge event from Security Hub (contract 3.1), and a GetFindings
    /// response. Findings are cloned, so they outlive the document they were read from.
    /// </summary>
    internal static class SecurityHubFindingsEvent
    {
        public const string SecurityHubSource = "aws.securityhub";
        public const string Imported = "Security Hub Findings - Imported";
        public const string CustomAction = "Security Hub Findings - Custom Action";

        /// <summary>An EventBridge event has lower-case envelope keys; any of these says the object means to be one.</summary>
        public static bool LooksLikeEvent(JsonElement element) =>
            element.TryGetProperty("source", out _) || element.TryGetProperty("detail-type", out _) || element.TryGetProperty("detail", out _);

        public static bool LooksLikeGetFindings(JsonElement element) =>
            element.TryGetProperty("Findings", out var findings) && findings.ValueKind == JsonValueKind.Array;

        /// <summary>Fills the event fields of <paramref name="info"/> (kept on the error item too) and reads the findings.</summary>
        public static SecurityHubEventItem ReadEvent(JsonElement ev, SecurityHubEventInfo info)
        {
            var source = Text(ev, "source");
            var detailType = Text(ev, "detail-type");
            info.Source = source;
            info.DetailType = detailType;
            info.EventId = Text(ev, "id");
            info.Account = Text(ev, "account");
            info.Region = Text(ev, "region");
            info.Time = Time(Text(ev, "time"));
            if (ev.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Array)
                info.Resources = resources.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).ToArray();
            var named = "The EventBridge event " + SecurityHubEventException.Quote(info.EventId, 80);

            if (source is null && detailType is null)
                throw new SecurityHubEventException(SecurityHubEventErrorKind.NotAnEvent,
                    named + " has neither source nor detail-type, so it is not an EventBridge event. Pass the event as EventBridge delivers it.");
            if (!string.Equals(source, SecurityHubSource, StringComparison.Ordinal))
                throw new SecurityHubEventException(SecurityHubEventErrorKind.NotSecurityHub,
                    named + " comes from source " + SecurityHubEventException.Quote(source, 60) + " (detail-type " + SecurityHubEventException.Quote(detailType, 80)
                    + "), not from Security Hub (aws.securityhub). Point the EventBridge rule at source aws.securityhub, detail-type '" + Imported + "'.");
            if (!string.Equals(detailType, Imported, StringComparison.Ordinal) && !string.Equals(detailType, CustomAction, StringComparison.Ordinal))
                throw new SecurityHubEventException(SecurityHubEventErrorKind.UnknownDetailType,
                    named + " is a Security Hub event of detail-type " + SecurityHubEventException.Quote(detailType, 80) + ", which " + Why(detailType)
                    + " Only '" + Imported + "' and '" + CustomAction + "' carry ASFF findings; filter the EventBridge rule on those.");

            if (string.Equals(detailType, CustomAction, StringComparison.Ordinal) && ev.TryGetProperty("detail", out var custom) && custom.ValueKind == JsonValueKind.Object)
            {
                info.ActionName = Text(custom, "actionName");
                info.ActionDescription = Text(custom, "actionDescription");
            }
            if (!ev.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.Object
                || !detail.TryGetProperty("findings", out var findings) || findings.ValueKind != JsonValueKind.Array)
                throw new SecurityHubEventException(SecurityHubEventErrorKind.NoFindings,
                    named + " (" + detailType + ") has no detail.findings array. It may have been reshaped by an input transformer: send the whole event.");
            var read = Findings(findings, named + "'s detail.findings");
            if (read.Count == 0)
                throw new SecurityHubEventException(SecurityHubEventErrorKind.NoFindings,
                    named + " (" + detailType + ") has an empty detail.findings; Security Hub sends at least one finding per event.");
            return new SecurityHubEventItem(SecurityHubEventItemKind.Findings, info) { Findings = read };
        }

        public static SecurityHubEventItem ReadGetFindings(JsonElement body, SecurityHubEventInfo info) =>
            new(SecurityHubEventItemKind.Findings, info) { Findings = Findings(body.GetProperty("Findings"), "The GetFindings body's Findings") };

        private static string Why(string? detailType)
        {
            if (detailType is null) return "is missing.";
            if (detailType.IndexOf("V2", StringComparison.Ordinal) >= 0)
                return "is Security Hub's newer OCSF format, not ASFF: read those findings with the V2 API instead.";
            if (detailType.IndexOf("Insight", StringComparison.OrdinalIgnoreCase) >= 0)
                return "carries insight results (counts per group), not findings.";
            return "this reader does not know.";
        }

        private static IReadOnlyList<JsonElement> Findings(JsonElement array, string where)
        {
            var result = new List<JsonElement>(array.GetArrayLength());
            var position = 0;
            foreach (var finding in array.EnumerateArray())
            {
                if (finding.ValueKind != JsonValueKind.Object)
                    throw new SecurityHubEventException(SecurityHubEventErrorKind.NoFindings,
                        where + " item " + position + " is a JSON " + finding.ValueKind.ToString().ToLowerInvariant() + ", not an ASFF finding object.");
                result.Add(finding.Clone());
                position++;
            }
            return result;
        }

        /// <summary>A field as text; a non-string value is shown as its JSON so the message can name what came.</summary>
        private static string? Text(JsonElement element, string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            return value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
        }

        private static DateTimeOffset? Time(string? text) =>
            text != null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
                ? time : null;
    }
}
