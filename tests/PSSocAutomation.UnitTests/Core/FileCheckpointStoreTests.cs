using PSSocAutomation.Core;

namespace PSSocAutomation.Tests.Core;

/// <summary>The default checkpoint store: round trip, atomic replacement, and two writers of one key.</summary>
public sealed class FileCheckpointStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pssoc-checkpoints-" + Guid.NewGuid().ToString("N"));
    private static readonly CancellationToken None = CancellationToken.None;

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_checkpoint_round_trips_per_key_and_a_missing_one_is_null()
    {
        var store = new FileCheckpointStore(_folder);
        Assert.Null(await store.GetAsync("elastic:alerts-*", None));
        await store.SetAsync("elastic:alerts-*", """{"after":[1726833600000,"a-9"]}""", None);
        await store.SetAsync("Elastic:Alerts-*", "other case", None);
        await store.SetAsync("elastic:alerts-*", """{"after":[1726837200000,"a-12"]}""", None);

        var again = new FileCheckpointStore(_folder); // a later run
        Assert.Equal("""{"after":[1726837200000,"a-12"]}""", await again.GetAsync("elastic:alerts-*", None));
        Assert.Equal("other case", await again.GetAsync("Elastic:Alerts-*", None));
        var files = Directory.GetFiles(_folder, "*.checkpoint").Select(Path.GetFileName).ToList();
        Assert.Equal(2, files.Count);
        Assert.All(files, f => Assert.StartsWith("elastic_alerts-_.", f));
        Assert.Contains("\"key\": \"elastic:alerts-*\"", File.ReadAllText(again.PathOf("elastic:alerts-*")));
    }

    [Fact]
    public async Task A_crash_between_write_and_rename_keeps_the_old_checkpoint_and_the_next_write_cleans_up()
    {
        var store = new FileCheckpointStore(_folder);
        await store.SetAsync("k", "run 1", None);
        store.BeforeRename = _ => throw new IOException("simulated crash before the rename");
        await Assert.ThrowsAsync<IOException>(() => store.SetAsync("k", "run 2", None));

        var afterCrash = new FileCheckpointStore(_folder);
        Assert.Equal("run 1", await afterCrash.GetAsync("k", None));
        var stray = Assert.Single(Directory.GetFiles(_folder, "*.tmp"));
        Assert.Contains("run 2", File.ReadAllText(stray)); // written in full, never made the checkpoint

        await afterCrash.SetAsync("k", "run 3", None);
        Assert.Equal("run 3", await afterCrash.GetAsync("k", None));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public async Task Two_writers_of_one_key_never_tear_it_and_readers_see_whole_values()
    {
        var first = new FileCheckpointStore(_folder);
        var second = new FileCheckpointStore(_folder); // its own handles, as another process has
        var written = new System.Collections.Concurrent.ConcurrentBag<string>();
        var bad = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        async Task Writer(FileCheckpointStore store, string name)
        {
            for (var i = 0; i < 40; i++)
            {
                var value = name + "-" + i + "-" + new string('x', 2000); // big enough that a torn write would show
                await store.SetAsync("shared", value, None);
                written.Add(value);
            }
        }

        var reader = Task.Run(async () =>
        {
            var store = new FileCheckpointStore(_folder);
            while (!stop.IsCancellationRequested)
            {
                var value = await store.GetAsync("shared", None);
                if (value != null && !value.EndsWith(new string('x', 2000), StringComparison.Ordinal)) bad.Add(value);
                await Task.Yield();
            }
        });
        await Task.WhenAll(Task.Run(() => Writer(first, "a")), Task.Run(() => Writer(second, "b")));
        stop.Cancel();
        await reader;

        Assert.Empty(bad);
        Assert.Equal(80, written.Count);
        Assert.Contains(await first.GetAsync("shared", None), written);
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public async Task A_writer_waits_for_the_lock_and_names_the_problem_when_it_stays_taken()
    {
        var store = new FileCheckpointStore(_folder) { LockTimeout = TimeSpan.FromMilliseconds(300) };
        await store.SetAsync("busy", "0", None);
        using (new FileStream(store.PathOf("busy") + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var ex = await Assert.ThrowsAsync<IOException>(() => store.SetAsync("busy", "1", None));
            Assert.Contains("another process", ex.Message);
        }
        Assert.Equal("0", await store.GetAsync("busy", None));

        store.LockTimeout = TimeSpan.FromSeconds(10);
        var held = new FileStream(store.PathOf("busy") + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var waiting = store.SetAsync("busy", "2", None);
        await Task.Delay(150);
        Assert.False(waiting.IsCompleted);
        held.Dispose();
        await waiting;
        Assert.Equal("2", await store.GetAsync("busy", None));
    }

    [Fact]
    public async Task A_file_that_is_no_checkpoint_is_reported_not_taken_for_one()
    {
        var store = new FileCheckpointStore(_folder);
        Directory.CreateDirectory(_folder);
        File.WriteAllText(store.PathOf("broken"), "{\"value\": ");
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.GetAsync("broken", None));
        Assert.Contains("delete it", ex.Message);
    }
}
