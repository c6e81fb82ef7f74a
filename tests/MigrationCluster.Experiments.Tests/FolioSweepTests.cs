using MigrationCluster.Hosting;

namespace MigrationCluster.Experiments.Tests;

/// <summary>The experiment's folio-size dimension: points per size, in the order given, each spec with its folio order.</summary>
public sealed class FolioSweepTests
{
    [Fact]
    public void Folio_sizes_are_swept_inside_each_node_count_and_outside_the_silo_counts()
    {
        var options = new ExperimentOptions { Nodes = [2, 4], FolioOrders = [0, 4], PagesPerSpace = 64, FileFraction = 0 };

        var points = ExperimentPlan.Build(options, [1, 3]);

        Assert.Equal(
            [(2, 0, 1), (2, 0, 3), (2, 4, 1), (2, 4, 3), (4, 0, 1), (4, 0, 3), (4, 4, 1), (4, 4, 3)],
            points.Select(p => (p.Nodes, p.Spec.FolioOrder, p.Silos)));
        Assert.Contains("64K folios", points[2].Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_folio_larger_than_a_process_s_private_memory_is_refused_before_anything_runs()
    {
        var options = new ExperimentOptions { Nodes = [2], FolioOrders = [9], PagesPerSpace = 16 };

        var refusal = Assert.Throws<UsageException>(() => ExperimentPlan.Build(options, [1]));

        Assert.Equal("2 nodes: --folio-size 2M is larger than a process's private memory (12 pages)", refusal.Message);
    }

    [Theory]
    [InlineData("4K,4K", "--folio-size '4K,4K' names a size twice")]
    [InlineData("64K,4K,65536", "--folio-size '64K,4K,65536' names a size twice")]
    [InlineData("4K,,2M", "--folio-size: folio size '' is not a size")]
    public void A_folio_size_list_with_a_size_twice_or_an_empty_one_is_refused(string sizes, string expected)
    {
        // A size given twice used to run its points twice over, where a node count given twice is refused.
        var refusal = Assert.Throws<UsageException>(() => ExperimentRunner.FolioOrders(sizes, 4096));

        Assert.StartsWith(expected, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folio_size_list_keeps_its_order() => Assert.Equal([9, 0, 4], ExperimentRunner.FolioOrders("2M,4K,64K", 4096));

    [Theory]
    [InlineData("2M", 9)]
    [InlineData("64K", 4)]
    [InlineData("4096", 0)]
    [InlineData("16KiB", 2)]
    public void Folio_size_options_name_their_order(string size, int order) =>
        Assert.Equal(order, ExperimentRunner.FolioOrder(size, 4096));

    [Fact]
    public void A_folio_size_beyond_the_pmd_is_a_usage_error_naming_the_option()
    {
        var refusal = Assert.Throws<UsageException>(() => ExperimentRunner.FolioOrder("4M", 4096));
        Assert.Equal("--folio-size: folio size 4M is larger than the PMD size (2048 KiB)", refusal.Message);
    }
}
