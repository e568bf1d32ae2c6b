using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Kibana;

/// <summary>
/// The Kibana paths the Lab emulates, each both bare (the default space) and under /s/&lt;space&gt;, as Kibana's
/// space-aware base path serves every route in every space.
/// </summary>
internal sealed class KibanaRoutes
{
    private readonly KibanaLab _kibana;
    private readonly KibanaSignalsSearch _search;
    private readonly KibanaSignalsStatus _status;

    public KibanaRoutes(KibanaLab kibana)
    {
        _kibana = kibana;
        _search = new KibanaSignalsSearch(kibana);
        _status = new KibanaSignalsStatus(kibana);
    }

    public void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (KibanaException e) when (!context.Response.HasStarted)
            {
                await e.Response.WriteAsync(context).ConfigureAwait(false);
            }
        });

        foreach (var prefix in new[] { string.Empty, "/s/{space}" })
        {
            app.MapGet(prefix + "/api/status", context => Status().WriteAsync(context));
            app.MapGet(prefix + "/api/spaces/space", context => KibanaErrors.Json(200, _kibana.SpaceStore.DescribeAll()).WriteAsync(context));
            app.MapGet(prefix + "/api/spaces/space/{id}", context => Space(Route(context, "id")).WriteAsync(context));
            app.MapPost(prefix + "/api/detection_engine/signals/search", async context =>
            {
                var response = await _search.SearchAsync(await ReadAsync(context).ConfigureAwait(false), SpaceOf(context)).ConfigureAwait(false);
                await response.WriteAsync(context).ConfigureAwait(false);
            });
            app.MapPost(prefix + "/api/detection_engine/signals/status", async context =>
            {
                var body = await ReadAsync(context).ConfigureAwait(false);
                var user = context.Items.TryGetValue(KibanaLab.UserItem, out var u) && u is string name ? name : "unknown";
                await _status.Update(body, SpaceOf(context), user).WriteAsync(context).ConfigureAwait(false);
            });
        }
    }

    private LabResponse Status() => KibanaErrors.Json(200, new JsonObject
    {
        ["name"] = "lab-kibana",
        ["uuid"] = _kibana.Uuid,
        ["version"] = new JsonObject
        {
            ["number"] = _kibana.Version,
            ["build_hash"] = "5f0ea7a2c1b9e1d8f3a46f2c0e8b7d6a9c4b3e21",
            ["build_number"] = 1,
            ["build_snapshot"] = false,
        },
        ["status"] = new JsonObject
        {
            ["overall"] = new JsonObject { ["level"] = "available", ["summary"] = "All services are available" },
        },
    });

    private LabResponse Space(string id) =>
        _kibana.SpaceStore.Describe(id) is { } space
            ? KibanaErrors.Json(200, space)
            : KibanaErrors.Platform(404, $"Saved object [space/{id}] not found");

    private static string Route(HttpContext context, string name) => (string)context.Request.RouteValues[name]!;

    /// <summary>No /s/ prefix is the default space; an unknown space is taken as is (Kibana does not check).</summary>
    private static string SpaceOf(HttpContext context) =>
        context.Request.RouteValues.TryGetValue("space", out var space) && space is string id ? id : KibanaSpaces.DefaultId;

    private static async Task<byte[]> ReadAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
