using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;

namespace PSSocAutomation.Iris
{
    /// <summary>The IRIS reference lists that other objects point to by id.</summary>
    public enum IrisLookupKind
    {
        Severity,
        AlertStatus,
        AlertResolution,
        Tlp,
        IocType,
        AssetType,
        Classification,
        CaseState,
        CaseTemplate,
        AnalysisStatus,
    }

    /// <summary>A name that is not in an IRIS list; the message lists the names that are.</summary>
    public sealed class IrisLookupException : ArgumentException
    {
        public IrisLookupException(string message, IrisLookupKind? kind, string given) : base(message)
        {
            Kind = kind;
            Given = given;
        }

        public IrisLookupKind? Kind { get; }
        public string Given { get; }
    }

    /// <summary>
    /// Name → id for every IRIS reference list, read once per connection and cached (ids differ between installs and
    /// upgrades, so nothing is hard-coded). Names compare case-insensitively; an unknown name fails listing the valid ones.
    /// </summary>
    public sealed class IrisLookups
    {
        private sealed class Spec
        {
            public Spec(string path, string id, string name, string? description, string what, params string[] altNames)
            {
                Path = path; Id = id; Name = name; Description = description; What = what; AltNames = altNames;
            }
            public string Path { get; }
            public string Id { get; }
            public string Name { get; }
            public string? Description { get; }
            public string What { get; }
            public string[] AltNames { get; }
        }

        private static readonly Dictionary<IrisLookupKind, Spec> Specs = new Dictionary<IrisLookupKind, Spec>
        {
            [IrisLookupKind.Severity] = new Spec("manage/severities/list", "severity_id", "severity_name", "severity_description", "severity"),
            [IrisLookupKind.AlertStatus] = new Spec("manage/alert-status/list", "status_id", "status_name", "status_description", "alert status"),
            [IrisLookupKind.AlertResolution] = new Spec("manage/alert-resolutions/list", "resolution_status_id", "resolution_status_name", "resolution_status_description", "alert resolution"),
            [IrisLookupKind.Tlp] = new Spec("manage/tlp/list", "tlp_id", "tlp_name", null, "TLP"),
            [IrisLookupKind.IocType] = new Spec("manage/ioc-types/list", "type_id", "type_name", "type_description", "IOC type"),
            [IrisLookupKind.AssetType] = new Spec("manage/asset-type/list", "asset_id", "asset_name", "asset_description", "asset type"),
            [IrisLookupKind.Classification] = new Spec("manage/case-classifications/list", "id", "name", "description", "case classification", "name_expanded"),
            [IrisLookupKind.CaseState] = new Spec("manage/case-states/list", "state_id", "state_name", "state_description", "case state"),
            [IrisLookupKind.CaseTemplate] = new Spec("manage/case-templates/list", "id", "name", "description", "case template", "display_name"),
            [IrisLookupKind.AnalysisStatus] = new Spec("manage/analysis-status/list", "id", "name", null, "analysis status"),
        };

        private readonly IrisClient _client;
        // Shared by every cmdlet on the connection, so fetched detached from whichever asked first (see SharedFetch).
        private readonly ConcurrentDictionary<IrisLookupKind, SharedFetch<IReadOnlyList<IrisLookupItem>>> _lists = new ConcurrentDictionary<IrisLookupKind, SharedFetch<IReadOnlyList<IrisLookupItem>>>();
        private readonly SharedFetch<IReadOnlyList<IrisCustomer>> _customers;

        internal IrisLookups(IrisClient client)
        {
            _client = client;
            _customers = new SharedFetch<IReadOnlyList<IrisCustomer>>(ct => _client.GetCustomersAsync(ct));
        }

        internal static string PathOf(IrisLookupKind kind) => Specs[kind].Path;

        /// <summary>Forget the cached lists (after an administrator added a customer or an IOC type, say).</summary>
        public void Clear()
        {
            foreach (var list in _lists.Values) list.Reset();
            _customers.Reset();
        }

        /// <summary>The list, read once per connection; <paramref name="cancellationToken"/> ends this caller's wait, not the shared read.</summary>
        public Task<IReadOnlyList<IrisLookupItem>> GetAsync(IrisLookupKind kind, CancellationToken cancellationToken) =>
            _lists.GetOrAdd(kind, k => new SharedFetch<IReadOnlyList<IrisLookupItem>>(ct => LoadAsync(k, ct))).GetAsync(cancellationToken);

