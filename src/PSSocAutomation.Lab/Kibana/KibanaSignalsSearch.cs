using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Elastic;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Kibana;

/// <summary>
/// POST /api/detection_engine/signals/search: validates the body against Kibana's schema, then forwards only the keys
/// the schema knows to an Elasticsearch _search on the space's alerts alias (ignore_unavailable) and returns ES's
/// body untouched. Keys the schema does not know are refused before 8.15 and silently dropped from 8.15 on: the
/// reason paging through this route never gets past the first page.
/// </summary>
internal sealed class KibanaSignalsSearch
{
    private static readonly string[] Forwarded = { "query", "aggs", "size", "track_total_hits", "_source", "fields", "runtime_mappings", "sort" };

    /// <summary>The schema's "at least one of": runtime_mappings alone asks for nothing.</summary>
    private static readonly string[] Counted = { "query", "aggs", "size", "track_total_hits", "_source", "fields", "sort" };

    private static readonly Version NonStrictFrom = new(8, 15);

    private readonly KibanaLab _kibana;

    public KibanaSignalsSearch(KibanaLab kibana) => _kibana = kibana;

    public async Task<LabResponse> SearchAsync(byte[] bytes, string space)
    {
        var body = KibanaRequestBody.ParseObject(bytes);
        var unknown = body.Select(p => p.Key).Where(k => !Forwarded.Contains(k)).ToList();
        if (unknown.Count > 0 && _kibana.ParsedVersion < NonStrictFrom)
            throw KibanaException.BadBody($"invalid keys \"{string.Join(",", unknown)}\"");
        Check(body);
        if (!Counted.Any(body.ContainsKey)) throw KibanaException.BadBody("\"value\" must have at least 1 children");

        var forwarded = new JsonObject();
        foreach (var key in Forwarded)
        {
            if (!body.TryGetPropertyValue(key, out var value)) continue;
            // The UI sends "runtime_mappings": {} on every search; the Lab's ES has no runtime fields, and none asked is none needed.
            if (key == "runtime_mappings" && value is JsonObject { Count: 0 }) continue;
            forwarded[key] = value?.DeepClone();
        }
        try
        {
            var response = await _kibana.Elastic.SearchForKibanaAsync(KibanaLab.AlertsAlias(space), Encoding.UTF8.GetBytes(forwarded.ToJsonString())).ConfigureAwait(false);
            return new LabResponse(200, "application/json; charset=utf-8", response);
        }
        catch (ElasticException e)
        {
            // transformError: ES's status passes through, its message in the Security Solution shape.
            throw new KibanaException(KibanaErrors.Security(e.Status, e.Error.Type + ": " + e.Error.Reason));
        }
    }

    private static void Check(JsonObject body)
    {
        foreach (var (key, value) in body)
        {
            var kind = value?.GetValueKind() ?? JsonValueKind.Null;
            switch (key)
            {
                case "track_total_hits" when kind is not (JsonValueKind.True or JsonValueKind.False):
                    throw KibanaException.BadBody($"track_total_hits: Expected boolean, received {KibanaRequestBody.ZodType(value)}");
                case "size" when kind != JsonValueKind.Number:
                    throw KibanaException.BadBody($"size: Expected number, received {KibanaRequestBody.ZodType(value)}");
                case "size" when !value!.AsValue().TryGetValue(out int _):
                    throw KibanaException.BadBody("size: Expected integer, received float");
                case "size" when value!.GetValue<int>() < 0:
                    throw KibanaException.BadBody("size: Number must be greater than or equal to 0");
                case "query" or "aggs" or "runtime_mappings" when kind != JsonValueKind.Object:
                    throw KibanaException.BadBody($"{key}: Expected object, received {KibanaRequestBody.ZodType(value)}");
                case "fields" when kind != JsonValueKind.Array:
                    throw KibanaException.BadBody($"fields: Expected array, received {KibanaRequestBody.ZodType(value)}");
                case "_source" when kind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.String or JsonValueKind.Array):
                    throw KibanaException.BadBody($"_source: Expected boolean | string | array, received {KibanaRequestBody.ZodType(value)}");
            }
        }
    }
}
