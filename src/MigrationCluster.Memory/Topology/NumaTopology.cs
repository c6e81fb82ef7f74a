using System.Globalization;
using System.Text.RegularExpressions;

namespace MigrationCluster.Memory.Topology;

/// <summary>
/// NUMA nodes and their SLIT distance matrix: 10 on the diagonal, 10..254 between reachable
/// nodes, 255 for unreachable. The matrix need not be symmetric.
/// </summary>
public sealed partial class NumaTopology
{
    public const int LocalDistance = 10;
    public const int UnreachableDistance = 255;
    public const long DefaultSizeMb = 1024;

    /// <summary>MAX_NUMNODES with CONFIG_NODES_SHIFT=10, as distribution kernels build: node ids are 0..1023.</summary>
    public const int MaxNumNodes = 1024;

    private readonly Dictionary<int, int> _indexOf;
    private readonly int[,] _distance;
    private readonly Lazy<Dictionary<int, int[]>> _zonelists;

    public NumaTopology(IReadOnlyList<NumaNodeInfo> nodes, int[,] distances)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(distances);
        if (nodes.Count == 0)
        {
            throw new ArgumentException("a topology needs at least one node", nameof(nodes));
        }

        if (distances.GetLength(0) != nodes.Count || distances.GetLength(1) != nodes.Count)
        {
            throw new ArgumentException($"distance matrix must be {nodes.Count}x{nodes.Count}", nameof(distances));
        }

        Nodes = nodes;
        _indexOf = new Dictionary<int, int>(nodes.Count);
        for (int i = 0; i < nodes.Count; i++)
        {
            if (!_indexOf.TryAdd(nodes[i].Id, i))
            {
                throw new ArgumentException($"node {nodes[i].Id} listed twice", nameof(nodes));
            }
        }

        for (int i = 0; i < nodes.Count; i++)
        {
            for (int j = 0; j < nodes.Count; j++)
            {
                string? problem = CheckDistance(i == j, distances[i, j]);
                if (problem is not null)
                {
                    throw new ArgumentException($"distance {nodes[i].Id}->{nodes[j].Id}: {problem}", nameof(distances));
                }
            }
        }