        private async Task<IReadOnlyList<IrisLookupItem>> LoadAsync(IrisLookupKind kind, CancellationToken cancellationToken)
        {
            var spec = Specs[kind];
            var data = await _client.GetAsync(spec.Path + "?cid=1", cancellationToken, spec.What + " list").ConfigureAwait(false);
            var items = new List<IrisLookupItem>();
            if (data.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in data.EnumerateArray())
                {
                    var id = IrisJson.Int(e, spec.Id);
                    var name = IrisJson.Str(e, spec.Name) ?? spec.AltNames.Select(a => IrisJson.Str(e, a)).FirstOrDefault(n => n != null);
                    if (id is null || name is null) continue;
                    items.Add(new IrisLookupItem(kind, id.Value, name, spec.Description is null ? null : IrisJson.Str(e, spec.Description), e.Clone()));
                }
            }
            return items;
        }

        /// <summary>The customers the API user is linked to, read once per connection like the lists.</summary>
        public Task<IReadOnlyList<IrisCustomer>> GetCustomersAsync(CancellationToken cancellationToken) => _customers.GetAsync(cancellationToken);

        /// <summary>
        /// An id from a name, an id, or an object of the list. Numbers (and numeric strings) are taken as ids as they are.
        /// </summary>
        public async Task<int> ResolveAsync(IrisLookupKind kind, object value, CancellationToken cancellationToken)
        {
            if (TryId(value, out var id)) return id;
            return (await FindAsync(kind, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty, cancellationToken).ConfigureAwait(false)).Id;
        }

        public async Task<IrisLookupItem> FindAsync(IrisLookupKind kind, string name, CancellationToken cancellationToken)
        {
            var items = await GetAsync(kind, cancellationToken).ConfigureAwait(false);
            var found = TryFind(items, name);
            if (found != null) return found;
            throw Unknown(Specs[kind].What, kind, name, items.Select(i => i.Name), kind.ToString());
        }

        /// <summary>The item with this name (or this id, as text), or null.</summary>
        public async Task<IrisLookupItem?> TryFindAsync(IrisLookupKind kind, string name, CancellationToken cancellationToken)
        {
            var items = await GetAsync(kind, cancellationToken).ConfigureAwait(false);
            return TryFind(items, name);
        }

        private static IrisLookupItem? TryFind(IReadOnlyList<IrisLookupItem> items, string name)
        {
            var wanted = name.Trim();
            var match = items.FirstOrDefault(i => string.Equals(i.Name, wanted, StringComparison.OrdinalIgnoreCase));
            if (match != null) return match;
            var spec = items.Count == 0 ? null : Specs[items[0].Kind];
            if (spec != null)
            {
                foreach (var item in items)
                    foreach (var alt in spec.AltNames)
                        if (string.Equals(IrisJson.Str(item.Json, alt), wanted, StringComparison.OrdinalIgnoreCase)) return item;
            }
            if (int.TryParse(wanted, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)) return items.FirstOrDefault(i => i.Id == id);
            return null;
        }

        /// <summary>A customer by name or id. A numeric id is used as given (the name is filled in when the list can be read).</summary>
        public async Task<(int Id, string? Name)> ResolveCustomerAsync(object value, CancellationToken cancellationToken)
        {
            if (TryId(value, out var id))
            {
                // Only a name for messages and the pre-2.3.4 case list; a user without customers_read can still use ids.
                try
                {
                    var known = await GetCustomersAsync(cancellationToken).ConfigureAwait(false);
                    return (id, known.FirstOrDefault(c => c.CustomerId == id)?.Name);
                }
                catch (PSSocAutomation.Http.SocApiException)
                {
                    return (id, null);
                }
            }
            var name = (Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty).Trim();
            var customers = await GetCustomersAsync(cancellationToken).ConfigureAwait(false);
            var match = customers.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
            if (match != null) return (match.CustomerId, match.Name);
            var ex = Unknown("customer", null, name, customers.Select(c => c.Name), null);
            throw new IrisLookupException(ex.Message + " IRIS shows a user only the customers it is linked to; an administrator links users to customers under Advanced > Access control.", null, name);
        }

        private static IrisLookupException Unknown(string what, IrisLookupKind? kind, string given, IEnumerable<string> names, string? listKind)
        {
            var all = names.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
            const int shown = 40;
            string valid;
            // Each ends with a full stop: callers add a sentence after it (the customer look-up says who sees which customers).
            if (all.Count == 0) valid = "IRIS returned an empty list.";
            else if (all.Count <= shown) valid = "Valid names: " + string.Join(", ", all.Select(Quote)) + ".";
            else
            {
                // Prefer names close to the one given (IOC types number ~150).
                var close = all.Where(n => n.IndexOf(given, StringComparison.OrdinalIgnoreCase) >= 0 || given.IndexOf(n, StringComparison.OrdinalIgnoreCase) >= 0).Take(10).ToList();
                valid = (close.Count > 0 ? "Similar names: " + string.Join(", ", close.Select(Quote)) + ". " : string.Empty) +
                        $"Valid names include: {string.Join(", ", all.Take(shown).Select(Quote))} … ({all.Count} in all; Get-IrisLookup -Kind {listKind ?? "..."} lists them).";
            }
            return new IrisLookupException($"IRIS has no {what} named '{given}'. {valid}", kind, given);
        }

