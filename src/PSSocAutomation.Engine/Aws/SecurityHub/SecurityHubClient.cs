using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws.SecurityHub
{
    /// <summary>
    /// Security Hub's finding API (rest-json, signed as securityhub): GetFindings paged by NextToken and paced to its
    /// quota, BatchUpdateFindings (a PATCH) with every unprocessed finding reported.
    /// </summary>
    public sealed class SecurityHubClient
    {
        /// <summary>GetFindings allows 3 requests a second per account and region (burst 6); paced at the rate, so never over it.</summary>
        public const int GetFindingsPerSecond = 3;
        /// <summary>BatchUpdateFindings allows 10 a second (burst 30).</summary>
        public const int BatchUpdatePerSecond = 10;
        public const int MaxPageSize = 100;
        public const int MaxBatch = 100;
        private static readonly string[] RetriedErrorCodes = { "ConcurrentUpdateError", "InternalFailure" };
        private const int UnprocessedRetries = 3;

        private readonly HttpPipeline _pipeline;
        private readonly TimeProvider _time;

        /// <param name="pipeline">Signed for securityhub in the region.</param>
        /// <param name="region">The region the findings are in.</param>
        /// <param name="time">The clock the quotas are paced on.</param>
        /// <param name="getFindingsQuota">The account's GetFindings bucket, shared with other clients of the account (<see cref="AwsQuotas"/>); a bucket of its own when null.</param>
        /// <param name="batchUpdateQuota">The account's BatchUpdateFindings bucket, likewise.</param>
        public SecurityHubClient(HttpPipeline pipeline, string region, TimeProvider? time = null, PacedTokenBucket? getFindingsQuota = null, PacedTokenBucket? batchUpdateQuota = null)
        {
            _pipeline = pipeline;
            Region = region;
            _time = time ?? TimeProvider.System;
            GetFindingsQuota = getFindingsQuota ?? PacedTokenBucket.PerSecond(GetFindingsPerSecond, 1, _time);
            BatchUpdateQuota = batchUpdateQuota ?? PacedTokenBucket.PerSecond(BatchUpdatePerSecond, 1, _time);
        }

        public string Region { get; }
        public PacedTokenBucket GetFindingsQuota { get; }
        public PacedTokenBucket BatchUpdateQuota { get; }

        /// <summary>
        /// Every finding the filters match, page after page until NextToken is absent: a short or even empty page that
        /// carries a token is not the end. The next page is asked for while the caller works through this one.
        /// </summary>
        public async IAsyncEnumerable<SocAlert> GetFindingsAsync(JsonObject filters, IReadOnlyList<KeyValuePair<string, string>>? sort, int pageSize,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (pageSize < 1 || pageSize > MaxPageSize) throw new ArgumentOutOfRangeException(nameof(pageSize), $"A GetFindings page holds 1 to {MaxPageSize} findings.");
            var body = new JsonObject { ["Filters"] = filters.DeepClone() };
            if (sort != null && sort.Count > 0)
                body["SortCriteria"] = new JsonArray(sort.Select(s => (JsonNode)new JsonObject { ["Field"] = s.Key, ["SortOrder"] = s.Value }).ToArray());
            body["MaxResults"] = pageSize;
            var seenTokens = new HashSet<string>(StringComparer.Ordinal);
            var pager = new Pager<List<SocAlert>, string?>(async (token, number, ct) =>
            {
                var page = (JsonObject)body.DeepClone();
                if (token != null) page["NextToken"] = token;
                var request = new ApiRequest(HttpMethod.Post, "findings")
                {
                    Body = JsonSerializerBytes(page),
                    Idempotent = true,
                    RateLimiter = GetFindingsQuota,
                    Description = "GetFindings page " + number,
                };
                var response = await _pipeline.SendAsync(request, ct).ConfigureAwait(false);
                using var doc = response.ParseJson();
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Findings", out var findings) || findings.ValueKind != JsonValueKind.Array)
                    throw new SocApiException(ApiFailureKind.Protocol, _pipeline.ServiceName, $"{_pipeline.ServiceName} answered GetFindings without a Findings list: {_pipeline.BaseUri} may not be Security Hub.") { Url = response.Url, Page = number };
                var alerts = new List<SocAlert>(findings.GetArrayLength());
                foreach (var finding in findings.EnumerateArray()) alerts.Add(SecurityHubFindingMapper.Map(finding));
                var next = root.TryGetProperty("NextToken", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (string.IsNullOrEmpty(next)) return FetchedPage<List<SocAlert>, string?>.Last(alerts);
                // A token handed out twice would page forever (an AWS Tools bug report shows it can happen): stop loudly.
                if (!seenTokens.Add(next!))
                    throw new SocApiException(ApiFailureKind.Protocol, _pipeline.ServiceName, $"{_pipeline.ServiceName} gave the same NextToken again on page {number}; stopped rather than read the same findings forever.") { Page = number };
                return FetchedPage<List<SocAlert>, string?>.WithNext(alerts, next);
            })
            { TimeProvider = _time };
            await foreach (var alerts in pager.ReadAsync(null, cancellationToken).ConfigureAwait(false))
                foreach (var alert in alerts) yield return alert;
        }

        /// <summary>
        /// One BatchUpdateFindings call of up to 100 findings; those AWS could not update for a passing reason
        /// (ConcurrentUpdateError, InternalFailure) are sent again, up to three times, and the rest reported as AWS gave them.
        /// </summary>
        public async Task<IReadOnlyList<SecurityHubUpdateResult>> BatchUpdateFindingsAsync(SecurityHubFindingUpdate update, IReadOnlyList<SecurityHubFindingId> findings,
            CancellationToken cancellationToken)
        {
            if (findings.Count == 0) return Array.Empty<SecurityHubUpdateResult>();
            if (findings.Count > MaxBatch) throw new ArgumentException($"BatchUpdateFindings takes at most {MaxBatch} findings per call; got {findings.Count}.", nameof(findings));
            update.Validate();
            var results = new Dictionary<SecurityHubFindingId, SecurityHubUpdateResult>();
            var pending = findings.Distinct().ToList();
            for (var attempt = 0; pending.Count > 0; attempt++)
            {
                var body = update.ToJson(pending);
                var request = new ApiRequest(new HttpMethod("PATCH"), "findings/batchupdate")
                {
                    Body = JsonSerializerBytes(body),
                    // Setting the same status and note again changes nothing more, so a lost answer may be sent again.
                    Idempotent = true,
                    RateLimiter = BatchUpdateQuota,
                    Description = $"BatchUpdateFindings of {pending.Count} finding(s)",
                };
                var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
                using var doc = response.ParseJson();
                var root = doc.RootElement;
                var retry = new List<SecurityHubFindingId>();
                if (root.TryGetProperty("ProcessedFindings", out var processed) && processed.ValueKind == JsonValueKind.Array)
                    foreach (var item in processed.EnumerateArray())
                        if (SecurityHubFindingId.From(item) is SecurityHubFindingId id) results[id] = SecurityHubUpdateResult.Updated(id);
                if (root.TryGetProperty("UnprocessedFindings", out var unprocessed) && unprocessed.ValueKind == JsonValueKind.Array)
                    foreach (var item in unprocessed.EnumerateArray())
                    {
                        if (!item.TryGetProperty("FindingIdentifier", out var identifier) || !(SecurityHubFindingId.From(identifier) is SecurityHubFindingId id)) continue;
                        var code = item.TryGetProperty("ErrorCode", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                        var message = item.TryGetProperty("ErrorMessage", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                        results[id] = SecurityHubUpdateResult.Failed(id, code, message);
                        if (code != null && RetriedErrorCodes.Contains(code) && attempt < UnprocessedRetries) retry.Add(id);
                    }
                foreach (var id in pending.Where(p => !results.ContainsKey(p)))
                    results[id] = SecurityHubUpdateResult.Failed(id, "NotReported", $"{_pipeline.ServiceName} listed this finding neither as processed nor as unprocessed.");
                pending = retry;
                if (pending.Count > 0)
                {
                    RequestLog.Verbose($"{_pipeline.ServiceName}: {pending.Count} finding(s) were not updated for a passing reason (ConcurrentUpdateError, InternalFailure); sending them again.");
                    await Waits.Sleep(_time, TimeSpan.FromMilliseconds(500 * (attempt + 1)), cancellationToken).ConfigureAwait(false);
                }
            }
            return findings.Distinct().Select(f => results[f]).ToList();
        }

        private static byte[] JsonSerializerBytes(JsonNode node) => System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
