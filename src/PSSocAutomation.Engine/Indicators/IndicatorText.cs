using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using PSSocAutomation.Core;

namespace PSSocAutomation.Indicators
{
    /// <summary>
    /// Indicators in free text (an alert's message, reason, description): IPv4 and IPv6 addresses, CIDR ranges, domains,
    /// URLs, e-mail addresses and MD5/SHA1/SHA256/SHA512 hashes. The text is refanged first (hxxp, [.], (.), [@], "at" and
    /// "DOT" in addresses ...), so a defanged report yields the same indicators as a live one; values come back refanged,
    /// domains and hashes lower-cased, each once.
    /// </summary>
    /// <remarks>
    /// What it leaves out on purpose: private, loopback, link-local, multicast and reserved addresses (unless
    /// includePrivate; documentation ranges such as 203.0.113.0/24 are kept, since examples and tests name public
    /// addresses with them); a file name is not a domain (invoice.pdf, CommerciaE.jpg, anything with an underscore);
    /// dotted numbers that are version numbers (1.2.3.4.5, v1.2.3.4, "version 1.2.3.4") are not addresses; a word of a
    /// URL's path is not a domain. IPv6 addresses keep their spelling (three spellings of one address are three values).
    /// </remarks>
    public static class IndicatorText
    {
        private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Compiled;
        private const RegexOptions IgnoreCase = Options | RegexOptions.IgnoreCase;
        private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

        // ---- refanging ----

        private static readonly (Regex Pattern, string Replacement)[] Refangs =
        {
            (new Regex(@"\bhxxp(s?)\b", IgnoreCase, Budget), "http$1"),
            (new Regex(@"\bh\[tt\]p(s?)\b", IgnoreCase, Budget), "http$1"),
            (new Regex(@"\b(https?|ftp)\[:\]//", IgnoreCase, Budget), "$1://"),
            (new Regex(@"\b(https?|ftp)\[://\]", IgnoreCase, Budget), "$1://"),
            (new Regex(@"\b(https?|ftp):\\\\", IgnoreCase, Budget), "$1://"),
            (new Regex(@"[\[\(\{]/[\]\)\}]", Options, Budget), "/"),
            (new Regex(@"[\[\(\{](?:\.|dot)[\]\)\}]", IgnoreCase, Budget), "."),
            (new Regex(@"[\[\(\{](?:@|at)[\]\)\}]", IgnoreCase, Budget), "@"),
            // Half-bracketed dots ("111[.111.]111") and escaped ones ("10\.10").
            (new Regex(@"(?<=\w)(?:\[\.|\(\.|\.\]|\.\)|\\\.)(?=\w)", Options, Budget), "."),
        };

        private static readonly Regex SpacedUrl = new Regex(@"\b((?:https?|ftp)://\S*)\s+(?=[./]|$)", IgnoreCase, Budget);
        private static readonly Regex SchemeSpace = new Regex(@"\b((?:https?|ftp)://)\s+", IgnoreCase, Budget);
        private static readonly Regex SpacedDot = new Regex(@"(?<=://\S*[\w/])\s+\.\s*(?=\w)", IgnoreCase, Budget);
        private static readonly Regex WordEmail = new Regex(@"\b([a-z0-9._%+-]+)\s+at\s+([a-z0-9-]+(?:\s+dot\s+[a-z0-9-]+)+)\b", IgnoreCase, Budget);
        private static readonly Regex WordDot = new Regex(@"\s+dot\s+", IgnoreCase, Budget);

        /// <summary>The text with defanged indicators made live again.</summary>
        public static string Refang(string text)
        {
            if (string.IsNullOrEmpty(text)) return text ?? string.Empty;
            var s = text;
            foreach (var (pattern, replacement) in Refangs) s = pattern.Replace(s, replacement);
            s = WordEmail.Replace(s, m => m.Groups[1].Value + "@" + WordDot.Replace(m.Groups[2].Value, "."));
            // "http:// example .com /test": spaces a defanger put inside a URL.
            s = SchemeSpace.Replace(s, "$1");
            for (var i = 0; i < 8; i++)
            {
                var joined = SpacedDot.Replace(SpacedUrl.Replace(s, "$1"), ".");
                if (joined == s) break;
                s = joined;
            }
            return s;
        }

        // ---- extraction ----

