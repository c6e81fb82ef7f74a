using System.Globalization;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Memory.Cost;
using MigrationCluster.Memory.Machines;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MigrationCluster.Experiments.Machines;

/// <summary>
/// Reads a machine file (YAML, docs/machines.md) into a <see cref="MachineProfile"/>. Every
/// problem is one <see cref="UsageException"/> line, <c>FILE:LINE: problem</c>: a missing field,
/// a table that is not square, a number that is negative or not finite.
/// </summary>
public static class MachineFile
{
    /// <summary>The fixed costs a file must give, by their names in the file.</summary>
    public static readonly IReadOnlyList<(string Key, Action<CostModelOptions, double> Set)> CostFields =
    [
        ("syscall_ns", (o, v) => o.SyscallNs = v),
        ("lru_drain_ipi_ns", (o, v) => o.LruDrainIpiNs = v),
        ("isolate_ns", (o, v) => o.IsolateNs = v),
        ("step_ns", (o, v) => o.StepNs = v),
        ("page_lock_ns", (o, v) => o.PageLockNs = v),
        ("page_flag_ns", (o, v) => o.PageFlagNs = v),
        ("page_alloc_ns", (o, v) => o.PageAllocNs = v),
        ("unmap_ns", (o, v) => o.PteUpdateNs = v),
        ("remap_ns", (o, v) => o.RemapNs = v),
        ("tlb_flush_ns", (o, v) => o.TlbFlushNs = v),
        ("tlb_ipi_ns", (o, v) => o.TlbIpiNs = v),
        ("radix_tree_ns", (o, v) => o.RadixTreeNs = v),
        ("lru_ns", (o, v) => o.LruNs = v),
        ("writeback_wait_ns", (o, v) => o.WritebackWaitNs = v),
    ];

    /// <summary>Reads and parses the file at <paramref name="path"/>.</summary>
    public static LoadedMachine Load(string path)
    {
        string text;
        try
        {
            text = InputFile.ReadAllText(path, "--machine", InputFile.MaxTopologyBytes);
        }
        catch (UnusablePathException exception)
        {
            throw new UsageException(exception.Message, exception);
        }
        return Parse(path, text);
    }

