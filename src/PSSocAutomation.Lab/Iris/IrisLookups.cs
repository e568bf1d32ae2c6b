using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Iris;

internal sealed record IrisSeverity(int Id, string Name, string Description);
internal sealed record IrisAlertStatus(int Id, string Name, string Description);
internal sealed record IrisResolutionStatus(int Id, string Name, string Description);
internal sealed record IrisTlp(int Id, string Name, string BsColor);
internal sealed record IrisIocType(int Id, string Name, string Description, string? Regex, string? Expect);
internal sealed record IrisAssetType(int Id, string Name, string Description, string IconNotCompromised, string IconCompromised);
internal sealed record IrisCaseState(int Id, string Name, string Description, bool Protected);
internal sealed record IrisClassification(int Id, string Name, string NameExpanded, string Description);
internal sealed record IrisAnalysisStatus(int Id, string Name);

/// <summary>
/// The reference rows of a fresh 2.4 install, in post_init insertion order so the ids match a real one
/// (clients should still resolve them by name, as the contract says).
/// </summary>
internal static class IrisLookups
{
    /// <summary>When post_init ran: lookup rows carry it as creation_date.</summary>
    public static readonly DateTime InstallTime = new DateTime(2025, 2, 10, 9, 30, 12, DateTimeKind.Unspecified).AddTicks(4_182_370);

    public static readonly IReadOnlyList<IrisSeverity> Severities =
    [
        new(1, "Unspecified", "Unspecified"),
        new(2, "Informational", "Informational"),
        new(3, "Low", "Low"),
        new(4, "Medium", "Medium"),
        new(5, "High", "High"),
        new(6, "Critical", "Critical"),
    ];

    public static readonly IReadOnlyList<IrisAlertStatus> AlertStatuses =
    [
        new(1, "Unspecified", "Unspecified"),
        new(2, "New", "Alert is new and unassigned"),
        new(3, "Assigned", "Alert is assigned to a user and pending investigation"),
        new(4, "In progress", "Alert is being investigated"),
        new(5, "Pending", "Alert is in a pending state"),
        new(6, "Closed", "Alert closed, no action taken"),
        new(7, "Merged", "Alert merged into an existing case"),
        new(8, "Escalated", "Alert converted to a new case"),
    ];

    public const int AlertClosed = 6, AlertMerged = 7, AlertEscalated = 8;

    public static readonly IReadOnlyList<IrisResolutionStatus> ResolutionStatuses =
    [
        new(1, "False Positive", "The alert was a false positive"),
        new(2, "True Positive With Impact", "The alert was a true positive with an impact"),
        new(3, "True Positive Without Impact", "The alert was a true positive without impact"),
        new(4, "Not Applicable", "The alert does not apply"),
        new(5, "Unknown", "The resolution is unknown"),
        new(6, "Legitimate", "The alert describes expected, legitimate activity"),
    ];

    public static readonly IReadOnlyList<IrisTlp> Tlps =
    [
        new(1, "red", "danger"),
        new(2, "amber", "warning"),
        new(3, "green", "success"),
        new(4, "clear", "black"),
        new(5, "amber+strict", "warning"),
    ];

    public static readonly IReadOnlyList<IrisCaseState> CaseStates =
    [
        new(1, "Unspecified", "Unspecified", true),
        new(2, "In progress", "Case is being investigated", false),
        new(3, "Open", "Case is open", true),
        new(4, "Containment", "Containment is in progress", false),
        new(5, "Eradication", "Eradication is in progress", false),
        new(6, "Recovery", "Recovery is in progress", false),
        new(7, "Post-Incident", "Post-incident phase", false),
        new(8, "Reporting", "Reporting is in progress", false),
        new(9, "Closed", "Case is closed", true),
    ];

    public const int StateOpen = 3, StateClosed = 9;

    public static readonly IReadOnlyList<IrisAnalysisStatus> AnalysisStatuses =
    [
        new(1, "Unspecified"), new(2, "To be done"), new(3, "Started"), new(4, "Pending"), new(5, "Canceled"), new(6, "Done"),
    ];

