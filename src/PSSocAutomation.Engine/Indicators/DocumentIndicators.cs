using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using PSSocAutomation.Core;

namespace PSSocAutomation.Indicators
{
    /// <summary>
    /// The indicators of any alert document: the ECS fields that name one (<see cref="EcsFields"/>), then the indicators
    /// in its free text (<see cref="TextFields"/>, through <see cref="IndicatorText"/>). One list for every source: an
    /// Elasticsearch hit, a Kibana alert, an IRIS alert, and later a Security Hub finding.
    /// </summary>
    public static class DocumentIndicators
    {
        /// <summary>ECS field → the indicator type its values are (null: told by the value, as related.hash is).</summary>
        public static readonly IReadOnlyList<(string Path, string? Type)> EcsFields = new (string, string?)[]
        {
            ("source.ip", "ip"), ("destination.ip", "ip"), ("client.ip", "ip"), ("server.ip", "ip"), ("host.ip", "ip"),
            ("source.domain", "domain"), ("destination.domain", "domain"), ("client.domain", "domain"), ("server.domain", "domain"),
            ("url.full", "url"), ("url.original", "url"), ("url.domain", "domain"), ("dns.question.name", "domain"),
            ("file.hash.md5", "md5"), ("file.hash.sha1", "sha1"), ("file.hash.sha256", "sha256"), ("file.hash.sha512", "sha512"),
            ("process.hash.md5", "md5"), ("process.hash.sha1", "sha1"), ("process.hash.sha256", "sha256"), ("process.hash.sha512", "sha512"),
            ("threat.indicator.ip", "ip"), ("threat.indicator.url.full", "url"), ("threat.indicator.url.original", "url"),
            ("threat.indicator.email.address", "email"), ("threat.indicator.file.hash.md5", "md5"), ("threat.indicator.file.hash.sha1", "sha1"),
            ("threat.indicator.file.hash.sha256", "sha256"), ("threat.indicator.file.hash.sha512", "sha512"),
            ("dns.resolved_ip", "ip"),
            ("user.email", "email"), ("source.user.email", "email"), ("destination.user.email", "email"),
            ("email.from.address", "email"), ("email.to.address", "email"), ("email.sender.address", "email"),
            ("related.ip", "ip"), ("related.hash", null), ("related.hosts", "host"), ("related.user", "user"),
            ("host.name", "host"), ("user.name", "user"),
        };

        /// <summary>
        /// Where an AWS Security Finding (ASFF) names indicators: the typed Network and Action objects of newer findings,
        /// the flattened GuardDuty ProductFields of older ones (the contract's fallback), the instance's addresses and the
        /// key's principal. Read by <see cref="From"/> beside the ECS fields, so Get-AlertIndicator reads a finding as it
        /// reads an Elastic document.
        /// </summary>
        public static readonly IReadOnlyList<(string Path, string? Type)> AsffFields = new (string, string?)[]
        {
            ("Network.SourceIpV4", "ip"), ("Network.SourceIpV6", "ip"), ("Network.DestinationIpV4", "ip"), ("Network.DestinationIpV6", "ip"),
            ("Network.SourceDomain", "domain"), ("Network.DestinationDomain", "domain"),
            ("Action.NetworkConnectionAction.RemoteIpDetails.IpAddressV4", "ip"), ("Action.AwsApiCallAction.RemoteIpDetails.IpAddressV4", "ip"),
            ("Action.PortProbeAction.PortProbeDetails.RemoteIpDetails.IpAddressV4", "ip"), ("Action.DnsRequestAction.Domain", "domain"),
            ("Action.AwsApiCallAction.DomainDetails.Domain", "domain"),
            ("ProductFields.aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/ipAddressV4", "ip"),
            ("ProductFields.aws/guardduty/service/action/awsApiCallAction/remoteIpDetails/ipAddressV4", "ip"),
            ("ProductFields.aws/guardduty/service/action/dnsRequestAction/domain", "domain"),
            ("ProductFields.aws/guardduty/service/action/networkConnectionAction/localIpDetails/ipAddressV4", "ip"),
            ("Resources.Details.AwsEc2Instance.IpV4Addresses", "ip"), ("Resources.Details.AwsEc2Instance.IpV6Addresses", "ip"),
            ("ThreatIntelIndicators.Value", null),
            ("Resources.Details.AwsIamAccessKey.PrincipalName", "user"), ("Resources.Details.AwsIamUser.UserName", "user"),
        };

