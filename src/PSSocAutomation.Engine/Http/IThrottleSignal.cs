using System;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// A vendor whose throttling is not always a 429: AWS's Query services (IAM, STS, Auto Scaling) answer a throttle
    /// with 400 and the code Throttling. The pipeline retries what this recognizes as it retries a 429: refused before
    /// any work, so safe for any request, with the same back-off.
    /// </summary>
    public interface IThrottleSignal
    {
        bool IsThrottle(int status, string? contentType, ReadOnlyMemory<byte> body);
    }
}
