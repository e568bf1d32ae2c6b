using Xunit;
using PSSocAutomation.Core;

namespace PSSocAutomation.Tests.Core;

/// <summary>The lock around keyed creates: one holder per key's stripe, whoever asks (another process takes the same flock).</summary>
public sealed class MachineKeyLockTests
{
    private static readonly Uri Service = new("https://iris-" + Guid.NewGuid().ToString("N") + ".example/");
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_second_taker_of_the_key_waits_until_the_first_lets_go()
    {
        var first = await MachineKeyLock.AcquireAsync(Service, "test", "1\nSOC-1", "the case", Long, TimeProvider.System, default);
        var second = MachineKeyLock.AcquireAsync(Service, "test", "1\nSOC-1", "the case", Long, TimeProvider.System, default);
        await Task.Delay(300);
        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second).Dispose();
    }

    [Fact]
    public async Task The_lock_is_a_file_another_process_cannot_open_while_it_is_held()
    {
        using var held = await MachineKeyLock.AcquireAsync(Service, "test", "1\nSOC-2", "the case", Long, TimeProvider.System, default);
        var path = MachineKeyLock.PathFor(Service, "test", "1\nSOC-2");
        Assert.StartsWith(MachineKeyLock.Directory, path);
        // What a second process does: the same exclusive open, refused while this one holds it.
        Assert.ThrowsAny<IOException>(() => new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None).Dispose());
    }

    [Fact]
    public async Task A_lock_held_too_long_ends_in_a_timeout_that_names_what_waits()
    {
        using var held = await MachineKeyLock.AcquireAsync(Service, "test", "1\nSOC-3", "the case", Long, TimeProvider.System, default);
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => MachineKeyLock.AcquireAsync(Service, "test", "1\nSOC-3", "the DFIR-IRIS case for SOC id 'SOC-3'", TimeSpan.FromMilliseconds(200), TimeProvider.System, default));
        Assert.Contains("SOC-3", ex.Message);
        Assert.Contains("Another run on this machine", ex.Message);
    }

    [Fact]
    public async Task Waiting_for_the_lock_stops_on_cancel()
    {
        using var held = await MachineKeyLock.AcquireAsync(Service, "test", "1\nSOC-4", "the case", Long, TimeProvider.System, default);
        using var cts = new CancellationTokenSource(200);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MachineKeyLock.AcquireAsync(Service, "test", "1\nSOC-4", "the case", Long, TimeProvider.System, cts.Token));
    }

    [Fact]
    public void Keys_share_a_bounded_set_of_files_per_service_and_key_space()
    {
        var paths = Enumerable.Range(0, 1000).Select(i => MachineKeyLock.PathFor(Service, "iris-case", "1\n" + i)).Distinct().ToList();
        Assert.InRange(paths.Count, 2, MachineKeyLock.Stripes);
        Assert.NotEqual(MachineKeyLock.PathFor(Service, "iris-case", "1\nA"), MachineKeyLock.PathFor(new Uri("https://other.example/"), "iris-case", "1\nA"));
        Assert.NotEqual(MachineKeyLock.PathFor(Service, "iris-case", "1\nA"), MachineKeyLock.PathFor(Service, "iris-alert", "1\nA"));
    }
}
