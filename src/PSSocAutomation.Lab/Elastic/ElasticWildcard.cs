namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// ES's simple patterns: '*' for any run of characters (dots included) and, in wildcard queries, '?' for one.
/// Used for index expressions, field patterns, _source filters and wildcard queries.
/// </summary>
internal static class ElasticWildcard
{
    /// <summary>Index names, field names, _source paths: only '*' is special.</summary>
    public static bool Matches(string pattern, string value) => Match(pattern, value, questionMark: false, ignoreCase: false);

    /// <summary>The wildcard query: '*' and '?', '\' escapes.</summary>
    public static bool MatchesQuery(string pattern, string value, bool ignoreCase) => Match(pattern, value, questionMark: true, ignoreCase);

    private static bool Match(string pattern, string value, bool questionMark, bool ignoreCase)
    {
        // Iterative glob match with single-star backtracking: linear for the patterns people write.
        int p = 0, v = 0, starP = -1, starV = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length)
            {
                var c = pattern[p];
                if (c == '*')
                {
                    starP = p++;
                    starV = v;
                    continue;
                }
                if (questionMark && c == '?')
                {
                    p++;
                    v++;
                    continue;
                }
                if (questionMark && c == '\\' && p + 1 < pattern.Length)
                {
                    if (Same(pattern[p + 1], value[v], ignoreCase))
                    {
                        p += 2;
                        v++;
                        continue;
                    }
                }
                else if (Same(c, value[v], ignoreCase))
                {
                    p++;
                    v++;
                    continue;
                }
            }
            if (starP < 0) return false;
            p = starP + 1;
            v = ++starV;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));

    /// <summary>
    /// Whether some descendant of <paramref name="path"/> could match: decides if _source filtering must look inside
    /// an object. Conservative for patterns with '*' (looking inside and finding nothing is harmless).
    /// </summary>
    public static bool CouldMatchBelow(string pattern, string path)
    {
        var star = pattern.IndexOf('*');
        var literal = star < 0 ? pattern : pattern[..star];
        var prefix = path + ".";
        if (star < 0) return pattern.StartsWith(prefix, StringComparison.Ordinal);
        return literal.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(literal, StringComparison.Ordinal);
    }
}
