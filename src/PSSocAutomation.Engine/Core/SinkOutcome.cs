namespace PSSocAutomation.Core
{
    /// <summary>
    /// What a keyed sink (New-IrisCase, New-IrisAlert, and every later one that creates at most one object per key) did
    /// with one input. A re-run converges: an object that exists but differs from what was asked is updated, not left.
    /// </summary>
    public enum SinkOutcome
    {
        /// <summary>Made now, with everything asked.</summary>
        Created,
        /// <summary>Found (made by an earlier run) and already as asked: nothing sent.</summary>
        Existing,
        /// <summary>Found, and changed to what was asked (severity, tags, classification ...).</summary>
        Updated,
        /// <summary>Found without the module's mark and taken on purpose (-AdoptExisting): marked, and changed to what was asked.</summary>
        Adopted,
        /// <summary>Made or found, but a part of what was asked could not be set: the object is output, with the error after it. A re-run finishes it.</summary>
        Incomplete,
    }
}
