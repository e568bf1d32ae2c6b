using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// PATCH /findings/batchupdate (contract 1.5): the request is validated whole (a bad member fails the call with 400),
/// then each identifier is processed or listed under UnprocessedFindings with its ErrorCode. A processed finding gets
/// the change and Note.UpdatedAt = now, keeps its UpdatedAt (the guide: BatchUpdateFindings does not change it), and
/// emits one "Security Hub Findings - Imported" event.
/// </summary>
internal sealed class SecurityHubBatchUpdate
{
    public const int MaxFindings = 100;
    public const int MaxNoteLength = 512;

    private static readonly string[] WorkflowStatuses = ["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"];
    private static readonly string[] SeverityLabels = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
    private static readonly string[] VerificationStates = ["UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE"];

    private readonly AwsSecurityHubService _hub;

    public SecurityHubBatchUpdate(AwsSecurityHubService hub) => _hub = hub;

    public JsonObject Run(JsonObject body, DateTimeOffset now)
    {
        var identifiers = Identifiers(body);
        var changes = Changes(body, now);
        var processed = new JsonArray();
        var unprocessed = new JsonArray();
        var seen = new HashSet<(string, string)>();
        var emitted = new List<JsonObject>();

        _hub.Store.Lock(find =>
        {
            foreach (var key in identifiers)
            {
                string? error = null, message = null;
                if (!seen.Add(key)) (error, message) = ("DuplicatedFindingIdentifier", "Finding identifier is duplicated in the request.");
                else if (find(key) is not { } finding) (error, message) = ("FindingNotFound", "Finding Not Found");
                else if (_hub.TakeInjectedFailure(key.Id) is { } injected) (error, message) = injected;
                else
                {
                    // Copy on write: a GetFindings reading the stored object at the same time never sees half an update.
                    var updated = finding.DeepClone().AsObject();
                    foreach (var change in changes) change(updated);
                    _hub.Store.Upsert([updated]);
                    processed.Add(new JsonObject { ["Id"] = key.Id, ["ProductArn"] = key.ProductArn });
                    emitted.Add(updated.DeepClone().AsObject());
                }
                if (error is not null)
                    unprocessed.Add(new JsonObject
                    {
                        ["FindingIdentifier"] = new JsonObject { ["Id"] = key.Id, ["ProductArn"] = key.ProductArn },
                        ["ErrorCode"] = error,
                        ["ErrorMessage"] = message,
                    });
            }
            return 0;
        });
        foreach (var finding in emitted) _hub.EmitImported(finding, now);
        return new JsonObject { ["ProcessedFindings"] = processed, ["UnprocessedFindings"] = unprocessed };
    }

    private static List<(string Id, string ProductArn)> Identifiers(JsonObject body)
    {
        if (body["FindingIdentifiers"] is not JsonArray list)
            throw new SecurityHubInputException("FindingIdentifiers is required.");
        if (list.Count is < 1 or > MaxFindings)
            throw new SecurityHubInputException($"FindingIdentifiers must list between 1 and {MaxFindings} findings; got {list.Count}.");
        return list.Select(item =>
        {
            var id = (item?["Id"] as JsonValue)?.GetValueKind() == JsonValueKind.String ? (string)item!["Id"]! : null;
            var arn = (item?["ProductArn"] as JsonValue)?.GetValueKind() == JsonValueKind.String ? (string)item!["ProductArn"]! : null;
            if (id is null || arn is null) throw new SecurityHubInputException("Each FindingIdentifier needs an Id and a ProductArn.");
            return (id, arn);
        }).ToList();
    }