    /// <summary>CaseStatus enum names, by status_id.</summary>
    public static readonly IReadOnlyList<string> CaseOutcomes =
        ["unknown", "false_positive", "true_positive_with_impact", "not_applicable", "true_positive_without_impact", "legitimate"];

    public static readonly IReadOnlyList<IrisAssetType> AssetTypes = BuildAssetTypes();

    public static readonly IReadOnlyList<IrisIocType> IocTypes = BuildIocTypes();

    public static readonly IReadOnlyList<IrisClassification> Classifications = BuildClassifications();

    public static IrisSeverity? Severity(long? id) => Severities.FirstOrDefault(s => s.Id == id);
    public static IrisAlertStatus? AlertStatus(long? id) => AlertStatuses.FirstOrDefault(s => s.Id == id);
    public static IrisResolutionStatus? Resolution(long? id) => ResolutionStatuses.FirstOrDefault(s => s.Id == id);
    public static IrisTlp? Tlp(long? id) => Tlps.FirstOrDefault(t => t.Id == id);
    public static IrisIocType? IocType(long? id) => IocTypes.FirstOrDefault(t => t.Id == id);
    public static IrisAssetType? AssetType(long? id) => AssetTypes.FirstOrDefault(t => t.Id == id);
    public static IrisCaseState? CaseState(long? id) => CaseStates.FirstOrDefault(s => s.Id == id);
    public static IrisClassification? Classification(long? id) => Classifications.FirstOrDefault(c => c.Id == id);
    public static IrisAnalysisStatus? AnalysisStatus(long? id) => AnalysisStatuses.FirstOrDefault(s => s.Id == id);

    /// <summary>map_alert_resolution_to_case_status: what a closed case's outcome makes of its alerts' resolution.</summary>
    public static int ResolutionForOutcome(int statusId) => statusId switch
    {
        1 => 1,
        2 => 2,
        3 => 4,
        4 => 3,
        5 => 6,
        _ => 5,
    };

    // ---- list dumps (each /manage/*/list route returns one of these as data) ----

    public static JsonArray SeverityList() => new(Severities.Select(s => (JsonNode?)Severity(s)).ToArray());
    public static JsonArray AlertStatusList() => new(AlertStatuses.Select(s => (JsonNode?)AlertStatus(s)).ToArray());
    public static JsonArray ResolutionList() => new(ResolutionStatuses.Select(r => (JsonNode?)Resolution(r)).ToArray());
    public static JsonArray TlpList() => new(Tlps.Select(t => (JsonNode?)new JsonObject { ["tlp_id"] = t.Id, ["tlp_name"] = t.Name, ["tlp_bscolor"] = t.BsColor }).ToArray());
    public static JsonArray IocTypeList() => new(IocTypes.Select(t => (JsonNode?)IocType(t)).ToArray());
    public static JsonArray AssetTypeList() => new(AssetTypes.Select(t => (JsonNode?)AssetType(t)).ToArray());
    public static JsonArray CaseStateList() => new(CaseStates.Select(s => (JsonNode?)CaseState(s)).ToArray());
    public static JsonArray ClassificationList() => new(Classifications.Select(c => (JsonNode?)Classification(c)).ToArray());
    public static JsonArray AnalysisStatusList() => new(AnalysisStatuses.Select(s => (JsonNode?)new JsonObject { ["id"] = s.Id, ["name"] = s.Name }).ToArray());

    public static JsonObject Severity(IrisSeverity s) => new()
    {
        ["severity_id"] = s.Id, ["severity_name"] = s.Name, ["severity_description"] = s.Description,
    };

    public static JsonObject AlertStatus(IrisAlertStatus s) => new()
    {
        ["status_id"] = s.Id, ["status_name"] = s.Name, ["status_description"] = s.Description,
    };

