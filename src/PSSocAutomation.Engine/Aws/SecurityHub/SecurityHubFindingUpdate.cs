using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Aws.SecurityHub
{
    /// <summary>What identifies a finding to BatchUpdateFindings: its Id and the ARN of the product that sent it.</summary>
    public readonly struct SecurityHubFindingId : IEquatable<SecurityHubFindingId>
    {
        public SecurityHubFindingId(string id, string productArn)
        {
            Id = id;
            ProductArn = productArn;
        }

        public string Id { get; }
        public string ProductArn { get; }

        internal static SecurityHubFindingId? From(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object) return null;
            var id = element.TryGetProperty("Id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var arn = element.TryGetProperty("ProductArn", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            return id is null || arn is null ? (SecurityHubFindingId?)null : new SecurityHubFindingId(id, arn);
        }

        public bool Equals(SecurityHubFindingId other) => string.Equals(Id, other.Id, StringComparison.Ordinal) && string.Equals(ProductArn, other.ProductArn, StringComparison.Ordinal);
        public override bool Equals(object? obj) => obj is SecurityHubFindingId other && Equals(other);
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Id ?? string.Empty) * 31 + StringComparer.Ordinal.GetHashCode(ProductArn ?? string.Empty);
        public override string ToString() => Id;
    }

    /// <summary>The changes of one BatchUpdateFindings call, checked before anything is sent.</summary>
    public sealed class SecurityHubFindingUpdate
    {
        public static readonly string[] WorkflowStatuses = { "NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED" };
        public static readonly string[] SeverityLabels = { "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL" };
        public static readonly string[] VerificationStates = { "UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE" };
        public const int MaxNoteLength = 512;

        public string? WorkflowStatus { get; set; }
        public string? NoteText { get; set; }
        /// <summary>Who wrote the note; AWS requires it with the text.</summary>
        public string NoteUpdatedBy { get; set; } = "PSSocAutomation";
        public string? SeverityLabel { get; set; }
        public string? VerificationState { get; set; }
        public IDictionary<string, string>? UserDefinedFields { get; set; }

        public bool IsEmpty => WorkflowStatus is null && NoteText is null && SeverityLabel is null && VerificationState is null && (UserDefinedFields is null || UserDefinedFields.Count == 0);

        /// <summary>Throws <see cref="ArgumentException"/> naming the value AWS would refuse.</summary>
        public void Validate()
        {
            if (IsEmpty) throw new ArgumentException("Nothing to change: give a workflow status, a note, a severity, a verification state or user-defined fields.");
            Check(WorkflowStatus, WorkflowStatuses, "workflow status");
            Check(SeverityLabel, SeverityLabels, "severity label");
            Check(VerificationState, VerificationStates, "verification state");
            if (NoteText != null)
            {
                if (NoteText.Trim().Length == 0) throw new ArgumentException("The note is empty; Security Hub needs its text.");
                if (NoteText.Length > MaxNoteLength) throw new ArgumentException($"The note has {NoteText.Length} characters; Security Hub keeps at most {MaxNoteLength}.");
                if (string.IsNullOrWhiteSpace(NoteUpdatedBy)) throw new ArgumentException("A note needs who wrote it (UpdatedBy).");
            }
            if (UserDefinedFields != null && UserDefinedFields.Count > 50) throw new ArgumentException($"A finding holds at most 50 user-defined fields; got {UserDefinedFields.Count}.");
        }

        internal JsonObject ToJson(IEnumerable<SecurityHubFindingId> findings)
        {
            var body = new JsonObject
            {
                ["FindingIdentifiers"] = new JsonArray(findings.Select(f => (JsonNode)new JsonObject { ["Id"] = f.Id, ["ProductArn"] = f.ProductArn }).ToArray()),
            };
            if (WorkflowStatus != null) body["Workflow"] = new JsonObject { ["Status"] = WorkflowStatus };
            if (NoteText != null) body["Note"] = new JsonObject { ["Text"] = NoteText, ["UpdatedBy"] = NoteUpdatedBy };
            if (SeverityLabel != null) body["Severity"] = new JsonObject { ["Label"] = SeverityLabel };
            if (VerificationState != null) body["VerificationState"] = VerificationState;
            if (UserDefinedFields != null && UserDefinedFields.Count > 0)
            {
                var fields = new JsonObject();
                foreach (var pair in UserDefinedFields) fields[pair.Key] = pair.Value;
                body["UserDefinedFields"] = fields;
            }
            return body;
        }

        private static void Check(string? value, string[] allowed, string what)
        {
            if (value != null && !allowed.Contains(value, StringComparer.Ordinal))
                throw new ArgumentException($"'{value}' is not a Security Hub {what}; use one of {string.Join(", ", allowed)}.");
        }
    }

    /// <summary>What became of one finding: updated, or the error code and message AWS gave for it.</summary>
    public sealed class SecurityHubUpdateResult
    {
        private SecurityHubUpdateResult(SecurityHubFindingId finding, bool updated, string? errorCode, string? errorMessage)
        {
            Id = finding.Id;
            ProductArn = finding.ProductArn;
            Outcome = updated ? "Updated" : "Failed";
            ErrorCode = errorCode;
            ErrorMessage = errorMessage;
        }

        public string Id { get; }
        public string ProductArn { get; }
        /// <summary>Updated, Failed, or (set by the cmdlet) WouldUpdate under -WhatIf.</summary>
        public string Outcome { get; }
        public string? ErrorCode { get; }
        public string? ErrorMessage { get; }

        internal static SecurityHubUpdateResult Updated(SecurityHubFindingId id) => new SecurityHubUpdateResult(id, true, null, null);

        internal static SecurityHubUpdateResult Failed(SecurityHubFindingId id, string? code, string? message) => new SecurityHubUpdateResult(id, false, code, message);

        public override string ToString() => Outcome + " " + Id + (ErrorCode is null ? string.Empty : " (" + ErrorCode + ")");
    }
}
