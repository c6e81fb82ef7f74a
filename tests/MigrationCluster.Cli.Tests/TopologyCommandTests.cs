using System.Text.Json;
using System.Text.RegularExpressions;

namespace MigrationCluster.Cli.Tests;

public sealed class TopologyCommandTests
{
    public static TheoryData<string, int> Samples => new()
    {
        { "numactl-2node-xeon.txt", 2 },
        { "numactl-4node-xeon.txt", 4 },
        { "numactl-8node-epyc-nps4.txt", 8 },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Show_prints_every_row_of_the_distance_matrix(string sample, int nodes)
    {
        var path = Path.Combine(RepositoryPaths.ExampleTopologies, sample);
        var expected = DistancesOf(path);

        var result = await CliProcess.RunAsync("topology", "show", path);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Contains("distances", result.Stdout, StringComparison.Ordinal);
        var rows = result.Stdout.Split('\n').Select(CellsOf).Where(cells => cells.Length == nodes + 1).ToList();
        for (int i = 0; i < nodes; i++)
        {
            // The matrix row for node i: its id, then its distances, in the file's order.
            Assert.Contains(rows, cells => cells[0] == i.ToString() && cells.Skip(1).Select(int.Parse).SequenceEqual(expected[i]));
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Json_distances_match_the_file(string sample, int nodes)
    {
        var path = Path.Combine(RepositoryPaths.ExampleTopologies, sample);

        var result = await CliProcess.RunAsync("topology", "show", path, "--json");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        using var json = JsonDocument.Parse(result.Stdout);
        var distances = json.RootElement.GetProperty("distances").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(d => d.GetInt32()).ToArray()).ToArray();
        Assert.Equal(DistancesOf(path), distances);
        var nodeArray = json.RootElement.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(nodes, nodeArray.Count);
        var text = await File.ReadAllTextAsync(path);
        var size = Regex.Match(text, @"node 0 size: (\d+) MB");
        Assert.Equal(long.Parse(size.Groups[1].Value), nodeArray[0].GetProperty("size_mb").GetInt64());
        Assert.True(nodeArray[0].GetProperty("cpus").GetArrayLength() > 0);
    }

    [Fact]
    public async Task Sysfs_distance_lines_are_recognised()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("distance.txt", "/sys/devices/system/node/node0/distance:10 32\n/sys/devices/system/node/node1/distance:32 10\n");

        var result = await CliProcess.RunAsync("topology", "show", path, "--json");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(32, json.RootElement.GetProperty("distances")[0][1].GetInt32());
    }

    [Fact]
    public async Task Malformed_file_exits_2_naming_the_file_and_line()
    {
        using var temp = new TempDirectory();
        var good = await File.ReadAllLinesAsync(Path.Combine(RepositoryPaths.ExampleTopologies, "numactl-2node-xeon.txt"));
        // Line 10 is node 0's row of the matrix; make one distance a word.
        var bad = good.Select((line, i) => i == 9 ? line.Replace("21", "far", StringComparison.Ordinal) : line);
        var path = temp.Write("broken.txt", string.Join('\n', bad));
        Assert.StartsWith("  0:", good[9], StringComparison.Ordinal);

        var result = await CliProcess.RunAsync("topology", "show", path);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"migration-cluster: {path}: line 10", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task Missing_file_exits_2()
    {
        using var temp = new TempDirectory();

        var result = await CliProcess.RunAsync("topology", "show", temp.File("nope.txt"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nope.txt", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    /// <summary>The matrix under "node distances:", read straight from the file.</summary>
    private static int[][] DistancesOf(string path)
    {
        var lines = File.ReadAllLines(path);
        int header = Array.FindIndex(lines, l => l.StartsWith("node distances:", StringComparison.Ordinal));
        return [.. lines.Skip(header + 2)
            .Where(l => l.Contains(':', StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray())];
    }

    /// <summary>The cells of a table row drawn with box characters.</summary>
    private static string[] CellsOf(string line) =>
        [.. line.Split('│', StringSplitOptions.TrimEntries).Where(cell => cell.Length > 0)];
}
