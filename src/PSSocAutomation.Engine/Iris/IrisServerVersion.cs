using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// The IRIS release /api/versions reported (iris_current, e.g. "v2.4.20"), and what the client may use on it. Each
    /// gate names the release its behaviour arrived in, so the client reads "if (version.HasCustomConditions)".
    /// </summary>
    public sealed class IrisServerVersion : IComparable<IrisServerVersion>
    {
        private static readonly Regex Digits = new Regex(@"(\d+)\.(\d+)(?:\.(\d+))?", RegexOptions.CultureInvariant);

        public IrisServerVersion(int major, int minor, int patch, string text)
        {
            Major = major;
            Minor = minor;
            Patch = patch;
            Text = text;
        }

        public int Major { get; }
        public int Minor { get; }
        public int Patch { get; }
        /// <summary>As the server wrote it, e.g. "v2.4.20" or "v2.5.0-beta".</summary>
        public string Text { get; }

        public static IrisServerVersion Parse(string text)
        {
            if (!TryParse(text, out var version)) throw new FormatException($"'{text}' is not an IRIS version (expected e.g. v2.4.20).");
            return version!;
        }

        public static bool TryParse(string? text, out IrisServerVersion? version)
        {
            version = null;
            if (string.IsNullOrWhiteSpace(text)) return false;
            var m = Digits.Match(text);
            if (!m.Success) return false;
            int Part(int i) => m.Groups[i].Success ? int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
            version = new IrisServerVersion(Part(1), Part(2), Part(3), text!.Trim());
            return true;
        }

        public bool AtLeast(int major, int minor, int patch) => Compare(major, minor, patch) >= 0;

        private int Compare(int major, int minor, int patch)
        {
            if (Major != major) return Major.CompareTo(major);
            if (Minor != minor) return Minor.CompareTo(minor);
            return Patch.CompareTo(patch);
        }

        public int CompareTo(IrisServerVersion? other) => other is null ? 1 : Compare(other.Major, other.Minor, other.Patch);

        /// <summary>The alert queue (/alerts/*) arrived in 2.1.</summary>
        public bool HasAlerts => AtLeast(2, 1, 0);

        /// <summary>/manage/cases/filter (paged, exact case_soc_id) arrived in 2.3.4; before it only the unpaged /manage/cases/list.</summary>
        public bool HasCaseFilter => AtLeast(2, 3, 4);

        /// <summary>Cases carry a severity from 2.3.4 (forced to Medium on create until 2.4.17; settable by update).</summary>
        public bool HasCaseSeverity => AtLeast(2, 3, 4);

        /// <summary>Note directories (2.4) replaced note groups (2.0-2.3, 410 on 2.4).</summary>
        public bool HasNoteDirectories => AtLeast(2, 4, 0);

        /// <summary>alert_resolution_status_id and /manage/alert-resolutions arrived in 2.3.</summary>
        public bool HasAlertResolutions => AtLeast(2, 3, 0);

        /// <summary>2.4.8+ re-wraps every case validation error as "Error creating case - check server logs".</summary>
        public bool HidesCaseFieldErrors => AtLeast(2, 4, 8);

        /// <summary>2.4.14: source_start/end_date filter the event time, and creation_start/end_date filter the creation time.</summary>
        public bool HasCreationDateFilter => AtLeast(2, 4, 14);

        /// <summary>2.4.15: the source_reference filter (a case-sensitive substring match on alert_source_ref).</summary>
        public bool HasSourceReferenceFilter => AtLeast(2, 4, 15);

        /// <summary>2.4.17: custom_conditions (exact eq on any column) and fields on /alerts/filter.</summary>
        public bool HasCustomConditions => AtLeast(2, 4, 17);

        /// <summary>2.4.17: severity_id is accepted on case create (2.4.8-2.4.16 crash with it).</summary>
        public bool AcceptsSeverityOnCaseCreate => AtLeast(2, 4, 17);

        /// <summary>In 2.4 IOCs are global and de-duplicated by value and type, so adding one twice links the same row.</summary>
        public bool DeduplicatesIocs => AtLeast(2, 4, 0);

        public override string ToString() => Text;
    }
}
