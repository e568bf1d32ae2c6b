namespace PSSocAutomation.UnitTests.Aws;

/// <summary>A test that runs a POSIX shell script (a credential_process); skipped on Windows, which has no /bin/sh.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "The credential_process scripts of this test are POSIX shell.";
    }
}
