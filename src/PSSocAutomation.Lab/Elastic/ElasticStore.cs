using System.Collections.Concurrent;
using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// The cluster's indices: creation (explicit or on first write), deletion, and index expressions — comma lists,
/// wildcards, exclusions, _all — resolved with ES's rules for missing indices.
/// </summary>
internal sealed class ElasticStore
{
    private readonly ConcurrentDictionary<string, ElasticIndex> _indices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<SortedOrder>> _orders = new(StringComparer.Ordinal);
    // Alias name to the indices it points at. Kibana's alerts live behind one (.alerts-security.alerts-<space>), so a
    // search or PIT on that name must reach the backing indices.
    private readonly ConcurrentDictionary<string, string[]> _aliases = new(StringComparer.Ordinal);
    private readonly object _create = new();
    private readonly Func<DateTimeOffset> _now;

    public ElasticStore(Func<DateTimeOffset> now) => _now = now;

    public IEnumerable<ElasticIndex> Indices => _indices.Values.OrderBy(i => i.Name, StringComparer.Ordinal);

    public ElasticIndex? Find(string name) => _indices.TryGetValue(name, out var index) ? index : null;

    /// <summary>ES's index name rules, with its messages.</summary>
    public static void ValidateName(string name)
    {
        if (name.Length == 0) throw ElasticException.InvalidIndexName(name, "must not be empty");
        if (name != name.ToLowerInvariant()) throw ElasticException.InvalidIndexName(name, "must be lowercase");
        if (name[0] is '_' or '-' or '+') throw ElasticException.InvalidIndexName(name, "must not start with '_', '-', or '+'");
        if (name is "." or "..") throw ElasticException.InvalidIndexName(name, "must not be '.' or '..'");
        if (name.IndexOfAny(new[] { '\\', '/', '*', '?', '"', '<', '>', '|', ' ', ',', '#', ':' }) >= 0)
            throw ElasticException.InvalidIndexName(name, "must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]");
        if (System.Text.Encoding.UTF8.GetByteCount(name) > 255) throw ElasticException.InvalidIndexName(name, "index name is too long, (256 > 255)");
    }

    /// <summary>action.auto_create_index: a write to a missing index creates it with dynamic mapping.</summary>
    public ElasticIndex GetOrCreate(string name)
    {
        if (_indices.TryGetValue(name, out var existing)) return existing;
        ValidateName(name);
        lock (_create)
        {
            return _indices.GetOrAdd(name, n => new ElasticIndex(n, _now().ToUnixTimeMilliseconds()));
        }
    }

