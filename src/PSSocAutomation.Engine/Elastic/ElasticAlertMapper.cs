using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// A search hit as a normalized alert. Field names cover plain alert indices (alert_id, message, severity,
    /// timestamp), ECS events, and Kibana detection alerts (kibana.alert.*, flattened or nested); the hit's _source is
    /// kept whole.
    /// </summary>
    /// <remarks>
    /// It reads every candidate field in one walk over the document rather than one lookup per candidate: a million
    /// alerts stream through this, and forty property scans per alert cost more than parsing the page. The same walk
    /// collects the ECS fields that name indicators (source.ip, destination.ip, file.hash.*, url.full,
    /// dns.question.name), resources (host.name, cloud.instance.id) and tags. All of it runs the first time a field of
    /// the alert is read, never before.
    /// </remarks>
    public sealed class ElasticAlertMapper
    {
        private enum Slot { Id, Title, Description, Severity, Status, Host, User, Rule, Time, Count }

        private static readonly (Slot Slot, string[] Paths)[] Candidates =
        {
            (Slot.Id, new[] { "alert_id", "kibana.alert.uuid", "signal.id", "event.id", "id" }),
            (Slot.Title, new[] { "kibana.alert.rule.name", "signal.rule.name", "title", "message", "rule.name", "alert_type", "event.action" }),
            (Slot.Description, new[] { "kibana.alert.reason", "signal.reason", "message", "description", "rule.description" }),
            (Slot.Severity, new[] { "kibana.alert.severity", "signal.rule.severity", "severity", "event.severity", "kibana.alert.risk_score", "signal.rule.risk_score", "log.level" }),
            (Slot.Status, new[] { "kibana.alert.workflow_status", "signal.status", "status", "event.outcome" }),
            (Slot.Host, new[] { "host.name", "host.hostname", "host.ip" }),
            (Slot.User, new[] { "user.name", "user.email", "source.user.name" }),
            (Slot.Rule, new[] { "kibana.alert.rule.name", "signal.rule.name", "rule.name", "alert_type" }),
        };

        private enum Collect : byte { None, Indicator, Resource, Tag }

        /// <summary>ECS fields that name a resource of the alert (a host, an instance) or its tags.</summary>
        private static readonly (string Path, Collect Collect, string? Kind)[] NotIndicators =
        {
            ("host.name", Collect.Resource, "host"),
            ("cloud.instance.id", Collect.Resource, "instance"),
            ("tags", Collect.Tag, null),
            ("kibana.alert.workflow_tags", Collect.Tag, null),
        };

        /// <summary>ECS field → what it names: an indicator of that type, a resource of that type, or tags.</summary>
        /// <remarks>The indicator fields are Get-AlertIndicator's own list (hosts and users are the alert's Host and User instead).</remarks>
        private static readonly (string Path, Collect Collect, string? Kind)[] Collected =
            PSSocAutomation.Indicators.DocumentIndicators.EcsFields.Where(f => f.Type != "host" && f.Type != "user")
                .Select(f => (f.Path, Collect.Indicator, f.Type)).Concat(NotIndicators).ToArray();

        /// <summary>What one dotted path fills: slots (lower rank wins) and, for some, a list of the alert.</summary>
        private sealed class Target
        {
            public Target(string path) => Path = path;
            public string Path { get; }
            public (Slot Slot, int Rank)[] Slots { get; set; } = Array.Empty<(Slot, int)>();
            public Collect Collect { get; set; }
            public string? Kind { get; set; }
        }

        private static readonly byte[] SourceName = System.Text.Encoding.UTF8.GetBytes("_source");
        private static readonly byte[] FieldsName = System.Text.Encoding.UTF8.GetBytes("fields");
        private static readonly byte[] IndexName = System.Text.Encoding.UTF8.GetBytes("_index");
        private static readonly byte[] IdName = System.Text.Encoding.UTF8.GetBytes("_id");

        /// <summary>Dotted path → what it fills.</summary>
        private readonly Dictionary<string, Target> _wanted = new Dictionary<string, Target>(StringComparer.Ordinal);
        /// <summary>Object paths worth descending into ("kibana", "kibana.alert", "host" ...).</summary>
        private readonly HashSet<string> _prefixes = new HashSet<string>(StringComparer.Ordinal);
        private readonly Action<SocAlert> _fill;
        private static readonly byte[] EmptyObject = { (byte)'{', (byte)'}' };
        private string? _lastIndex;

        [ThreadStatic] private static JsonElement[]? _values;
        [ThreadStatic] private static int[]? _ranks;
        /// <summary>The collected fields of the alert being filled; reused, so an alert without any allocates nothing for them.</summary>
        [ThreadStatic] private static List<(Target Target, JsonElement Value)>? _collected;

        public ElasticAlertMapper(string timeField, string? idField = null, string source = "Elasticsearch")
        {
            TimeField = timeField;
            IdField = idField;
            Source = source;
            _fill = Fill;
            foreach (var (slot, paths) in Candidates)
            {
                if (slot == Slot.Id && idField != null) continue;
                for (var i = 0; i < paths.Length; i++) Want(paths[i], slot, i);
            }
            if (idField != null) Want(idField, Slot.Id, 0);
            Want(timeField, Slot.Time, 0);
            Want("@timestamp", Slot.Time, 1);
            Want("timestamp", Slot.Time, 2);
            foreach (var (path, collect, kind) in Collected)
            {
                var target = TargetOf(path);
                target.Collect = collect;
                target.Kind = kind;
            }
        }

        /// <summary>
        /// The fields the alert's Id is read from (-IdField, else the candidates in order). A search restricted to some
        /// fields asks for these too: without them the Id silently falls back to the document _id.
        /// </summary>
        public static IReadOnlyList<string> IdPaths(string? idField)
        {
            if (idField != null) return new[] { idField };
            foreach (var (slot, paths) in Candidates)
                if (slot == Slot.Id) return paths;
            return Array.Empty<string>();
        }

        public string TimeField { get; }
        public string? IdField { get; }
        public string Source { get; }

        private void Want(string path, Slot slot, int rank)
        {
            var target = TargetOf(path);
            target.Slots = Append(target.Slots, (slot, rank));
        }

        private Target TargetOf(string path)
        {
            if (_wanted.TryGetValue(path, out var target)) return target;
            _wanted[path] = target = new Target(path);
            for (var dot = path.IndexOf('.'); dot > 0; dot = path.IndexOf('.', dot + 1)) _prefixes.Add(path.Substring(0, dot));
            return target;
        }

        private static T[] Append<T>(T[] array, T item)
        {
            var result = new T[array.Length + 1];
            Array.Copy(array, result, array.Length);
            result[array.Length] = item;
            return result;
        }

        /// <summary>
        /// The alert for a hit: index and id now, everything else from the kept document the first time it is read
        /// (so the JSON page can be released as soon as the hits are copied out of it).
        /// </summary>
        public SocAlert Map(JsonElement hit)
        {
            // Kibana recommends "fields" for alert documents; use them when _source was not asked for.
            var doc = hit.TryGetProperty(SourceName, out var source) && source.ValueKind == JsonValueKind.Object ? source
                : hit.TryGetProperty(FieldsName, out var fields) && fields.ValueKind == JsonValueKind.Object ? fields : default;
            return new SocAlert(Source, doc.ValueKind == JsonValueKind.Object ? JsonRaw.CopyUtf8(doc) : EmptyObject, _fill)
            {
                SourceFields = new ElasticAlertFields(IndexOf(hit), Str(hit, IdName)),
            };
        }

        /// <summary>A page's hits nearly always share their index: one string for all of them.</summary>
        private string? IndexOf(JsonElement hit)
        {
            if (!hit.TryGetProperty(IndexName, out var value) || value.ValueKind != JsonValueKind.String) return null;
            var last = _lastIndex;
            if (last != null && value.ValueEquals(last)) return last;
            return _lastIndex = value.GetString();
        }

        private void Fill(SocAlert alert)
        {
            // Read through the generic accessor: a source may have replaced the fields with richer ones (SecurityAlertFields).
            var docId = alert.DocumentId;
            using var parsed = JsonDocument.Parse(alert.OriginalUtf8);
            var doc = parsed.RootElement;
            var values = _values ??= new JsonElement[(int)Slot.Count];
            var ranks = _ranks ??= new int[(int)Slot.Count];
            var collected = _collected ??= new List<(Target, JsonElement)>();
            collected.Clear();
            for (var i = 0; i < ranks.Length; i++) ranks[i] = int.MaxValue;
            if (doc.ValueKind == JsonValueKind.Object) Walk(doc, null, values, ranks, collected);

            string? Text(Slot slot) => ranks[(int)slot] == int.MaxValue ? null : JsonFields.AsString(values[(int)slot]);

            alert.Id = Text(Slot.Id) ?? docId ?? string.Empty;
            alert.Title = Text(Slot.Title) ?? alert.Id;
            alert.Description = Text(Slot.Description);
            alert.Status = Text(Slot.Status);
            alert.Host = Text(Slot.Host);
            alert.User = Text(Slot.User);
            alert.Rule = Text(Slot.Rule);
            if (ranks[(int)Slot.Severity] != int.MaxValue)
            {
                var scalar = JsonFields.AsScalar(values[(int)Slot.Severity]);
                alert.SourceSeverity = Convert.ToString(scalar, System.Globalization.CultureInfo.InvariantCulture);
                alert.Severity = AlertSeverityScale.Parse(scalar);
            }
            if (ranks[(int)Slot.Time] != int.MaxValue) alert.Time = JsonFields.TimeOrNull(values[(int)Slot.Time]);
            if (collected.Count > 0) AddCollected(alert, collected);
            collected.Clear(); // the elements point into the document disposed below
        }

        private static void AddCollected(SocAlert alert, List<(Target Target, JsonElement Value)> collected)
        {
            foreach (var (target, value) in collected)
            {
                if (value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in value.EnumerateArray()) Add(alert, target, JsonFields.AsString(item));
                }
                else Add(alert, target, JsonFields.AsString(value));
            }
        }

        /// <summary>One value into its list; the same value twice (a host talking to itself) is kept once.</summary>
        private static void Add(SocAlert alert, Target target, string? text)
        {
            if (string.IsNullOrWhiteSpace(text)) return;
            var value = text!.Trim();
            switch (target.Collect)
            {
                case Collect.Indicator:
                {
                    // Typed and normalized as Get-AlertIndicator does (related.* by the value's shape, hashes and domains
                    // lower-cased, a malformed address dropped); private addresses stay: an internal host belongs in a case.
                    var kind = target.Kind ?? PSSocAutomation.Indicators.IndicatorType.Of(value);
                    if (kind is null) return;
                    var normal = PSSocAutomation.Indicators.DocumentIndicators.Normalize(kind, value, includePrivate: true);
                    if (normal is null) return;
                    foreach (var known in alert.Indicators)
                        if (string.Equals(known.Value, normal, StringComparison.Ordinal) && string.Equals(known.Type, kind, StringComparison.Ordinal)) return;
                    alert.Indicators.Add(new AlertIndicator(normal, kind, target.Path));
                    break;
                }
                case Collect.Resource:
                    foreach (var known in alert.Resources)
                        if (string.Equals(known.Id, value, StringComparison.Ordinal)) return;
                    alert.Resources.Add(new AlertResource(value, target.Kind));
                    break;
                case Collect.Tag:
                    if (!alert.Tags.Contains(value)) alert.Tags.Add(value);
                    break;
            }
        }

        private void Walk(JsonElement node, string? prefix, JsonElement[] values, int[] ranks, List<(Target, JsonElement)> collected)
        {
            foreach (var property in node.EnumerateObject())
            {
                var path = prefix is null ? property.Name : prefix + "." + property.Name;
                var value = property.Value;
                if (value.ValueKind == JsonValueKind.Object)
                {
                    if (_prefixes.Contains(path)) Walk(value, path, values, ranks, collected);
                    continue;
                }
                if (!_wanted.TryGetValue(path, out var target) || !IsPresent(value)) continue;
                foreach (var (slot, rank) in target.Slots)
                {
                    if (rank >= ranks[(int)slot]) continue;
                    ranks[(int)slot] = rank;
                    values[(int)slot] = value;
                }
                if (target.Collect != Collect.None) collected.Add((target, value));
            }
        }

        /// <summary>Only a value a user would call present fills a slot: not null, not "", not an empty array.</summary>
        private static bool IsPresent(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String: return !value.ValueEquals(ReadOnlySpan<byte>.Empty);
                case JsonValueKind.Number:
                case JsonValueKind.True:
                case JsonValueKind.False: return true;
                case JsonValueKind.Array:
                    foreach (var item in value.EnumerateArray()) return IsPresent(item);
                    return false;
                default: return false;
            }
        }

        private static string? Str(JsonElement element, byte[] name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
