using System.Globalization;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Memory.Cost;
using MigrationCluster.Memory.Machines;

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
            text = InputFile.ReadAllText(path, "--machine", InputFile.MaxMachineBytes);
        }
        catch (UnusablePathException exception)
        {
            throw new UsageException(exception.Message, exception);
        }
        return Parse(path, text) with { FilePath = path };
    }

    /// <summary>Parses a machine document; <paramref name="source"/> names it in messages.</summary>
    public static LoadedMachine Parse(string source, string text)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(text);
        if (MachineYaml.Read(source, text) is not MachineYaml.Mapping root)
        {
            throw Problem(source, 1, "expected one YAML document, a mapping of the machine's fields");
        }
        var reader = new Reader(source);
        reader.Known(root, "the machine", TopLevelFields);
        string name = reader.String(root, "name");
        string description = root.Get("description") switch
        {
            null => "",
            MachineYaml.Scalar d => d.Text,
            var other => throw Problem(source, other.Line, "'description' must be text, not a list or a mapping"),
        };
        var pageSizeNode = root.Get("page_size") ?? throw Problem(source, root.Line, "missing field 'page_size'");
        int pageSize = (int)reader.Number(pageSizeNode, "page_size", whole: true);
        if (pageSize > MaxPageSize)
        {
            throw Problem(source, pageSizeNode.Line, $"page_size must be at most {MaxPageSize} bytes, the largest base page Linux has (was {pageSize})");
        }
        var nodesNode = reader.Field(root, "nodes");
        if (nodesNode is not MachineYaml.Sequence nodeList || nodeList.Items.Count == 0)
        {
            throw Problem(source, nodesNode.Line, "nodes must be a list with one entry per node (each with cpus:)");
        }
        if (nodeList.Items.Count > MaxNodes)
        {
            throw Problem(source, nodesNode.Line, $"nodes lists {nodeList.Items.Count} nodes, more than the {MaxNodes} a machine may have");
        }
        int[] cpus = [.. nodeList.Items.Select((n, i) =>
        {
            if (n is not MachineYaml.Mapping m)
            {
                throw Problem(source, n.Line, $"nodes[{i}] must be a mapping with cpus:");
            }
            reader.Known(m, $"nodes[{i}]", ["cpus"]);
            return (int)reader.Number(reader.Field(m, "cpus"), $"nodes[{i}].cpus", whole: true, max: MaxCpusPerNode);
        })];
        int nodes = cpus.Length;
        var latencyNode = reader.Field(root, "latency_ns");
        double[][] latency = reader.Table(latencyNode, "latency_ns", nodes, MinLatencyNs, MaxLatencyNs);
        reader.DerivedDistances(latencyNode, latency);
        double[][] copy = reader.Table(reader.Field(root, "copy_gbps"), "copy_gbps", nodes, MinCopyGbPerS, MaxCopyGbPerS);
        double[] shared = reader.Row(reader.Field(root, "node_copy_gbps"), "node_copy_gbps", nodes, MinCopyGbPerS, MaxCopyGbPerS);
        var costsNode = reader.Field(root, "costs");
        if (costsNode is not MachineYaml.Mapping costMap)
        {
            throw Problem(source, costsNode.Line, "costs must be a mapping of the kernel paths' fixed costs");
        }
        reader.Known(costMap, "costs", [.. CostFields.Select(f => f.Key)]);
        var costs = new CostModelOptions { LocalAccessNs = latency[0][0], LocalCopyBytesPerNs = copy[0][0] };
        foreach (var (key, set) in CostFields)
        {
            set(costs, reader.Number(reader.Field(costMap, key), $"costs.{key}", max: key == "writeback_wait_ns" ? MaxWritebackWaitNs : MaxCostNs));
        }
        if (cpus.Sum() < 1)
        {
            throw Problem(source, nodesNode.Line, "a machine needs at least one node with cpus above 0");
        }
        try
        {
            return new LoadedMachine(new MachineProfile(name, description, pageSize, cpus, latency, copy, shared, costs), source, nodesNode.Line);
        }
        catch (ArgumentException exception)
        {
            throw Problem(source, root.Line, exception.Message);
        }
    }

    /// <summary>The fields a machine file has (docs/machines.md); any other is refused, so a misspelt one is not silently left out.</summary>
    private static readonly string[] TopLevelFields = ["name", "description", "page_size", "nodes", "latency_ns", "copy_gbps", "node_copy_gbps", "costs"];

    /// <summary>The node count a topology may have, so a machine may have no more.</summary>
    public const int MaxNodes = 1024;

    /// <summary>The largest base page Linux runs with (64 KiB on arm64 and ppc64).</summary>
    public const int MaxPageSize = 64 << 10;

    /// <summary>CPUs a node may have: Linux's largest NR_CPUS (CONFIG_MAXSMP on x86-64).</summary>
    public const int MaxCpusPerNode = 8192;

    /// <summary>Load latencies, ns: from far below any DRAM to far above memory across a CXL switch.</summary>
    public const double MinLatencyNs = 1, MaxLatencyNs = 100_000;

    /// <summary>Copy bandwidths, GB/s: from a slow link's trickle to far above any memory system.</summary>
    public const double MinCopyGbPerS = 0.1, MaxCopyGbPerS = 100_000;

    /// <summary>
    /// A kernel path's fixed cost, ns: 10 us is far above any of them (the presets' are 15 ns to
    /// 2 us). The tasks run for the migration's simulated duration, so a path costed in seconds
    /// would have them make billions of accesses: the bounds keep a run's work proportionate
    /// (the slowest machine they allow still runs `run`'s default job in seconds).
    /// </summary>
    public const double MaxCostNs = 10_000;

    /// <summary>A wait for writeback may be a slow disk's: up to 100 ms.</summary>
    public const double MaxWritebackWaitNs = 100_000_000;

    internal static UsageException Problem(string source, int line, string problem) => new($"{source}:{line}: {problem}");

    /// <summary>Field access that names the file and line of what is wrong.</summary>
    private sealed class Reader(string source)
    {
        public MachineYaml.Node Field(MachineYaml.Mapping map, string key) =>
            map.Get(key) ?? throw Problem(source, map.Line, $"missing field '{key}'");

        public void Known(MachineYaml.Mapping map, string what, string[] fields)
        {
            foreach (var (key, line, _) in map.Entries)
            {
                if (!fields.Contains(key, StringComparer.Ordinal))
                {
                    throw Problem(source, line, $"unknown field '{key}' in {what} (expected {string.Join(", ", fields)})");
                }
            }
        }

        public string String(MachineYaml.Mapping map, string key) =>
            Field(map, key) is MachineYaml.Scalar { Text.Length: > 0 } value ? value.Text : throw Problem(source, Field(map, key).Line, $"'{key}' must be a non-empty string");

        public double Number(MachineYaml.Node node, string what, bool whole = false, double max = double.MaxValue)
        {
            if (node is not MachineYaml.Scalar { Text: var text } scalar)
            {
                throw Problem(source, node.Line, $"{what} must be a number");
            }
            if (scalar.Quoted)
            {
                throw Problem(source, node.Line, $"{what} must be a number, not the string '{text}' (write numbers without quotes)");
            }
            double value;
            if (YamlSpecial(text) is { } special)
            {
                value = special;
            }
            else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                throw Problem(source, node.Line, $"{what} must be a number (was '{text}')");
            }
            if (!double.IsFinite(value) || value < 0)
            {
                throw Problem(source, node.Line, $"{what} must be a finite number of 0 or more (was {text})");
            }
            if (whole && (value != Math.Floor(value) || value > int.MaxValue))
            {
                throw Problem(source, node.Line, $"{what} must be a whole number (was {text})");
            }
            if (value > max)
            {
                throw Problem(source, node.Line, $"{what} must be at most {max.ToString("N0", CultureInfo.InvariantCulture)} (was {text})");
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

        public double[] Row(MachineYaml.Node node, string what, int nodes, double min, double max)
        {
            if (node is not MachineYaml.Sequence row)
            {
                throw Problem(source, node.Line, $"{what} must be a list of {nodes} numbers (one per node)");
            }
            if (row.Items.Count != nodes)
            {
                throw Problem(source, node.Line, $"{what} has {row.Items.Count} numbers, the machine has {nodes} nodes: the table must be square");
            }
            return [.. row.Items.Select((v, j) =>
            {
                double x = Number(v, $"{what}[{j}]", max: max);
                return x < min ? throw Problem(source, v.Line, $"{what}[{j}] must be at least {min.ToString(CultureInfo.InvariantCulture)} (was {x.ToString(CultureInfo.InvariantCulture)})") : x;
            })];
        }

        public double[][] Table(MachineYaml.Node node, string key, int nodes, double min, double max)
        {
            if (node is not MachineYaml.Sequence rows)
            {
                throw Problem(source, node.Line, $"{key} must be a table: a list of {nodes} rows of {nodes} numbers");
            }
            if (rows.Items.Count != nodes)
            {
                throw Problem(source, node.Line, $"{key} has {rows.Items.Count} rows, the machine has {nodes} nodes: the table must be square");
            }
            return [.. rows.Items.Select((r, i) => Row(r, $"{key}[{i}]", nodes, min, max))];
        }

        /// <summary>The SLIT distances derived from the latencies (10 x latency(i, j) / latency(i, i)) must be valid ones, at most 255.</summary>
        public void DerivedDistances(MachineYaml.Node node, double[][] latency)
        {
            var rows = ((MachineYaml.Sequence)node).Items;
            for (int i = 0; i < latency.Length; i++)
            {
                for (int j = 0; j < latency.Length; j++)
                {
                    if (i != j && Math.Round(10 * latency[i][j] / latency[i][i]) > 255)
                    {
                        var cell = ((MachineYaml.Sequence)rows[i]).Items[j];
                        throw Problem(source, cell.Line, $"latency_ns[{i}][{j}] is more than 25.5 x its row's local latency ({latency[i][i].ToString(CultureInfo.InvariantCulture)} ns): the SLIT distance derived from it, 10 x latency(i, j) / latency(i, i), must be at most 255");
                    }
                }
            }
        }
    }
}
