using Microsoft.AspNetCore.Http;
using PSSocAutomation.Elastic;
using PSSocAutomation.Http;
using PSSocAutomation.Tests.Http;

namespace PSSocAutomation.Tests.Elastic;

/// <summary>
/// ListIndexNamesAsync reads GET _resolve/index: indices, aliases and data streams (the Lab has no data streams, so
/// this body, written to Elasticsearch's documented shape, covers them), each name once.
/// </summary>
public sealed class ElasticIndexNameTests
{
    private const string Body = """
        {
          "indices": [
            { "name": "logs-2024.09", "aliases": ["logs"], "attributes": ["open"] },
            { "name": ".ds-logs-endpoint-default-2024.09.20-000001", "attributes": ["hidden", "open"], "data_stream": "logs-endpoint-default" }
          ],
          "aliases": [ { "name": "logs", "indices": ["logs-2024.09"] } ],
          "data_streams": [ { "name": "logs-endpoint-default", "backing_indices": [".ds-logs-endpoint-default-2024.09.20-000001"], "timestamp_field": "@timestamp" } ]
        }
        """;

    [Fact]
    public async Task Indices_aliases_and_data_streams_come_back_by_name_with_their_kind()
    {
        await using var server = await LoopbackServer.StartAsync(async (_, context) =>
        {
            context.Response.ContentType = "application/json";
            context.Response.Headers["X-Elastic-Product"] = "Elasticsearch";
            await context.Response.WriteAsync(Body);
        });
        using var client = new ElasticClient(new HttpPipelineOptions(server.Uri));

        var names = await client.ListIndexNamesAsync("*,.*", TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.Equal(
            new[] { ".ds-logs-endpoint-default-2024.09.20-000001 index", "logs alias", "logs-2024.09 index", "logs-endpoint-default data stream" },
            names.Select(n => n.Name + " " + n.Kind));
        var request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/_resolve/index/*,.*", request.Path);
        Assert.Contains("expand_wildcards=open", request.Query, StringComparison.Ordinal);
    }
}