        /// <summary>The ECS fields that can hold an indicator of this type (a hash type also has related.hash): where to look for it.</summary>
        public static IReadOnlyList<string> FieldsFor(string type)
        {
            var lookup = type == "cidr" ? "ip" : type;
            var fields = EcsFields.Where(f => f.Type == lookup).Select(f => f.Path).ToList();
            if (lookup is "md5" or "sha1" or "sha256" or "sha512") fields.Add("related.hash");
            return fields;
        }

        /// <summary>Where an alert says in words what happened: messages, reasons, descriptions, titles.</summary>
        public static readonly IReadOnlyList<string> TextFields = new[]
        {
            "message", "kibana.alert.reason", "signal.reason", "event.reason", "rule.description", "description",
            "alert_title", "alert_description", "Title", "Description",
        };

        /// <summary>
        /// The document's indicators, each (type, value) once, fields before text. <paramref name="includePrivate"/> keeps
        /// private and reserved addresses; <paramref name="includeText"/> false reads the ECS fields only.
        /// </summary>
        public static IReadOnlyList<AlertIndicator> From(JsonElement document, bool includePrivate = false, bool includeText = true)
        {
            var list = new List<AlertIndicator>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (document.ValueKind != JsonValueKind.Object) return list;
            // A search hit: the document is its _source (fields it asked for are in "fields").
            if (document.TryGetProperty("_source", out var source) && source.ValueKind == JsonValueKind.Object) document = source;

            foreach (var (path, type) in EcsFields.Concat(AsffFields))
                foreach (var value in Values(document, path))
                {
                    var kind = type ?? IndicatorType.Of(value);
                    if (kind is null) continue;
                    var normal = Normalize(kind, value, includePrivate);
                    if (normal != null && seen.Add(kind + "\n" + normal)) list.Add(new AlertIndicator(normal, kind, path));
                }
            if (!includeText) return list;
            foreach (var path in TextFields)
                foreach (var text in Values(document, path))
                    foreach (var found in IndicatorText.Extract(text, path, includePrivate))
                        if (seen.Add(found.Type + "\n" + found.Value)) list.Add(found);
            return list;
        }

        /// <summary>The value as Get-AlertIndicator gives it (hashes and domains lower-cased), or null when it is skipped (a private address, an address that is none).</summary>
        public static string? Normalize(string type, string value, bool includePrivate)
        {
            value = value.Trim();
            if (value.Length == 0) return null;
            switch (type)
            {
                case "ip":
                    if (!IPAddress.TryParse(value, out var address)) return null;
                    return !includePrivate && IndicatorText.IsPrivateOrReserved(address) ? null : value;
                case "md5": case "sha1": case "sha256": case "sha512": case "domain":
                    return value.ToLowerInvariant();
                default:
                    return value;
            }
        }

        /// <summary>The strings at a dotted path (<see cref="JsonFields.At"/>); arrays give each of their strings.</summary>
        public static IEnumerable<string> Values(JsonElement node, string path)
        {
            foreach (var value in JsonFields.At(node, path))
            {
                if (value.ValueKind == JsonValueKind.String) yield return value.GetString()!;
                else if (value.ValueKind == JsonValueKind.Array)
                    foreach (var item in value.EnumerateArray())
                        if (item.ValueKind == JsonValueKind.String) yield return item.GetString()!;
            }
        }
    }

    /// <summary>What an indicator value is, told from the value alone (for related.hash, and for values given without a type).</summary>
    public static class IndicatorType
    {
        public static string? Of(string value)
        {
            var v = value.Trim();
            if (v.Length == 0) return null;
            if (v.All(Uri.IsHexDigit))
                return v.Length switch { 32 => "md5", 40 => "sha1", 64 => "sha256", 128 => "sha512", _ => null };
            var found = IndicatorText.Extract(v, includePrivate: true);
            return found.Count > 0 && found[0].Value.Length == v.Length ? found[0].Type : null;
        }
    }
}
