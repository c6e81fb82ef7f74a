using System.Text.Json;

namespace MigrationCluster.Cli.Tests.Experiments;

public sealed class ExperimentTopologyTests
{
    [Fact]
    public async Task A_generated_mesh_and_a_numactl_file_run_with_their_own_distances()
    {
        using var directory = new TempDirectory();
        var mesh = directory.File("mesh");
        var result = await CliProcess.RunAsync("experiment", "--topology", "mesh", "--nodes", "9", "--pages-per-space", "8", "--out", mesh);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using (var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(mesh, "results.json"))))
        {
            var topology = Assert.Single(document.RootElement.GetProperty("points").EnumerateArray()).GetProperty("topology_detail");
            Assert.Equal("mesh", topology.GetProperty("name").GetString());
            Assert.Equal(3, topology.GetProperty("mesh_width").GetInt32());
            var distances = topology.GetProperty("distances").EnumerateArray().Select(r => r.EnumerateArray().Select(d => d.GetInt32()).ToArray()).ToArray();
            Assert.Equal(16, distances[0][1]); // one hop on the 3 x 3 grid: 12 + 4
            Assert.Equal(28, distances[0][8]); // corner to corner: four hops
        }

        var numactl = directory.File("numactl");
        var file = Path.Combine(RepositoryPaths.ExampleTopologies, "numactl-4node-xeon.txt");
        result = await CliProcess.RunAsync("experiment", "--topology", file, "--pages-per-space", "8", "--out", numactl);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var row = Assert.Single(ResultsCsv.Read(Path.Combine(numactl, "results.csv")).Rows);
        Assert.Equal("4", row["nodes"]);
        Assert.Equal("numactl-4node-xeon.txt", row["topology"]);
        Assert.Equal("0", row["invariant_violations"]);
        Assert.True(ResultsCsv.Integer(row, "migrated") > 0);
    }
}
