namespace MigrationCluster.Cli.Tests.Hostile;

/// <summary>Outputs never overwrite an input or each other, and an unusable one is found before any work.</summary>
public sealed class OutputPathTests
{
    private static string Scenario => Path.Combine(RepositoryPaths.ExampleScenarios, "01-move-anon-pages.yaml");

    [Fact]
    public async Task A_scenario_result_may_not_overwrite_the_scenario()
    {
        using var directory = new TempDirectory();
        var scenario = directory.Write("s.yaml", File.ReadAllText(Scenario));
        var before = File.ReadAllBytes(scenario);

        var result = await CliProcess.RunAsync("scenario", scenario, "--engine", "model", "--json", scenario);

        HostileAssert.BadInput(result, "is the scenario file");
        Assert.Equal(before, File.ReadAllBytes(scenario));
    }

    [Theory]
    // Each of these overwrote the machine file with its result (exit 0).
    [InlineData("run", "--machine", "MACHINE", "--pages", "64", "--json", "MACHINE")]
    [InlineData("run", "--machine", "MACHINE", "--pages", "64", "--trace", "jsonl:MACHINE")]
    [InlineData("scenario", "SCENARIO", "--engine", "model", "--machine", "MACHINE", "--json", "MACHINE")]
    [InlineData("bench", "migration", "--machine", "MACHINE", "--pages", "1024", "--rounds", "1", "--warm-up", "0", "--json", "MACHINE")]
    [InlineData("experiment", "--machine", "OUT/results.json", "--nodes", "2", "--out", "OUT", "--force")]
    public async Task A_result_may_not_overwrite_the_machine_file(params string[] args)
    {
        using var directory = new TempDirectory();
        var preset = Path.Combine(RepositoryPaths.Root, "src", "MigrationCluster.Experiments", "Machines", "Presets", "xeon-e5-2640v3-2s.yaml");
        var machine = directory.Write("machine.yaml", File.ReadAllText(preset));
        Directory.CreateDirectory(directory.File("out"));
        var inOut = directory.Write("out/results.json", File.ReadAllText(preset));
        var scenario = directory.Write("s.yaml", File.ReadAllText(Scenario));
        var before = File.ReadAllBytes(machine);

        var result = await CliProcess.RunAsync([.. args.Select(a => a
            .Replace("OUT/results.json", inOut, StringComparison.Ordinal).Replace("OUT", directory.File("out"), StringComparison.Ordinal)
            .Replace("MACHINE", machine, StringComparison.Ordinal).Replace("SCENARIO", scenario, StringComparison.Ordinal))]);

        HostileAssert.BadInput(result, "is the --machine file: writing it would overwrite the input");
        Assert.Equal(before, File.ReadAllBytes(machine));
        Assert.Equal(before, File.ReadAllBytes(inOut));
    }

    [Fact]
    public async Task A_scenario_result_may_not_overwrite_the_topology_file_the_scenario_names()
    {
        using var directory = new TempDirectory();
        var topology = directory.Write("topology.txt", File.ReadAllText(Path.Combine(RepositoryPaths.ExampleTopologies, "numactl-2node-xeon.txt")));
        var scenario = directory.Write("s.yaml", "topology: topology.txt\nprocesses:\n  - name: a\n    home_node: 0\ncalls: []\n");
        var before = File.ReadAllBytes(topology);

        // This overwrote the topology file with the scenario's result (exit 0).
        var result = await CliProcess.RunAsync("scenario", scenario, "--engine", "model", "--json", topology);

        HostileAssert.BadInput(result, "is the scenario's topology file");
        Assert.Equal(before, File.ReadAllBytes(topology));
    }

    [Fact]
    public async Task Two_outputs_of_a_run_may_not_share_a_path()
    {
        using var directory = new TempDirectory();
        var output = directory.File("f");

        var result = await CliProcess.RunAsync("run", "--json", output, "--trace", $"jsonl:{output}");

        HostileAssert.BadInput(result, "is also the --json file");
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("dir")]
    [InlineData("file/under")]
    public async Task An_unusable_json_path_is_refused_before_the_run(string shape)
    {
        using var directory = new TempDirectory();
        directory.Write("file", "x");
        Directory.CreateDirectory(directory.File("dir"));
        var path = directory.File(shape);

        // A large run: if it started, it would take minutes, not a refusal within the test's bound.
        var result = await CliProcess.RunAsync("run", "--nodes", "64", "--pages", "100000", "--json", path);

        HostileAssert.BadInput(result, "--json");
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task An_unusable_scenario_json_path_is_refused_before_the_scenario_runs()
    {
        using var directory = new TempDirectory();
        directory.Write("file", "x");

        var result = await CliProcess.RunAsync("scenario", Scenario, "--engine", "model", "--json", directory.File("file/result.json"));

        HostileAssert.BadInput(result, "not a directory");
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task An_experiment_does_not_replace_earlier_results_without_force()
    {
        using var directory = new TempDirectory();
        var results = directory.Write("results.csv", "earlier");

        var refused = await CliProcess.RunAsync("experiment", "--nodes", "2", "--pages-per-space", "1", "--out", directory.Path);

        HostileAssert.BadInput(refused, "--force");
        Assert.Equal("earlier", File.ReadAllText(results));

        var forced = await CliProcess.RunAsync("experiment", "--nodes", "2", "--pages-per-space", "1", "--out", directory.Path, "--force");

        Assert.True(forced.ExitCode == 0, forced.Stderr);
        Assert.StartsWith("nodes,", File.ReadAllText(results), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(directory.Path, ".*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_experiment_whose_results_csv_is_a_directory_is_refused_before_any_point()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.File("results.csv"));

        var result = await CliProcess.RunAsync("experiment", "--nodes", "2", "--out", directory.Path, "--force");

        HostileAssert.BadInput(result, "results.csv");
        Assert.Equal(string.Empty, result.Stdout);
    }
}