        private static readonly Regex Url = new Regex(@"\b(?:https?|ftp|sftp)://[^\s<>""'`{}|\\^]+", IgnoreCase, Budget);
        private static readonly Regex BareUrl = new Regex(@"(?<![\w@./:-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}/[^\s<>""'`{}|\\^]*", IgnoreCase, Budget);
        private static readonly Regex EmbeddedUrl = new Regex(@"(?:https?|ftp)://([^/\s?#&~]+)", IgnoreCase, Budget);
        private static readonly Regex Email = new Regex(@"(?<![\w.%+-])[a-z0-9._%+-]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}(?![\p{L}\p{N}-])", IgnoreCase, Budget);
        private static readonly Regex Domain = new Regex(@"(?<![\w@.-])(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})(?![\w-]|\.[\w])", IgnoreCase, Budget);
        private static readonly Regex Ipv4 = new Regex(@"(?<![\w.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/(\d{1,2}))?(?![\w]|\.\d)", Options, Budget);
        private static readonly Regex Ipv6 = new Regex(@"(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?:%[\w.]+)?(?![\w:])", IgnoreCase, Budget);
        private static readonly Regex Hash = new Regex(@"(?<![0-9A-Za-z])(?:[0-9a-f]{128}|[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})(?![0-9A-Za-z])", IgnoreCase, Budget);
        private static readonly Regex VersionWord = new Regex(@"(?:version|ver|build|release|v)\s*$", IgnoreCase, Budget);

        /// <summary>Extensions that make "name.ext" a file, not a domain, although some (.zip, .mov) are also TLDs.</summary>
        private static readonly HashSet<string> FileExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "exe", "dll", "sys", "bat", "cmd", "ps1", "psm1", "vbs", "js", "jse", "hta", "msi", "lnk", "scr", "jar", "py", "sh",
            "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "pdf", "rtf", "txt", "log", "csv", "json", "xml", "yml", "yaml",
            "zip", "rar", "7z", "gz", "tgz", "tar", "iso", "img", "cab", "jpg", "jpeg", "png", "gif", "bmp", "svg", "mov", "mp4", "mp3",
            "htm", "html", "php", "asp", "aspx", "jsp", "cfg", "ini", "dat", "bin", "tmp", "bak", "db", "eml", "msg", "one", "cs",
        };

        /// <summary>The indicators in <paramref name="text"/>, in the order they appear, each value once.</summary>
        /// <param name="text">Any text; null or blank gives none.</param>
        /// <param name="field">Where the text came from (message, kibana.alert.reason ...): each indicator's Field.</param>
        /// <param name="includePrivate">Keep private, loopback and reserved addresses.</param>
        public static IReadOnlyList<AlertIndicator> Extract(string? text, string? field = null, bool includePrivate = false)
        {
            var found = new Found(field, includePrivate);
            if (string.IsNullOrWhiteSpace(text)) return found.List;
            var s = Refang(text!);
            var masked = new StringBuilder(s);

            foreach (Match m in Url.Matches(s)) TakeUrl(found, masked, m.Index, TrimUrl(m.Value));
            foreach (Match m in BareUrl.Matches(masked.ToString())) TakeUrl(found, masked, m.Index, TrimUrl(m.Value));
            foreach (Match m in Email.Matches(masked.ToString()))
            {
                found.Add(LowerDomainPart(m.Value), "email");
                Mask(masked, m.Index, m.Length);
            }
            var rest = masked.ToString();
            foreach (Match m in Ipv4.Matches(rest))
            {
                if (VersionWord.IsMatch(rest.Substring(Math.Max(0, m.Index - 10), Math.Min(10, m.Index)))) continue;
                TakeIpv4(found, m);
            }
            foreach (Match m in Ipv6.Matches(rest)) TakeIpv6(found, m.Value);
            foreach (Match m in Domain.Matches(rest)) TakeDomain(found, m.Value);
            // Hashes anywhere, URLs included (a sandbox link names the file by its hash).
            foreach (Match m in Hash.Matches(s)) found.Add(m.Value.ToLowerInvariant(), HashType(m.Length));
            return found.List;
        }

        private static void TakeUrl(Found found, StringBuilder masked, int index, string url)
        {
            if (url.Length == 0) return;
            found.Add(url, "url");
            Mask(masked, index, url.Length);
            var host = HostOf(url);
            if (host != null)
            {
                if (IPAddress.TryParse(host.Trim('[', ']'), out var address)) found.AddAddress(address, host.Trim('[', ']'));
                else TakeDomain(found, host);
            }
            // Hosts of URLs inside this one: a redirector's target, plain or percent-encoded in the query.
            var inner = url.IndexOf("://", StringComparison.Ordinal) is int at && at >= 0 ? url.Substring(at + 3) : url;
            string decoded;
            try { decoded = Uri.UnescapeDataString(inner); }
            catch (UriFormatException) { decoded = inner; }
            foreach (Match m in EmbeddedUrl.Matches(decoded)) TakeDomain(found, m.Groups[1].Value);
        }

        private static string? HostOf(string url)
        {
            var start = url.IndexOf("://", StringComparison.Ordinal);
            start = start < 0 ? 0 : start + 3;
            var end = start;
            if (end < url.Length && url[end] == '[')
            {
                var close = url.IndexOf(']', end);
                return close > end ? url.Substring(end, close - end + 1) : null;
            }
            while (end < url.Length && "/?#:".IndexOf(url[end]) < 0) end++;
            var host = url.Substring(start, end - start);
            var userInfo = host.LastIndexOf('@');
            if (userInfo >= 0) host = host.Substring(userInfo + 1);
            return host.Length == 0 ? null : host;
        }

