using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// Security Hub (rest-json, signing name securityhub): GetFindings (POST /findings) and BatchUpdateFindings (PATCH
/// /findings/batchupdate) over a store of ASFF findings, with the per-account throttles of contract 1.4. Tests seed
/// with <see cref="Seed(string)"/> or <see cref="GenerateGuardDutyFindings"/>, read back with <see cref="Finding"/>
/// and <see cref="ImportedEvents"/>, and shape the paging and throttling a client must survive.
/// </summary>
public sealed class AwsSecurityHubService : IAwsEmulatedService
{
    public const string Name = "securityhub";

    private readonly AwsLab _aws;
    private readonly SecurityHubGetFindings _getFindings;
    private readonly SecurityHubBatchUpdate _batchUpdate;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _failures = new(StringComparer.Ordinal);

    internal AwsSecurityHubService(AwsLab aws)
    {
        _aws = aws;
        _getFindings = new SecurityHubGetFindings(this);
        _batchUpdate = new SecurityHubBatchUpdate(this);
    }

    public string SigningName => Name;
    public AwsProtocol Protocol => AwsProtocol.RestJson;
    public string RegionFor(string labRegion) => labRegion;

    internal SecurityHubStore Store { get; } = new();

    /// <summary>GetFindings: 3 requests a second, burst 6, per account (contract 1.4). <see cref="AwsTokenBucket.Set"/> changes it; rate 0 turns it off.</summary>
    public AwsTokenBucket GetFindingsThrottle { get; } = new(3, 6);

    /// <summary>BatchUpdateFindings: 10 a second, burst 30.</summary>
    public AwsTokenBucket BatchUpdateFindingsThrottle { get; } = new(10, 30);

    /// <summary>Requests refused with 429 by either throttle since they were last set.</summary>
    public long ThrottledRequests => GetFindingsThrottle.Throttled + BatchUpdateFindingsThrottle.Throttled;

    /// <summary>When above 0, every n-th page of a paged query holds fewer findings than MaxResults yet carries a NextToken.</summary>
    public int ShortPageEvery { get; set; }

    /// <summary>When above 0, every n-th page of a paged query is empty yet carries a NextToken (when findings remain).</summary>
    public int EmptyPageEvery { get; set; }

    public int Count => Store.Count;

    /// <summary>Stores findings: one ASFF object, an array of them, or a GetFindings response ({"Findings":[...]}).</summary>
    public void Seed(string json)
    {
        var node = JsonNode.Parse(json);
        var findings = node switch
        {
            JsonObject o when o["Findings"] is JsonArray list => list,
            JsonArray list => list,
            JsonObject o => new JsonArray(o.DeepClone()),
            _ => throw new ArgumentException("Findings are an ASFF object, an array of them, or {\"Findings\":[...]}.", nameof(json)),
        };
        Seed(findings.Select(f => f!.DeepClone().AsObject()));
    }

    /// <summary>Stores copies, re-parsed from their JSON text, so the store holds exactly what a wire body would carry.</summary>
    public void Seed(IEnumerable<JsonObject> findings) => Store.Upsert(findings.Select(f => JsonNode.Parse(f.ToJsonString())!.AsObject()));

    /// <summary>
    /// <paramref name="count"/> GuardDuty findings of the Lab's account and region (numbering goes on from what the store
    /// holds), UpdatedAt from <paramref name="start"/> (default now minus count minutes) a <paramref name="step"/> apart
    /// (default 1 minute). Returns their Ids.
    /// </summary>
    public IReadOnlyList<string> GenerateGuardDutyFindings(int count, DateTimeOffset? start = null, TimeSpan? step = null, string? account = null, string? region = null)
    {
        var spacing = step ?? TimeSpan.FromMinutes(1);
        var findings = SecurityHubFindingGenerator.GuardDuty(Store.Count, count, account ?? _aws.Credentials.AwsAccountId, region ?? _aws.Region,
            start ?? _aws.Now - spacing * count, spacing).ToList();
        Store.Upsert(findings);
        return findings.Select(f => (string)f["Id"]!).ToList();
    }

    /// <summary>A copy of the stored finding with this Id, or null.</summary>
    public JsonObject? Finding(string id) => Store.Find(id);

    /// <summary>Copies of every stored finding, in import order.</summary>
    public IReadOnlyList<JsonObject> Findings => Store.Snapshot().Select(e => e.Finding.DeepClone().AsObject()).ToList();

    /// <summary>The "Security Hub Findings - Imported" events updates emitted (one per processed finding), oldest first.</summary>
    public IReadOnlyList<JsonObject> ImportedEvents => Store.Events();

