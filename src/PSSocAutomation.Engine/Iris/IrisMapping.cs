using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;

namespace PSSocAutomation.Iris
{
    /// <summary>The normalized severity scale onto IRIS's severity names (resolved to ids per server).</summary>
    public static class IrisSeverityMap
    {
        public static string NameFor(AlertSeverity severity)
        {
            switch (severity)
            {
                case AlertSeverity.Informational: return "Informational";
                case AlertSeverity.Low: return "Low";
                case AlertSeverity.Medium: return "Medium";
                case AlertSeverity.High: return "High";
                case AlertSeverity.Critical: return "Critical";
                default: return "Unspecified";
            }
        }

        /// <summary>
        /// An IRIS severity id from an IRIS severity name or id, a normalized <see cref="AlertSeverity"/>, or a source's own
        /// label or 0-100 score. <paramref name="strict"/> (a value the user typed) fails on what it cannot place, listing
        /// the valid names; otherwise (a value from the alert) it falls back to Unspecified.
        /// </summary>
        public static async Task<int> ResolveAsync(IrisLookups lookups, object? value, bool strict, CancellationToken cancellationToken)
        {
            if (value is null) return (await lookups.FindAsync(IrisLookupKind.Severity, NameFor(AlertSeverity.Unknown), cancellationToken).ConfigureAwait(false)).Id;
            if (value is AlertSeverity normalized) return (await lookups.FindAsync(IrisLookupKind.Severity, NameFor(normalized), cancellationToken).ConfigureAwait(false)).Id;
            var items = await lookups.GetAsync(IrisLookupKind.Severity, cancellationToken).ConfigureAwait(false);
            if (IrisLookups.TryId(value, out var id) && items.Any(i => i.Id == id)) return id;
            var text = (Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty).Trim();
            var byName = items.FirstOrDefault(i => string.Equals(i.Name, text, StringComparison.OrdinalIgnoreCase));
            if (byName != null) return byName.Id;
            var mapped = AlertSeverityScale.Parse(value);
            if (mapped == AlertSeverity.Unknown && strict && text.Length > 0)
                return (await lookups.FindAsync(IrisLookupKind.Severity, text, cancellationToken).ConfigureAwait(false)).Id; // throws, listing the names
            return (await lookups.FindAsync(IrisLookupKind.Severity, NameFor(mapped), cancellationToken).ConfigureAwait(false)).Id;
        }
    }

    /// <summary>One indicator to attach to an IRIS alert or case: the value, and its type as the source names it (optional).</summary>
    public sealed class IrisIndicatorDraft
    {
        public IrisIndicatorDraft(string value, string? type = null, string? description = null)
        {
            Value = value;
            Type = type;
            Description = description;
        }

        public string Value { get; }
        public string? Type { get; }
        public string? Description { get; set; }
        public IList<string> Tags { get; } = new List<string>();
        /// <summary>What enrichment found (IRIS ioc_enrichment: provider → data).</summary>
        public JsonObject? Enrichment { get; set; }
    }

    /// <summary>One host to attach to an IRIS alert as an asset.</summary>
    public sealed class IrisHostDraft
    {
        public IrisHostDraft(string name, string? ip = null, string? type = null)
        {
            Name = name;
            Ip = ip;
            Type = type;
        }

        public string Name { get; }
        public string? Ip { get; set; }
        /// <summary>An IRIS asset type name; the writer's default when null.</summary>
        public string? Type { get; }
        public string? Description { get; set; }
        public string? Domain { get; set; }
        public IList<string> Tags { get; } = new List<string>();
        /// <summary>What enrichment found (IRIS asset_enrichment).</summary>
        public JsonObject? Enrichment { get; set; }
    }

    /// <summary>An alert to put in the IRIS alert queue, before names become ids.</summary>
    public sealed class IrisAlertDraft
    {
        public string Title { get; set; } = string.Empty;
        public string? Description { get; set; }
        public string? Source { get; set; }
        /// <summary>The source's id for the alert: IRIS alert_source_ref, the de-duplication key.</summary>
        public string? SourceRef { get; set; }
        public string? SourceLink { get; set; }
        /// <summary>The original document as JSON (IRIS alert_source_content).</summary>
        public JsonNode? SourceContent { get; set; }
        public DateTimeOffset? EventTime { get; set; }
        /// <summary>An IRIS severity name or id, an <see cref="AlertSeverity"/>, or the source's label or score.</summary>
        public object? Severity { get; set; }
        /// <summary>True when the severity came from the user, not the alert: an unknown name fails instead of falling back.</summary>
        public bool SeverityIsExplicit { get; set; }
        public IList<string> Tags { get; } = new List<string>();
        public string? Note { get; set; }
        public JsonObject? Context { get; set; }
        public IList<IrisIndicatorDraft> Indicators { get; } = new List<IrisIndicatorDraft>();
        public IList<IrisHostDraft> Hosts { get; } = new List<IrisHostDraft>();
    }

    /// <summary>Settings shared by every alert of one New-IrisAlert run, already resolved to ids.</summary>
    public sealed class IrisAlertDefaults
    {
        public int CustomerId { get; set; }
        public int StatusId { get; set; }
        public int? ClassificationId { get; set; }
        public int? SeverityId { get; set; }
        public string Tlp { get; set; } = "amber";
        public string HostAssetType { get; set; } = "Windows - Computer";
        public IList<string> Tags { get; } = new List<string>();
    }

