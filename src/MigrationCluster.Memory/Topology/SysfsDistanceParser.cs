using System.Text.RegularExpressions;

namespace MigrationCluster.Memory.Topology;

/// <summary>
/// Reads /sys/devices/system/node/nodeN/distance files in the three forms a shell prints them:
/// <list type="bullet">
/// <item><c>grep . /sys/devices/system/node/node*/distance</c>: <c>.../node0/distance:10 21</c>;</item>
/// <item><c>head /sys/devices/system/node/node*/distance</c>: a <c>==&gt; .../node0/distance &lt;==</c> line, then the row;</item>
/// <item><c>cat /sys/devices/system/node/node*/distance</c>: bare rows, one per node.</item>
/// </list>
/// Each file lists the distances to every online node in ascending id order. Bare rows carry no
/// id: a row belongs to the node whose column holds its local distance 10, so rows in the
/// shell's glob order (node0, node1, node10, node11, ..., node2) are put back in node order.
/// </summary>
internal static partial class SysfsDistanceParser
{
    private readonly record struct Row(int Line, int Id, int[] Values);

    /// <summary>Whether the lines are one of the sysfs forms (any named row, or only rows of numbers).</summary>
    public static bool Recognises(string[] lines)
    {
        var content = lines.Where(l => l.Length > 0).ToList();
        return content.Count > 0
            && (content.Any(l => GrepRegex().IsMatch(l) || HeadRegex().IsMatch(l)) || content.All(l => BareRowRegex().IsMatch(l)));
    }

    public static NumaTopology Parse(string text, IReadOnlyList<int>? nodeIds, IReadOnlyDictionary<int, long>? sizeMb)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = NumaTopology.Lines(text);
        bool named = lines.Any(l => GrepRegex().IsMatch(l) || HeadRegex().IsMatch(l));
        List<Row> rows = named ? NamedRows(lines) : BareRows(lines);
        if (rows.Count == 0)
        {
            throw new TopologyFormatException(0, "no node distance rows");
        }

        if (rows.Count > NumaTopology.MaxNumNodes)
        {
            throw new TopologyFormatException(rows[NumaTopology.MaxNumNodes].Line, $"{rows.Count} distance rows: a topology has at most {NumaTopology.MaxNumNodes} nodes");
        }

        int[] ids;
        if (named)
        {
            ids = [.. rows.Select(r => r.Id).Order()];
            if (nodeIds is not null && !nodeIds.Order().SequenceEqual(ids))
            {
                throw new TopologyFormatException(0, $"the rows name nodes {string.Join(",", ids)}, but the node ids given are {string.Join(",", nodeIds)}");
            }
        }
        else
        {
            ids = nodeIds is null ? [.. Enumerable.Range(0, rows.Count)] : [.. nodeIds.Order()];
            if (ids.Length != rows.Count || ids.Distinct().Count() != ids.Length || ids.Any(id => id is < 0 or >= NumaTopology.MaxNumNodes))
            {
                throw new TopologyFormatException(0, nodeIds is null
                    ? "bare distance rows need one row per node"
                    : $"{rows.Count} distance rows, but {nodeIds.Count} node ids given ({string.Join(",", nodeIds)}); give one distinct id 0..{NumaTopology.MaxNumNodes - 1} per row");
            }

            rows = AssignBareRows(rows, ids);
        }

