using System.Globalization;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// The emulated IRIS release, as the gates in iris-web's history need it: each property names the release a
/// behaviour arrived in, so a route reads "if (v.AlertSourceReferenceFilter)" rather than a bare comparison.
/// </summary>
internal sealed partial record IrisVersion(int Major, int Minor, int Patch, string Text)
{
    public static IrisVersion Parse(string text)
    {
        var m = Digits().Match(text ?? string.Empty);
        if (!m.Success) throw new ArgumentException($"Not an IRIS version: '{text}'. Expected e.g. v2.4.20.", nameof(text));
        int Part(int i) => m.Groups[i].Success ? int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        var label = text!.Trim();
        return new IrisVersion(Part(1), Part(2), Part(3), label.StartsWith('v') ? label : "v" + label);
    }

    [GeneratedRegex(@"(\d+)\.(\d+)(?:\.(\d+))?")]
    private static partial Regex Digits();

    public bool AtLeast(int major, int minor, int patch) =>
        (Major, Minor, Patch).CompareTo((major, minor, patch)) >= 0;

    /// <summary>/api/versions api_min (configuration.py API_MIN_VERSION per line).</summary>
    public string ApiMin => AtLeast(2, 4, 0) ? "2.0.4" : "2.0.0";

    /// <summary>/api/versions api_current (API_MAX_VERSION per line).</summary>
    public string ApiCurrent => (Major, Minor) switch
    {
        (2, 0) => "2.0.0",
        (2, 1) => "2.0.1",
        (2, 2) => "2.0.2",
        (2, 3) => "2.0.3",
        _ => "2.0.5",
    };

    public bool HasAlerts => AtLeast(2, 1, 0);
    public bool HasCaseFilter => AtLeast(2, 3, 4);
    public bool HasNoteDirectories => AtLeast(2, 4, 0);

    /// <summary>2.4.0 checks customer membership when an alert is created, updated, escalated, merged or deleted.</summary>
    public bool AlertCustomerChecks => AtLeast(2, 4, 0);

    /// <summary>2.4.5 hides alerts of customers the user is not linked to from /alerts/filter.</summary>
    public bool AlertListScopedToCustomers => AtLeast(2, 4, 5);

    /// <summary>2.4.8 (commit 4a358ceb) accepts X-IRIS-AUTH and stops CSRF-checking requests that carry a key.</summary>
    public bool IrisAuthHeader => AtLeast(2, 4, 8);

    /// <summary>Up to 2.4.7 ?api_key= in the query string authenticated too (removed by commit e97c35bf).</summary>
    public bool ApiKeyQueryParameter => !AtLeast(2, 4, 8);

    /// <summary>2.4.8 moved case create/update into the business layer, which swallows field errors.</summary>
    public bool GenericCaseErrors => AtLeast(2, 4, 8);

    /// <summary>2.4.14: source_start/end_date filter alert_source_event_time; creation_start/end_date arrive.</summary>
    public bool AlertSourceDatesOnEventTime => AtLeast(2, 4, 14);

    public bool AlertSourceReferenceFilter => AtLeast(2, 4, 15);

    /// <summary>2.4.17: custom_conditions and fields on /alerts/filter, severity_id on case create.</summary>
    public bool AlertCustomConditions => AtLeast(2, 4, 17);

    public bool CaseCreateSeverity => AtLeast(2, 4, 17);

    /// <summary>2.4.8–2.4.16 pass severity_id to Cases(**kwargs), whose __init__ does not take it yet.</summary>
    public bool CaseCreateSeverityCrashes => AtLeast(2, 4, 8) && !AtLeast(2, 4, 17);

    public bool NotLikeOperator => AtLeast(2, 4, 23);

    public override string ToString() => Text;
}