    public static JsonObject Resolution(IrisResolutionStatus r) => new()
    {
        ["resolution_status_id"] = r.Id, ["resolution_status_name"] = r.Name, ["resolution_status_description"] = r.Description,
    };

    public static JsonObject IocType(IrisIocType t) => new()
    {
        ["type_name"] = t.Name,
        ["type_validation_regex"] = t.Regex,
        ["type_id"] = t.Id,
        ["type_description"] = t.Description,
        ["type_validation_expect"] = t.Expect,
        ["type_taxonomy"] = string.Empty,
    };

    public static JsonObject AssetType(IrisAssetType t) => new()
    {
        ["asset_name"] = t.Name,
        ["asset_description"] = t.Description,
        ["asset_icon_not_compromised"] = t.IconNotCompromised,
        ["asset_icon_compromised"] = t.IconCompromised,
        ["asset_id"] = t.Id,
    };

    public static JsonObject CaseState(IrisCaseState s) => new()
    {
        ["state_id"] = s.Id, ["state_name"] = s.Name, ["state_description"] = s.Description, ["protected"] = s.Protected,
    };

    public static JsonObject Classification(IrisClassification c) => new()
    {
        ["name"] = c.Name,
        ["name_expanded"] = c.NameExpanded,
        ["creation_date"] = Py.IsoFormat(InstallTime),
        ["description"] = c.Description,
        ["id"] = c.Id,
    };

    private static List<IrisAssetType> BuildAssetTypes()
    {
        (string Name, string Description, string Icon)[] rows =
        [
            ("Account", "Generic Account", "user"),
            ("Firewall", "Firewall", "firewall"),
            ("Linux - Server", "Linux server", "server"),
            ("Linux - Computer", "Linux computer", "desktop"),
            ("Linux Account", "Linux Account", "user"),
            ("Mac - Computer", "Mac computer", "desktop"),
            ("Phone - Android", "Android Phone", "phone"),
            ("Phone - IOS", "Apple Phone", "phone"),
            ("Windows - Computer", "Standard Windows Computer", "windows_desktop"),
            ("Windows - Server", "Standard Windows Server", "windows_server"),
            ("Windows - DC", "Domain Controller", "windows_server"),
            ("Router", "Router", "router"),
            ("Switch", "Switch", "switch"),
            ("VPN", "VPN", "vpn"),
            ("WAF", "WAF", "firewall"),
            ("Windows Account - Local", "Windows Account - Local", "user"),
            ("Windows Account - Local - Admin", "Windows Account - Local - Admin", "user"),
            ("Windows Account - AD", "Windows Account - AD", "user"),
            ("Windows Account - AD - Admin", "Windows Account - AD - Admin", "user"),
            ("Windows Account - AD - krbtgt", "Windows Account - AD - krbtgt", "user"),
            ("Windows Account - AD - Service", "Windows Account - AD - Service", "user"),
        ];
        return rows.Select((r, i) => new IrisAssetType(i + 1, r.Name, r.Description, r.Icon + ".png", "ioc_" + r.Icon + ".png")).ToList();
    }