        private static string Quote(string s) => "'" + s + "'";

        internal static bool TryId(object? value, out int id)
        {
            id = 0;
            switch (value)
            {
                case int i: id = i; return true;
                case long l when l > 0 && l <= int.MaxValue: id = (int)l; return true;
                case short s: id = s; return true;
                case byte b: id = b; return true;
                case double d when d == Math.Floor(d) && d > 0 && d <= int.MaxValue: id = (int)d; return true;
                case decimal m when m == decimal.Floor(m) && m > 0 && m <= int.MaxValue: id = (int)m; return true;
                case string text: return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out id);
                default: return false;
            }
        }

        /// <summary>
        /// The names a case's route left out (create and update return ids only), from the cached lists; a list the user
        /// cannot read leaves the name empty.
        /// </summary>
        public async Task<IrisCase> FillNamesAsync(IrisCase c, CancellationToken cancellationToken)
        {
            if (c.Customer is null && c.CustomerId is int customerId)
                c.Customer = await NameOrNull(async () => (await GetCustomersAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(x => x.CustomerId == customerId)?.Name).ConfigureAwait(false);
            if (c.Severity is null && c.SeverityId is int severity)
                c.Severity = await NameOrNull(async () => (await GetAsync(IrisLookupKind.Severity, cancellationToken).ConfigureAwait(false)).FirstOrDefault(x => x.Id == severity)?.Name).ConfigureAwait(false);
            if (c.State is null && c.StateId is int state)
                c.State = await NameOrNull(async () => (await GetAsync(IrisLookupKind.CaseState, cancellationToken).ConfigureAwait(false)).FirstOrDefault(x => x.Id == state)?.Name).ConfigureAwait(false);
            if (c.Classification is null && c.ClassificationId is int classification)
                c.Classification = await NameOrNull(async () => (await GetAsync(IrisLookupKind.Classification, cancellationToken).ConfigureAwait(false)).FirstOrDefault(x => x.Id == classification)?.Name).ConfigureAwait(false);
            return c;
        }

        /// <summary>
        /// IRIS answers an added IOC with its ids only (ioc_tlp_id, ioc_type_id; the nested tlp and ioc_type come only
        /// from the list routes): the names come from the cached lists, so Tlp and Type read as they were asked for.
        /// </summary>
        public async Task<IrisIoc> FillNamesAsync(IrisIoc ioc, CancellationToken cancellationToken)
        {
            if (ioc.Tlp is null && ioc.TlpId is int tlp)
                ioc.Tlp = await NameOrNull(async () => (await GetAsync(IrisLookupKind.Tlp, cancellationToken).ConfigureAwait(false)).FirstOrDefault(x => x.Id == tlp)?.Name).ConfigureAwait(false);
            if (ioc.Type is null && ioc.TypeId is int type)
                ioc.Type = await NameOrNull(async () => (await GetAsync(IrisLookupKind.IocType, cancellationToken).ConfigureAwait(false)).FirstOrDefault(x => x.Id == type)?.Name).ConfigureAwait(false);
            return ioc;
        }

        private static async Task<string?> NameOrNull(Func<Task<string?>> read)
        {
            try { return await read().ConfigureAwait(false); }
            catch (PSSocAutomation.Http.SocApiException) { return null; }
        }

        // ---- IOC types ----

        private static readonly Regex Ipv4 = new Regex(@"^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$", RegexOptions.CultureInvariant);
        private static readonly Regex Hex = new Regex(@"^[0-9a-fA-F]+$", RegexOptions.CultureInvariant);
        private static readonly Regex Email = new Regex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant);
        private static readonly Regex Domain = new Regex(@"^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}\.?$", RegexOptions.CultureInvariant);

        /// <summary>
        /// The IRIS IOC type names to try, in order, for an indicator: the type given when it is already an IRIS name, else
        /// the MISP-style names that fit a common type word (ip, domain, url, sha256, user ...), else what the value looks like.
        /// </summary>
        internal static IReadOnlyList<string> IocTypeCandidates(string? type, string value)
        {
            var list = new List<string>();
            var t = (type ?? string.Empty).Trim().ToLowerInvariant();
            if (t.Length > 0) list.Add(type!.Trim());
            switch (t)
            {
                case "ip":
                case "ipv4":
                case "ipv6":
                case "ip-address":
                case "ipaddress":
                case "ip_address":
                case "address":
                case "ipv4-addr":
                case "ipv6-addr":
                    list.AddRange(new[] { "ip-any", "ip-dst", "ip-src" }); break;
                case "source.ip":
                case "src_ip":
                case "srcip":
                case "source-ip":
                    list.AddRange(new[] { "ip-src", "ip-any", "ip-dst" }); break;
                case "destination.ip":
                case "dst_ip":
                case "dstip":
                case "destination-ip":
                    list.AddRange(new[] { "ip-dst", "ip-any", "ip-src" }); break;
                case "domain":
                case "fqdn":
                case "domain-name":
                case "domainname":
                    list.Add("domain"); break;
                case "host":
                case "hostname":
                case "host.name":
                    list.AddRange(new[] { "hostname", "domain" }); break;
                case "url":
                case "uri":
                case "link":
                    list.AddRange(new[] { "url", "uri", "link" }); break;
                case "hash":
                case "filehash":
                case "file-hash":
                case "file.hash":
                    list.AddRange(HashTypes(value)); break;
                case "file":
                case "filename":
                case "file.name":
                case "file-name":
                    list.Add("filename"); break;
                case "email":
                case "mail":
                case "email-addr":
                case "emailaddress":
                case "email-address":
                    list.AddRange(new[] { "email-src", "email", "email-dst" }); break;
                case "user":
                case "username":
                case "user.name":
                case "account":
                case "user-account":
                    list.AddRange(new[] { "account", "user-account", "target-user" }); break;
            }
            list.AddRange(Inferred(value));
            list.Add("other");
            return list.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }

        private static IEnumerable<string> HashTypes(string value)
        {
            var v = value.Trim();
            if (!Hex.IsMatch(v)) yield break;
            switch (v.Length)
            {
                case 32: yield return "md5"; break;
                case 40: yield return "sha1"; break;
                case 64: yield return "sha256"; break;
                case 128: yield return "sha512"; break;
            }
        }

        private static IEnumerable<string> Inferred(string value)
        {
            var v = value.Trim();
            if (Ipv4.IsMatch(v) || (v.IndexOf(':') >= 0 && IPAddress.TryParse(v, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
            {
                yield return "ip-any";
                yield return "ip-dst";
                yield break;
            }
            foreach (var h in HashTypes(v)) { yield return h; yield break; }
            if (Uri.TryCreate(v, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == "ftp"))
            {
                yield return "url";
                yield break;
            }
            if (Email.IsMatch(v))
            {
                yield return "email-src";
                yield return "email";
                yield break;
            }
            if (Domain.IsMatch(v))
            {
                yield return "domain";
                yield return "hostname";
            }
        }

        /// <summary>The IOC type for an indicator: the first candidate this IRIS knows whose validation regex (if any) the value passes.</summary>
        public async Task<IrisLookupItem> ResolveIocTypeAsync(string? type, string value, CancellationToken cancellationToken)
        {
            var items = await GetAsync(IrisLookupKind.IocType, cancellationToken).ConfigureAwait(false);
            if (type != null && TryId(type, out var id))
            {
                var byId = items.FirstOrDefault(i => i.Id == id);
                if (byId != null) return byId;
            }
            foreach (var candidate in IocTypeCandidates(type, value))
            {
                var item = TryFind(items, candidate);
                if (item is null) continue;
                if (!PassesValidation(item, value))
                {
                    PSSocAutomation.Http.RequestLog.Current?.Verbose($"IRIS IOC type '{item.Name}' does not accept '{value}' (its validation pattern); trying the next type.");
                    continue;
                }
                if (!string.IsNullOrWhiteSpace(type) && !string.Equals(item.Name, type!.Trim(), StringComparison.OrdinalIgnoreCase))
                    PSSocAutomation.Http.RequestLog.Current?.Verbose($"'{type}' is not an IRIS IOC type name; '{value}' is added as '{item.Name}'.");
                return item;
            }
            throw Unknown("IOC type", IrisLookupKind.IocType, type ?? value, items.Select(i => i.Name), "IocType");
        }

        private static bool PassesValidation(IrisLookupItem item, string value)
        {
            var pattern = IrisJson.Str(item.Json, "type_validation_regex");
            if (string.IsNullOrEmpty(pattern)) return true;
            try
            {
                return Regex.IsMatch(value, "^(?:" + pattern + @")\z", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
            }
            catch (ArgumentException)
            {
                return true; // A Python-only construct: let IRIS judge.
            }
            catch (RegexMatchTimeoutException)
            {
                return true;
            }
        }
    }
}
