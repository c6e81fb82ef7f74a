using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MigrationCluster.Experiments;
using MigrationCluster.Hosting;
using MigrationCluster.Memory.Topology;
using Spectre.Console;

namespace MigrationCluster.Cli.Commands;

/// <summary>
/// <c>topology show FILE [--node-ids IDS] [--json]</c>: a topology as people paste it
/// (<c>numactl --hardware</c>, or the sysfs node distance files printed by grep, head or cat);
/// <c>topology show --generate ring|sockets|mesh --nodes N [--json]</c>: a generated one.
/// </summary>
public static class TopologyCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    // Wider distance matrices print as numactl's text table: a grid of boxes would not fit.
    private const int MaxTableColumns = 16;

    public static Command Create()
    {
        var topology = new Command("topology", "Inspect NUMA topologies.");
        topology.Subcommands.Add(CreateShow());
        return topology;
    }

    private static Command CreateShow()
    {
        var file = new Argument<FileInfo?>("FILE")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "Output of `numactl --hardware`, or of `grep . /sys/devices/system/node/node*/distance`, `head` or `cat` of those files.",
        };
        var nodeIds = new Option<string?>("--node-ids")
        {
            Description = "The node ids of bare distance rows (`cat .../node*/distance`), e.g. 0,1,4,5 or 0-1,4-5 (default 0..n-1).",
            HelpName = "IDS",
        };
        var generate = new Option<string?>("--generate")
        {
            Description = "Show a generated machine instead of a file: ring, sockets or mesh (needs --nodes).",
            HelpName = "SHAPE",
        };
        var nodes = new Option<int?>("--nodes") { Description = $"Nodes of the generated machine, 1..{SlitGenerator.MaxNodes}.", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print a JSON document (nodes, distances) instead of tables." };
        var command = new Command("show", "Show the nodes (cpus, size, free) and the distance matrix of a topology file or a generated machine.")
        {
            file,
            nodeIds,
            generate,
            nodes,
            json,
        };
        command.SetAction(parseResult =>
        {
            NumaTopology parsed = Resolve(parseResult.GetValue(file), parseResult.GetValue(nodeIds), parseResult.GetValue(generate), parseResult.GetValue(nodes));
            if (parseResult.GetValue(json))
            {
                Console.Out.WriteLine(ToJson(parsed));
            }
            else
            {
                // No colour codes in piped output.
                AnsiConsole.Profile.Capabilities.Ansi &= !Console.IsOutputRedirected;
                AnsiConsole.Write(NodeTable(parsed));
                if (parsed.NodeCount <= MaxTableColumns)
                {
                    AnsiConsole.Write(DistanceTable(parsed));
                }
                else
                {
                    Console.Out.Write(DistanceText(parsed));
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static NumaTopology Resolve(FileInfo? file, string? nodeIds, string? generate, int? nodes)
    {
        if (generate is not null)
        {
            if (file is not null || nodeIds is not null)
            {
                throw new UsageException("give a topology FILE or --generate, not both");
            }

            SlitShape shape = generate.ToLowerInvariant() switch
            {
                "ring" => SlitShape.Ring,
                "sockets" => SlitShape.Sockets,
                "mesh" => SlitShape.Mesh,
                _ => throw new UsageException($"--generate: expected ring, sockets or mesh, got '{generate}'"),
            };
            if (nodes is not int count)
            {
                throw new UsageException("--generate needs --nodes N");
            }

            if (count is < 1 or > SlitGenerator.MaxNodes)
            {
                throw new UsageException($"--nodes: {count} is out of range (1 to {SlitGenerator.MaxNodes})");
            }

            return SlitGenerator.Generate(shape, count);
        }

        if (nodes is not null)
        {
            throw new UsageException("--nodes goes with --generate");
        }

        if (file is null)
        {
            throw new UsageException("give a topology FILE (numactl --hardware or sysfs node distances) or --generate ring|sockets|mesh --nodes N");
        }

        return TopologyFile.Load(file.FullName, nodeIds is null ? null : ParseNodeIds(nodeIds));
    }

    /// <summary>"0,1,4,5" or "0-1,4-5": node ids as the kernel's node lists print them.</summary>
    public static IReadOnlyList<int> ParseNodeIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] bounds = part.Split('-', 2, StringSplitOptions.TrimEntries);
            if (!int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                || last < first || last >= NumaTopology.MaxNumNodes)
            {
                throw new UsageException($"--node-ids: expected ids 0..{NumaTopology.MaxNumNodes - 1} as a list such as 0,1,4,5 or 0-1,4-5, got '{part}'");
            }

            ids.AddRange(Enumerable.Range(first, last - first + 1));
        }

        if (ids.Distinct().Count() != ids.Count)
        {
            throw new UsageException($"--node-ids: '{text}' names a node twice");
        }

        return ids;
    }

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

    /// <summary>The distance matrix as numactl prints it under "node distances:".</summary>
    private static string DistanceText(NumaTopology topology)
    {
        var text = new System.Text.StringBuilder("node distances:\nnode ");
        text.AppendJoin(' ', topology.Nodes.Select(n => Invariant(n.Id).PadLeft(3))).Append('\n');
        foreach (NumaNodeInfo from in topology.Nodes)
        {
            text.Append($"{Invariant(from.Id),3}: ");
            text.AppendJoin(' ', topology.Nodes.Select(to => Invariant(topology.Distance(from.Id, to.Id)).PadLeft(3))).Append('\n');
        }

        return text.ToString();
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