    /// <summary>Parses a machine document; <paramref name="source"/> names it in messages.</summary>
    public static LoadedMachine Parse(string source, string text)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException exception)
        {
            throw Problem(source, (int)exception.Start.Line, $"not valid YAML: {exception.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw Problem(source, 1, "expected one YAML document, a mapping of the machine's fields");
        }
        var reader = new Reader(source);
        string name = reader.String(root, "name");
        string description = reader.Optional(root, "description") is YamlScalarNode d ? d.Value ?? "" : "";
        int pageSize = (int)reader.Number(reader.Field(root, "page_size"), "page_size", whole: true);
        var nodesNode = reader.Field(root, "nodes");
        if (nodesNode is not YamlSequenceNode nodeList || nodeList.Children.Count == 0)
        {
            throw Problem(source, Line(nodesNode), "nodes must be a list with one entry per node (each with cpus:)");
        }
        int[] cpus = [.. nodeList.Children.Select((n, i) => n is YamlMappingNode m
            ? (int)reader.Number(reader.Field(m, "cpus"), $"nodes[{i}].cpus", whole: true)
            : throw Problem(source, Line(n), $"nodes[{i}] must be a mapping with cpus:"))];
        int nodes = cpus.Length;
        double[][] latency = reader.Table(root, "latency_ns", nodes);
        double[][] copy = reader.Table(root, "copy_gbps", nodes);
        double[] shared = reader.Row(reader.Field(root, "node_copy_gbps"), "node_copy_gbps", nodes, positive: true);
        var costsNode = reader.Field(root, "costs");
        if (costsNode is not YamlMappingNode costMap)
        {
            throw Problem(source, Line(costsNode), "costs must be a mapping of the kernel paths' fixed costs");
        }
        var costs = new CostModelOptions { LocalAccessNs = latency[0][0], LocalCopyBytesPerNs = copy[0][0] };
        foreach (var (key, set) in CostFields)
        {
            set(costs, reader.Number(reader.Field(costMap, key), $"costs.{key}"));
        }
        if (cpus.Sum() < 1)
        {
            throw Problem(source, Line(nodesNode), "a machine needs at least one node with cpus above 0");
        }
        try
        {
            return new LoadedMachine(new MachineProfile(name, description, pageSize, cpus, latency, copy, shared, costs), source, Line(nodesNode));
        }
        catch (ArgumentException exception)
        {
            throw Problem(source, Line(root), exception.Message);
        }
    }

    internal static UsageException Problem(string source, int line, string problem) => new($"{source}:{line}: {problem}");

    private static int Line(YamlNode node) => (int)node.Start.Line;

    /// <summary>Field access that names the file and line of what is wrong.</summary>
    private sealed class Reader(string source)
    {
        public YamlNode Field(YamlMappingNode map, string key) =>
            Optional(map, key) ?? throw Problem(source, Line(map), $"missing field '{key}'");

        public YamlNode? Optional(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        public string String(YamlMappingNode map, string key) =>
            Field(map, key) is YamlScalarNode { Value: { Length: > 0 } value } ? value : throw Problem(source, Line(Field(map, key)), $"'{key}' must be a non-empty string");

        public double Number(YamlNode node, string what, bool whole = false)
        {
            if (node is not YamlScalarNode { Value: { } text })
            {
                throw Problem(source, Line(node), $"{what} must be a number");
            }
            double value;
            if (YamlSpecial(text) is { } special)
            {
                value = special;
            }
            else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                throw Problem(source, Line(node), $"{what} must be a number");
            }
            if (!double.IsFinite(value) || value < 0)
            {
                throw Problem(source, Line(node), $"{what} must be a finite number of 0 or more (was {text})");
            }
            if (whole && (value != Math.Floor(value) || value > int.MaxValue))
            {
                throw Problem(source, Line(node), $"{what} must be a whole number (was {text})");
            }
            return value;
        }

        /// <summary>YAML's own spellings of the numbers that are not finite (refused below, by name).</summary>
        private static double? YamlSpecial(string text) => text.ToLowerInvariant() switch
        {
            ".nan" or "nan" => double.NaN,
            ".inf" or "+.inf" or "inf" or "infinity" => double.PositiveInfinity,
            "-.inf" or "-inf" or "-infinity" => double.NegativeInfinity,
            _ => null,
        };

        public double[] Row(YamlNode node, string what, int nodes, bool positive)
        {
            if (node is not YamlSequenceNode row)
            {
                throw Problem(source, Line(node), $"{what} must be a list of {nodes} numbers (one per node)");
            }
            if (row.Children.Count != nodes)
            {
                throw Problem(source, Line(node), $"{what} has {row.Children.Count} numbers, the machine has {nodes} nodes: the table must be square");
            }
            return [.. row.Children.Select((v, j) =>
            {
                double x = Number(v, $"{what}[{j}]");
                return positive && x == 0 ? throw Problem(source, Line(v), $"{what}[{j}] must be above 0") : x;
            })];
        }

        public double[][] Table(YamlMappingNode root, string key, int nodes)
        {
            var node = Field(root, key);
            if (node is not YamlSequenceNode rows)
            {
                throw Problem(source, Line(node), $"{key} must be a table: a list of {nodes} rows of {nodes} numbers");
            }
            if (rows.Children.Count != nodes)
            {
                throw Problem(source, Line(node), $"{key} has {rows.Children.Count} rows, the machine has {nodes} nodes: the table must be square");
            }
            return [.. rows.Children.Select((r, i) => Row(r, $"{key}[{i}]", nodes, positive: true))];
        }
    }
}