        /// <summary>Sentence punctuation after a URL is not part of it; a closing bracket is, only when the URL opened one.</summary>
        private static string TrimUrl(string url)
        {
            var end = url.Length;
            while (end > 0)
            {
                var c = url[end - 1];
                if (".,;:!?'\"".IndexOf(c) >= 0) { end--; continue; }
                if (c == ')' && Count(url, '(', end) < Count(url, ')', end)) { end--; continue; }
                if (c == ']' && Count(url, '[', end) < Count(url, ']', end)) { end--; continue; }
                break;
            }
            return url.Substring(0, end);
        }

        private static int Count(string s, char c, int length)
        {
            var n = 0;
            for (var i = 0; i < length; i++) if (s[i] == c) n++;
            return n;
        }

        private static void Mask(StringBuilder masked, int index, int length)
        {
            for (var i = index; i < index + length && i < masked.Length; i++) masked[i] = ' ';
        }

        private static string LowerDomainPart(string email)
        {
            var at = email.LastIndexOf('@');
            return email.Substring(0, at + 1) + email.Substring(at + 1).ToLowerInvariant();
        }

        private static void TakeDomain(Found found, string candidate)
        {
            var domain = candidate.Trim().TrimEnd('.').ToLowerInvariant();
            if (domain.Length == 0 || domain.IndexOf('.') < 0 || domain.IndexOf('_') >= 0) return;
            var labels = domain.Split('.');
            if (labels.Any(l => l.Length == 0 || l.Length > 63)) return;
            var tld = labels[labels.Length - 1];
            if (tld.All(char.IsDigit)) return;
            // "invoice.pdf", "bingo.php": one name and a file extension is a file.
            if (labels.Length == 2 && FileExtensions.Contains(tld)) return;
            found.Add(domain, "domain");
        }

        private static void TakeIpv4(Found found, Match m)
        {
            var octets = new int[4];
            for (var i = 0; i < 4; i++)
            {
                // "018" is 18: a leading zero is not octal in an alert.
                if (!int.TryParse(m.Groups[i + 1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out octets[i]) || octets[i] > 255) return;
            }
            var text = string.Join(".", octets.Select(o => o.ToString(CultureInfo.InvariantCulture)));
            var address = IPAddress.Parse(text);
            if (m.Groups[5].Success && int.TryParse(m.Groups[5].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix <= 32)
            {
                if (includeAddress(found, address)) found.Add(text + "/" + prefix.ToString(CultureInfo.InvariantCulture), "cidr");
            }
            found.AddAddress(address, text);

            static bool includeAddress(Found f, IPAddress a) => f.IncludePrivate || !IsPrivateOrReserved(a);
        }

        private static void TakeIpv6(Found found, string candidate)
        {
            var zone = candidate.IndexOf('%');
            var text = zone >= 0 ? candidate.Substring(0, zone) : candidate;
            if (text.Count(c => c == ':') < 2) return;
            if (!text.Contains("::") && text.Count(c => c == ':') < 7 && text.IndexOf('.') < 0) return;
            if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6) return;
            found.AddAddress(address, text);
        }

        private static string HashType(int length) => length switch { 32 => "md5", 40 => "sha1", 64 => "sha256", _ => "sha512" };

        /// <summary>Addresses that name no one outside: private, loopback, link-local, CGNAT, multicast, reserved, unspecified.</summary>
        public static bool IsPrivateOrReserved(IPAddress address)
        {
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            var b = address.GetAddressBytes();
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                return b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
                    || (b[0] == 100 && (b[1] & 0xC0) == 64)
                    || (b[0] == 169 && b[1] == 254)
                    || (b[0] == 172 && (b[1] & 0xF0) == 16)
                    || (b[0] == 192 && b[1] == 168)
                    || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                    || (b[0] == 198 && (b[1] & 0xFE) == 18);
            }
            return IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
                || address.IsIPv6Multicast || (b[0] & 0xFE) == 0xFC;
        }

        /// <summary>What was found, each (type, value) once, in order.</summary>
        private sealed class Found
        {
            private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.Ordinal);
            private readonly string? _field;

            public Found(string? field, bool includePrivate)
            {
                _field = field;
                IncludePrivate = includePrivate;
            }

            public bool IncludePrivate { get; }
            public List<AlertIndicator> List { get; } = new List<AlertIndicator>();

            public void Add(string value, string type)
            {
                if (_seen.Add(type + "\n" + value)) List.Add(new AlertIndicator(value, type, _field));
            }

            public void AddAddress(IPAddress address, string text)
            {
                if (!IncludePrivate && IsPrivateOrReserved(address)) return;
                Add(text, "ip");
            }
        }
    }
}
