using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;

namespace PSSocAutomation.ElasticSecurity
{
    /// <summary>What became of one alert's status change.</summary>
    public enum AlertStatusOutcome
    {
        /// <summary>Kibana set the new status.</summary>
        Updated,
        /// <summary>The alert already had that status: nothing was sent for it.</summary>
        Unchanged,
        /// <summary>Someone else changed the alert while this update ran; it does not have the new status.</summary>
        Conflict,
        /// <summary>No alert with this id in the space.</summary>
        NotFound,
    }

    /// <summary>One result of Set-ElasticAlertStatus: an alert, its status before, the status asked for and what happened.</summary>
    public sealed class AlertStatusChange
    {
        public AlertStatusChange(string id, string space, string status) { Id = id; Space = space; Status = status; }

        /// <summary>The id as given (the alert's _id or kibana.alert.uuid).</summary>
        public string Id { get; }
        /// <summary>The alert document's _id, when it was found.</summary>
        public string? DocumentId { get; set; }
        public string Space { get; }
        /// <summary>The status asked for.</summary>
        public string Status { get; }
        /// <summary>The status it had before (a 7.x signal's may be in-progress).</summary>
        public string? PreviousStatus { get; set; }
        public AlertStatusOutcome Outcome { get; set; }
        /// <summary>Why it is a conflict or not found, in words.</summary>
        public string? Message { get; set; }
        /// <summary>The alert piped in, when one was.</summary>
        public SocAlert? Alert { get; set; }

        public override string ToString() => $"{Id}: {Outcome}";
    }

    /// <summary>
    /// One signals/status request for a batch of alerts, with the reads around it that make a result per alert possible:
    /// signals/status only counts (and counts an alert already in the status as updated), so the batch first reads each
    /// alert's current status, sends only those that differ, and after a version conflict reads again to tell which
    /// alerts took the new status and which did not.
    /// </summary>
    public static class AlertStatusBatch
    {
        public static readonly IReadOnlyList<string> Statuses = new[] { "open", "acknowledged", "closed" };

        public static readonly IReadOnlyList<string> Reasons = new[]
        {
            "false_positive", "issue_resolved", "acceptable_risk", "expected_activity", "low_severity", "duplicate", "investigation_required",
        };

        /// <summary>Kibana checks and stores a closing reason from this version on; before, it ignores it.</summary>
        public static readonly Version ReasonSince = new Version(9, 2);

        /// <param name="kibana">The Kibana the alerts live in.</param>
        /// <param name="space">Their space.</param>
        /// <param name="changes">One per alert: the id and the status asked for (all the same status).</param>
        /// <param name="status">The status to set.</param>
        /// <param name="reason">The closing reason, or null (the caller leaves it out where Kibana lacks it).</param>
        /// <param name="send">False for -WhatIf: read, decide, but send nothing.</param>
        /// <param name="cancellationToken">Stops the batch.</param>
        public static async Task RunAsync(KibanaClient kibana, string space, IReadOnlyList<AlertStatusChange> changes, string status, string? reason,
            bool send, CancellationToken cancellationToken)
        {
            var current = await ReadAsync(kibana, space, changes.Select(c => c.Id).ToList(), cancellationToken).ConfigureAwait(false);
            var toSend = new List<AlertStatusChange>();
            foreach (var change in changes)
            {
                if (!current.TryGetValue(change.Id, out var found))
                {
                    change.Outcome = AlertStatusOutcome.NotFound;
                    change.Message = $"No alert with the id '{change.Id}' in the Kibana space '{space}'.";
                    continue;
                }
                change.DocumentId = found.DocumentId;
                change.PreviousStatus = found.Status;
                if (SameStatus(found.Status, status)) change.Outcome = AlertStatusOutcome.Unchanged;
                else toSend.Add(change);
            }
            if (toSend.Count == 0) return;
            if (!send)
            {
                foreach (var change in toSend) change.Outcome = AlertStatusOutcome.Updated;
                return;
            }

            var ids = toSend.Select(c => c.DocumentId!).Distinct().ToList();
            var counts = await kibana.SetStatusAsync(space, ids, status, reason, cancellationToken).ConfigureAwait(false);
            if (counts.VersionConflicts == 0 && counts.Failures == 0 && counts.Updated >= ids.Count)
            {
                foreach (var change in toSend) change.Outcome = AlertStatusOutcome.Updated;
                return;
            }
            // Some did not take the status: the counts do not say which, the documents do.
            var after = await ReadAsync(kibana, space, ids, cancellationToken).ConfigureAwait(false);
            foreach (var change in toSend)
            {
                if (after.TryGetValue(change.DocumentId!, out var now) && SameStatus(now.Status, status))
                {
                    change.Outcome = AlertStatusOutcome.Updated;
                    continue;
                }
                change.Outcome = AlertStatusOutcome.Conflict;
                change.Message = $"The alert '{change.Id}' changed while its status was being set ({counts.VersionConflicts} version conflict(s), {counts.Failures} failure(s) in the batch); it is {now?.Status ?? "gone"}, not {status}. Read it again and retry.";
            }
        }

        /// <summary>A 7.x signal's in-progress is 8.x's acknowledged.</summary>
        private static bool SameStatus(string? current, string wanted) =>
            current == wanted || current == "in-progress" && wanted == "acknowledged";

        private sealed class Found
        {
            public Found(string documentId, string? status) { DocumentId = documentId; Status = status; }
            public string DocumentId { get; }
            public string? Status { get; }
        }

        /// <summary>The current status of alerts by id, under both of the names they may be given by (_id, kibana.alert.uuid).</summary>
        private static async Task<Dictionary<string, Found>> ReadAsync(KibanaClient kibana, string space, IReadOnlyList<string> ids, CancellationToken cancellationToken)
        {
            var values = new JsonArray(ids.Select(i => (JsonNode)JsonValue.Create(i)!).ToArray());
            var body = new JsonObject
            {
                ["query"] = new JsonObject
                {
                    ["bool"] = new JsonObject
                    {
                        ["should"] = new JsonArray(
                            new JsonObject { ["ids"] = new JsonObject { ["values"] = values } },
                            new JsonObject { ["terms"] = new JsonObject { ["kibana.alert.uuid"] = values.DeepClone() } }),
                        ["minimum_should_match"] = 1,
                    },
                },
                ["_source"] = new JsonArray("kibana.alert.uuid", "kibana.alert.workflow_status", "signal.status"),
                ["size"] = Math.Min(SecurityAlertReader.MaxPage, ids.Count * 2),
            };
            var found = new Dictionary<string, Found>(StringComparer.Ordinal);
            using var doc = await kibana.SearchAsync(space, Encoding.UTF8.GetBytes(body.ToJsonString()), cancellationToken).ConfigureAwait(false);
            foreach (var hit in doc.RootElement.GetProperty("hits").GetProperty("hits").EnumerateArray())
            {
                var id = hit.GetProperty("_id").GetString()!;
                var source = hit.TryGetProperty("_source", out var s) ? s : default;
                string? Read(string path) => source.ValueKind == JsonValueKind.Object && JsonFields.FirstAt(source, path) is JsonElement e && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                var entry = new Found(id, Read("kibana.alert.workflow_status") ?? Read("signal.status"));
                found[id] = entry;
                if (Read("kibana.alert.uuid") is string uuid) found[uuid] = entry;
            }
            return found;
        }
    }
}
