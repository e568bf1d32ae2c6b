using System.IO;
using PSSocAutomation.Core;

namespace PSSocAutomation.UnitTests.Core;

public sealed class AlertWatermarkTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_first_run_reads_everything_and_saves_the_newest_time_with_the_ids_near_it()
    {
        var run = new WatermarkRun(AlertWatermark.Empty, TimeSpan.FromMinutes(5));
        Assert.Null(run.ReadFrom);
        foreach (var (id, minutes) in new[] { ("a", 0), ("b", 6), ("c", 10), ("d", 10) })
        {
            Assert.True(run.IsNew(id));
            run.MarkDelivered(id, T0.AddMinutes(minutes));
        }
        var next = run.Next();
        Assert.Equal(T0.AddMinutes(10), next.Time);
        // Alerts of one rule run share a time: both are kept; 'a' is older than the overlap and dropped.
        Assert.Equal(new[] { "b", "c", "d" }, next.Recent.Keys.OrderBy(k => k));
    }

    [Fact]
    public void The_next_run_looks_back_the_overlap_and_skips_what_it_delivered()
    {
        var saved = new WatermarkRun(AlertWatermark.Empty, TimeSpan.FromMinutes(5));
        saved.MarkDelivered("c", T0.AddMinutes(10));
        var text = saved.Next().ToJson();

        var run = new WatermarkRun(AlertWatermark.Parse(text, "test"), TimeSpan.FromMinutes(5));
        Assert.Equal(T0.AddMinutes(5), run.ReadFrom);
        Assert.False(run.IsNew("c"));
        Assert.True(run.IsNew("late"));
        run.MarkDelivered("late", T0.AddMinutes(8));
        Assert.Equal(1, run.Skipped);
        var next = run.Next();
        Assert.Equal(T0.AddMinutes(10), next.Time);
        Assert.Equal(new[] { "c", "late" }, next.Recent.Keys.OrderBy(k => k));
    }

    [Fact]
    public void A_run_that_delivers_nothing_keeps_the_watermark()
    {
        var previous = new WatermarkRun(AlertWatermark.Empty, TimeSpan.FromMinutes(5));
        previous.MarkDelivered("x", T0);
        var watermark = previous.Next();
        var run = new WatermarkRun(watermark, TimeSpan.FromMinutes(5));
        run.MarkDelivered("untimed", null);
        Assert.Same(watermark, run.Next());
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"time\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"version\":2}")]
    [InlineData("{\"version\":1,\"time\":\"yesterday\"}")]
    [InlineData("{\"version\":1,")]
    public void Text_that_is_not_a_watermark_is_refused_naming_where_it_came_from(string text)
    {
        var ex = Assert.Throws<InvalidDataException>(() => AlertWatermark.Parse(text, "C:/cp/alerts.checkpoint"));
        Assert.Contains("C:/cp/alerts.checkpoint", ex.Message);
    }

    [Fact]
    public async Task A_single_file_store_keeps_its_path_and_refuses_another_key()
    {
        var path = Path.Combine(Path.GetTempPath(), "pssoc-wm-" + Guid.NewGuid().ToString("N")[..8] + ".checkpoint");
        try
        {
            var store = FileCheckpointStore.ForFile(path);
            await store.SetAsync("Get-ElasticAlert alerts", "{}", default);
            Assert.True(File.Exists(path));
            Assert.Equal("{}", await store.GetAsync("Get-ElasticAlert alerts", default));
            var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.GetAsync("Get-ElasticAlert other", default));
            Assert.Contains("Get-ElasticAlert alerts", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