    /// <summary>An alert draft as an <see cref="IrisAlertCreate"/>: names (severity, IOC types, TLP, asset types) resolved to this server's ids.</summary>
    public static class IrisAlertBuilder
    {
        public static async Task<IrisAlertCreate> BuildAsync(IrisAlertDraft draft, IrisAlertDefaults defaults, IrisLookups lookups, CancellationToken cancellationToken)
        {
            // The checks that need no server first: a draft without title or customer costs no look-up.
            if ((draft.Title ?? string.Empty).Trim().Length == 0) throw new ArgumentException("The alert has no title (IRIS: alert_title is required).");
            if (defaults.CustomerId <= 0) throw new ArgumentException("The alert needs a customer (IRIS: alert_customer_id).");

            var request = new IrisAlertCreate
            {
                Title = draft.Title!.Trim(),
                Description = draft.Description,
                Source = draft.Source,
                SourceRef = draft.SourceRef,
                SourceLink = draft.SourceLink,
                SourceContent = draft.SourceContent,
                EventTime = draft.EventTime,
                SeverityId = defaults.SeverityId ?? await IrisSeverityMap.ResolveAsync(lookups, draft.Severity, draft.SeverityIsExplicit, cancellationToken).ConfigureAwait(false),
                StatusId = defaults.StatusId,
                CustomerId = defaults.CustomerId,
                ClassificationId = defaults.ClassificationId,
                Note = draft.Note,
                Context = draft.Context,
            };
            foreach (var tag in defaults.Tags.Concat(draft.Tags)) request.Tags.Add(tag);

            var indicators = Distinct(draft.Indicators).ToList();
            var tlpId = indicators.Count > 0 ? await lookups.ResolveAsync(IrisLookupKind.Tlp, defaults.Tlp, cancellationToken).ConfigureAwait(false) : 0;
            foreach (var indicator in indicators)
                request.Iocs.Add(await BuildIocAsync(indicator, tlpId, lookups, cancellationToken).ConfigureAwait(false));

            foreach (var host in draft.Hosts.Where(h => !string.IsNullOrWhiteSpace(h.Name)).GroupBy(h => h.Name.Trim(), StringComparer.OrdinalIgnoreCase).Select(g => g.First()))
            {
                var typeId = await lookups.ResolveAsync(IrisLookupKind.AssetType, host.Type ?? defaults.HostAssetType, cancellationToken).ConfigureAwait(false);
                var asset = new IrisAssetCreate(host.Name.Trim(), typeId) { Ip = host.Ip, Description = host.Description, Domain = host.Domain, Enrichment = host.Enrichment };
                foreach (var tag in host.Tags) asset.Tags.Add(tag);
                request.Assets.Add(asset);
            }
            request.Validate();
            return request;
        }

        /// <summary>Empty values are dropped (IRIS rejects a null or empty ioc_value); the same value twice is sent once.</summary>
        internal static IEnumerable<IrisIndicatorDraft> Distinct(IEnumerable<IrisIndicatorDraft> indicators) =>
            indicators.Where(i => !string.IsNullOrWhiteSpace(i.Value)).GroupBy(i => i.Value.Trim(), StringComparer.Ordinal).Select(g => g.First());

        public static async Task<IrisIocCreate> BuildIocAsync(IrisIndicatorDraft indicator, int tlpId, IrisLookups lookups, CancellationToken cancellationToken)
        {
            var value = indicator.Value.Trim();
            var type = await lookups.ResolveIocTypeAsync(indicator.Type, value, cancellationToken).ConfigureAwait(false);
            var ioc = new IrisIocCreate(value, type.Id, tlpId) { Description = indicator.Description, Enrichment = indicator.Enrichment };
            foreach (var tag in indicator.Tags) ioc.Tags.Add(tag);
            return ioc;
        }
    }

    /// <summary>
    /// A case description from an alert: its text, then its key fields as a Markdown table (IRIS renders case
    /// descriptions as Markdown), then a link back to the source.
    /// </summary>
    public static class IrisCaseDescription
    {
        private const int MaxValue = 300;

        public static string Render(string? title, string? id, string? source, string? text, IEnumerable<KeyValuePair<string, string?>> fields, string? link)
        {
            var sb = new StringBuilder();
            sb.Append("**").Append(Escape(string.IsNullOrWhiteSpace(title) ? "Alert" : title!)).Append("**");
            if (!string.IsNullOrEmpty(id) || !string.IsNullOrEmpty(source))
            {
                sb.Append(" (");
                if (!string.IsNullOrEmpty(source)) sb.Append(Escape(source!)).Append(' ');
                sb.Append("alert ").Append(string.IsNullOrEmpty(id) ? "without id" : "`" + id!.Replace("`", "'") + "`").Append(')');
            }
            sb.Append("\n\n");
            if (!string.IsNullOrWhiteSpace(text) && !string.Equals(text!.Trim(), title?.Trim(), StringComparison.Ordinal))
                sb.Append(text.Trim()).Append("\n\n");

            var rows = fields.Where(f => !string.IsNullOrWhiteSpace(f.Value)).ToList();
            if (rows.Count > 0)
            {
                sb.Append("| Field | Value |\n|---|---|\n");
                foreach (var row in rows) sb.Append("| ").Append(Cell(row.Key)).Append(" | ").Append(Cell(row.Value!)).Append(" |\n");
                sb.Append('\n');
            }
            if (!string.IsNullOrWhiteSpace(link)) sb.Append("[Open the alert").Append(string.IsNullOrEmpty(source) ? string.Empty : " in " + Escape(source!)).Append("](").Append(link!.Trim().Replace(")", "%29").Replace(" ", "%20")).Append(")\n");
            return sb.ToString().TrimEnd() + "\n";
        }

        private static string Cell(string value)
        {
            var v = value.Replace("\r", " ").Replace("\n", " ").Replace("|", "\\|").Trim();
            return v.Length > MaxValue ? v.Substring(0, MaxValue) + "…" : v;
        }

        private static string Escape(string text) => text.Replace("*", "\\*").Replace("[", "\\[").Replace("]", "\\]");
    }
}
