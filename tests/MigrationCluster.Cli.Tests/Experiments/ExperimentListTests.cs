using MigrationCluster.Cli.Commands;
using MigrationCluster.Hosting;

namespace MigrationCluster.Cli.Tests.Experiments;

public sealed class ExperimentListTests
{
    [Fact]
    public void Lists_parse_in_order_and_reject_what_is_not_a_count()
    {
        Assert.Equal([8, 2, 1024], ExperimentCommand.ParseList("8, 2,1024", "--nodes", 2, 1024));
        Assert.Throws<UsageException>(() => ExperimentCommand.ParseList("2,,4", "--nodes", 2, 1024));
        Assert.Throws<UsageException>(() => ExperimentCommand.ParseList("+4", "--nodes", 2, 1024));
        Assert.Throws<UsageException>(() => ExperimentCommand.ParseList("1025", "--nodes", 2, 1024));
    }
}