    /// <summary>The next <paramref name="times"/> updates of finding <paramref name="id"/> are unprocessed with ConcurrentUpdateError or InternalFailure.</summary>
    public void FailUpdates(string id, string errorCode, int times = 1)
    {
        if (errorCode is not ("ConcurrentUpdateError" or "InternalFailure"))
            throw new ArgumentException("The injectable per-finding failures are ConcurrentUpdateError and InternalFailure.", nameof(errorCode));
        var queue = _failures.GetOrAdd(id, _ => new ConcurrentQueue<string>());
        for (var i = 0; i < times; i++) queue.Enqueue(errorCode);
    }

    internal (string Code, string Message)? TakeInjectedFailure(string id) =>
        _failures.TryGetValue(id, out var queue) && queue.TryDequeue(out var code)
            ? (code, code == "ConcurrentUpdateError" ? "Finding was updated concurrently. Retry the update." : "Internal service failure.")
            : null;

    /// <summary>Empty store, default throttles, no short pages, no injected failures.</summary>
    public void Reset()
    {
        Store.Clear();
        GetFindingsThrottle.Set(3, 6);
        BatchUpdateFindingsThrottle.Set(10, 30);
        ShortPageEvery = 0;
        EmptyPageEvery = 0;
        _failures.Clear();
    }

    /// <summary>One event per finding (the guide: each Imported event holds a single finding), as EventBridge delivers it.</summary>
    internal void EmitImported(JsonObject finding, DateTimeOffset now)
    {
        var region = (string?)finding["Region"] ?? (string?)finding["Resources"]?[0]?["Region"] ?? _aws.Region;
        Store.AddEvent(new JsonObject
        {
            ["version"] = "0",
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = "Security Hub Findings - Imported",
            ["source"] = "aws.securityhub",
            ["account"] = (string?)finding["AwsAccountId"] ?? _aws.Credentials.AwsAccountId,
            ["time"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["region"] = region,
            ["resources"] = new JsonArray((string?)finding["ProductArn"] + "/" + (string?)finding["Id"]),
            ["detail"] = new JsonObject { ["findings"] = new JsonArray(finding) },
        });
    }

    public LabResponse Error(HttpContext context, int status, string code, string message) =>
        code.EndsWith("Exception", StringComparison.Ordinal) && status == 403 || code is "UnknownOperationException" or "TooManyRequestsException"
            ? AwsErrors.Gateway(status, code, message)
            : AwsErrors.RestJson(status, code, message);

    public LabResponse Fault(HttpContext context, int status) => status switch
    {
        400 => AwsErrors.RestJson(400, "InvalidInputException", "Injected fault 400"),
        401 => AwsErrors.RestJson(401, "InvalidAccessException", "Injected fault 401"),
        403 => AwsErrors.RestJson(403, "AccessDeniedException", "Injected fault 403"),
        404 => AwsErrors.RestJson(404, "ResourceNotFoundException", "Injected fault 404"),
        429 => AwsErrors.Gateway(429, "TooManyRequestsException", "Too Many Requests"),
        503 => AwsErrors.Gateway(503, "ServiceUnavailableException", "Service Unavailable"),
        _ => AwsErrors.RestJson(status, "InternalException", "Injected fault " + status.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };

    public Task<LabResponse> HandleAsync(HttpContext context, AwsCaller? caller, byte[] body)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var operation = (request.Method, path) switch
        {
            ("POST", "/findings") => "GetFindings",
            ("PATCH", "/findings/batchupdate") => "BatchUpdateFindings",
            (_, "/findings" or "/findings/batchupdate") => "",
            _ => null,
        };
        // Another method on a path an operation owns: no operation matches, which AWS's front door answers 404.
        if (operation == "") return Task.FromResult(Error(context, 404, "UnknownOperationException", "Unknown operation " + request.Method + " " + path));
        if (operation is null) return Task.FromResult(AwsErrors.RestJson(400, "InvalidInputException", LabResponse.NotEmulatedMessage(request)));

        var bucket = operation == "GetFindings" ? GetFindingsThrottle : BatchUpdateFindingsThrottle;
        // GetFindings over its limit answers 429 TooManyRequestsException "Too Many Requests" (seen in prowler-cloud/prowler#5004),
        // not the LimitExceededException the V1 model lists; botocore retries both.
        if (!bucket.TryTake(_aws.Now)) return Task.FromResult(Error(context, 429, "TooManyRequestsException", "Too Many Requests"));

        try
        {
            var input = Parse(body);
            var output = operation == "GetFindings" ? _getFindings.Run(input, _aws.Now) : _batchUpdate.Run(input, _aws.Now);
            return Task.FromResult(new LabResponse(200, "application/json", output.ToJsonString(AwsErrors.Json)));
        }
        catch (SecurityHubInputException e)
        {
            return Task.FromResult(AwsErrors.RestJson(400, e.Code, e.Message));
        }
    }

    private static JsonObject Parse(byte[] body)
    {
        if (body.Length == 0) return new JsonObject();
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new SecurityHubInputException("The request body must be a JSON object.", "SerializationException");
        }
        catch (JsonException)
        {
            throw new SecurityHubInputException("The request body is not valid JSON.", "SerializationException");
        }
    }
}
