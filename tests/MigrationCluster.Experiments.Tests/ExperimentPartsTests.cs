using MigrationCluster.Memory.Migration;
using MigrationCluster.Experiments;
using MigrationCluster.Grains.Migration;

namespace MigrationCluster.Experiments.Tests;

public sealed class ExperimentPartsTests
{
    [Fact]
    public void Step_percentiles_are_nearest_rank_over_the_batches()
    {
        var batches = Enumerable.Range(1, 200).Select(i => (double)i).Reverse().ToArray();
        var step = StepLatency.FromBatches(4, "try_to_unmap", batches);
        Assert.Equal(200, step.Batches);
        Assert.Equal(100, step.P50Ms);
        Assert.Equal(198, step.P99Ms);
        Assert.Equal(100.5, step.MeanMs, 9);
        Assert.Equal(7, StepLatency.FromBatches(1, "lock_page", [7]).P99Ms);
        Assert.Equal(0, StepLatency.FromBatches(1, "lock_page", []).P50Ms);
    }

    [Fact]
    public void Every_column_has_one_name_and_the_timing_ones_are_marked()
    {
        var names = ExperimentColumns.All.Select(c => c.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct().Count());
        Assert.Equal(
            ["nodes", "silos", "folio_size", "repeat", "seed", "topology", "machine", "protocol", "address_spaces", "pages", "pages_to_migrate", "migrated", "pages_migrated", "failed", "retried", "passes",
             "sim_migration_ns", "sim_pages_per_s", "sim_gb_per_s", "tlb_shootdowns", "tlb_ipis",
             "latency_before_ns", "latency_during_ns", "latency_after_ns", "local_fraction_before", "local_fraction_after",
             "during_accesses", "during_waits", "during_sleep_ns", "invariant_violations",
             .. MigrationSteps.InOrder.SelectMany(s => new[] { $"{s.KernelName()}_sim_total_ns", $"{s.KernelName()}_sim_p50_ns", $"{s.KernelName()}_sim_p99_ns" })],
            ExperimentColumns.Deterministic.Select(c => c.Name));
        Assert.All(ExperimentColumns.All.Where(c => c.Name.EndsWith("_ms", StringComparison.Ordinal)), c => Assert.True(c.Timing, c.Name));
    }

    [Fact]
    public void Inline_svg_loses_its_prolog_gains_a_view_box_and_keeps_its_ids_to_itself()
    {
        const string svg = """
            <?xml version="1.0" encoding="utf-8" ?>
            <svg xmlns="http://www.w3.org/2000/svg" width="900" height="500">
            <clipPath id="cl_1"><rect width="5" height="5"/></clipPath>
            <g clip-path="url(#cl_1)"><use xlink:href="#cl_1"/></g>
            </svg>
            """;
        var inline = ExperimentReportHtml.InlineSvg(svg, "pages_per_s");
        Assert.StartsWith("<svg", inline, StringComparison.Ordinal);
        Assert.Contains("viewBox=\"0 0 900 500\"", inline, StringComparison.Ordinal);
        Assert.Contains("id=\"pages_per_s-cl_1\"", inline, StringComparison.Ordinal);
        Assert.Contains("url(#pages_per_s-cl_1)", inline, StringComparison.Ordinal);
        Assert.Contains("xlink:href=\"#pages_per_s-cl_1\"", inline, StringComparison.Ordinal);
        Assert.DoesNotContain("\"cl_1\"", inline, StringComparison.Ordinal);
    }
}
