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
    public async Task Bare_rows_as_cat_prints_them_are_recognised()
    {
        // `cat /sys/devices/system/node/node*/distance` on the 8-node EPYC: one bare row per node.
        using var temp = new TempDirectory();
        var numactl = Path.Combine(RepositoryPaths.ExampleTopologies, "numactl-8node-epyc-nps4.txt");
        var expected = DistancesOf(numactl);
        var path = temp.Write("distance.txt", string.Concat(expected.Select(row => string.Join(' ', row) + "\n")));

        var result = await CliProcess.RunAsync("topology", "show", path, "--json");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Equal(expected, JsonDistances(result.Stdout));
        Assert.Equal(Enumerable.Range(0, 8), JsonNodeIds(result.Stdout));
    }

    [Fact]
    public async Task Bare_rows_in_the_shells_glob_order_are_put_back_in_node_order()
    {
        // node0, node1, node10, node11, node2, ...: each row's 10 says which node it is.
        using var temp = new TempDirectory();
        int[][] matrix = [.. Enumerable.Range(0, 12).Select(i => Enumerable.Range(0, 12).Select(j => i == j ? 10 : 20 + Math.Abs(i - j)).ToArray())];
        var globbed = Enumerable.Range(0, 12).OrderBy(i => $"node{i}", StringComparer.Ordinal);
        var path = temp.Write("distance.txt", string.Concat(globbed.Select(i => string.Join(' ', matrix[i]) + "\n")));

        var result = await CliProcess.RunAsync("topology", "show", path, "--json");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Equal(matrix, JsonDistances(result.Stdout));
    }

    [Fact]
    public async Task Bare_rows_take_their_node_ids_from_the_node_ids_option()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("distance.txt", "10 21 31\n21 10 21\n31 21 10\n");

        var result = await CliProcess.RunAsync("topology", "show", path, "--node-ids", "0,4-5", "--json");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Equal([0, 4, 5], JsonNodeIds(result.Stdout));
        Assert.Equal(31, JsonDistances(result.Stdout)[2][0]);
    }

    [Fact]
    public async Task Head_of_the_distance_files_is_recognised()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("head.txt", "==> /sys/devices/system/node/node0/distance <==\n10 32\n\n==> /sys/devices/system/node/node1/distance <==\n32 10\n");

        var result = await CliProcess.RunAsync("topology", "show", path, "--json");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Equal([[10, 32], [32, 10]], JsonDistances(result.Stdout));
    }

    [Fact]
    public async Task Numactl_output_pasted_with_its_command_crlf_and_trailing_blank_lines_is_recognised()
    {
        using var temp = new TempDirectory();
        var original = Path.Combine(RepositoryPaths.ExampleTopologies, "numactl-4node-xeon.txt");
        var text = "user@host:~$ numactl -H\r\n" + (await File.ReadAllTextAsync(original)).Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n\r\n  \r\n";
        var path = temp.Write("pasted.txt", text);

        var result = await CliProcess.RunAsync("topology", "show", path, "--json");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Equal(DistancesOf(original), JsonDistances(result.Stdout));
    }

    [Theory]
    [InlineData("ring", 4, 16, 20)]
    [InlineData("sockets", 8, 16, 32)]
    [InlineData("mesh", 9, 16, 28)]
    public async Task Generate_prints_a_valid_slit_of_the_shape(string shape, int nodes, int nearest, int farthest)
    {
        var result = await CliProcess.RunAsync("topology", "show", "--generate", shape, "--nodes", nodes.ToString(), "--json");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        int[][] d = JsonDistances(result.Stdout);
        Assert.Equal(nodes, d.Length);
        for (int i = 0; i < nodes; i++)
        {
            for (int j = 0; j < nodes; j++)
            {
                Assert.Equal(d[j][i], d[i][j]);
                Assert.InRange(d[i][j], i == j ? 10 : 11, i == j ? 10 : 254);
            }
        }

        Assert.Equal(nearest, d.SelectMany((row, i) => row.Where((_, j) => j != i)).Min());
        Assert.Equal(farthest, d.SelectMany(row => row).Max());
    }

    [Fact]
    public async Task Generate_of_many_nodes_prints_the_matrix_as_text_rows()
    {
        var result = await CliProcess.RunAsync("topology", "show", "--generate", "ring", "--nodes", "40");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Contains("node distances:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(" 39:  16 ", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("topology", "show", "--generate", "ring")]
    [InlineData("topology", "show", "--generate", "torus", "--nodes", "4")]
    [InlineData("topology", "show", "--generate", "mesh", "--nodes", "1025")]
    [InlineData("topology", "show", "--generate", "mesh", "--nodes", "0")]
    [InlineData("topology", "show", "--nodes", "4")]
    [InlineData("topology", "show", "some.txt", "--generate", "ring", "--nodes", "4")]
    [InlineData("topology", "show", "some.txt", "--node-ids", "3-1")]
    public async Task Bad_generate_or_node_ids_exits_2_with_one_line(params string[] args)
    {
        using var temp = new TempDirectory();
        var file = temp.Write("some.txt", "10 21\n21 10\n");
        var result = await CliProcess.RunAsync([.. args.Select(a => a == "some.txt" ? file : a)]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("migration-cluster: ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
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

    private static int[][] JsonDistances(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.GetProperty("distances").EnumerateArray().Select(row => row.EnumerateArray().Select(d => d.GetInt32()).ToArray())];
    }

    private static int[] JsonNodeIds(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetInt32())];
    }

    /// <summary>The cells of a table row drawn with box characters.</summary>
    private static string[] CellsOf(string line) =>
        [.. line.Split('│', StringSplitOptions.TrimEntries).Where(cell => cell.Length > 0)];
}
