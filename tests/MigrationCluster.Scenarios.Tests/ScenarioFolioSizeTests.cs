using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Scenarios.Tests;

/// <summary>The scenario format's folio sizes, counter expectations and migrate reasons.</summary>
public sealed class ScenarioFolioSizeTests
{
    private static string Scenario(string region, string call = "{call: read, pid: a, pages: 'r:0'}") =>
        $"nodes: 2\nframes_per_node: 1024\nprocesses:\n  - name: a\n    regions:\n      - {region}\ncalls:\n  - {call}\n";

    private static string Refusal(string text) =>
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(text, "s.yaml", json: false)).Message;

    [Theory]
    [InlineData("64K", 4)]
    [InlineData("2M", 9)]
    [InlineData("4K", 0)]
    public void A_region_s_folio_size_is_its_folio_order(string size, int order)
    {
        var scenario = ScenarioParser.Parse(Scenario($"{{name: r, kind: anon_private, pages: 512, folio_size: {size}}}"), "s.yaml", json: false);
        Assert.Equal(order, Assert.Single(scenario.Regions).FolioOrder);
    }

    [Fact]
    public void A_list_of_folio_sizes_is_the_largest_and_the_orders_to_fall_back_through()
    {
        var scenario = ScenarioParser.Parse(Scenario("{name: r, kind: anon_private, pages: 512, folio_size: [16K, 2M, 64K]}"), "s.yaml", json: false);
        ScenarioRegion region = Assert.Single(scenario.Regions);
        Assert.Equal((9, (1 << 4) | (1 << 2)), (region.FolioOrder, region.FallbackOrders));
    }

    [Theory]
    [InlineData("{name: r, kind: anon_private, pages: 512, folio_size: []}", "s.yaml:6: folio_size: an empty list (give one size, or the large sizes to fall back through)")]
    [InlineData("{name: r, kind: anon_private, pages: 512, folio_size: [64K, 64K]}", "s.yaml:6: folio_size: 64K is listed twice")]
    [InlineData("{name: r, kind: anon_private, pages: 512, folio_size: [64K, 4K]}", "s.yaml:6: folio_size: 4K in a list: base pages are always the last fallback")]
    [InlineData("{name: r, kind: anon_private, pages: 512, folio_size: [64K, 12K]}", "s.yaml:6: folio size 12K is not a power of two times the 4 KiB base page")]
    public void A_bad_list_of_folio_sizes_is_one_line(string region, string message) =>
        Assert.Equal(message, Refusal(Scenario(region)));

    [Theory]
    [InlineData("{name: r, kind: anon_private, pages: 512, folio_size: 12K}", "s.yaml:6: folio size 12K is not a power of two times the 4 KiB base page")]
    [InlineData("{name: r, kind: anon_private, pages: 2048, folio_size: 4M}", "s.yaml:6: folio size 4M is larger than the PMD size (2048 KiB)")]
    [InlineData("{name: r, kind: anon_private, pages: 100, folio_size: 2M}", "s.yaml:6: folio size 2M is larger than its region (100 pages of 4 KiB)")]
    [InlineData("{name: r, kind: file, pages: 16, folio_size: 64K}", "s.yaml:6: folio_size: large folios are faulted in anon_private regions only")]
    [InlineData("{name: r, kind: anon_private, pages: 16, folio_size: [[64K]]}", "s.yaml:6: folio_size: expected a name or value, got a list")]
    [InlineData("{name: r, kind: anon_private, pages: 16, folio_size: {a: 1}}", "s.yaml:6: folio_size: expected a name or value, got a mapping")]
    public void A_bad_folio_size_is_one_line_naming_the_file_and_line(string region, string message) =>
        Assert.Equal(message, Refusal(Scenario(region)));

    [Fact]
    public void Counter_expectations_and_the_numa_misplaced_reason_are_read()
    {
        var scenario = ScenarioParser.Parse(
            Scenario("{name: r, kind: anon_private, pages: 512, folio_size: 2M}", "{call: migrate, pid: a, pages: 'r:0', node: 1, reason: numa_misplaced, expect: {vmstat: {thp_migration_split: 0, pgmigrate_fail: 512}}}"),
            "s.yaml",
            json: false);

        var call = Assert.Single(scenario.Calls);
        Assert.Equal(MigrateReason.NumaMisplaced, call.Reason);
        Assert.Equal(new Dictionary<string, long> { ["thp_migration_split"] = 0, ["pgmigrate_fail"] = 512 }, call.Expect!.VmStat);
    }

    [Fact]
    public void The_longterm_pin_reason_is_read_and_an_unknown_reason_refused()
    {
        var scenario = ScenarioParser.Parse(Scenario("{name: r, kind: anon_private, pages: 512, folio_size: 2M}", "{call: migrate, pid: a, pages: 'r:0', node: 1, reason: longterm_pin}"), "s.yaml", json: false);
        Assert.Equal(MigrateReason.LongtermPin, Assert.Single(scenario.Calls).Reason);
        Assert.Equal(
            "s.yaml:8: reason: expected compaction, numa_misplaced, syscall or longterm_pin, got 'hotplug'",
            Refusal(Scenario("{name: r, kind: anon_private, pages: 1}", "{call: migrate, pid: a, pages: 'r:0', node: 1, reason: hotplug}")));
    }

    [Fact]
    public void Per_size_stats_and_the_split_counters_are_counters_an_expectation_may_check()
    {
        var scenario = ScenarioParser.Parse(
            Scenario("{name: r, kind: anon_private, pages: 512, folio_size: 64K}", "{call: munmap, pid: a, range: 'r:8-15', expect: {vmstat: {hugepages-64kB/stats/split_deferred: 1, thp_deferred_split_page: 0, thp_split_page_failed: 0}}}"),
            "s.yaml",
            json: false);

        Assert.Equal(
            new Dictionary<string, long> { ["hugepages-64kB/stats/split_deferred"] = 1, ["thp_deferred_split_page"] = 0, ["thp_split_page_failed"] = 0 },
            Assert.Single(scenario.Calls).Expect!.VmStat);
        Assert.StartsWith("s.yaml:8: unknown key 'hugepages-12kB/stats/split'", Refusal(Scenario("{name: r, kind: anon_private, pages: 1}", "{call: read, pid: a, pages: 'r:0', expect: {vmstat: {hugepages-12kB/stats/split: 1}}}")), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_counter_in_an_expectation_is_refused()
    {
        string message = Refusal(Scenario("{name: r, kind: anon_private, pages: 1}", "{call: read, pid: a, pages: 'r:0', expect: {vmstat: {thp_migrated: 1}}}"));
        Assert.StartsWith("s.yaml:8: unknown key 'thp_migrated' in expect.vmstat", message, StringComparison.Ordinal);
    }
}