        _distance = (int[,])distances.Clone();
        _zonelists = new Lazy<Dictionary<int, int[]>>(() => Zonelists.Build(this));
    }

    public IReadOnlyList<NumaNodeInfo> Nodes { get; }

    public int NodeCount => Nodes.Count;

    /// <summary>The highest node id plus one: the size of arrays indexed by node id.</summary>
    public int NodeIdLimit => Nodes.Max(n => n.Id) + 1;

    public bool Contains(int nodeId) => _indexOf.ContainsKey(nodeId);

    public NumaNodeInfo Node(int nodeId) => Nodes[IndexOf(nodeId)];

    public int Distance(int from, int to) => _distance[IndexOf(from), IndexOf(to)];

    /// <summary>
    /// The node's fallback list (its zonelist): the nodes with memory in the order the page
    /// allocator tries them for a task on <paramref name="nodeId"/>, as build_zonelists and
    /// find_next_best_node order them. A node without memory is not in any list, its own included.
    /// </summary>
    public IReadOnlyList<int> FallbackOrder(int nodeId) => _zonelists.Value.TryGetValue(nodeId, out int[]? order)
        ? order
        : throw new ArgumentOutOfRangeException(nameof(nodeId), nodeId, "no such node");

    /// <summary>The distance matrix as rows, in the order of <see cref="Nodes"/>.</summary>
    public int[][] DistanceRows()
    {
        var rows = new int[NodeCount][];
        for (int i = 0; i < NodeCount; i++)
        {
            rows[i] = new int[NodeCount];
            for (int j = 0; j < NodeCount; j++)
            {
                rows[i][j] = _distance[i, j];
            }
        }

        return rows;
    }

    /// <summary>A topology of <paramref name="nodeCount"/> nodes, 10 local and <paramref name="remote"/> elsewhere.</summary>
    public static NumaTopology Uniform(int nodeCount, int remote = 20, long sizeMb = DefaultSizeMb)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, 1);
        var nodes = new NumaNodeInfo[nodeCount];
        var d = new int[nodeCount, nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            nodes[i] = new NumaNodeInfo(i, [i], sizeMb, sizeMb);
            for (int j = 0; j < nodeCount; j++)
            {
                d[i, j] = i == j ? LocalDistance : remote;
            }
        }

        return new NumaTopology(nodes, d);
    }

    /// <summary>
    /// Parses what <c>numactl --hardware</c> prints. Text that is not numactl's but one of the
    /// sysfs distance forms (see <see cref="Parse"/>) is read as that, so every caller accepts
    /// what people paste.
    /// </summary>
    public static NumaTopology ParseNumactlHardware(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = Lines(text);
        if (!LooksLikeNumactl(lines) && SysfsDistanceParser.Recognises(lines))
        {
            return SysfsDistanceParser.Parse(text, null, null);
        }

        int? declared = null;
        var cpus = new Dictionary<int, IReadOnlyList<int>>();
        var size = new Dictionary<int, long>();
        var free = new Dictionary<int, long>();
        var order = new List<int>();
        int[]? header = null;
        var rows = new Dictionary<int, int[]>();
        bool inDistances = false;
        int distancesLine = 0;

        for (int n = 0; n < lines.Length; n++)
        {
            int lineNo = n + 1;
            string line = lines[n];
            if (line.Length == 0)
            {
                continue;
            }

            Match m;
            if ((m = AvailableRegex().Match(line)).Success)
            {
                declared = ParseInt(m.Groups[1].Value, lineNo, "node count");
                continue;
            }

            if ((m = CpusRegex().Match(line)).Success)
            {
                int id = ParseInt(m.Groups[1].Value, lineNo, "node id");
                var list = new List<int>();
                foreach (string c in m.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    list.Add(ParseInt(c, lineNo, "cpu number"));
                }

                if (!cpus.TryAdd(id, list))
                {
                    throw new TopologyFormatException(lineNo, $"node {id} cpus listed twice");
                }

                order.Add(id);
                continue;
            }

            if ((m = SizeRegex().Match(line)).Success)
            {
                int id = ParseInt(m.Groups[1].Value, lineNo, "node id");
                long mb = ParseLong(m.Groups[3].Value, lineNo, "memory size");
                var target = m.Groups[2].Value == "size" ? size : free;
                if (!target.TryAdd(id, mb))
                {
                    throw new TopologyFormatException(lineNo, $"node {id} {m.Groups[2].Value} listed twice");
                }

                continue;
            }

            if (line == "node distances:")
            {
                inDistances = true;
                distancesLine = lineNo;
                continue;
            }

            if (line == "No distance information available.")
            {
                continue;
            }

            if (inDistances && header is null && line.StartsWith("node", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                header = new int[parts.Length - 1];
                for (int i = 1; i < parts.Length; i++)
                {
                    header[i - 1] = ParseInt(parts[i], lineNo, "node id in distance header");
                }

                continue;
            }

            if (inDistances && header is not null && (m = RowRegex().Match(line)).Success)
            {
                int id = ParseInt(m.Groups[1].Value, lineNo, "node id");
                string[] parts = m.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length != header.Length)
                {
                    throw new TopologyFormatException(lineNo, $"distance row for node {id} has {parts.Length} values, header has {header.Length}");
                }

                var row = new int[parts.Length];
                for (int i = 0; i < parts.Length; i++)
                {
                    row[i] = ParseInt(parts[i], lineNo, "distance");
                    string? problem = CheckDistance(id == header[i], row[i]);
                    if (problem is not null)
                    {
                        throw new TopologyFormatException(lineNo, $"distance {id}->{header[i]}: {problem}");
                    }
                }

                if (!rows.TryAdd(id, row))
                {
                    throw new TopologyFormatException(lineNo, $"distance row for node {id} listed twice");
                }

                continue;
            }

            throw new TopologyFormatException(lineNo, $"unrecognised line '{Shorten(line)}'");
        }

        if (order.Count == 0)
        {
            throw new TopologyFormatException(0, "no 'node N cpus:' lines");
        }

        if (declared is int d && d != order.Count)
        {
            throw new TopologyFormatException(0, $"'available' declares {d} nodes but {order.Count} are described");
        }

        var nodes = new NumaNodeInfo[order.Count];
        for (int i = 0; i < order.Count; i++)
        {
            int id = order[i];
            if (!size.TryGetValue(id, out long mb))
            {
                throw new TopologyFormatException(0, $"node {id} has no size line");
            }

            nodes[i] = new NumaNodeInfo(id, cpus[id], mb, free.GetValueOrDefault(id, mb));
        }

        var matrix = new int[order.Count, order.Count];
        if (header is null)
        {
            if (order.Count > 1)
            {
                throw new TopologyFormatException(distancesLine, "no distance table for a multi-node machine");
            }

            matrix[0, 0] = LocalDistance;
            return new NumaTopology(nodes, matrix);
        }

        for (int i = 0; i < order.Count; i++)
        {
            if (!rows.TryGetValue(order[i], out int[]? row))
            {
                throw new TopologyFormatException(distancesLine, $"distance table has no row for node {order[i]}");
            }

            for (int j = 0; j < order.Count; j++)
            {
                int col = Array.IndexOf(header, order[j]);
                if (col < 0)
                {
                    throw new TopologyFormatException(distancesLine, $"distance table has no column for node {order[j]}");
                }

                matrix[i, j] = row[col];
            }
        }

        return new NumaTopology(nodes, matrix);
    }

    /// <summary>
    /// Parses sysfs distances in any of the forms people paste (see <see cref="SysfsDistanceParser"/>):
    /// <c>grep . /sys/devices/system/node/node*/distance</c>, <c>head</c> of those files, or bare
    /// rows as <c>cat</c> prints them. Nodes get <see cref="DefaultSizeMb"/> unless sizes are given.
    /// </summary>
    public static NumaTopology ParseSysfsDistances(string text, IReadOnlyDictionary<int, long>? sizeMb = null) =>
        SysfsDistanceParser.Parse(text, null, sizeMb);

    /// <summary>
    /// Parses <c>cat /sys/devices/system/node/node*/distance</c>: one bare row of distances per
    /// node. The nodes are 0..n-1, or <paramref name="nodeIds"/> (the columns, in ascending order).
    /// </summary>
    public static NumaTopology ParseDistanceRows(string text, IReadOnlyList<int>? nodeIds = null, IReadOnlyDictionary<int, long>? sizeMb = null) =>
        SysfsDistanceParser.Parse(text, nodeIds, sizeMb);

    /// <summary>
    /// Parses a topology as a user would paste it: <c>numactl --hardware</c> output, or any form
    /// of the sysfs distance files. CRLF, a byte-order mark, tabs, blank lines and the command
    /// line itself are allowed. <paramref name="nodeIds"/> names the nodes of bare distance rows.
    /// </summary>
    public static NumaTopology Parse(string text, IReadOnlyList<int>? nodeIds = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = Lines(text);
        if (LooksLikeNumactl(lines) && nodeIds is not null)
        {
            throw new TopologyFormatException(0, "numactl's output names its nodes itself; node ids are for bare distance rows");
        }

        return !LooksLikeNumactl(lines) && SysfsDistanceParser.Recognises(lines)
            ? SysfsDistanceParser.Parse(text, nodeIds, null)
            : ParseNumactlHardware(text);
    }

    private static bool LooksLikeNumactl(string[] lines) =>
        lines.Any(l => CpusRegex().IsMatch(l) || AvailableRegex().IsMatch(l) || l == "node distances:");

    /// <summary>
    /// The input's lines, numbered as the user sees them: CRLF and CR ends, a byte-order mark,
    /// tabs and no-break spaces normalised, and a pasted shell command line blanked.
    /// </summary>
    internal static string[] Lines(string text)
    {
        string[] lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Replace('\t', ' ').Replace('\u00A0', ' ').Trim();
            lines[i] = CommandLineRegex().IsMatch(line) ? string.Empty : line;
        }

        return lines;
    }

    private int IndexOf(int nodeId) => _indexOf.TryGetValue(nodeId, out int i)
        ? i
        : throw new ArgumentOutOfRangeException(nameof(nodeId), nodeId, "no such node");

    internal static string? CheckDistance(bool diagonal, int value)
    {
        if (diagonal)
        {
            return value == LocalDistance ? null : $"local distance must be {LocalDistance}, got {value}";
        }

        return value is >= LocalDistance and <= UnreachableDistance ? null : $"remote distance must be 10..255, got {value}";
    }

    internal static int ParseInt(string s, int lineNo, string what) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new TopologyFormatException(lineNo, $"bad {what} '{Shorten(s)}'");

    internal static long ParseLong(string s, int lineNo, string what) =>
        long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new TopologyFormatException(lineNo, $"bad {what} '{Shorten(s)}'");

    internal static string Shorten(string s) => s.Length <= 40 ? s : string.Concat(s.AsSpan(0, 40), "...");

    [GeneratedRegex(@"^available:\s+(\S+)\s+nodes?\b.*$")]
    private static partial Regex AvailableRegex();

    [GeneratedRegex(@"^node\s+(\S+)\s+cpus:\s*(.*)$")]
    private static partial Regex CpusRegex();

    [GeneratedRegex(@"^node\s+(\S+)\s+(size|free):\s+(\S+)\s+MB$")]
    private static partial Regex SizeRegex();

    [GeneratedRegex(@"^(\S+):\s+(.*)$")]
    private static partial Regex RowRegex();

    // A shell prompt and command pasted with the output: "$ numactl -H", "root@host:~# cat ...".
    [GeneratedRegex(@"^(?:.*?[$#%>]\s*)?(?:sudo\s+)?(?:numactl|cat|grep|head|tail|for|while)(?:\s|$)")]
    private static partial Regex CommandLineRegex();
}
