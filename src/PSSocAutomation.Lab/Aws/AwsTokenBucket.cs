namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// A token bucket on the Lab clock, as AWS states its limits: a steady rate per second and a burst the bucket holds.
/// Starts full. Rate 0 or below turns it off (tests that page fast and do not test throttling).
/// </summary>
public sealed class AwsTokenBucket
{
    private readonly object _gate = new();
    private double _tokens;
    private DateTimeOffset _last;
    private long _throttled;

    public AwsTokenBucket(double ratePerSecond, int burst)
    {
        RatePerSecond = ratePerSecond;
        Burst = burst;
        _tokens = burst;
        _last = DateTimeOffset.MinValue;
    }

    public double RatePerSecond { get; private set; }
    public int Burst { get; private set; }

    /// <summary>Requests refused since the last <see cref="Set"/> or reset.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>New limits, a full bucket and a zero count.</summary>
    public void Set(double ratePerSecond, int burst)
    {
        lock (_gate)
        {
            RatePerSecond = ratePerSecond;
            Burst = burst;
            _tokens = burst;
            _last = DateTimeOffset.MinValue;
            Interlocked.Exchange(ref _throttled, 0);
        }
    }

    /// <summary>Takes a token when there is one; false (and counted) when the caller is over the limit.</summary>
    public bool TryTake(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (RatePerSecond <= 0) return true;
            if (_last != DateTimeOffset.MinValue && now > _last)
                _tokens = Math.Min(Burst, _tokens + (now - _last).TotalSeconds * RatePerSecond);
            if (_last == DateTimeOffset.MinValue || now > _last) _last = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return true;
            }
            Interlocked.Increment(ref _throttled);
            return false;
        }
    }
}
