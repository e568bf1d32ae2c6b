using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
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

        /// <summary>
        /// The wanted paths as a tree of UTF-8 name segments (host → name): the walk matches a property by its raw bytes,
        /// so it allocates no string for a name and none for a path.
        /// </summary>
        private readonly PathNode _root = new PathNode(Array.Empty<byte>());
        private readonly Action<SocAlert> _fill;
        private static readonly byte[] EmptyObject = { (byte)'{', (byte)'}' };
        private string? _lastIndex;
        /// <summary>Set the first time an alert's fields are read: the consumer wants them (see <see cref="MapPage"/>).</summary>
        private volatile bool _fieldsWanted;

        /// <summary>The best value found so far for each slot, as text (or as the scalar, for severity), and its rank.</summary>
        private sealed class Found
        {
            public readonly string?[] Text = new string?[(int)Slot.Count];
            public readonly int[] Ranks = new int[(int)Slot.Count];
            public object? Severity;
            public DateTimeOffset? Time;

            public void Reset()
            {
                for (var i = 0; i < Ranks.Length; i++)
                {
                    Ranks[i] = int.MaxValue;
                    Text[i] = null;
                }
                Severity = null;
                Time = null;
            }
        }

        /// <summary>Scratch for the alert being filled; one per thread (alerts of one stream may be read on several).</summary>
        [ThreadStatic] private static Found? _found;

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
            var node = _root;
            foreach (var segment in path.Split('.')) node = node.Child(segment);
            return node.Target ??= new Target(path);
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

        /// <summary>
        /// A page's hits as alerts, for a stream that maps the next page on the thread that fetched it while the pipeline
        /// works on this one. Until the consumer has read a field of any alert, the fields stay unread (a stream into
        /// Measure-Object, or a sink that stores the document whole, never pays for them); once it has, the pages after
        /// are read here, beside the pipeline, so a filter finds its Severity read instead of reading it on its own thread.
        /// </summary>
        public SocAlert[] MapPage(JsonElement hits)
        {
            var readNow = _fieldsWanted;
            var alerts = new SocAlert[hits.GetArrayLength()];
            var i = 0;
            foreach (var hit in hits.EnumerateArray())
            {
                var alert = Map(hit);
                if (readNow) alert.ResolveNow();
                alerts[i++] = alert;
            }
            return alerts;
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
            _fieldsWanted = true;
            // Read through the generic accessor: a source may have replaced the fields with richer ones (SecurityAlertFields).
            var docId = alert.DocumentId;
            var found = _found ??= new Found();
            found.Reset();
            // One forward read of the kept bytes: no document tree, no string for a name that is not wanted.
            var reader = new Utf8JsonReader(alert.OriginalUtf8.Span);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject) Walk(ref reader, _root, alert, found);

            string? Text(Slot slot) => found.Text[(int)slot];

            alert.Id = Text(Slot.Id) ?? docId ?? string.Empty;
            alert.Title = Text(Slot.Title) ?? alert.Id;
            alert.Description = Text(Slot.Description);
            alert.Status = Text(Slot.Status);
            alert.Host = Text(Slot.Host);
            alert.User = Text(Slot.User);
            alert.Rule = Text(Slot.Rule);
            if (found.Ranks[(int)Slot.Severity] != int.MaxValue)
            {
                alert.SourceSeverity = Convert.ToString(found.Severity, System.Globalization.CultureInfo.InvariantCulture);
                alert.Severity = AlertSeverityScale.Parse(found.Severity);
            }
            if (found.Ranks[(int)Slot.Time] != int.MaxValue) alert.Time = found.Time;
        }

        /// <summary>The properties of the object the reader is on, down the wanted paths; the reader ends on its EndObject.</summary>
        private static void Walk(ref Utf8JsonReader reader, PathNode node, SocAlert alert, Found found)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var child = node.Find(ref reader);
                reader.Read();
                if (child is null)
                {
                    reader.Skip();
                    continue;
                }
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    if (child.HasChildren) Walk(ref reader, child, alert, found);
                    else reader.Skip();
                }
                else if (child.Target is { } target) Value(ref reader, target, alert, found);
                else reader.Skip();
            }
        }

        /// <summary>A wanted path's value: into the slots it ranks best for so far, and into the alert's lists.</summary>
        private static void Value(ref Utf8JsonReader reader, Target target, SocAlert alert, Found found)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    // Only a value a user would call present fills a slot: not "", not null, not an empty array.
                    if (reader.ValueSpan.Length == 0) return;
                    break;
                case JsonTokenType.Number:
                case JsonTokenType.True:
                case JsonTokenType.False:
                    break;
                case JsonTokenType.StartArray:
                    ArrayValue(JsonElement.ParseValue(ref reader), target, alert, found);
                    return;
                default:
                    reader.Skip();
                    return;
            }
            string? text = null;
            foreach (var (slot, rank) in target.Slots)
            {
                if (rank >= found.Ranks[(int)slot]) continue;
                found.Ranks[(int)slot] = rank;
                switch (slot)
                {
                    case Slot.Severity: found.Severity = JsonFields.AsScalar(ref reader); break;
                    case Slot.Time: found.Time = JsonFields.TimeOrNull(ref reader); break;
                    default: found.Text[(int)slot] = text ??= JsonFields.AsString(ref reader); break;
                }
            }
            if (target.Collect != Collect.None) Add(alert, target, text ?? JsonFields.AsString(ref reader));
        }

        /// <summary>An array (Kibana's "fields" give every value as one): the first item decides, every item is collected. Rare, so read as an element.</summary>
        private static void ArrayValue(JsonElement value, Target target, SocAlert alert, Found found)
        {
            if (!IsPresent(value)) return;
            foreach (var (slot, rank) in target.Slots)
            {
                if (rank >= found.Ranks[(int)slot]) continue;
                found.Ranks[(int)slot] = rank;
                switch (slot)
                {
                    case Slot.Severity: found.Severity = JsonFields.AsScalar(value); break;
                    case Slot.Time: found.Time = JsonFields.TimeOrNull(value); break;
                    default: found.Text[(int)slot] = JsonFields.AsString(value); break;
                }
            }
            if (target.Collect == Collect.None) return;
            foreach (var item in value.EnumerateArray()) Add(alert, target, JsonFields.AsString(item));
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

        /// <summary>One segment of the wanted paths: its children by name, and what the path to it fills, if anything.</summary>
        private sealed class PathNode
        {
            /// <summary>Children by the first byte of their name, then compared whole: few names share one.</summary>
            private readonly List<PathNode>?[] _byFirstByte = new List<PathNode>?[128];

            public PathNode(byte[] name) => Name = name;

            public byte[] Name { get; }
            public Target? Target { get; set; }
            public bool HasChildren { get; private set; }

            public PathNode Child(string segment)
            {
                var name = Encoding.UTF8.GetBytes(segment);
                var existing = Exact(name);
                if (existing != null) return existing;
                var child = new PathNode(name);
                var bucket = name.Length == 0 ? 0 : name[0] & 127;
                (_byFirstByte[bucket] ??= new List<PathNode>()).Add(child);
                HasChildren = true;
                return child;
            }

            /// <summary>
            /// The node the reader's property name leads to: a plain name is one segment; a dotted one ("kibana.alert.uuid"
            /// as one key, as Kibana's alert documents have it) walks one segment per part, as nesting would.
            /// </summary>
            public PathNode? Find(ref Utf8JsonReader reader)
            {
                if (!HasChildren) return null;
                var name = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
                var node = this;
                while (node != null)
                {
                    var dot = name.IndexOf((byte)'.');
                    if (dot < 0) return node.Exact(name);
                    node = node.Exact(name.Slice(0, dot));
                    name = name.Slice(dot + 1);
                }
                return null;
            }

            private PathNode? Exact(ReadOnlySpan<byte> name)
            {
                var bucket = _byFirstByte[name.Length == 0 ? 0 : name[0] & 127];
                if (bucket is null) return null;
                foreach (var child in bucket)
                    if (name.SequenceEqual(child.Name)) return child;
                return null;
            }
        }

        private static string? Str(JsonElement element, byte[] name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
