using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// POST /findings: filter, sort (stable: ties keep import order), then one page of MaxResults (1..100, default 100)
/// from the offset the NextToken names. The token is opaque to clients and bound to the query it came from: reused
/// with other filters or sort it is refused, as a forged one is. Short and empty pages (with a token) can be
/// switched on, so a client that stops on a short page is caught losing findings.
/// </summary>
internal sealed class SecurityHubGetFindings
{
    public const int DefaultMaxResults = 100;
    private const string TokenPrefix = "lab1.";

    private readonly AwsSecurityHubService _hub;

    public SecurityHubGetFindings(AwsSecurityHubService hub) => _hub = hub;

    public JsonObject Run(JsonObject body, DateTimeOffset now)
    {
        var maxResults = DefaultMaxResults;
        if (body["MaxResults"] is { } max)
        {
            if (max is not JsonValue value || !value.TryGetValue<int>(out maxResults))
                throw new SecurityHubInputException("MaxResults must be an integer.", "SerializationException");
            if (maxResults is < 1 or > 100)
                throw new SecurityHubInputException($"Invalid parameter 'MaxResults': {maxResults} is not between 1 and 100.");
        }
        var predicate = SecurityHubFilters.Compile(body["Filters"], now);
        var sort = SortCriteria(body["SortCriteria"]);
        var queryHash = QueryHash(body);

        var (offset, page) = body["NextToken"] is JsonValue token && token.GetValueKind() == JsonValueKind.String
            ? ReadToken(token.GetValue<string>(), queryHash)
            : (0, 0);

        IEnumerable<SecurityHubStore.Entry> matched = _hub.Store.Snapshot().Where(e => predicate(e.Finding));
        matched = Sort(matched, sort);
        var all = matched.ToList();

        var take = maxResults;
        if (_hub.EmptyPageEvery > 0 && (page + 1) % _hub.EmptyPageEvery == 0) take = 0;
        else if (_hub.ShortPageEvery > 0 && (page + 1) % _hub.ShortPageEvery == 0) take = Math.Max(1, maxResults / 2);

        var findings = new JsonArray();
        foreach (var entry in all.Skip(offset).Take(take)) findings.Add(entry.Finding.DeepClone());
        var next = offset + findings.Count;
        var response = new JsonObject { ["Findings"] = findings };
        // No token on the last page: the paginator's stop signal.
        if (next < all.Count) response["NextToken"] = WriteToken(next, page + 1, queryHash);
        return response;
    }

    private static List<(string Field, bool Descending)> SortCriteria(JsonNode? node)
    {
        if (node is null) return [];
        if (node is not JsonArray list) throw new SecurityHubInputException("SortCriteria must be a list.", "SerializationException");
        return list.Select(item =>
        {
            var field = (string?)item?["Field"] ?? throw new SecurityHubInputException("SortCriteria entries need a Field.");
            if (!SecurityHubFilterFields.Emulated.TryGetValue(field, out var known) || known.Kind is FilterKind.Map or FilterKind.Boolean)
                throw new SecurityHubInputException($"SortCriteria Field '{field}' is not a sortable field the PSSocAutomation Lab emulates.");
            var order = (string?)item?["SortOrder"] ?? "asc";
            if (order is not ("asc" or "desc")) throw new SecurityHubInputException($"SortOrder must be asc or desc; got '{order}'.");
            return (field, order == "desc");
        }).ToList();
    }

    private static IEnumerable<SecurityHubStore.Entry> Sort(IEnumerable<SecurityHubStore.Entry> entries, List<(string Field, bool Descending)> sort)
    {
        if (sort.Count == 0) return entries.OrderBy(e => e.Sequence);
        IOrderedEnumerable<SecurityHubStore.Entry>? ordered = null;
        foreach (var (field, descending) in sort)
        {
            var spec = SecurityHubFilterFields.Emulated[field];
            Func<SecurityHubStore.Entry, SortKey> key = e => SortKey.Of(spec, e.Finding);
            ordered = ordered is null
                ? descending ? entries.OrderByDescending(key) : entries.OrderBy(key)
                : descending ? ordered.ThenByDescending(key) : ordered.ThenBy(key);
        }
        // The tiebreaker that makes paging over a sort stable: import order.
        return ordered!.ThenBy(e => e.Sequence);
    }

    /// <summary>A finding's first value of a field, comparable: dates and numbers by value, strings ordinally; missing sorts first.</summary>
    private readonly record struct SortKey(int Present, double Number, string Text) : IComparable<SortKey>
    {
        public static SortKey Of(SecurityHubFilterFields.Field spec, JsonObject finding)
        {
            var node = spec.Values(finding).FirstOrDefault();
            if (node is null) return new SortKey(0, 0, string.Empty);
            return spec.Kind switch
            {
                FilterKind.Date => new SortKey(1, SecurityHubFilters.ParseDate(SecurityHubFilterFields.Text(node))?.UtcTicks ?? 0, string.Empty),
                FilterKind.Number => new SortKey(1, SecurityHubFilterFields.Number(node) ?? 0, string.Empty),
                _ => new SortKey(1, 0, SecurityHubFilterFields.Text(node) ?? string.Empty),
            };
        }

        public int CompareTo(SortKey other)
        {
            var c = Present.CompareTo(other.Present);
            if (c != 0) return c;
            c = Number.CompareTo(other.Number);
            return c != 0 ? c : string.CompareOrdinal(Text, other.Text);
        }
    }

    /// <summary>What a token is bound to: the filters and sort, not the page size (a client may change MaxResults between pages).</summary>
    private static string QueryHash(JsonObject body)
    {
        var query = new JsonObject { ["Filters"] = body["Filters"]?.DeepClone(), ["SortCriteria"] = body["SortCriteria"]?.DeepClone() };
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(query.ToJsonString())))[..16];
    }

    private static string WriteToken(int offset, int page, string queryHash) =>
        TokenPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{offset}:{page}:{queryHash}"));

    private static (int Offset, int Page) ReadToken(string token, string queryHash)
    {
        const string message = "The NextToken provided is invalid.";
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal)) throw new SecurityHubInputException(message);
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(token[TokenPrefix.Length..]));
        }
        catch (FormatException)
        {
            throw new SecurityHubInputException(message);
        }
        var parts = text.Split(':');
        if (parts.Length != 3 || !int.TryParse(parts[0], out var offset) || !int.TryParse(parts[1], out var page) || offset < 0 || page < 0 || parts[2] != queryHash)
            throw new SecurityHubInputException(message);
        return (offset, page);
    }
}
