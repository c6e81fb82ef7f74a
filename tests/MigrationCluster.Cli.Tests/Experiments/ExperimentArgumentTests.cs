namespace MigrationCluster.Cli.Tests.Experiments;

public sealed class ExperimentArgumentTests
{
    [Theory]
    [InlineData("--nodes", "1")]
    [InlineData("--nodes", "2,x")]
    [InlineData("--nodes", "4,4")]
    [InlineData("--nodes", "2048")]
    [InlineData("--silos", "0")]
    [InlineData("--silos", "17")]
    [InlineData("--topology", "cube")]
    [InlineData("--spaces-per-node", "0")]
    [InlineData("--pages-per-space", "-3")]
    [InlineData("--repeat", "0")]
    [InlineData("--mode", "fast")]
    [InlineData("--workload", "bursty")]
    [InlineData("--pinned", "17")]
    [InlineData("--seed", "one")]
    [InlineData("--no-such-option")]
    [InlineData("--dashboard", "0")]
    [InlineData("--dashboard", "70000")]
    [InlineData("--jaeger", "http://127.0.0.1:16686")]
    public async Task Bad_arguments_exit_2_with_one_line_and_run_nothing(params string[] args)
    {
        using var directory = new TempDirectory();
        var output = directory.File("out");
        var result = await CliProcess.RunAsync(["experiment", .. args, "--out", output]);

        AssertBadInput(result, args[0]);
        Assert.False(Directory.Exists(output), "a rejected sweep must not start writing results");
    }

    [Fact]
    public async Task Out_is_required()
    {
        AssertBadInput(await CliProcess.RunAsync("experiment", "--nodes", "2"), "--out");
    }

    [Fact]
    public async Task Out_must_not_be_a_file()
    {
        using var directory = new TempDirectory();
        AssertBadInput(await CliProcess.RunAsync("experiment", "--nodes", "2", "--out", directory.Write("file", "x")), "--out");
    }

    [Fact]
    public async Task A_topology_file_fixes_the_node_count()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(RepositoryPaths.ExampleTopologies, "numactl-2node-xeon.txt");
        AssertBadInput(await CliProcess.RunAsync("experiment", "--topology", file, "--nodes", "2,4", "--out", directory.File("out")), "--topology");
    }

    [Fact]
    public async Task Silos_do_not_go_with_a_cluster()
    {
        using var directory = new TempDirectory();
        AssertBadInput(await CliProcess.RunAsync("experiment", "--cluster", directory.Path, "--silos", "2", "--out", directory.File("out")), "--silos");
    }

    [Fact]
    public async Task A_dashboard_port_in_use_is_said_before_any_point_runs()
    {
        using var directory = new TempDirectory();
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var output = directory.File("out");
        AssertBadInput(await CliProcess.RunAsync("experiment", "--nodes", "2", "--dashboard", port, "--out", output), "--dashboard");
        Assert.False(Directory.Exists(output), "a rejected sweep must not start writing results");
    }

    private static void AssertBadInput(CliResult result, string mentions)
    {
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("migration-cluster: ", line, StringComparison.Ordinal);
        Assert.Contains(mentions.TrimStart('-').Split('-')[0], line, StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
        Assert.Equal(string.Empty, result.Stdout);
    }
}
