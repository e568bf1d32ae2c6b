namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// The standard analyzer, close enough for alert text: Unicode word boundaries (letters, digits and underscore form
/// words; '.', ':' and '\'' join letters; '.' and ',' join digits, so "10.0.4.174" and "example.com" stay whole),
/// lowercased, tokens cut at 255 characters.
/// </summary>
internal static class ElasticAnalyzer
{
    private const int MaxTokenLength = 255;

    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        Tokenize(text, tokens);
        return tokens;
    }

    public static void Tokenize(string text, List<string> tokens)
    {
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !IsWordChar(text[i])) i++;
            if (i >= text.Length) break;
            var start = i;
            while (i < text.Length)
            {
                if (IsWordChar(text[i]))
                {
                    i++;
                    continue;
                }
                if (i + 1 < text.Length && IsJoiner(text[i - 1], text[i], text[i + 1]))
                {
                    i++;
                    continue;
                }
                break;
            }
            var length = i - start;
            if (length > MaxTokenLength) length = MaxTokenLength;
            tokens.Add(text.Substring(start, length).ToLowerInvariant());
        }
    }

    private static bool IsWordChar(char c) =>
        char.IsLetterOrDigit(c) || c == '_' || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.SpacingCombiningMark;

    private static bool IsJoiner(char before, char c, char after)
    {
        var letters = char.IsLetter(before) && char.IsLetter(after);
        var digits = char.IsDigit(before) && char.IsDigit(after);
        return c switch
        {
            '.' => letters || digits,
            '\'' or '\u2019' => letters,
            ':' => letters,
            ',' or ';' => digits,
            _ => false,
        };
    }
}
