using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using PSSocAutomation.Core;

namespace PSSocAutomation.Iris
{
    /// <summary>What every IRIS object keeps: the server's own JSON, whole, shown as <see cref="Raw"/>.</summary>
    public abstract class IrisObject
    {
        private object? _raw;

        private protected IrisObject(JsonElement json) => Json = json;

        internal JsonElement Json { get; }

        /// <summary>Every field IRIS returned, with IRIS's own names (alert_source_content, custom_attributes ...).</summary>
        public object? Raw => _raw ??= Json.ValueKind == JsonValueKind.Undefined ? null : DocumentView.FromElement(Json);

        /// <summary>The object as IRIS returned it, as JSON text.</summary>
        public string RawJson() => Json.ValueKind == JsonValueKind.Undefined ? "null" : Json.GetRawText();

        internal static Uri? LinkOf(Uri? baseUri, string relative) => baseUri is null ? null : new Uri(baseUri, relative);
    }

    /// <summary>
    /// An IRIS case, from any route that returns one (create/update's CaseSchema, /manage/cases/{id}, the list, or the
    /// filter's raw model names).
    /// </summary>
    public sealed class IrisCase : IrisObject
    {
        internal IrisCase(JsonElement json, Uri? baseUri) : base(json)
        {
            CaseId = IrisJson.FirstInt(json, "case_id") ?? 0;
            Uuid = IrisJson.FirstStr(json, "case_uuid");
            Name = IrisJson.FirstStr(json, "case_name", "name") ?? string.Empty;
            Title = StripPrefix(Name, CaseId);
            Description = IrisJson.FirstStr(json, "case_description", "description");
            SocId = IrisJson.FirstStr(json, "case_soc_id", "soc_id");
            CustomerId = IrisJson.FirstInt(json, "case_customer", "customer_id", "client_id", "case_customer_id") ?? IrisJson.NestedInt(json, "client", "customer_id", "client_id");
            Customer = IrisJson.FirstStr(json, "customer_name", "client_name") ?? IrisJson.Nested(json, "client", "customer_name", "name");
            ClassificationId = IrisJson.Int(json, "classification_id");
            Classification = IrisJson.Str(json, "classification") ?? IrisJson.Nested(json, "classification", "name");
            SeverityId = IrisJson.Int(json, "severity_id");
            Severity = IrisJson.Str(json, "severity_name") ?? IrisJson.Str(json, "severity") ?? IrisJson.Nested(json, "severity", "severity_name", "name");
            StateId = IrisJson.Int(json, "state_id");
            State = IrisJson.Str(json, "state_name") ?? IrisJson.Str(json, "state") ?? IrisJson.Nested(json, "state", "state_name", "name");
            OutcomeId = IrisJson.Int(json, "status_id");
            Outcome = IrisJson.Str(json, "status_name");
            OwnerId = IrisJson.Int(json, "owner_id");
            Owner = IrisJson.Str(json, "owner") ?? IrisJson.Nested(json, "owner", "user_login", "user_name", "name");
            OpenDate = IrisJson.Time(json, "open_date") ?? IrisJson.Time(json, "case_open_date");
            CloseDate = IrisJson.Time(json, "close_date") ?? IrisJson.Time(json, "case_close_date");
            Tags = IrisJson.Str(json, "case_tags") ?? TagsOf(json);
            Link = CaseId > 0 ? LinkOf(baseUri, "case?cid=" + CaseId) : null;
        }

        /// <summary>The case id (cid).</summary>
        public int CaseId { get; }
        public string? Uuid { get; }
        /// <summary>The name as IRIS stores it: "#&lt;id&gt; - &lt;name&gt;".</summary>
        public string Name { get; }
        /// <summary>The name without IRIS's "#id - " prefix.</summary>
        public string Title { get; }
        public string? Description { get; }
        /// <summary>The SOC ticket or alert reference (case_soc_id); New-IrisCase puts the alert's id here.</summary>
        public string? SocId { get; }
        public int? CustomerId { get; }
        public string? Customer { get; internal set; }
        public int? ClassificationId { get; }
        public string? Classification { get; internal set; }
        public int? SeverityId { get; }
        public string? Severity { get; internal set; }
        public int? StateId { get; }
        public string? State { get; internal set; }
        /// <summary>Outcome (status_id): 0 unknown, 1 false positive, 2 true positive with impact, 3 not applicable, 4 true positive without impact, 5 legitimate.</summary>
        public int? OutcomeId { get; }
        public string? Outcome { get; }
        public int? OwnerId { get; }
        public string? Owner { get; }
        public DateTime? OpenDate { get; }
        public DateTime? CloseDate { get; }
        /// <summary>Comma-separated, as IRIS keeps them.</summary>
        public string? Tags { get; }
        /// <summary>The case in the IRIS web interface.</summary>
        public Uri? Link { get; private set; }
        /// <summary>True when New-IrisCase found this case for the SOC id and customer instead of creating one.</summary>
        public bool Existing { get; internal set; }
        /// <summary>What New-IrisCase did: Created, Existing (as asked already), Updated, Adopted or Incomplete.</summary>
        public SinkOutcome? Action { get; internal set; }
        /// <summary>When Action is Incomplete: what could not be set (the error follows the case on the error stream).</summary>
        public string? Incomplete => Problem?.Message;
        internal Exception? Problem { get; set; }
        /// <summary>True when the case carries PSSocAutomation's mark (the footer of its description, or the tag): a case this module opened.</summary>
        public bool OpenedByModule => IrisCaseMark.IsOn(this);

