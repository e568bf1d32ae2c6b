using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit;
using PSSocAutomation.Indicators;
using PSSocAutomation.Tests.Harness;

namespace PSSocAutomation.Tests.Indicators;

/// <summary>Indicators in free text: the vendors' own test vectors (iocextract, ioc-finder), then the module's table of tricky inputs.</summary>
public sealed class IndicatorTextTests
{
    /// <summary>
    /// Where the module means something else than the library the vector came from, and why. Each entry replaces the
    /// vector's expectation; every other vector must hold as written.
    /// </summary>
    private static readonly Dictionary<string, (string Why, Dictionary<string, string[]> Expected)> Deviations = new()
    {
        ["ix-extract-url-punct"] = ("The module always refangs, and a domain with no scheme and no path is a domain, not a URL.",
            new() { ["domain"] = new[] { "example.com" } }),
        ["fd-filename-as-domain"] = ("A file name is not a domain: 'CBA0019_file_00002_pdf.zip' has underscores, which no host name has (upstream keeps it as a known false positive).",
            new()
            {
                ["domain"] = new[] { "asf.goole.com", "freasdfuewriter.com", "uniddloos.zddfdd.org" },
                ["url"] = new[] { "https://asf.goole.com/mail?url=http%3A%2F%2Ffreasdfuewriter.com%2Fcs%2Fimage%2FCommerciaE.jpg&t=1575955624&ymreqid=733bc9eb-e8f-34cb-1cb5-120010019e00&sig=x2Pa2oOYxanG52s4vyCEFg--~Chttp://uniddloos.zddfdd.org/CBA0019_file_00002_pdf.zip" },
            }),
    };

    /// <summary>The vectors' type names in the module's words (url_complete is upstream's second spelling of url).</summary>
    private static IEnumerable<string> Values(IReadOnlyList<PSSocAutomation.Core.AlertIndicator> found, string type) => type switch
    {
        "ipv4" => found.Where(i => i.Type == "ip" && IPAddress.Parse(i.Value).AddressFamily == AddressFamily.InterNetwork).Select(i => i.Value),
        "ipv6" => found.Where(i => i.Type == "ip" && IPAddress.Parse(i.Value).AddressFamily == AddressFamily.InterNetworkV6).Select(i => i.Value),
        "ipv4_cidr" => found.Where(i => i.Type == "cidr").Select(i => i.Value),
        "url_complete" => found.Where(i => i.Type == "url").Select(i => i.Value),
        _ => found.Where(i => i.Type == type).Select(i => i.Value),
    };