        return Build(rows, ids, sizeMb);
    }

    /// <summary>grep's "path:row" lines and head's "==&gt; path &lt;==" headers, each followed by its row.</summary>
    private static List<Row> NamedRows(string[] lines)
    {
        var rows = new List<Row>();
        int? pendingId = null;
        int pendingLine = 0;
        for (int n = 0; n < lines.Length; n++)
        {
            int lineNo = n + 1;
            string line = lines[n];
            if (line.Length == 0)
            {
                continue;
            }

            Match m;
            if ((m = HeadRegex().Match(line)).Success)
            {
                if (pendingId is int id)
                {
                    throw new TopologyFormatException(pendingLine, $"node {id} has no distances");
                }

                pendingId = NumaTopology.ParseInt(m.Groups[1].Value, lineNo, "node id");
                pendingLine = lineNo;
                continue;
            }

            if ((m = GrepRegex().Match(line)).Success)
            {
                int id = NumaTopology.ParseInt(m.Groups[1].Value, lineNo, "node id");
                rows.Add(new Row(lineNo, id, Values(m.Groups[2].Value, lineNo, id)));
                continue;
            }

            if (pendingId is int headed && BareRowRegex().IsMatch(line))
            {
                rows.Add(new Row(lineNo, headed, Values(line, lineNo, headed)));
                pendingId = null;
                continue;
            }

            throw new TopologyFormatException(lineNo, $"expected 'nodeN/distance:<distances>', got '{NumaTopology.Shorten(line)}'");
        }

        if (pendingId is int last)
        {
            throw new TopologyFormatException(pendingLine, $"node {last} has no distances");
        }

        foreach (var duplicate in rows.GroupBy(r => r.Id).Where(g => g.Count() > 1))
        {
            throw new TopologyFormatException(duplicate.Skip(1).First().Line, $"node {duplicate.Key} listed twice");
        }

        return rows;
    }

    private static List<Row> BareRows(string[] lines)
    {
        var rows = new List<Row>();
        for (int n = 0; n < lines.Length; n++)
        {
            if (lines[n].Length == 0)
            {
                continue;
            }

            if (!BareRowRegex().IsMatch(lines[n]))
            {
                throw new TopologyFormatException(n + 1, $"expected a row of distances, got '{NumaTopology.Shorten(lines[n])}'");
            }

            rows.Add(new Row(n + 1, -1, Values(lines[n], n + 1, null)));
        }

        return rows;
    }

    /// <summary>
    /// Gives each bare row its node: the k-th row is node ids[k] when every row has its 10 on the
    /// diagonal; otherwise the row whose only 10 is in column c is node ids[c] (glob order).
    /// </summary>
    private static List<Row> AssignBareRows(List<Row> rows, int[] ids)
    {
        foreach (Row row in rows.Where(r => r.Values.Length != ids.Length))
        {
            throw new TopologyFormatException(row.Line, $"a row has {row.Values.Length} distances for {ids.Length} nodes");
        }

        if (rows.Select((r, k) => r.Values[k] == NumaTopology.LocalDistance).All(x => x))
        {
            return [.. rows.Select((r, k) => r with { Id = ids[k] })];
        }

        var byColumn = new Row?[ids.Length];
        foreach (Row row in rows)
        {
            int[] local = [.. Enumerable.Range(0, ids.Length).Where(c => row.Values[c] == NumaTopology.LocalDistance)];
            if (local.Length != 1)
            {
                throw new TopologyFormatException(row.Line, local.Length == 0
                    ? $"the row has no local distance {NumaTopology.LocalDistance}"
                    : $"the row has {NumaTopology.LocalDistance} in {local.Length} columns, so its node cannot be told (give the rows in node order)");
            }

            if (byColumn[local[0]] is Row other)
            {
                throw new TopologyFormatException(row.Line, $"the row has its local distance in column {local[0]}, as the row on line {other.Line} does");
            }

            byColumn[local[0]] = row with { Id = ids[local[0]] };
        }

        return [.. byColumn.Select(r => r!.Value)];
    }

    private static NumaTopology Build(List<Row> rows, int[] ids, IReadOnlyDictionary<int, long>? sizeMb)
    {
        var byId = rows.ToDictionary(r => r.Id);
        var matrix = new int[ids.Length, ids.Length];
        var nodes = new NumaNodeInfo[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            Row row = byId[ids[i]];
            if (row.Values.Length != ids.Length)
            {
                throw new TopologyFormatException(row.Line, $"node {ids[i]} has {row.Values.Length} distances for {ids.Length} nodes");
            }

            for (int j = 0; j < ids.Length; j++)
            {
                string? problem = NumaTopology.CheckDistance(i == j, row.Values[j]);
                if (problem is not null)
                {
                    throw new TopologyFormatException(row.Line, $"distance {ids[i]}->{ids[j]}: {problem}");
                }

                matrix[i, j] = row.Values[j];
            }

            long mb = sizeMb is not null && sizeMb.TryGetValue(ids[i], out long s) ? s : NumaTopology.DefaultSizeMb;
            nodes[i] = new NumaNodeInfo(ids[i], [], mb, mb);
        }

        return new NumaTopology(nodes, matrix);
    }

    private static int[] Values(string text, int lineNo, int? id)
    {
        string[] parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new TopologyFormatException(lineNo, id is int n ? $"node {n} has no distances" : "a row has no distances");
        }

        return [.. parts.Select(p => NumaTopology.ParseInt(p, lineNo, "distance"))];
    }

    [GeneratedRegex(@"(?:^|/)node(\d+)/distance:\s*(.*)$")]
    private static partial Regex GrepRegex();

    [GeneratedRegex(@"^==>\s*(?:\S*/)?node(\d+)/distance\s*<==$")]
    private static partial Regex HeadRegex();

    [GeneratedRegex(@"^\d+(?: +\d+)*$")]
    private static partial Regex BareRowRegex();
}