    /// <summary>PUT /index with optional settings and mappings.</summary>
    public ElasticIndex Create(string name, JsonElement? body)
    {
        ValidateName(name);
        lock (_create)
        {
            if (_indices.TryGetValue(name, out var existing))
                throw new ElasticException(400, new ElasticErrorCause("resource_already_exists_exception", $"index [{name}/{existing.Uuid}] already exists")
                    .With("index_uuid", existing.Uuid).With("index", name));
            var index = new ElasticIndex(name, _now().ToUnixTimeMilliseconds());
            if (body is { ValueKind: JsonValueKind.Object } b)
            {
                foreach (var p in b.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "mappings": index.Mapping.Apply(p.Value); break;
                        case "settings": ApplySettings(index, p.Value); break;
                        case "aliases": break;
                        default:
                            throw new ElasticException(400, new ElasticErrorCause("parse_exception", $"unknown key [{p.Name}] for create index"));
                    }
                }
            }
            _indices[name] = index;
            return index;
        }
    }

    private static void ApplySettings(ElasticIndex index, JsonElement settings)
    {
        foreach (var p in Flatten(settings, string.Empty))
        {
            var key = p.Key.StartsWith("index.", StringComparison.Ordinal) ? p.Key["index.".Length..] : p.Key;
            switch (key)
            {
                case "max_result_window": index.MaxResultWindow = int.Parse(p.Value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "number_of_shards": index.NumberOfShards = p.Value; break;
                case "number_of_replicas": index.NumberOfReplicas = p.Value; break;
            }
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> Flatten(JsonElement element, string prefix)
    {
        foreach (var p in element.EnumerateObject())
        {
            var key = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
            if (p.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var inner in Flatten(p.Value, key)) yield return inner;
            }
            else
            {
                yield return new(key, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
            }
        }
    }

    public bool Delete(string name)
    {
        lock (_create)
        {
            if (!_indices.TryRemove(name, out _)) return false;
            // ES drops an index's aliases with it; an alias left with no index is no alias at all.
            foreach (var (alias, members) in _aliases)
            {
                var rest = members.Where(m => m != name).ToArray();
                if (rest.Length == members.Length) continue;
                if (rest.Length == 0) _aliases.TryRemove(alias, out _);
                else _aliases[alias] = rest;
            }
            return true;
        }
    }

    /// <summary>Points an alias at an existing index (adding to the indices it already has), as POST /_aliases add does.</summary>
    public void AddAlias(string alias, string index)
    {
        ValidateName(alias);
        lock (_create)
        {
            if (!_indices.ContainsKey(index)) throw ElasticException.IndexNotFound(index);
            if (_indices.ContainsKey(alias))
                throw ElasticException.InvalidIndexName(alias, "an index or data stream exists with the same name as the alias");
            _aliases.AddOrUpdate(alias, _ => new[] { index }, (_, members) => members.Contains(index) ? members : members.Append(index).ToArray());
        }
    }

    /// <summary>Every alias with the indices it points at, by name (GET _resolve/index lists them).</summary>
    public IEnumerable<KeyValuePair<string, string[]>> Aliases => _aliases.OrderBy(a => a.Key, StringComparer.Ordinal);

    /// <summary>The indices an alias points at, in creation order; empty when it is no alias.</summary>
    public IReadOnlyList<string> AliasMembers(string alias) => _aliases.TryGetValue(alias, out var members) ? members : Array.Empty<string>();

    /// <summary>
    /// An index expression to indices. A named index that does not exist is index_not_found (unless
    /// ignore_unavailable); a wildcard that matches nothing is simply nothing (unless allow_no_indices=false).
    /// Hidden indices (leading dot) only match patterns that start with a dot. A name that is an alias, or an alias a
    /// pattern matches, stands for the alias's indices.
    /// </summary>
    public List<ElasticIndex> Resolve(string? expression, bool ignoreUnavailable = false, bool allowNoIndices = true)
    {
        var result = new List<ElasticIndex>();
        var parts = string.IsNullOrEmpty(expression) ? new[] { "_all" } : expression.Split(',', StringSplitOptions.TrimEntries);
        foreach (var part in parts)
        {
            if (part.Length == 0) continue;
            if (part[0] == '-' && result.Count > 0)
            {
                var exclude = part[1..];
                result.RemoveAll(i => ElasticWildcard.Matches(exclude, i.Name));
                continue;
            }
            if (part is "_all" or "*")
            {
                foreach (var index in Indices.Where(i => !i.Name.StartsWith('.'))) AddOnce(result, index);
                continue;
            }
            if (part.Contains('*'))
            {
                foreach (var index in Indices.Where(i => ElasticWildcard.Matches(part, i.Name) && (!i.Name.StartsWith('.') || part.StartsWith('.'))))
                    AddOnce(result, index);
                // A pattern matches alias names too (.alerts-security.alerts-* reaches every space's backing indices).
                foreach (var (alias, members) in _aliases.OrderBy(a => a.Key, StringComparer.Ordinal))
                {
                    if (!ElasticWildcard.Matches(part, alias) || (alias.StartsWith('.') && !part.StartsWith('.'))) continue;
                    foreach (var member in members)
                    {
                        if (_indices.TryGetValue(member, out var backing)) AddOnce(result, backing);
                    }
                }
                continue;
            }
            if (_indices.TryGetValue(part, out var named)) AddOnce(result, named);
            else if (_aliases.TryGetValue(part, out var members))
            {
                foreach (var member in members)
                {
                    if (_indices.TryGetValue(member, out var backing)) AddOnce(result, backing);
                }
            }
            else if (!ignoreUnavailable) throw ElasticException.IndexNotFound(part);
        }
        if (result.Count == 0 && !allowNoIndices) throw ElasticException.IndexNotFound(expression ?? "_all", "index_expression");
        return result;
    }

    private static void AddOnce(List<ElasticIndex> list, ElasticIndex index)
    {
        if (!list.Contains(index)) list.Add(index);
    }

    /// <summary>
    /// Sort orders for searches outside a PIT, keyed by what they sorted (indices at a generation, sort clauses), so
    /// repeated pages over unchanged data reuse one sort.
    /// </summary>
    public SortedOrder OrderFor(IndexSnapshot[] targets, IReadOnlyList<SortSpec> specs)
    {
        var key = string.Join(";", targets.Select(t => t.Index.Uuid + "@" + t.Generation)) + "|" + string.Join(";", specs.Select(s => s.Key));
        if (_orders.Count > 16) _orders.Clear();
        return _orders.GetOrAdd(key, _ => new Lazy<SortedOrder>(() => SortedOrder.Build(targets, specs, SortedOrder.VisibleRefs(targets), null))).Value;
    }
}
