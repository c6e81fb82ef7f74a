namespace MigrationCluster.Memory.Topology;

/// <summary>
/// Generated machines, for experiments that want a shape rather than a real machine's SLIT.
/// Every matrix is a valid SLIT for 1..<see cref="MaxNodes"/> nodes: 10 on the diagonal,
/// 11..254 elsewhere, symmetric. Nodes are 0..N-1, each with one CPU and
/// <see cref="NumaTopology.DefaultSizeMb"/> of memory.
/// </summary>
public static class SlitGenerator
{
    public const int MaxNodes = NumaTopology.MaxNumNodes;

    /// <summary>The largest distance a generated matrix uses (255 means unreachable).</summary>
    public const int MaxRemoteDistance = NumaTopology.UnreachableDistance - 1;

    public const int SocketLocalDistance = 16;
    public const int CrossSocketDistance = 32;
    public const int MinNodesPerSocket = 4;
    public const int MaxNodesPerSocket = 8;

    // One hop costs 12 + 4 per hop, as the project's default ring always has; past 60 hops that
    // would leave the SLIT range, so longer rings and meshes spread 13..254 over their hops.
    private const int HopBase = 12;
    private const int PerHop = 4;

    public static NumaTopology Generate(SlitShape shape, int nodes) => shape switch
    {
        SlitShape.Ring => Ring(nodes),
        SlitShape.Sockets => Sockets(nodes),
        SlitShape.Mesh => Mesh(nodes),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "no such shape"),
    };

    /// <summary>
    /// Nodes on a ring: 10 locally and 12 + 4 per hop elsewhere (the shortest way round). Four
    /// nodes give 10 / 16 / 20, the shape of a four-socket server where two sockets are one hop away.
    /// </summary>
    public static NumaTopology Ring(int nodes)
    {
        CheckNodes(nodes);
        int maxHops = nodes / 2;
        return Build(nodes, (i, j) =>
        {
            int hops = Math.Min(Math.Abs(i - j), nodes - Math.Abs(i - j));
            return HopDistance(hops, maxHops);
        });
    }

    /// <summary>
    /// Sockets of <paramref name="nodesPerSocket"/> nodes (4..8; by default
    /// <see cref="DefaultNodesPerSocket"/>): 10 local, 16 within a socket, 32 across sockets.
    /// </summary>
    public static NumaTopology Sockets(int nodes, int? nodesPerSocket = null)
    {
        CheckNodes(nodes);
        int perSocket = nodesPerSocket ?? DefaultNodesPerSocket(nodes);
        ArgumentOutOfRangeException.ThrowIfLessThan(perSocket, MinNodesPerSocket, nameof(nodesPerSocket));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(perSocket, MaxNodesPerSocket, nameof(nodesPerSocket));
        return Build(nodes, (i, j) => i / perSocket == j / perSocket ? SocketLocalDistance : CrossSocketDistance);
    }

    /// <summary>
    /// Nodes on a grid ceil(sqrt(N)) wide, filled row by row: 12 + 4 per hop of Manhattan
    /// distance (scaled into 13..254 when the grid is too wide for that).
    /// </summary>
    public static NumaTopology Mesh(int nodes)
    {
        CheckNodes(nodes);
        int width = (int)Math.Ceiling(Math.Sqrt(nodes));
        int rows = (nodes + width - 1) / width;
        int maxHops = Math.Min(nodes - 1, width - 1 + rows - 1);
        return Build(nodes, (i, j) => HopDistance(Math.Abs((i % width) - (j % width)) + Math.Abs((i / width) - (j / width)), maxHops));
    }

    /// <summary>
    /// The socket size <see cref="Sockets"/> uses for <paramref name="nodes"/> nodes: the
    /// smallest of 4..8 that divides them into two or more sockets; else up to 8 nodes are one
    /// socket, and more are sockets of 4 with a smaller last one.
    /// </summary>
    public static int DefaultNodesPerSocket(int nodes)
    {
        if (nodes <= MinNodesPerSocket)
        {
            return MinNodesPerSocket;
        }

        for (int size = MinNodesPerSocket; size <= MaxNodesPerSocket; size++)
        {
            if (nodes % size == 0 && nodes > size)
            {
                return size;
            }
        }

        return nodes <= MaxNodesPerSocket ? nodes : MinNodesPerSocket;
    }

    /// <summary>12 + 4 per hop while that stays in the SLIT range, else hops spread over 13..254.</summary>
    private static int HopDistance(int hops, int maxHops)
    {
        if (hops == 0)
        {
            return NumaTopology.LocalDistance;
        }

        if (HopBase + (PerHop * maxHops) <= MaxRemoteDistance)
        {
            return HopBase + (PerHop * hops);
        }

        // Monotonic in hops, 13 for one hop (at most), 254 for the farthest.
        return HopBase + 1 + (int)((long)(MaxRemoteDistance - HopBase - 1) * (hops - 1) / Math.Max(1, maxHops - 1));
    }

    private static NumaTopology Build(int nodes, Func<int, int, int> distance)
    {
        var infos = new NumaNodeInfo[nodes];
        var matrix = new int[nodes, nodes];
        for (int i = 0; i < nodes; i++)
        {
            infos[i] = new NumaNodeInfo(i, [i], NumaTopology.DefaultSizeMb, NumaTopology.DefaultSizeMb);
            for (int j = 0; j < nodes; j++)
            {
                matrix[i, j] = i == j ? NumaTopology.LocalDistance : distance(i, j);
            }
        }

        return new NumaTopology(infos, matrix);
    }

    private static void CheckNodes(int nodes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodes, MaxNodes);
    }
}