    [SharedFixtureFact]
    public void Every_vector_of_the_shared_fixtures_holds()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepositoryPaths.SharedFixtures!, "enrich", "ioc-cases.json")));
        var failures = new List<string>();
        var count = 0;
        foreach (var vector in doc.RootElement.EnumerateArray())
        {
            count++;
            var id = vector.GetProperty("id").GetString()!;
            var input = vector.GetProperty("input").GetString()!;
            var match = vector.GetProperty("match").GetString()!;
            var expected = Deviations.TryGetValue(id, out var deviation)
                ? deviation.Expected
                : vector.GetProperty("expected").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray());
            // The libraries do not skip private addresses; the module does by default.
            var found = IndicatorText.Extract(input, includePrivate: true);
            foreach (var (type, values) in expected)
            {
                var ours = Values(found, type).ToList();
                var ok = match switch
                {
                    "first" => ours.Count > 0 && ours[0] == values[0],
                    _ => ours.OrderBy(v => v, StringComparer.Ordinal).SequenceEqual(values.OrderBy(v => v, StringComparer.Ordinal)),
                };
                if (!ok) failures.Add($"{id} ({type}): expected [{string.Join(", ", values)}], found [{string.Join(", ", ours)}] in '{input}'");
            }
            if (match == "exact-set" || deviation.Why != null)
            {
                var types = expected.Keys.Select(k => k switch { "ipv4" or "ipv6" => "ip", "ipv4_cidr" => "cidr", "url_complete" => "url", _ => k }).ToHashSet();
                // The vector asked its library not to report a URL's host as a domain; the module always does.
                if (vector.GetProperty("call").GetString()!.Contains("parse_domain_from_url=False")) types.Add("domain");
                foreach (var extra in found.Where(i => !types.Contains(i.Type!)))
                    failures.Add($"{id}: unexpected {extra.Type} '{extra.Value}'");
            }
        }
        Assert.True(count >= 20, "The fixture file has fewer vectors than expected: " + count);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    public static TheoryData<string, string, string> Tricky => new()
    {
        // defanged forms
        { "Beacon to 203[.]0[.]113[.]7 every 60 s", "ip", "203.0.113.7" },
        { "C2 at hxxps://evil-cdn[.]example/gate.php?id=1", "url", "https://evil-cdn.example/gate.php?id=1" },
        { "C2 at hxxps://evil-cdn[.]example/gate.php?id=1", "domain", "evil-cdn.example" },
        { "Reply-to: attacker[@]phish[.]example", "email", "attacker@phish.example" },
        { "resolved bad(.)example(.)org", "domain", "bad.example.org" },
        // IDN
        { "lookalike bücher-login.example seen", "domain", "bücher-login.example" },
        { "punycode xn--bcher-kva.example seen", "domain", "xn--bcher-kva.example" },
        // IPv6, with a zone (the zone is not part of the address)
        { "from 2001:db8:85a3::8a2e:370:7334%eth0 to us", "ip", "2001:db8:85a3::8a2e:370:7334" },
        // hashes inside paths
        { @"ran C:\Users\x\AppData\Local\Temp\d41d8cd98f00b204e9800998ecf8427e.exe", "md5", "d41d8cd98f00b204e9800998ecf8427e" },
        { "/tmp/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/payload", "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        // sentence punctuation
        { "Blocked https://bad.example/a.", "url", "https://bad.example/a" },
        { "(see https://en.wikipedia.org/wiki/Foo_(bar))", "url", "https://en.wikipedia.org/wiki/Foo_(bar)" },
        { "ip=198.51.100.23, port=443", "ip", "198.51.100.23" },
    };

    [Theory]
    [MemberData(nameof(Tricky))]
    public void Tricky_inputs_give_the_indicator(string text, string type, string value)
    {
        var found = IndicatorText.Extract(text, "message");
        Assert.Contains(found, i => i.Type == type && i.Value == value && i.Field == "message");
    }

    public static TheoryData<string> NotIndicators => new()
    {
        "Installed version 1.2.3.4 of the agent",
        "build 10.0.19041.1288 rolled out",
        "agent v4.12.3.1 started",
        "opened invoice.pdf and report.docx from the share",
        "at 12:30:45 the service restarted",
        "MAC 00:1a:2b:3c:4d:5e joined",
        "the value 256.1.1.1 is not an address",
        "lookup of config.json failed",
    };

    [Theory]
    [MemberData(nameof(NotIndicators))]
    public void Version_numbers_file_names_and_times_are_not_indicators(string text)
    {
        var found = IndicatorText.Extract(text, includePrivate: true);
        Assert.True(found.Count == 0, string.Join(", ", found.Select(i => i.Type + ":" + i.Value)));
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("192.168.0.10")]
    [InlineData("172.20.1.1")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.10.1")]
    [InlineData("100.64.0.1")]
    [InlineData("fe80::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("::1")]
    [InlineData("239.1.1.1")]
    public void Private_and_reserved_addresses_are_skipped_unless_asked_for(string address)
    {
        Assert.DoesNotContain(IndicatorText.Extract("from " + address + " now"), i => i.Type == "ip");
        Assert.Contains(IndicatorText.Extract("from " + address + " now", includePrivate: true), i => i.Type == "ip" && i.Value == address);
    }

    [Fact]
    public void Each_value_comes_once_and_hashes_and_domains_are_lower_cased()
    {
        var found = IndicatorText.Extract("EVIL.Example and evil.example; D41D8CD98F00B204E9800998ECF8427E then d41d8cd98f00b204e9800998ecf8427e");
        Assert.Equal(new[] { "domain:evil.example", "md5:d41d8cd98f00b204e9800998ecf8427e" }, found.Select(i => i.Type + ":" + i.Value));
    }
}
