using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using PSSocAutomation.Core;

namespace PSSocAutomation.Indicators
{
    /// <summary>
    /// <para type="synopsis">Lists the indicators of alerts: addresses, domains, URLs, e-mail addresses, hashes, hosts and users, from their fields and their text.</para>
    /// <para type="description">Get-AlertIndicator reads any alert: a normalized alert from Get-ElasticAlert (and later Kibana and Security Hub), an IRIS alert, a search hit, a PSCustomObject or hashtable with ECS fields, or plain text. It takes the ECS fields that name an indicator (source/destination/client/server/host .ip, the .domain fields, url.full, dns.question.name, file.hash.* and process.hash.*, threat.indicator.*, user.email, related.*, host.name, user.name), then the indicators written in the alert's text (message, kibana.alert.reason, descriptions, titles): IPv4, IPv6, CIDR, domains, URLs, e-mail addresses, MD5/SHA1/SHA256/SHA512. Defanged forms (hxxp, [.], (.), [@], "at" and "DOT") are refanged. Each indicator comes once per alert, with its Type, Value, the Field it was found in, and the AlertId and AlertSource it came from. Private, loopback, link-local, multicast and reserved addresses are skipped unless -IncludePrivate (documentation ranges such as 203.0.113.0/24 are kept); file names are not taken for domains, nor version numbers for addresses. Indicators the alert already carries (its Indicators property) come first.</para>
    /// </summary>
    /// <example><code>Get-ElasticAlert -Index alerts -Since 15m | Get-AlertIndicator -Type ip,domain,sha256 | Group-Object Type</code><para>Collects the addresses, domains and SHA256 hashes of the last 15 minutes' alerts and counts them per type.</para></example>
    /// <example><code>'Beacon to hxxps://evil-cdn[.]example/gate.php from 203[.]0[.]113[.]7' | Get-AlertIndicator</code><para>Reads a defanged line from a report: a URL, its domain and an address, refanged.</para></example>
    [Cmdlet(VerbsCommon.Get, "AlertIndicator")]
    [OutputType(typeof(AlertIndicator))]
    public sealed class GetAlertIndicatorCommand : PSCmdlet
    {

        /// <summary>An alert (any object: a normalized alert, an IRIS alert, a search hit, a hashtable), or text.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
        [AllowNull]
        public PSObject? InputObject { get; set; }

        /// <summary>Only these types: ip, cidr, domain, url, email, md5, sha1, sha256, sha512, host, user.</summary>
        [Parameter]
        [ValidateSet("ip", "cidr", "domain", "url", "email", "md5", "sha1", "sha256", "sha512", "host", "user", IgnoreCase = true)]
        public string[]? Type { get; set; }

        /// <summary>Keep private, loopback, link-local, multicast and reserved addresses (10.0.0.0/8, 192.168.0.0/16, fe80::/10 ...).</summary>
        [Parameter]
        public SwitchParameter IncludePrivate { get; set; }

        /// <summary>Read the alert's fields only, not the indicators written in its text.</summary>
        [Parameter]
        public SwitchParameter FieldsOnly { get; set; }

        private HashSet<string>? _types;

        protected override void BeginProcessing()
        {
            if (Type != null) _types = new HashSet<string>(Type.Select(t => t.ToLowerInvariant()), StringComparer.Ordinal);
        }

        protected override void ProcessRecord()
        {
            if (InputObject is null) return;
            var input = AlertInput.Of(InputObject);
            var found = new List<AlertIndicator>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            void Take(AlertIndicator indicator)
            {
                var type = indicator.Type ?? IndicatorType.Of(indicator.Value);
                // What the alert carries is held to the same rules as what is read here (a source's private address too).
                var value = type is null ? null : DocumentIndicators.Normalize(type, indicator.Value, IncludePrivate);
                if (type is null || value is null || !seen.Add(type + "\n" + value)) return;
                if (_types != null && !_types.Contains(type)) return;
                var copy = new AlertIndicator(value, type, indicator.Field) { Description = indicator.Description, Enrichment = indicator.Enrichment };
                found.Add(copy);
            }

            if (input.Value is string text)
            {
                foreach (var i in IndicatorText.Extract(text, null, IncludePrivate)) Take(i);
            }
            else
            {
                foreach (var i in input.Indicators) Take(i);
                var document = input.OriginalJson();
                if (document != null)
                {
                    using var doc = JsonDocument.Parse(document.ToJsonString());
                    foreach (var i in DocumentIndicators.From(doc.RootElement, IncludePrivate, !FieldsOnly)) Take(i);
                }
                if (!FieldsOnly && input.Alert != null)
                {
                    // A normalized alert's own title and description may come from fields the list above does not read.
                    foreach (var i in IndicatorText.Extract(input.Alert.Title, "Title", IncludePrivate)) Take(i);
                    foreach (var i in IndicatorText.Extract(input.Alert.Description, "Description", IncludePrivate)) Take(i);
                }
            }
            var id = input.Value is string ? null : input.Id;
            var source = input.Value is string ? null : input.Source;
            foreach (var indicator in found)
            {
                indicator.AlertId = id;
                indicator.AlertSource = source;
                WriteObject(indicator);
            }
        }
    }
}
