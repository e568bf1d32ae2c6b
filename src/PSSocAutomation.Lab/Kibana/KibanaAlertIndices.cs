using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Elastic;

namespace PSSocAutomation.Lab.Kibana;

/// <summary>
/// Where a space's alerts live in the cluster: the alias .alerts-security.alerts-&lt;space&gt; over the hidden backing
/// index of alerts-as-data (8.x) and the 7.x .siem-signals index, both created with the mappings Kibana installs
/// (keywords, dates, ips, floats), so term queries, sorts and ranges behave as on a real deployment.
/// </summary>
internal static class KibanaAlertIndices
{
    private static readonly string[] Keywords =
    {
        "kibana.alert.uuid", "kibana.alert.workflow_status", "kibana.alert.workflow_user", "kibana.alert.workflow_reason",
        "kibana.alert.rule.name", "kibana.alert.rule.uuid", "kibana.alert.rule.rule_id", "kibana.alert.severity", "kibana.alert.reason",
        "kibana.alert.building_block_type", "kibana.alert.status", "kibana.space_ids",
        "signal.status", "signal.rule.name", "signal.rule.severity", "signal.rule.id", "signal.rule.rule_id", "signal.reason",
        "host.name", "user.name", "process.name", "file.hash.sha256", "file.hash.md5", "event.kind", "event.action",
    };

    private static readonly string[] Dates =
    {
        "@timestamp", "kibana.alert.original_time", "kibana.alert.workflow_status_updated_at", "signal.original_time",
    };

    private static readonly string[] Ips = { "source.ip", "destination.ip", "host.ip" };
    private static readonly string[] Floats = { "kibana.alert.risk_score", "signal.rule.risk_score" };

    /// <summary>Creates both backing indices of the space (when missing) and points the space's alias at them.</summary>
    public static void Ensure(ElasticLab es, string space)
    {
        foreach (var index in new[] { KibanaLab.AlertsIndex(space), KibanaLab.LegacyIndex(space) })
        {
            if (!es.IndexNames.Contains(index))
            {
                try
                {
                    es.CreateIndex(index, MappingBody());
                }
                catch (ElasticException e) when (e.Error.Type == "resource_already_exists_exception")
                {
                    // Another seeding call created it first: the same mapping either way.
                }
            }
            es.AddAlias(KibanaLab.AlertsAlias(space), index);
        }
    }

    private static string MappingBody()
    {
        var properties = new JsonObject();
        foreach (var field in Keywords) Add(properties, field, new JsonObject { ["type"] = "keyword" });
        foreach (var field in Dates) Add(properties, field, new JsonObject { ["type"] = "date" });
        foreach (var field in Ips) Add(properties, field, new JsonObject { ["type"] = "ip" });
        foreach (var field in Floats) Add(properties, field, new JsonObject { ["type"] = "float" });
        Add(properties, "kibana.alert.depth", new JsonObject { ["type"] = "long" });
        return new JsonObject { ["mappings"] = new JsonObject { ["properties"] = properties } }.ToJsonString();
    }

    /// <summary>A dotted path as the nested object mappings ES stores it under.</summary>
    private static void Add(JsonObject properties, string path, JsonObject leaf)
    {
        var parts = path.Split('.');
        var current = properties;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (current[parts[i]] is not JsonObject parent)
            {
                parent = new JsonObject { ["properties"] = new JsonObject() };
                current[parts[i]] = parent;
            }
            current = (JsonObject)parent["properties"]!;
        }
        current[parts[^1]] = leaf;
    }
}