    /// <summary>Every member validated up front, each turned into the edit it makes.</summary>
    private static List<Action<JsonObject>> Changes(JsonObject body, DateTimeOffset now)
    {
        var changes = new List<Action<JsonObject>>();
        if (body["Workflow"] is { } workflow)
        {
            var status = Enum(workflow["Status"], "Workflow.Status", WorkflowStatuses);
            changes.Add(f => f["Workflow"] = new JsonObject { ["Status"] = status });
        }
        if (body["Note"] is { } note)
        {
            var text = (string?)note["Text"] ?? throw new SecurityHubInputException("Note.Text is required.");
            var by = (string?)note["UpdatedBy"] ?? throw new SecurityHubInputException("Note.UpdatedBy is required.");
            if (text.Length > MaxNoteLength) throw new SecurityHubInputException($"Note.Text can be at most {MaxNoteLength} characters.");
            var at = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            changes.Add(f => f["Note"] = new JsonObject { ["Text"] = text, ["UpdatedBy"] = by, ["UpdatedAt"] = at });
        }
        if (body["Severity"] is JsonObject severity)
        {
            string label;
            int normalized;
            if (severity["Label"] is { } l)
            {
                label = Enum(l, "Severity.Label", SeverityLabels);
                normalized = label switch { "INFORMATIONAL" => 0, "LOW" => 1, "MEDIUM" => 40, "HIGH" => 70, _ => 90 };
            }
            else if (severity["Normalized"] is { } n)
            {
                normalized = Int(n, "Severity.Normalized");
                // Normalized -> Label as the ASFF doc maps it.
                label = normalized switch { 0 => "INFORMATIONAL", < 40 => "LOW", < 70 => "MEDIUM", < 90 => "HIGH", _ => "CRITICAL" };
            }
            else throw new SecurityHubInputException("Severity needs a Label or a Normalized value.");
            var product = severity["Product"]?.DeepClone();
            changes.Add(f =>
            {
                var target = f["Severity"] as JsonObject ?? new JsonObject();
                target["Label"] = label;
                target["Normalized"] = normalized;
                if (product is not null) target["Product"] = product.DeepClone();
                f["Severity"] = target;
            });
        }
        if (body["VerificationState"] is { } verification)
        {
            var state = Enum(verification, "VerificationState", VerificationStates);
            changes.Add(f => f["VerificationState"] = state);
        }
        foreach (var member in new[] { "Confidence", "Criticality" })
            if (body[member] is { } number)
            {
                var value = Int(number, member);
                changes.Add(f => f[member] = value);
            }
        if (body["Types"] is { } types)
        {
            if (types is not JsonArray list || list.Any(t => (t as JsonValue)?.GetValueKind() != JsonValueKind.String))
                throw new SecurityHubInputException("Types must be a list of strings.");
            changes.Add(f => f["Types"] = list.DeepClone());
        }
        if (body["UserDefinedFields"] is { } fields)
        {
            if (fields is not JsonObject map || map.Any(p => p.Value is not null && p.Value.GetValueKind() != JsonValueKind.String))
                throw new SecurityHubInputException("UserDefinedFields must map strings to strings.");
            changes.Add(f =>
            {
                var target = f["UserDefinedFields"] as JsonObject ?? new JsonObject();
                foreach (var (key, value) in map)
                {
                    if (value is null) target.Remove(key);
                    else target[key] = value.DeepClone();
                }
                f["UserDefinedFields"] = target;
            });
        }
        if (body["RelatedFindings"] is JsonArray related) changes.Add(f => f["RelatedFindings"] = related.DeepClone());
        return changes;
    }

    private static string Enum(JsonNode? node, string member, string[] allowed)
    {
        var value = (node as JsonValue)?.GetValueKind() == JsonValueKind.String ? node!.GetValue<string>() : null;
        if (value is null || !allowed.Contains(value))
            throw new SecurityHubInputException($"{member} must be one of {string.Join(", ", allowed)}.");
        return value;
    }

    private static int Int(JsonNode node, string member)
    {
        if (node is not JsonValue v || !v.TryGetValue<int>(out var value) || value is < 0 or > 100)
            throw new SecurityHubInputException($"{member} must be an integer from 0 to 100.");
        return value;
    }
}
