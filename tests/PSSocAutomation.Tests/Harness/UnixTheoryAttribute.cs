namespace PSSocAutomation.Tests.Harness;

/// <summary>A test of POSIX signals: Windows has none to send, so there it reports itself skipped.</summary>
public sealed class UnixTheoryAttribute : TheoryAttribute
{
    public UnixTheoryAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "POSIX signals (kill -TERM, kill -INT) do not exist on Windows.";
    }
}
