using System;
using System.Collections.Generic;
using System.Text.Json;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// The one alert shape that flows through the pipeline, whatever the source: every sink binds to these properties
    /// by name. The common core (id, title, severity on one scale, time, status, host, user, indicators, resources,
    /// tags, link) means the same for every source; what only one source has lives in <see cref="SourceFields"/>; the
    /// source's own document is kept whole (as JSON, turned into an object only when someone looks).
    /// </summary>
    /// <remarks>
    /// A source may hand over the document alone and let the fields be read from it on first use: a stream of a
    /// million alerts into a filter that reads two properties should not pay for reading ten.
    /// </remarks>
    public sealed class SocAlert : IJsonBody
    {
        private readonly byte[] _originalUtf8;
        private Action<SocAlert>? _resolve;
        private object? _original;
        private string _id;
        private string _title = string.Empty;
        private string? _description, _sourceSeverity, _status, _host, _user, _rule, _link;
        private AlertSeverity _severity;
        private DateTimeOffset? _time;
        private List<AlertIndicator>? _indicators;
        private List<AlertResource>? _resources;
        private List<string>? _tags;

        public SocAlert(string source, string id, byte[] originalUtf8)
        {
            Source = source;
            _id = id;
            _originalUtf8 = originalUtf8;
        }

        public SocAlert(string source, string id, string originalJson)
            : this(source, id, System.Text.Encoding.UTF8.GetBytes(originalJson))
        {
        }

        /// <summary>An alert whose fields <paramref name="resolve"/> reads from the document the first time any is asked for.</summary>
        internal SocAlert(string source, byte[] originalUtf8, Action<SocAlert> resolve)
            : this(source, string.Empty, originalUtf8)
        {
            _resolve = resolve;
        }

        /// <summary>Where it came from: "Elasticsearch", "Kibana", "SecurityHub" ...</summary>
        public string Source { get; }
        /// <summary>The source's id for the alert (alert_id, kibana.alert.uuid, the finding id ...).</summary>
        public string Id { get { Resolve(); return _id; } set { Resolve(); _id = value; } }
        public string Title { get { Resolve(); return _title; } set { Resolve(); _title = value; } }
        public string? Description { get { Resolve(); return _description; } set { Resolve(); _description = value; } }
        public AlertSeverity Severity { get { Resolve(); return _severity; } set { Resolve(); _severity = value; } }
        /// <summary>The source's own severity text or score, before mapping.</summary>
        public string? SourceSeverity { get { Resolve(); return _sourceSeverity; } set { Resolve(); _sourceSeverity = value; } }
        public DateTimeOffset? Time { get { Resolve(); return _time; } set { Resolve(); _time = value; } }
        public string? Status { get { Resolve(); return _status; } set { Resolve(); _status = value; } }
        public string? Host { get { Resolve(); return _host; } set { Resolve(); _host = value; } }
        public string? User { get { Resolve(); return _user; } set { Resolve(); _user = value; } }
        public string? Rule { get { Resolve(); return _rule; } set { Resolve(); _rule = value; } }
        /// <summary>A link back to the alert in its source, when the source has one.</summary>
        public string? Link { get { Resolve(); return _link; } set { Resolve(); _link = value; } }
        /// <summary>Observables the alert points at (addresses, domains, URLs, hashes), for IOCs and enrichment.</summary>
        public IList<AlertIndicator> Indicators { get { Resolve(); return _indicators ??= new List<AlertIndicator>(); } }
        /// <summary>What of the organisation's the alert concerns (hosts, instances, ARNs), for containment and assets.</summary>
        public IList<AlertResource> Resources { get { Resolve(); return _resources ??= new List<AlertResource>(); } }
        /// <summary>The source's tags or labels for the alert.</summary>
        public IList<string> Tags { get { Resolve(); return _tags ??= new List<string>(); } }

        /// <summary>What only this kind of source has (Elasticsearch: index and _id); null when the source has nothing more.</summary>
        public AlertSourceFields? SourceFields { get; set; }

        /// <summary>The Elasticsearch index the alert was read from (its source field "Index"); kept here for scripts that read $alert.Index.</summary>
        public string? Index => SourceFields?.Get("Index") as string;
        /// <summary>The source's document id (Elasticsearch _id, its source field "DocumentId"); kept here for scripts that read $alert.DocumentId.</summary>
        public string? DocumentId => SourceFields?.Get("DocumentId") as string;

        /// <summary>The source document, whole, as a PowerShell object.</summary>
        public object? Original => _original ??= DocumentView.FromUtf8(_originalUtf8);

        /// <summary>The source document as JSON text.</summary>
        public string OriginalJson() => System.Text.Encoding.UTF8.GetString(_originalUtf8);

        /// <summary>The source document as UTF-8 JSON, for code that parses it again.</summary>
        internal ReadOnlyMemory<byte> OriginalUtf8 => _originalUtf8;

        /// <summary>
        /// Read the fields from the document now, on the thread that is making the alert and before anyone else can see
        /// it: so without the lock, which would make a thread mapping the next page wait for the pipeline reading this one.
        /// </summary>
        internal void ResolveNow()
        {
            var resolve = _resolve;
            _resolve = null;
            resolve?.Invoke(this);
        }

        /// <summary>Whether the fields have been read from the document (for tests).</summary>
        internal bool IsResolved => _resolve is null;

        private void Resolve()
        {
            var resolve = _resolve;
            if (resolve is null) return;
            // The resolver is one delegate shared by every alert of a source, so locking it costs no allocation per alert.
            lock (resolve)
            {
                if (_resolve is null) return;
                _resolve = null;
                resolve(this);
            }
        }

        /// <summary>Sinks that store the alert (Elastic audit, IRIS source content) store the original document.</summary>
        public void WriteJson(Utf8JsonWriter writer)
        {
            using var doc = JsonDocument.Parse(_originalUtf8);
            doc.RootElement.WriteTo(writer);
        }

        public override string ToString() => $"[{Severity}] {Title} ({Source} {Id})";
    }
}
