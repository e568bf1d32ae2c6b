using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// A token bucket for a vendor's quota (VirusTotal's public API: 4 a minute; Security Hub GetFindings: 3 a second,
    /// bursts of 6), refilled one permit at a time by a timer on a <see cref="TimeProvider"/>. It is a
    /// System.Threading.RateLimiting <see cref="RateLimiter"/>, but not its TokenBucketRateLimiter: that one measures
    /// elapsed time with Stopwatch even when replenished by hand, so no fake clock can drive it and tests would wait
    /// real seconds. Requests over the rate wait in line (oldest first) for a permit; none is refused. Whoever makes it
    /// disposes it: one bucket may pace several connections that share one quota (one API key).
    /// </summary>
    public sealed class PacedTokenBucket : RateLimiter
    {
        private readonly object _lock = new object();
        private readonly LinkedList<Waiter> _queue = new LinkedList<Waiter>();
        private readonly ITimer _refill;
        private readonly TimeProvider _time;
        private readonly int _burst;
        private readonly string _description;
        private int _tokens;
        private long? _idleSince;
        private long _successful;
        private long _failed;
        private bool _disposed;

        /// <param name="permits">Requests allowed per <paramref name="per"/>.</param>
        /// <param name="per">The quota's period.</param>
        /// <param name="burst">
        /// Permits saved up while idle. 1 (the default) keeps every window of <paramref name="per"/> within the rate, which
        /// a quota counted per minute needs; more lets a quiet connection send a burst, where the vendor allows one.
        /// </param>
        /// <param name="time">The clock (the system's by default).</param>
        public PacedTokenBucket(int permits, TimeSpan per, int burst = 1, TimeProvider? time = null)
        {
            if (permits < 1) throw new ArgumentOutOfRangeException(nameof(permits), "At least one request per period.");
            if (per <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(per), "The period must be positive.");
            if (burst < 1) throw new ArgumentOutOfRangeException(nameof(burst), "A burst holds at least one request.");
            _time = time ?? TimeProvider.System;
            _burst = burst;
            _tokens = burst;
            _idleSince = _time.GetTimestamp();
            Interval = TimeSpan.FromTicks(Math.Max(1, per.Ticks / permits));
            _description = permits + " per " + Describe(per) + (burst > 1 ? ", bursts of " + burst : string.Empty);
            _refill = _time.CreateTimer(_ => Refill(), null, Interval, Interval);
        }

        public static PacedTokenBucket PerSecond(int permits, int burst = 1, TimeProvider? time = null) => new PacedTokenBucket(permits, TimeSpan.FromSeconds(1), burst, time);

        public static PacedTokenBucket PerMinute(int permits, int burst = 1, TimeProvider? time = null) => new PacedTokenBucket(permits, TimeSpan.FromMinutes(1), burst, time);

        /// <summary>One permit comes back this often.</summary>
        public TimeSpan Interval { get; }

        public override TimeSpan? IdleDuration
        {
            get { lock (_lock) return _idleSince is long since ? _time.GetElapsedTime(since) : (TimeSpan?)null; }
        }

        public override RateLimiterStatistics? GetStatistics()
        {
            lock (_lock)
                return new RateLimiterStatistics { CurrentAvailablePermits = _tokens, CurrentQueuedCount = _queue.Count, TotalSuccessfulLeases = _successful, TotalFailedLeases = _failed };
        }

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            CheckCount(permitCount);
            lock (_lock)
            {
                ThrowIfDisposed();
                // Nobody jumps the line: a free token goes to whoever has waited longest.
                if (_queue.Count == 0 && _tokens >= permitCount)
                {
                    _tokens -= permitCount;
                    return Granted();
                }
                _failed++;
                return Lease.Refused;
            }
        }

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            CheckCount(permitCount);
            cancellationToken.ThrowIfCancellationRequested();
            Waiter waiter;
            lock (_lock)
            {
                ThrowIfDisposed();
                if (_queue.Count == 0 && _tokens >= permitCount)
                {
                    _tokens -= permitCount;
                    return new ValueTask<RateLimitLease>(Granted());
                }
                waiter = new Waiter(permitCount);
                waiter.Node = _queue.AddLast(waiter);
                _idleSince = null;
            }
            if (cancellationToken.CanBeCanceled)
                waiter.Registration = cancellationToken.Register(() => Abandon(waiter, cancellationToken));
            return new ValueTask<RateLimitLease>(waiter.Done.Task);
        }

        private void Refill()
        {
            var granted = new List<Waiter>();
            lock (_lock)
            {
                if (_disposed) return;
                if (_tokens < _burst) _tokens++;
                while (_queue.First is LinkedListNode<Waiter> first && _tokens >= first.Value.Permits)
                {
                    _tokens -= first.Value.Permits;
                    _queue.RemoveFirst();
                    first.Value.Node = null;
                    _successful++;
                    granted.Add(first.Value);
                }
                if (_queue.Count == 0 && _tokens == _burst && _idleSince is null) _idleSince = _time.GetTimestamp();
            }
            // Outside the lock: a waiter's continuation may ask for the next permit at once.
            foreach (var waiter in granted)
            {
                waiter.Registration.Dispose();
                waiter.Done.TrySetResult(Lease.Granted);
            }
        }

        private void Abandon(Waiter waiter, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                // Already granted: the permit is the caller's, who gets the lease and disposes it.
                if (waiter.Node is null) return;
                _queue.Remove(waiter.Node);
                waiter.Node = null;
                _failed++;
            }
            waiter.Done.TrySetCanceled(cancellationToken);
        }

        private RateLimitLease Granted()
        {
            _successful++;
            _idleSince = null;
            return Lease.Granted;
        }

        private void CheckCount(int permitCount)
        {
            if (permitCount < 0 || permitCount > _burst)
                throw new ArgumentOutOfRangeException(nameof(permitCount), $"A request takes 0 to {_burst} permits here.");
        }

        private void ThrowIfDisposed()
        {
            if (_disposed) throw new ObjectDisposedException(nameof(PacedTokenBucket));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Waiter[] waiting;
                lock (_lock)
                {
                    if (_disposed) return;
                    _disposed = true;
                    waiting = _queue.ToArray();
                    _queue.Clear();
                }
                _refill.Dispose();
                // Those still in line are told no, not left waiting forever.
                foreach (var waiter in waiting)
                {
                    waiter.Node = null;
                    waiter.Registration.Dispose();
                    waiter.Done.TrySetResult(Lease.Refused);
                }
            }
            base.Dispose(disposing);
        }

        protected override ValueTask DisposeAsyncCore()
        {
            Dispose(true);
            return default;
        }

        /// <summary>"4 per minute", "3 per second, bursts of 6".</summary>
        public override string ToString() => _description;

        private static string Describe(TimeSpan per) =>
            per == TimeSpan.FromSeconds(1) ? "second" : per == TimeSpan.FromMinutes(1) ? "minute" : per == TimeSpan.FromHours(1) ? "hour" : per.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";

        private sealed class Waiter
        {
            public Waiter(int permits) => Permits = permits;

            public int Permits { get; }
            public TaskCompletionSource<RateLimitLease> Done { get; } = new TaskCompletionSource<RateLimitLease>(TaskCreationOptions.RunContinuationsAsynchronously);
            /// <summary>Its place in line; null once granted, abandoned or refused (guarded by the bucket's lock).</summary>
            public LinkedListNode<Waiter>? Node { get; set; }
            public CancellationTokenRegistration Registration { get; set; }
        }

        /// <summary>
        /// A token is spent when taken: the quota counts requests sent, so nothing comes back when the lease is disposed,
        /// and one immutable lease of each kind serves everyone.
        /// </summary>
        private sealed class Lease : RateLimitLease
        {
            public static readonly Lease Granted = new Lease(true);
            public static readonly Lease Refused = new Lease(false);

            private Lease(bool acquired) => IsAcquired = acquired;

            public override bool IsAcquired { get; }
            public override IEnumerable<string> MetadataNames => Array.Empty<string>();

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }
    }
}
