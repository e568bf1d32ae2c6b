using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>Cluster info, health, _authenticate, and index management: create, delete, get, exists, mappings, refresh.</summary>
internal sealed class ElasticIndexEndpoints
{
    private readonly ElasticLab _lab;

    public ElasticIndexEndpoints(ElasticLab lab) => _lab = lab;

    public Task InfoAsync(HttpContext context) => ElasticResponse.WriteAsync(context, 200, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("name", ElasticLab.NodeName);
        writer.WriteString("cluster_name", ElasticLab.ClusterName);
        writer.WriteString("cluster_uuid", _lab.ClusterUuid);
        writer.WriteStartObject("version");
        writer.WriteString("number", ElasticLab.Version);
        writer.WriteString("build_flavor", "default");
        writer.WriteString("build_type", "docker");
        writer.WriteString("build_hash", "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567");
        writer.WriteString("build_date", "2024-08-05T10:05:34.233336849Z");
        writer.WriteBoolean("build_snapshot", false);
        writer.WriteString("lucene_version", "9.11.1");
        writer.WriteString("minimum_wire_compatibility_version", "7.17.0");
        writer.WriteString("minimum_index_compatibility_version", "7.0.0");
        writer.WriteEndObject();
        writer.WriteString("tagline", "You Know, for Search");
        writer.WriteEndObject();
    });

    public Task HealthAsync(HttpContext context)
    {
        var indices = _lab.Store.Indices.ToList();
        return ElasticResponse.WriteAsync(context, 200, writer =>
        {
            // One node holds every primary; the replicas have nowhere to go, so a cluster with indices is yellow.
            writer.WriteStartObject();
            writer.WriteString("cluster_name", ElasticLab.ClusterName);
            writer.WriteString("status", indices.Count > 0 ? "yellow" : "green");
            writer.WriteBoolean("timed_out", false);
            writer.WriteNumber("number_of_nodes", 1);
            writer.WriteNumber("number_of_data_nodes", 1);
            writer.WriteNumber("active_primary_shards", indices.Count);
            writer.WriteNumber("active_shards", indices.Count);
            writer.WriteNumber("relocating_shards", 0);
            writer.WriteNumber("initializing_shards", 0);
            writer.WriteNumber("unassigned_shards", indices.Count);
            writer.WriteNumber("delayed_unassigned_shards", 0);
            writer.WriteNumber("number_of_pending_tasks", 0);
            writer.WriteNumber("number_of_in_flight_fetch", 0);
            writer.WriteNumber("task_max_waiting_in_queue_millis", 0);
            writer.WritePropertyName("active_shards_percent_as_number");
            ElasticNumbers.Write(writer, indices.Count == 0 ? 100.0 : 50.0, false);
            writer.WriteEndObject();
        });
    }

    public Task AuthenticateAsync(HttpContext context)
    {
        var principal = (Principal)context.Items[ElasticLab.PrincipalItem]!;
        return ElasticResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("username", principal.User);
            writer.WriteStartArray("roles");
            writer.WriteStringValue("superuser");
            writer.WriteEndArray();
            writer.WriteNull("full_name");
            writer.WriteNull("email");
            writer.WriteStartObject("metadata");
            writer.WriteBoolean("_reserved", true);
            writer.WriteEndObject();
            writer.WriteBoolean("enabled", true);
            var realm = principal.AuthenticationType == "api_key" ? "_es_api_key" : "reserved";
            writer.WriteStartObject("authentication_realm");
            writer.WriteString("name", realm);
            writer.WriteString("type", realm);
            writer.WriteEndObject();
            writer.WriteStartObject("lookup_realm");
            writer.WriteString("name", realm);
            writer.WriteString("type", realm);
            writer.WriteEndObject();
            writer.WriteString("authentication_type", principal.AuthenticationType);
            if (principal.ApiKeyId is { } id)
            {
                writer.WriteStartObject("api_key");
                writer.WriteString("id", id);
                writer.WriteString("name", "pssoc-lab");
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        });
    }

    public async Task CreateAsync(HttpContext context, string index)
    {
        ElasticHttp.CheckParameters(context, new[] { "wait_for_active_shards", "timeout", "master_timeout" });
        using var body = ElasticRequestBody.Parse(await ElasticHttp.ReadBodyAsync(context).ConfigureAwait(false));
        var created = _lab.Store.Create(index, body.Root);
        await ElasticResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("acknowledged", true);
            writer.WriteBoolean("shards_acknowledged", true);
            writer.WriteString("index", created.Name);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    public Task DeleteAsync(HttpContext context, string index)
    {
        ElasticHttp.CheckParameters(context, new[] { "ignore_unavailable", "allow_no_indices", "expand_wildcards", "timeout", "master_timeout" });
        // action.destructive_requires_name is true by default in 8.x.
        if (index.Contains('*') || index == "_all")
            throw ElasticException.IllegalArgument("Wildcard expressions or all indices are not allowed");
        var indices = _lab.Store.Resolve(index, ElasticHttp.Flag(context, "ignore_unavailable"));
        foreach (var i in indices) _lab.Store.Delete(i.Name);
        return ElasticResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("acknowledged", true);
            writer.WriteEndObject();
        });
    }

    public Task GetAsync(HttpContext context, string index)
    {
        var indices = _lab.Store.Resolve(index, ElasticHttp.Flag(context, "ignore_unavailable"));
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            return Task.CompletedTask;
        }
        return ElasticResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            foreach (var i in indices)
            {
                writer.WriteStartObject(i.Name);
                writer.WriteStartObject("aliases");
                writer.WriteEndObject();
                writer.WritePropertyName("mappings");
                i.Mapping.Write(writer);
                writer.WriteStartObject("settings");
                writer.WriteStartObject("index");
                writer.WriteStartObject("routing");
                writer.WriteStartObject("allocation");
                writer.WriteStartObject("include");
                writer.WriteString("_tier_preference", "data_content");
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteString("number_of_shards", i.NumberOfShards);
                writer.WriteString("provided_name", i.Name);
                if (i.MaxResultWindow != 10_000) writer.WriteString("max_result_window", i.MaxResultWindow.ToString(System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteString("creation_date", i.CreationDate.ToString(System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteString("number_of_replicas", i.NumberOfReplicas);
                writer.WriteString("uuid", i.Uuid);
                writer.WriteStartObject("version");
                writer.WriteString("created", "8512000");
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        });
    }

    /// <summary>HEAD /index: 200 or 404, never a body.</summary>
    public Task ExistsAsync(HttpContext context, string index)
    {
        var exists = index.Split(',').All(part => part.Contains('*') || _lab.Store.Find(part) is not null);
        context.Response.StatusCode = exists ? 200 : 404;
        context.Response.ContentType = "application/json";
        return Task.CompletedTask;
    }

    /// <summary>
    /// GET _resolve/index/{name}: the indices, aliases and data streams a name or pattern (comma-separated) matches,
    /// as Elasticsearch 7.9+ answers. The Lab has no data streams, so that list is always empty. Hidden names (leading
    /// dot) match only patterns that start with a dot, unless expand_wildcards asks for hidden ones.
    /// </summary>
    public Task ResolveIndexAsync(HttpContext context, string name)
    {
        ElasticHttp.CheckParameters(context, new[] { "expand_wildcards", "ignore_unavailable", "allow_no_indices" });
        var hidden = (ElasticHttp.Param(context, "expand_wildcards") ?? "open").Split(',').Any(w => w is "hidden" or "all");
        var parts = name.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        bool Matches(string candidate) => parts.Any(p => p.Contains('*')
            ? ElasticWildcard.Matches(p, candidate) && (hidden || !candidate.StartsWith('.') || p.StartsWith('.'))
            : p == candidate);
        var aliases = _lab.Store.Aliases.ToList();
        var indices = _lab.Store.Indices.Where(i => Matches(i.Name)).ToList();
        var matchedAliases = aliases.Where(a => Matches(a.Key)).ToList();
        if (!ElasticHttp.Flag(context, "ignore_unavailable"))
        {
            // A concrete name that is neither an index nor an alias is index_not_found, as for a search.
            var missing = parts.FirstOrDefault(p => !p.Contains('*') && indices.All(i => i.Name != p) && matchedAliases.All(a => a.Key != p));
            if (missing != null) throw ElasticException.IndexNotFound(missing);
        }
        return ElasticResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("indices");
            foreach (var index in indices)
            {
                writer.WriteStartObject();
                writer.WriteString("name", index.Name);
                var of = aliases.Where(a => a.Value.Contains(index.Name)).Select(a => a.Key).ToList();
                if (of.Count > 0)
                {
                    writer.WriteStartArray("aliases");
                    foreach (var alias in of) writer.WriteStringValue(alias);
                    writer.WriteEndArray();
                }
                writer.WriteStartArray("attributes");
                if (index.Name.StartsWith('.')) writer.WriteStringValue("hidden");
                writer.WriteStringValue("open");
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("aliases");
            foreach (var (alias, members) in matchedAliases)
            {
                writer.WriteStartObject();
                writer.WriteString("name", alias);
                writer.WriteStartArray("indices");
                foreach (var member in members) writer.WriteStringValue(member);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("data_streams");
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    public Task GetMappingAsync(HttpContext context, string? index)
    {
        var indices = _lab.Store.Resolve(index, ElasticHttp.Flag(context, "ignore_unavailable"));
        return ElasticResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            foreach (var i in indices)
            {
                writer.WriteStartObject(i.Name);
                writer.WritePropertyName("mappings");
                i.Mapping.Write(writer);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        });
    }

    public async Task PutMappingAsync(HttpContext context, string index)
    {
        using var body = ElasticRequestBody.Parse(await ElasticHttp.ReadBodyAsync(context).ConfigureAwait(false));
        if (body.Root is not { } root) throw new ElasticException(400, new ElasticErrorCause("parse_exception", "request body is required"));
        foreach (var i in _lab.Store.Resolve(index)) i.Mapping.Apply(root);
        await ElasticResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("acknowledged", true);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>GET /index/_mapping/field/f1,f2*: each field's mapping under its full name, per index.</summary>
    public Task GetFieldMappingAsync(HttpContext context, string index, string fields)
    {
        var indices = _lab.Store.Resolve(index, ElasticHttp.Flag(context, "ignore_unavailable"));
        var patterns = fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return ElasticResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            foreach (var i in indices)
            {
                writer.WriteStartObject(i.Name);
                writer.WriteStartObject("mappings");
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var pattern in patterns)
                {
                    var matches = pattern.Contains('*')
                        ? i.Mapping.Match(pattern)
                        : i.Mapping.Resolve(pattern) is { } one ? new[] { one } : Array.Empty<ResolvedField>();
                    foreach (var field in matches)
                    {
                        if (!seen.Add(field.Name)) continue;
                        writer.WritePropertyName(field.Name);
                        ElasticMapping.WriteFieldMapping(writer, field);
                    }
                }
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        });
    }

    public Task RefreshAsync(HttpContext context, string? index)
    {
        var indices = _lab.Store.Resolve(index, ElasticHttp.Flag(context, "ignore_unavailable"));
        return ElasticResponse.WriteAsync(context, 200, writer =>
        {
            // Documents are searchable as soon as they are written; refresh only answers like ES.
            writer.WriteStartObject();
            writer.WriteStartObject("_shards");
            writer.WriteNumber("total", indices.Count * 2);
            writer.WriteNumber("successful", indices.Count);
            writer.WriteNumber("failed", 0);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }
}
