using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MigrationCluster.Memory.Topology;
using Spectre.Console;

namespace MigrationCluster.Cli.Commands;

/// <summary><c>topology show FILE [--json]</c>: a parsed <c>numactl --hardware</c> or sysfs distance file.</summary>
public static class TopologyCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static Command Create()
    {
        var topology = new Command("topology", "Inspect NUMA topologies.");
        topology.Subcommands.Add(CreateShow());
        return topology;
    }

    private static Command CreateShow()
    {
        var file = new Argument<FileInfo>("FILE")
        {
            Description = "Output of `numactl --hardware`, or `grep . /sys/devices/system/node/node*/distance`.",
        };
        var json = new Option<bool>("--json") { Description = "Print a JSON document (nodes, distances) instead of tables." };
        var command = new Command("show", "Show the nodes (cpus, size, free) and the distance matrix of a topology file.")
        {
            file,
            json,
        };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetRequiredValue(file).FullName;
            NumaTopology parsed = Load(path);
            if (parseResult.GetValue(json))
            {
                Console.Out.WriteLine(ToJson(parsed));
            }
            else
            {
                // No colour codes in piped output.
                AnsiConsole.Profile.Capabilities.Ansi &= !Console.IsOutputRedirected;
                AnsiConsole.Write(NodeTable(parsed));
                AnsiConsole.Write(DistanceTable(parsed));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Reads and parses <paramref name="path"/>: sysfs distances when any line names
    /// <c>nodeN/distance</c>, else numactl's format. Problems are a <see cref="UsageException"/>
    /// naming the file (and the line, from the parser).
    /// </summary>
    public static NumaTopology Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read the topology file ({exception.Message})", exception);
        }

        try
        {
            return LooksLikeSysfs(text) ? NumaTopology.ParseSysfsDistances(text) : NumaTopology.ParseNumactlHardware(text);
        }
        catch (TopologyFormatException exception)
        {
            throw new UsageException($"{path}: {exception.Message}", exception);
        }
    }

    private static bool LooksLikeSysfs(string text) =>
        text.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0) is { } first
        && first.Contains("/distance", StringComparison.Ordinal);

    private static string ToJson(NumaTopology topology)
    {
        var document = new
        {
            nodes = topology.Nodes.Select(n => new { id = n.Id, cpus = n.Cpus, size_mb = n.SizeMb, free_mb = n.FreeMb }),
            distances = topology.Nodes.Select(from => topology.Nodes.Select(to => topology.Distance(from.Id, to.Id))),
        };
        return JsonSerializer.Serialize(document, JsonOptions);
    }

    private static Table NodeTable(NumaTopology topology)
    {
        var table = new Table().Title("nodes").AddColumn("node").AddColumn("cpus")
            .AddColumn(new TableColumn("size MB").RightAligned()).AddColumn(new TableColumn("free MB").RightAligned());
        foreach (NumaNodeInfo node in topology.Nodes)
        {
            table.AddRow(
                new Text(Invariant(node.Id)),
                new Text(node.Cpus.Count == 0 ? "-" : CpuRanges(node.Cpus)),
                new Text(Invariant(node.SizeMb)),
                new Text(Invariant(node.FreeMb)));
        }

        return table;
    }

    private static Table DistanceTable(NumaTopology topology)
    {
        var table = new Table().Title("distances (SLIT)").AddColumn("from \\ to");
        foreach (NumaNodeInfo node in topology.Nodes)
        {
            table.AddColumn(new TableColumn(Invariant(node.Id)).RightAligned());
        }

        foreach (NumaNodeInfo from in topology.Nodes)
        {
            var cells = new List<Text> { new(Invariant(from.Id)) };
            cells.AddRange(topology.Nodes.Select(to => new Text(Invariant(topology.Distance(from.Id, to.Id)))));
            table.AddRow(cells);
        }

        return table;
    }

    /// <summary>"0-19,40-59": long CPU lists stay readable.</summary>
    private static string CpuRanges(IReadOnlyList<int> cpus)
    {
        var sorted = cpus.Order().ToList();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            parts.Add(i == j ? Invariant(sorted[i]) : $"{Invariant(sorted[i])}-{Invariant(sorted[j])}");
            i = j + 1;
        }

        return string.Join(',', parts);
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
