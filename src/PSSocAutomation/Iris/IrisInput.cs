using System.Collections;
using System.Collections.Generic;
using PSSocAutomation.Core;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// What only IRIS makes of a piped alert, on top of <see cref="AlertInput"/> (which reads the alert the same way for
    /// every sink): indicators as IOC drafts, and hosts with the asset fields IRIS keeps (asset_ip, asset_domain ...).
    /// </summary>
    internal static class IrisInput
    {
        /// <summary>Indicators as IOC drafts; an address from source.ip or destination.ip asks for ip-src or ip-dst.</summary>
        public static IEnumerable<IrisIndicatorDraft> Indicators(IEnumerable<AlertIndicator> indicators)
        {
            foreach (var indicator in indicators)
            {
                var type = indicator.Type == "ip" && (indicator.Field == "source.ip" || indicator.Field == "destination.ip") ? indicator.Field : indicator.Type;
                var draft = new IrisIndicatorDraft(indicator.Value, type, indicator.Description) { Enrichment = indicator.Enrichment };
                foreach (var tag in indicator.Tags) draft.Tags.Add(tag);
                yield return draft;
            }
        }

        /// <summary>Hosts from a Host property: a name, several names, or objects with name/hostname and ip.</summary>
        public static IEnumerable<IrisHostDraft> Hosts(object? value)
        {
            value = PipelineInput.Unwrap(value);
            switch (value)
            {
                case null: yield break;
                case string s:
                    if (!string.IsNullOrWhiteSpace(s)) yield return new IrisHostDraft(s.Trim());
                    yield break;
                case IEnumerable e when !(value is IDictionary):
                    foreach (var item in e)
                        foreach (var inner in Hosts(item)) yield return inner;
                    yield break;
            }
            var name = PipelineInput.TextProp(value, "Name", "HostName", "hostname", "asset_name");
            var ip = PipelineInput.TextProp(value, "Ip", "asset_ip", "Address");
            if (string.IsNullOrWhiteSpace(name)) name = ip;
            if (string.IsNullOrWhiteSpace(name)) yield break;
            var host = new IrisHostDraft(name!.Trim(), ip, PipelineInput.TextProp(value, "AssetType", "asset_type"))
            {
                Description = PipelineInput.TextProp(value, "Description", "asset_description"),
                Domain = PipelineInput.TextProp(value, "Domain", "asset_domain"),
                Enrichment = JsonBody.ObjectOrNull(PipelineInput.Prop(value, "Enrichment", "asset_enrichment")),
            };
            foreach (var tag in PipelineInput.Strings(PipelineInput.Prop(value, "Tags", "asset_tags"))) host.Tags.Add(tag);
            yield return host;
        }
    }
}
