namespace MigrationCluster.Memory.Topology;

/// <summary>The shapes of machine <see cref="SlitGenerator"/> builds.</summary>
public enum SlitShape
{
    /// <summary>Nodes on a ring: 12 + 4 per hop (four nodes: 10 / 16 / 20).</summary>
    Ring,

    /// <summary>Sockets of 4 to 8 nodes: 10 local, 16 within a socket, 32 across sockets.</summary>
    Sockets,

    /// <summary>Nodes on a 2-D grid, by hop count (Manhattan distance).</summary>
    Mesh,
}
