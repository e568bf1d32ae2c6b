namespace PSSocAutomation.Tests.Harness;

/// <summary>
/// A test that reads the vendors' real bodies in ../shared/fixtures. Where that folder is absent (a clone outside the
/// team) the test reports itself skipped rather than passing without having checked anything.
/// </summary>
public sealed class SharedFixtureFactAttribute : FactAttribute
{
    public SharedFixtureFactAttribute()
    {
        if (RepositoryPaths.SharedFixtures is null)
            Skip = "../shared/fixtures is not beside this clone, so the vendor conformance bodies cannot be checked.";
    }
}

/// <summary>A theory over the vendors' real bodies in ../shared/fixtures; skipped, as a whole, where that folder is absent.</summary>
public sealed class SharedFixtureTheoryAttribute : TheoryAttribute
{
    public SharedFixtureTheoryAttribute()
    {
        if (RepositoryPaths.SharedFixtures is null)
            Skip = "../shared/fixtures is not beside this clone, so the vendor conformance bodies cannot be checked.";
    }
}