    private static List<IrisIocType> BuildIocTypes()
    {
        // MISP attribute type names in the order a fresh 2.4 install inserts them (so sha1 is 111 and sha256 113, as
        // in the documented responses). Types with a format check carry its regex; the value must fullmatch it.
        string[] names =
        [
            "AS", "aba-rtn", "account", "anonymised", "attachment", "authentihash", "boolean", "btc", "campaign-id",
            "campaign-name", "cdhash", "chrome-extension-id", "community-id", "cookie", "dash", "datetime", "dkim",
            "dkim-signature", "dns-soa-email", "domain", "domain|ip", "email", "email-attachment", "email-body",
            "email-dst", "email-dst-display-name", "email-header", "email-message-id", "email-mime-boundary",
            "email-reply-to", "email-src", "email-src-display-name", "email-subject", "email-thread-index",
            "email-x-mailer", "favicon-mmh3", "filename", "filename-pattern", "filename|authentihash", "filename|impfuzzy",
            "filename|imphash", "filename|md5", "filename|pehash", "filename|sha1", "filename|sha224", "filename|sha256",
            "filename|sha3-224", "filename|sha3-256", "filename|sha3-384", "filename|sha3-512", "filename|sha384",
            "filename|sha512", "filename|sha512/224", "filename|sha512/256", "filename|ssdeep", "filename|tlsh",
            "filename|vhash", "first-name", "float", "full-name", "gene", "git-commit-id", "github-organisation",
            "github-repository", "github-username", "hassh-md5", "hasshserver-md5", "hex", "hostname", "hostname|port",
            "http-method", "iban", "identity-card-number", "impfuzzy", "imphash", "ip-any", "ip-dst", "ip-dst|port",
            "ip-src", "ip-src|port", "ja3-fingerprint-md5", "jabber-id", "jarm-fingerprint", "kusto-query", "link",
            "mac-address", "mac-eui-64", "malware-sample", "malware-type", "md5", "middle-name", "mime-type",
            "mobile-application-id", "mutex", "named pipe", "other", "file-path", "pattern-in-file", "pattern-in-memory",
            "pattern-in-traffic", "pdb", "pehash", "pgp-private-key", "pgp-public-key", "phone-number", "port",
            "process-state", "prtn", "regkey", "regkey|value", "sha1", "sha224", "sha256", "sha3-224", "sha3-256",
            "sha3-384", "sha3-512", "sha384", "sha512", "sha512/224", "sha512/256", "sigma", "size-in-bytes", "snort",
            "ssdeep", "ssh-fingerprint", "stix2-pattern", "target-email", "target-external", "target-location",
            "target-machine", "target-org", "target-user", "telfhash", "text", "threat-actor", "tlsh", "travel-details",
            "twitter-id", "uri", "url", "user-agent", "vhash", "vulnerability", "weakness", "whois-creation-date",
            "whois-registrant-email", "whois-registrant-name", "whois-registrant-org", "whois-registrant-phone",
            "whois-registrar", "windows-scheduled-task", "windows-service-displayname", "windows-service-name",
            "x509-fingerprint-md5", "x509-fingerprint-sha1", "x509-fingerprint-sha256", "xmr", "yara", "zeek",
        ];

        var hexLength = new Dictionary<string, int>
        {
            ["authentihash"] = 64, ["git-commit-id"] = 40, ["hassh-md5"] = 32, ["hasshserver-md5"] = 32, ["imphash"] = 32,
            ["ja3-fingerprint-md5"] = 32, ["jarm-fingerprint"] = 62, ["md5"] = 32, ["pehash"] = 40, ["sha1"] = 40,
            ["sha224"] = 56, ["sha256"] = 64, ["sha3-224"] = 56, ["sha3-256"] = 64, ["sha3-384"] = 96, ["sha3-512"] = 128,
            ["sha384"] = 96, ["sha512"] = 128, ["sha512/224"] = 56, ["sha512/256"] = 64, ["telfhash"] = 70,
            ["x509-fingerprint-md5"] = 32, ["x509-fingerprint-sha1"] = 40, ["x509-fingerprint-sha256"] = 64,
        };
        var fileHexLength = new Dictionary<string, int>
        {
            ["filename|authentihash"] = 64, ["filename|imphash"] = 32, ["filename|md5"] = 32, ["filename|pehash"] = 40,
            ["filename|sha1"] = 40, ["filename|sha224"] = 56, ["filename|sha256"] = 64, ["filename|sha3-224"] = 56,
            ["filename|sha3-256"] = 64, ["filename|sha3-384"] = 96, ["filename|sha3-512"] = 128, ["filename|sha384"] = 96,
            ["filename|sha512"] = 128, ["filename|sha512/224"] = 56, ["filename|sha512/256"] = 64,
        };
        const string tlshExpect = "at least 35 hexadecimal characters, optionally starting with t1 instead of hexadecimal characters";

        var descriptions = new Dictionary<string, string>
        {
            ["AS"] = "Autonomous system",
            ["aba-rtn"] = "ABA routing transit number",
            ["account"] = "Account of any type",
            ["anonymised"] = "Anonymised value - described with the anonymisation object via a relationship",
            ["domain"] = "A domain name",
            ["email"] = "An e-mail address",
            ["email-src"] = "The address an e-mail was sent from",
            ["email-dst"] = "The address an e-mail was sent to",
            ["filename"] = "Filename",
            ["hostname"] = "A full host name",
            ["ip-any"] = "An IP address, source or destination",
            ["ip-dst"] = "A destination IP address",
            ["ip-src"] = "A source IP address",
            ["other"] = "Other attribute",
            ["url"] = "url",
            ["uri"] = "Uniform Resource Identifier",
            ["user-agent"] = "An HTTP user agent",
            ["file-path"] = "Path of file",
            ["regkey"] = "Registry key or value",
            ["mutex"] = "A mutex name",
            ["vulnerability"] = "A reference to a vulnerability",
        };

        var types = new List<IrisIocType>(names.Length);
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i];
            string? regex = null, expect = null;
            if (hexLength.TryGetValue(name, out var n)) (regex, expect) = ($"[a-f0-9]{{{n}}}", $"{n} hexadecimal characters");
            else if (fileHexLength.TryGetValue(name, out n)) (regex, expect) = ($@".+\|[a-f0-9]{{{n}}}", $"filename|{n} hexadecimal characters");
            else if (name == "tlsh") (regex, expect) = ("^t?[a-f0-9]{35,}", tlshExpect);
            else if (name == "filename|tlsh") (regex, expect) = (@".+\|t?[a-f0-9]{35,}", "filename|" + tlshExpect);

