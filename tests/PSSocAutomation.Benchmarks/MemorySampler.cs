using System.Diagnostics;

namespace PSSocAutomation.Benchmarks;

/// <summary>
/// Peaks seen by the sampler up to a checkpoint (so many alerts streamed) and over the whole run, and, when probes were
/// asked for, the live managed heap (after a forced full collection) at the checkpoint and near the end.
/// </summary>
public sealed record MemoryPeaks(
    long BeforeWorkingSet, long BeforeHeap,
    long CheckpointAlerts, long CheckpointWorkingSet, long CheckpointHeap,
    long EndAlerts, long PeakWorkingSet, long PeakHeap, int Samples,
    (long Alerts, long LiveHeap, TimeSpan Pause)? EarlyProbe, (long Alerts, long LiveHeap, TimeSpan Pause)? LateProbe);

/// <summary>
/// Samples the process working set and the managed heap every few milliseconds on its own thread. Process.PeakWorkingSet64
/// only ever grows over the process's life, so it cannot tell one run (or the first 100,000 alerts of it) from another.
/// The Lab runs in this process too, so the figures that matter are the rises above the level measured before the run.
/// The sampled heap includes garbage not yet collected (large response buffers wait for a gen2 collection); the probes
/// collect first, so they show what is really kept.
/// </summary>
public sealed class MemorySampler : IDisposable
{
    private readonly Func<long> _streamed;
    private readonly long _checkpoint;
    private readonly long _lateProbeAt;
    private readonly bool _probe;
    private readonly Thread _thread;
    private readonly long _beforeWorkingSet;
    private readonly long _beforeHeap;
    private volatile bool _stop;
    private long _cpWs, _cpHeap, _peakWs, _peakHeap, _lastCount;
    private int _samples;
    private (long, long, TimeSpan)? _early, _late;

    private MemorySampler(Func<long> streamed, long checkpoint, long total, bool probe)
    {
        _streamed = streamed;
        _checkpoint = checkpoint;
        _lateProbeAt = Math.Max(checkpoint + 1, total - total / 10);
        _probe = probe;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _beforeWorkingSet = Environment.WorkingSet;
        _beforeHeap = GC.GetTotalMemory(false);
        _thread = new Thread(Loop) { IsBackground = true, Name = "memory sampler", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <param name="streamed">How many alerts have been streamed so far (read from the sampler thread).</param>
    /// <param name="checkpoint">The peak up to this many alerts is kept apart.</param>
    /// <param name="total">How many alerts the run will stream (the late probe is at 90% of it).</param>
    /// <param name="probe">Force a full collection at the checkpoint and at 90% and record the live heap (pauses the run briefly).</param>
    public static MemorySampler Start(Func<long> streamed, long checkpoint, long total, bool probe) => new(streamed, checkpoint, total, probe);

    private void Loop()
    {
        while (!_stop)
        {
            Sample();
            Thread.Sleep(5);
        }
    }

    private void Sample()
    {
        var count = _streamed();
        var ws = Environment.WorkingSet;
        var heap = GC.GetTotalMemory(false);
        _samples++;
        _lastCount = count;
        if (ws > _peakWs) _peakWs = ws;
        if (heap > _peakHeap) _peakHeap = heap;
        if (count <= _checkpoint)
        {
            if (ws > _cpWs) _cpWs = ws;
            if (heap > _cpHeap) _cpHeap = heap;
        }
        if (!_probe || _stop) return;
        if (_early is null && count >= _checkpoint) _early = Probe(count);
        else if (_late is null && count >= _lateProbeAt) _late = Probe(count);
    }

    private static (long, long, TimeSpan) Probe(long count)
    {
        var clock = Stopwatch.StartNew();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        var live = GC.GetTotalMemory(false);
        return (count, live, clock.Elapsed);
    }

    public MemoryPeaks Stop()
    {
        _stop = true;
        _thread.Join();
        Sample();
        return new MemoryPeaks(_beforeWorkingSet, _beforeHeap, Math.Min(_checkpoint, _lastCount), _cpWs, _cpHeap, _lastCount, _peakWs, _peakHeap, _samples, _early, _late);
    }

    public void Dispose()
    {
        if (!_stop) Stop();
    }
}

/// <summary>Wall time, CPU time, allocations and collections over one measured run.</summary>
public sealed class RunMeter
{
    private readonly Stopwatch _clock = new();
    private TimeSpan _cpuStart;
    private long _allocStart;
    private int _gen0, _gen1, _gen2;

    public TimeSpan Elapsed { get; private set; }
    public TimeSpan Cpu { get; private set; }
    public long Allocated { get; private set; }
    public (int Gen0, int Gen1, int Gen2) Collections { get; private set; }

    public static RunMeter Start()
    {
        var m = new RunMeter();
        m._cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        m._allocStart = GC.GetTotalAllocatedBytes(false);
        m._gen0 = GC.CollectionCount(0);
        m._gen1 = GC.CollectionCount(1);
        m._gen2 = GC.CollectionCount(2);
        m._clock.Start();
        return m;
    }

    public RunMeter Stop()
    {
        _clock.Stop();
        Elapsed = _clock.Elapsed;
        Cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuStart;
        Allocated = GC.GetTotalAllocatedBytes(false) - _allocStart;
        Collections = (GC.CollectionCount(0) - _gen0, GC.CollectionCount(1) - _gen1, GC.CollectionCount(2) - _gen2);
        return this;
    }
}
