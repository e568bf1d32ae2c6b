using System;
using System.Collections.Generic;
using System.Linq;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// How a case says "PSSocAutomation opened this for source alert X": a footer in its description, written by the
    /// create itself (so even a case whose follow-up update failed carries it), and a tag, set with the case's other tags
    /// (and by -AdoptExisting). Either one is enough, so an analyst who rewrites the description or edits the tags does
    /// not make the next run open a twin. A SOC id alone is not: IRIS gives an escalated alert's case the IRIS alert id
    /// as its SOC id, which can equal a source alert's id.
    /// </summary>
    public static class IrisCaseMark
    {
        /// <summary>The tag on every case the module opens or adopts.</summary>
        public const string Tag = "PSSocAutomation";

        private const string FooterText = "Opened by PSSocAutomation for source alert";

        /// <summary>The line the module appends to a new case's description.</summary>
        public static string Footer(string socId) => "\n\n---\n*" + FooterText + " `" + socId.Replace("`", "'") + "`.*";

        /// <summary>The description with the footer, once.</summary>
        internal static string Mark(string description, string socId) =>
            description.IndexOf(FooterText, StringComparison.Ordinal) >= 0 ? description : description + Footer(socId);

        public static bool IsOn(IrisCase c) =>
            (c.Description?.IndexOf(FooterText, StringComparison.Ordinal) ?? -1) >= 0 || SplitTags(c.Tags).Contains(Tag, StringComparer.OrdinalIgnoreCase);

        internal static IReadOnlyList<string> SplitTags(string? tags) =>
            string.IsNullOrWhiteSpace(tags) ? Array.Empty<string>() : tags!.Split(',').Select(t => t.Trim()).Where(t => t.Length > 0).ToArray();
    }
}