            var description = descriptions.TryGetValue(name, out var d) ? d
                : hexLength.ContainsKey(name) || name is "ssdeep" or "vhash" or "impfuzzy" ? $"A checksum in {name} format"
                : name.StartsWith("filename|", StringComparison.Ordinal) ? $"A filename and a {name[9..]} value separated by a |"
                : $"MISP attribute type {name}";
            types.Add(new IrisIocType(i + 1, name, description, regex, expect));
        }
        return types;
    }

    private static List<IrisClassification> BuildClassifications()
    {
        // The MISP "classification" taxonomy (eCSIRT/RSIT predicates), flattened as predicate:value like IRIS does.
        (string Predicate, string[] Values)[] taxonomy =
        [
            ("abusive-content", ["spam", "harmful-speech", "violence"]),
            ("malicious-code", ["infected-system", "c2-server", "malware-distribution", "malware-configuration"]),
            ("information-gathering", ["scanner", "sniffing", "social-engineering"]),
            ("intrusion-attempts", ["ids-alert", "brute-force", "exploit"]),
            ("intrusions", ["privileged-account-compromise", "unprivileged-account-compromise", "application-compromise", "system-compromise", "burglary"]),
            ("availability", ["dos", "ddos", "misconfiguration", "sabotage", "outage"]),
            ("information-content-security", ["unauthorised-information-access", "unauthorised-information-modification", "data-loss", "data-leak"]),
            ("fraud", ["unauthorised-use-of-resources", "copyright", "masquerade", "phishing"]),
            ("vulnerable", ["weak-crypto", "ddos-amplifier", "potentially-unwanted-accessible", "information-disclosure", "vulnerable-system"]),
            ("other", ["other", "undetermined"]),
            ("test", ["test"]),
        ];
        var rows = new List<IrisClassification>();
        foreach (var (predicate, values) in taxonomy)
        {
            var title = string.Join('-', predicate.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
            foreach (var value in values)
            {
                var words = value.Replace('-', ' ');
                rows.Add(new IrisClassification(rows.Count + 1, $"{predicate}:{value}", $"{title}: {words}",
                    $"Incidents classified as {predicate.Replace('-', ' ')}, {words}."));
            }
        }
        return rows;
    }
}