        internal static string StripPrefix(string name, int id)
        {
            var prefix = "#" + id + " - ";
            // Trimmed: an escalation with a case title and no template stores "{prefix} {title}" with an empty prefix,
            // i.e. the title after a space (IRIS's own f-string), and no one means that space.
            return (id > 0 && name.StartsWith(prefix, StringComparison.Ordinal) ? name.Substring(prefix.Length) : name).Trim();
        }

        private static string? TagsOf(JsonElement json)
        {
            var tags = IrisJson.Array(json, "tags").Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() : IrisJson.FirstStr(t, "tag_title", "name")).Where(t => !string.IsNullOrEmpty(t)).ToArray();
            return tags.Length == 0 ? null : string.Join(",", tags);
        }

        /// <summary>This case as a keyed create's result (a copy: a case found once may be handed to several inputs).</summary>
        internal IrisCase As(SinkOutcome outcome, bool existing, Exception? problem = null)
        {
            var copy = new IrisCase(Json, null) { Existing = existing, Action = outcome, Problem = problem, Customer = Customer, Severity = Severity, State = State, Classification = Classification };
            copy.Link = Link;
            return copy;
        }

        internal IrisCase AsExisting() => As(Action == SinkOutcome.Created ? SinkOutcome.Existing : Action ?? SinkOutcome.Existing, true, Problem);

