using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSSocAutomation.Core;
using PSSocAutomation.Http;
using PSSocAutomation.Indicators;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// <para type="synopsis">Finds the Elasticsearch alerts or events that name the given indicators: correlation.</para>
    /// <para type="description">Search-ElasticIndicator takes indicators (from Get-AlertIndicator, or values with -Type, inferred from the value when not given) and looks for each in -Index, in the ECS fields of its type: an address in source/destination/client/server/host .ip, dns.resolved_ip and related.ip (a CIDR matches every address in its range); a domain in the .domain fields, url.domain and dns.question.name; a URL in url.full and url.original; a hash in file.hash.*, process.hash.*, threat.indicator.file.hash.* and related.hash; an e-mail in user.email and email.*; hosts and users in host.name, user.name and related.*. Text-mapped fields are matched through their .keyword sub-field, names without regard to case. It writes one result per distinct indicator, matched or not: the indicator, the total number of documents that name it, and the newest -First of them as normalized alerts (OtherAlertIds leaves out the alert the indicator came from). -Since limits the search to recent documents. A missing index, a wrong password or a refused query stops the command; a failed search for one indicator is an error for that indicator and the others go on.</para>
    /// </summary>
    /// <example><code>Get-ElasticAlert -Index alerts -Since 15m | Get-AlertIndicator -Type ip,sha256 | Search-ElasticIndicator -Index 'logs-*' -Since '7d' | Where-Object Total -gt 0</code><para>For every address and SHA256 in the last 15 minutes' alerts, finds the log documents of the last week that name it, and keeps the indicators seen before.</para></example>
    /// <example><code>Search-ElasticIndicator 203.0.113.7, evil-cdn.example -Index '.alerts-security.alerts-default' -First 5 | Select-Object Value, Type, Total, OtherAlertIds</code><para>Looks for an address and a domain (types told from the values) among Elastic Security's alerts and shows how many alerts name each.</para></example>
    [Cmdlet(VerbsCommon.Search, "ElasticIndicator")]
    [OutputType(typeof(IndicatorMatches))]
    public sealed class SearchElasticIndicatorCommand : ElasticCommandBase
    {
        /// <summary>Indicators: AlertIndicator objects (from Get-AlertIndicator) or values (203.0.113.7, evil.example, a hash ...).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public object[] Indicator { get; set; } = Array.Empty<object>();

        /// <summary>The type of values given as text (default: told from each value): ip, cidr, domain, url, email, md5, sha1, sha256, sha512, host, user.</summary>
        [Parameter]
        [ValidateSet("ip", "cidr", "domain", "url", "email", "md5", "sha1", "sha256", "sha512", "host", "user", IgnoreCase = true)]
        public string? Type { get; set; }

        /// <summary>The index, alias, data stream or pattern to search (logs-*, .alerts-security.alerts-default ...).</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [ValidateIndexName]
        [ArgumentCompleter(typeof(ElasticIndexCompleter))]
        public string Index { get; set; } = string.Empty;

        /// <summary>Only documents since then: a relative window (15m, 24h, 7d) or a date.</summary>
        [Parameter]
        public object? Since { get; set; }

        /// <summary>The documents' time field (default @timestamp): -Since filters on it, the newest come first by it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TimeField { get; set; } = "@timestamp";

        /// <summary>The field the matching alerts' Id is read from (as Get-ElasticAlert's -IdField).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? IdField { get; set; }

        /// <summary>How many of the newest matching documents to return per indicator (default 10; 0 counts only).</summary>
        [Parameter]
        [ValidateRange(0, 10000)]
        public int First { get; set; } = 10;

        private TimeWindow? _since;
        private ElasticAlertMapper? _mapper;
        private readonly HashSet<string> _searched = new HashSet<string>(StringComparer.Ordinal);

        protected override void Begin()
        {
            _since = ParseTime(Since, nameof(Since));
            _mapper = new ElasticAlertMapper(TimeField, IdField);
        }

        protected override void ProcessRecord()
        {
            foreach (var item in Indicator)
            {
                var indicator = Read(PipelineInput.Unwrap(item));
                if (indicator is null) continue;
                if (!_searched.Add(indicator.Type + "\n" + indicator.Value)) continue;
                try
                {
                    WriteObject(Run(ct => ElasticIndicatorSearch.SearchAsync(Client, Index, indicator, _mapper!, _since, First, ct)));
                }
                catch (SocApiException ex) when (ex.Kind is ApiFailureKind.NotFound or ApiFailureKind.Authentication or ApiFailureKind.Permission or ApiFailureKind.InvalidRequest)
                {
                    // The same for every indicator: going on would repeat it for each.
                    ThrowApiError(ex, ErrorPrefix, Index);
                }
                catch (SocApiException ex)
                {
                    WriteApiError(ex, ErrorPrefix, indicator);
                }
            }
        }

        /// <summary>An AlertIndicator as it is; text (or an object's Value) with -Type or the type its value has.</summary>
        private AlertIndicator? Read(object? item)
        {
            if (item is AlertIndicator given)
            {
                if (given.Type != null && Type is null) return given;
                return new AlertIndicator(given.Value, Type ?? IndicatorType.Of(given.Value), given.Field) { AlertId = given.AlertId, AlertSource = given.AlertSource };
            }
            var value = item as string ?? PipelineInput.TextProp(item, "Value", "Indicator", "ioc_value");
            if (string.IsNullOrWhiteSpace(value))
            {
                WriteError(new ErrorRecord(new ArgumentException("An indicator needs a value: pipe Get-AlertIndicator's output, strings, or objects with a Value property."), "ElasticInvalidIndicator", ErrorCategory.InvalidArgument, item));
                return null;
            }
            var type = Type ?? PipelineInput.TextProp(item, "Type")?.ToLowerInvariant() ?? IndicatorType.Of(value!);
            if (type is null)
            {
                WriteError(new ErrorRecord(new ArgumentException($"'{value}' is not an address, domain, URL, e-mail address or hash; give -Type to search for it anyway."), "ElasticUnknownIndicatorType", ErrorCategory.InvalidArgument, item));
                return null;
            }
            var normal = DocumentIndicators.Normalize(type, value!, includePrivate: true) ?? value!.Trim();
            return new AlertIndicator(normal, type);
        }
    }
}
