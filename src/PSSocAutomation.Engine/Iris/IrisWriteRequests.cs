using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Iris
{
    // The bodies of IRIS's create and update routes (besides cases: IrisCaseCreate), typed and checked before anything
    // is sent. IRIS 2.4 drops misspelled keys silently and, on alerts, answers a bad field with a Python repr; checking
    // here gives the user one clear ArgumentException instead, and keeps the exact field names in one place.

    /// <summary>An IOC for /case/ioc/add or inside an alert (alert_iocs): ioc_value, ioc_type_id and ioc_tlp_id are required.</summary>
    public sealed class IrisIocCreate
    {
        public IrisIocCreate(string value, int typeId, int tlpId)
        {
            Value = value;
            TypeId = typeId;
            TlpId = tlpId;
        }

        public string Value { get; }
        /// <summary>From /manage/ioc-types/list (IrisLookups.ResolveIocTypeAsync).</summary>
        public int TypeId { get; }
        /// <summary>From /manage/tlp/list.</summary>
        public int TlpId { get; }
        public string? Description { get; set; }
        public IList<string> Tags { get; } = new List<string>();
        /// <summary>ioc_enrichment: provider → what it found.</summary>
        public JsonObject? Enrichment { get; set; }

        public void Validate()
        {
            if (string.IsNullOrWhiteSpace(Value)) throw new ArgumentException("The IOC has no value (IRIS: ioc_value, required, at least 1 character).");
            if (TypeId <= 0) throw new ArgumentException($"The IOC '{Value}' needs a positive IOC type id (IRIS: ioc_type_id).");
            if (TlpId <= 0) throw new ArgumentException($"The IOC '{Value}' needs a positive TLP id (IRIS: ioc_tlp_id).");
        }

        /// <summary>The body IRIS receives (after <see cref="Validate"/>).</summary>
        public JsonObject ToJson()
        {
            var ioc = new JsonObject
            {
                ["ioc_value"] = Value.Trim(),
                ["ioc_type_id"] = TypeId,
                ["ioc_tlp_id"] = TlpId,
                ["ioc_description"] = Description ?? string.Empty,
            };
            if (Tags.Count > 0) ioc["ioc_tags"] = IrisTags.Join(Tags);
            if (Enrichment != null) ioc["ioc_enrichment"] = Enrichment.DeepClone();
            return ioc;
        }
    }

    /// <summary>An asset for /case/assets/add or inside an alert (alert_assets): asset_name and asset_type_id are required.</summary>
    public sealed class IrisAssetCreate
    {
        public IrisAssetCreate(string name, int typeId)
        {
            Name = name;
            TypeId = typeId;
        }

        public string Name { get; }
        /// <summary>From /manage/asset-type/list.</summary>
        public int TypeId { get; }
        public string? Ip { get; set; }
        public string? Domain { get; set; }
        public string? Description { get; set; }
        public IList<string> Tags { get; } = new List<string>();
        /// <summary>asset_enrichment.</summary>
        public JsonObject? Enrichment { get; set; }

        public void Validate()
        {
            if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("The asset has no name (IRIS: asset_name, required).");
            if (TypeId <= 0) throw new ArgumentException($"The asset '{Name}' needs a positive asset type id (IRIS: asset_type_id, required).");
        }

        public JsonObject ToJson()
        {
            var asset = new JsonObject { ["asset_name"] = Name.Trim(), ["asset_type_id"] = TypeId };
            if (!string.IsNullOrEmpty(Ip)) asset["asset_ip"] = Ip;
            if (!string.IsNullOrEmpty(Description)) asset["asset_description"] = Description;
            if (!string.IsNullOrEmpty(Domain)) asset["asset_domain"] = Domain;
            if (Tags.Count > 0) asset["asset_tags"] = IrisTags.Join(Tags);
            if (Enrichment != null) asset["asset_enrichment"] = Enrichment.DeepClone();
            return asset;
        }
    }

    /// <summary>
    /// A new alert for /alerts/add, names already resolved to ids: alert_title, alert_severity_id, alert_status_id and
    /// alert_customer_id are required; the source reference is what keeps a second alert from being made.
    /// </summary>
    public sealed class IrisAlertCreate
    {
        public string Title { get; set; } = string.Empty;
        public string? Description { get; set; }
        public string? Source { get; set; }
        /// <summary>alert_source_ref: the source's id for the alert, the de-duplication key.</summary>
        public string? SourceRef { get; set; }
        public string? SourceLink { get; set; }
        /// <summary>alert_source_content: the original document, whole.</summary>
        public JsonNode? SourceContent { get; set; }
        /// <summary>Sent as naive UTC (IRIS stores timestamp without time zone).</summary>
        public DateTimeOffset? EventTime { get; set; }
        public int SeverityId { get; set; }
        public int StatusId { get; set; }
        public int CustomerId { get; set; }
        public int? ClassificationId { get; set; }
        public IList<string> Tags { get; } = new List<string>();
        public string? Note { get; set; }
        /// <summary>alert_context: free key/value pairs shown in the UI.</summary>
        public JsonObject? Context { get; set; }
        public IList<IrisIocCreate> Iocs { get; } = new List<IrisIocCreate>();
        public IList<IrisAssetCreate> Assets { get; } = new List<IrisAssetCreate>();

        public void Validate()
        {
            if (string.IsNullOrWhiteSpace(Title)) throw new ArgumentException("The alert has no title (IRIS: alert_title is required).");
            if (CustomerId <= 0) throw new ArgumentException("The alert needs a customer (IRIS: alert_customer_id, a positive id).");
            if (SeverityId <= 0) throw new ArgumentException("The alert needs a positive severity id (IRIS: alert_severity_id).");
            if (StatusId <= 0) throw new ArgumentException("The alert needs a positive status id (IRIS: alert_status_id).");
            if (ClassificationId is int c && c <= 0) throw new ArgumentException("The classification id must be positive (IRIS: alert_classification_id).");
            for (var i = 0; i < Iocs.Count; i++) Nested(() => Iocs[i].Validate(), "IOC", i);
            for (var i = 0; i < Assets.Count; i++) Nested(() => Assets[i].Validate(), "asset", i);
        }

        private void Nested(Action validate, string what, int index)
        {
            try { validate(); }
            catch (ArgumentException ex) { throw new ArgumentException($"Alert '{Title}', {what} {index + 1}: {ex.Message}", ex); }
        }

        public JsonObject ToJson()
        {
            var body = new JsonObject
            {
                ["alert_title"] = Title.Trim(),
                ["alert_description"] = Description ?? string.Empty,
                ["alert_source"] = Source ?? string.Empty,
                ["alert_source_ref"] = SourceRef ?? string.Empty,
                ["alert_source_link"] = SourceLink ?? string.Empty,
                ["alert_severity_id"] = SeverityId,
                ["alert_status_id"] = StatusId,
                ["alert_customer_id"] = CustomerId,
            };
            if (SourceContent != null) body["alert_source_content"] = SourceContent.DeepClone();
            if (EventTime is DateTimeOffset time) body["alert_source_event_time"] = IrisJson.FormatTime(time);
            if (ClassificationId is int classification) body["alert_classification_id"] = classification;
            if (Tags.Count > 0) body["alert_tags"] = IrisTags.Join(Tags);
            if (!string.IsNullOrEmpty(Note)) body["alert_note"] = Note;
            if (Context != null && Context.Count > 0) body["alert_context"] = Context.DeepClone();
            if (Iocs.Count > 0) body["alert_iocs"] = new JsonArray(Iocs.Select(i => (JsonNode?)i.ToJson()).ToArray());
            if (Assets.Count > 0) body["alert_assets"] = new JsonArray(Assets.Select(a => (JsonNode?)a.ToJson()).ToArray());
            return body;
        }
    }

    /// <summary>A partial update for /alerts/update/{id}: only what is set is sent; tags, when given, replace the alert's.</summary>
    public sealed class IrisAlertUpdate
    {
        public int? StatusId { get; set; }
        /// <summary>A user id; -1 unassigns.</summary>
        public int? OwnerId { get; set; }
        /// <summary>Replaces the alert's note (an empty note clears it).</summary>
        public string? Note { get; set; }
        /// <summary>IRIS 2.3+.</summary>
        public int? ResolutionStatusId { get; set; }
        public int? SeverityId { get; set; }
        public int? ClassificationId { get; set; }
        /// <summary>Replaces the alert's tags; an empty list clears them; null leaves them.</summary>
        public IList<string>? Tags { get; set; }

        public bool IsEmpty => StatusId is null && OwnerId is null && Note is null && ResolutionStatusId is null && SeverityId is null && ClassificationId is null && Tags is null;

        public void Validate()
        {
            if (IsEmpty) throw new ArgumentException("The alert update sets nothing.");
            Positive(StatusId, "status id (alert_status_id)");
            Positive(ResolutionStatusId, "resolution id (alert_resolution_status_id)");
            Positive(SeverityId, "severity id (alert_severity_id)");
            Positive(ClassificationId, "classification id (alert_classification_id)");
            if (OwnerId is int owner && owner != -1 && owner <= 0) throw new ArgumentException($"The owner must be an IRIS user id or -1 to unassign (alert_owner_id), not {owner.ToString(CultureInfo.InvariantCulture)}.");
        }

        private static void Positive(int? id, string what)
        {
            if (id is int i && i <= 0) throw new ArgumentException($"The {what} must be positive.");
        }

        public JsonObject ToJson()
        {
            var updates = new JsonObject();
            if (StatusId is int status) updates["alert_status_id"] = status;
            if (OwnerId is int owner) updates["alert_owner_id"] = owner;
            if (Note != null) updates["alert_note"] = Note;
            if (ResolutionStatusId is int resolution) updates["alert_resolution_status_id"] = resolution;
            if (SeverityId is int severity) updates["alert_severity_id"] = severity;
            if (ClassificationId is int classification) updates["alert_classification_id"] = classification;
            if (Tags != null) updates["alert_tags"] = IrisTags.Join(Tags);
            return updates;
        }
    }
}
