namespace MigrationCluster.Cli.Tests.Hostile;

/// <summary>Inputs must be regular files below a limit: a device is refused at once, in bounded memory.</summary>
public sealed class InputFileTests
{
    [Theory]
    [InlineData("topology", "show", "/dev/zero")]
    [InlineData("run", "--topology", "/dev/zero")]
    [InlineData("scenario", "/dev/zero")]
    [InlineData("experiment", "--topology", "/dev/urandom", "--out", "/tmp/mc-hostile-never-written")]
    public async Task A_device_where_a_file_is_expected_is_refused(params string[] args)
    {
        var result = await CliProcess.RunAsync(args);

        HostileAssert.BadInput(result, "is a character device, not a regular file");
    }

    [Fact]
    public async Task A_scenario_whose_topology_is_a_device_is_refused_at_its_line()
    {
        using var directory = new TempDirectory();
        var scenario = directory.Write("s.yaml", "topology: /dev/urandom\nprocesses:\n  - name: a\ncalls: []\n");

        var result = await CliProcess.RunAsync("scenario", scenario, "--engine", "model");

        HostileAssert.BadInput(result, $"{scenario}:1: topology '/dev/urandom' is a character device");
    }

    [Fact]
    public async Task Run_refuses_nodes_beside_a_topology_file_as_experiment_does()
    {
        var topology = Path.Combine(RepositoryPaths.ExampleTopologies, "numactl-4node-xeon.txt");

        var result = await CliProcess.RunAsync("run", "--topology", topology, "--nodes", "4");

        HostileAssert.BadInput(result, "leave out --nodes");
    }

    [Fact]
    public async Task Topology_show_names_the_limit_of_1024_nodes()
    {
        using var directory = new TempDirectory();
        var row = string.Join(' ', Enumerable.Repeat("20", 1025));
        var file = directory.Write("big.txt", string.Join('\n', Enumerable.Repeat(row, 1025)) + "\n");

        var result = await CliProcess.RunAsync("topology", "show", file);

        HostileAssert.BadInput(result, "at most 1024 nodes");
    }
}