        public override string ToString() => $"#{CaseId} {Title}";
    }

    /// <summary>An alert in the IRIS alert queue.</summary>
    public sealed class IrisAlert : IrisObject
    {
        internal IrisAlert(JsonElement json, Uri? baseUri) : base(json)
        {
            AlertId = IrisJson.Int(json, "alert_id") ?? 0;
            Uuid = IrisJson.Str(json, "alert_uuid");
            Title = IrisJson.Str(json, "alert_title") ?? string.Empty;
            Description = IrisJson.Str(json, "alert_description");
            Source = IrisJson.Str(json, "alert_source");
            SourceRef = IrisJson.Str(json, "alert_source_ref");
            SourceLink = IrisJson.Str(json, "alert_source_link");
            SeverityId = IrisJson.Int(json, "alert_severity_id") ?? IrisJson.NestedInt(json, "severity", "severity_id");
            Severity = IrisJson.Nested(json, "severity", "severity_name");
            StatusId = IrisJson.Int(json, "alert_status_id") ?? IrisJson.NestedInt(json, "status", "status_id");
            Status = IrisJson.Nested(json, "status", "status_name");
            CustomerId = IrisJson.Int(json, "alert_customer_id") ?? IrisJson.NestedInt(json, "customer", "customer_id");
            Customer = IrisJson.Nested(json, "customer", "customer_name");
            ClassificationId = IrisJson.Int(json, "alert_classification_id");
            Classification = IrisJson.Nested(json, "classification", "name");
            OwnerId = IrisJson.Int(json, "alert_owner_id");
            Owner = IrisJson.Nested(json, "owner", "user_login", "user_name");
            ResolutionStatusId = IrisJson.Int(json, "alert_resolution_status_id");
            ResolutionStatus = IrisJson.Nested(json, "resolution_status", "resolution_status_name");
            EventTime = IrisJson.Time(json, "alert_source_event_time");
            CreationTime = IrisJson.Time(json, "alert_creation_time");
            Tags = IrisJson.Str(json, "alert_tags");
            Note = IrisJson.Str(json, "alert_note");
            CaseIds = IrisJson.Array(json, "cases").Select(c => c.ValueKind == JsonValueKind.Object ? IrisJson.Int(c, "case_id") : IrisJson.AsInt(c)).Where(i => i != null).Select(i => i!.Value).ToArray();
            Iocs = IrisJson.Array(json, "iocs").Select(i => new IrisIoc(i, null)).ToArray();
            Assets = IrisJson.Array(json, "assets").Select(a => new IrisAsset(a, null)).ToArray();
            Link = AlertId > 0 ? LinkOf(baseUri, "alerts?alert_ids=" + AlertId) : null;
        }

        public int AlertId { get; }
        public string? Uuid { get; }
        public string Title { get; }
        public string? Description { get; }
        public string? Source { get; }
        /// <summary>The source's id for the alert (alert_source_ref): the key that keeps New-IrisAlert from creating it twice.</summary>
        public string? SourceRef { get; }
        public string? SourceLink { get; }
        public int? SeverityId { get; }
        public string? Severity { get; }
        public int? StatusId { get; }
        public string? Status { get; }
        public int? CustomerId { get; }
        public string? Customer { get; }
        public int? ClassificationId { get; }
        public string? Classification { get; }
        public int? OwnerId { get; }
        public string? Owner { get; }
        public int? ResolutionStatusId { get; }
        public string? ResolutionStatus { get; }
        /// <summary>When the event happened at the source (naive UTC on the server).</summary>
        public DateTime? EventTime { get; }
        /// <summary>When IRIS received the alert (UTC).</summary>
        public DateTime? CreationTime { get; }
        public string? Tags { get; }
        public string? Note { get; }
        /// <summary>Cases the alert was escalated or merged into.</summary>
        public int[] CaseIds { get; }
        public IrisIoc[] Iocs { get; }
        public IrisAsset[] Assets { get; }
        /// <summary>The alert in the IRIS web interface.</summary>
        public Uri? Link { get; private set; }
        /// <summary>True when New-IrisAlert found this alert for the source reference instead of creating one.</summary>
        public bool Existing { get; internal set; }
        /// <summary>What New-IrisAlert did: Created, Existing (as asked already), Updated or Incomplete.</summary>
        public SinkOutcome? Action { get; internal set; }
        /// <summary>When Action is Incomplete: what could not be set (the error follows the alert on the error stream).</summary>
        public string? Incomplete => Problem?.Message;
        internal Exception? Problem { get; set; }

        internal IrisAlert As(SinkOutcome outcome, bool existing, Exception? problem = null)
        {
            var copy = new IrisAlert(Json, null) { Existing = existing, Action = outcome, Problem = problem };
            copy.Link = Link;
            return copy;
        }

        internal IrisAlert AsExisting() => As(Action == SinkOutcome.Created ? SinkOutcome.Existing : Action ?? SinkOutcome.Existing, true, Problem);

        public override string ToString() => $"alert {AlertId} {Title}";
    }

    /// <summary>An indicator of compromise, on an alert or linked to a case.</summary>
    public sealed class IrisIoc : IrisObject
    {
        internal IrisIoc(JsonElement json, int? caseId, string? message = null) : base(json)
        {
            IocId = IrisJson.Int(json, "ioc_id") ?? 0;
            Uuid = IrisJson.Str(json, "ioc_uuid");
            Value = IrisJson.Str(json, "ioc_value") ?? string.Empty;
            TypeId = IrisJson.Int(json, "ioc_type_id") ?? IrisJson.NestedInt(json, "ioc_type", "type_id");
            Type = IrisJson.Nested(json, "ioc_type", "type_name") ?? IrisJson.Str(json, "ioc_type");
            TlpId = IrisJson.Int(json, "ioc_tlp_id");
            Tlp = IrisJson.Nested(json, "tlp", "tlp_name");
            Description = IrisJson.Str(json, "ioc_description");
            Tags = IrisJson.Str(json, "ioc_tags");
            CaseId = caseId;
            Message = message;
        }

        public int IocId { get; }
        public string? Uuid { get; }
        public string Value { get; }
        public int? TypeId { get; }
        /// <summary>The IRIS IOC type name (ip-dst, domain, sha256 ...).</summary>
        public string? Type { get; internal set; }
        public int? TlpId { get; }
        public string? Tlp { get; internal set; }
        public string? Description { get; }
        public string? Tags { get; }
        /// <summary>The case it was added to (Add-IrisCaseIoc).</summary>
        public int? CaseId { get; }
        /// <summary>What IRIS said, e.g. "IOC already exists and linked to this case".</summary>
        public string? Message { get; }
        /// <summary>True when the case already had this IOC (value and type), so nothing new was linked.</summary>
        public bool Existing { get; internal set; }

        public override string ToString() => $"{Type ?? "ioc"}:{Value}";
    }

    /// <summary>An asset (host, account, server ...), on an alert or in a case.</summary>
    public sealed class IrisAsset : IrisObject
    {
        internal IrisAsset(JsonElement json, int? caseId) : base(json)
        {
            AssetId = IrisJson.Int(json, "asset_id") ?? 0;
            Uuid = IrisJson.Str(json, "asset_uuid");
            Name = IrisJson.Str(json, "asset_name") ?? string.Empty;
            TypeId = IrisJson.Int(json, "asset_type_id") ?? IrisJson.NestedInt(json, "asset_type", "asset_id");
            Type = IrisJson.Nested(json, "asset_type", "asset_name") ?? IrisJson.Str(json, "asset_type");
            Ip = IrisJson.Str(json, "asset_ip");
            Domain = IrisJson.Str(json, "asset_domain");
            Description = IrisJson.Str(json, "asset_description");
            Tags = IrisJson.Str(json, "asset_tags");
            CaseId = IrisJson.Int(json, "case_id") ?? caseId;
        }

        public int AssetId { get; }
        public string? Uuid { get; }
        public string Name { get; }
        public int? TypeId { get; }
        /// <summary>The IRIS asset type name (Windows - Computer, Linux - Server, Account ...).</summary>
        public string? Type { get; internal set; }
        public string? Ip { get; }
        public string? Domain { get; }
        public string? Description { get; }
        public string? Tags { get; }
        public int? CaseId { get; }
        /// <summary>True when the case already had an asset with this name and type, so none was added.</summary>
        public bool Existing { get; internal set; }

        public override string ToString() => Name;
    }

    /// <summary>A note in a case.</summary>
    public sealed class IrisNote : IrisObject
    {
        internal IrisNote(JsonElement json, int caseId, string? directory) : base(json)
        {
            NoteId = IrisJson.Int(json, "note_id") ?? 0;
            Uuid = IrisJson.Str(json, "note_uuid");
            Title = IrisJson.Str(json, "note_title") ?? string.Empty;
            Content = IrisJson.Str(json, "note_content");
            DirectoryId = IrisJson.Int(json, "directory_id") ?? IrisJson.NestedInt(json, "directory", "id") ?? IrisJson.Int(json, "group_id");
            Directory = IrisJson.Nested(json, "directory", "name") ?? directory;
            CaseId = caseId;
        }

        public int NoteId { get; }
        public string? Uuid { get; }
        public string Title { get; }
        public string? Content { get; }
        /// <summary>The note directory (2.4+) or note group (2.0-2.3) it is in.</summary>
        public int? DirectoryId { get; }
        public string? Directory { get; }
        public int CaseId { get; }
        /// <summary>True when the directory already had a note with this title (an earlier run added it), so none was added.</summary>
        public bool Existing { get; internal set; }

        public override string ToString() => Title;
    }

    /// <summary>An IRIS customer (client): cases and alerts belong to one.</summary>
    public sealed class IrisCustomer : IrisObject
    {
        internal IrisCustomer(JsonElement json) : base(json)
        {
            CustomerId = IrisJson.Int(json, "customer_id") ?? IrisJson.Int(json, "client_id") ?? 0;
            Name = IrisJson.Str(json, "customer_name") ?? string.Empty;
            Uuid = IrisJson.FirstStr(json, "customer_uuid", "client_uuid");
            Description = IrisJson.Str(json, "customer_description");
            Sla = IrisJson.Str(json, "customer_sla");
        }

        public int CustomerId { get; }
        public string Name { get; }
        public string? Uuid { get; }
        public string? Description { get; }
        public string? Sla { get; }

        public override string ToString() => Name;
    }

    /// <summary>One entry of an IRIS reference list: a severity, alert status, TLP, IOC type, asset type, classification ...</summary>
    public sealed class IrisLookupItem : IrisObject
    {
        internal IrisLookupItem(IrisLookupKind kind, int id, string name, string? description, JsonElement json) : base(json)
        {
            Kind = kind;
            Id = id;
            Name = name;
            Description = description;
        }

        public IrisLookupKind Kind { get; }
        public int Id { get; }
        public string Name { get; }
        public string? Description { get; }

        public override string ToString() => Name;
    }
}
