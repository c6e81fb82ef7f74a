namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>The mempolicy modes of mbind(2).</summary>
public enum MemPolicyMode
{
    Default = 0,
    Preferred = 1,
    Bind = 2,
    Interleave = 3,
}

/// <summary>A range's memory policy: a mode and its node set.</summary>
public sealed record MemPolicy(MemPolicyMode Mode, IReadOnlyList<int> Nodes)
{
    public static MemPolicy Default { get; } = new(MemPolicyMode.Default, []);

    /// <summary>Whether a page on <paramref name="node"/> already follows the policy (mbind moves the others).</summary>
    public bool Allows(int node) => Mode == MemPolicyMode.Default || Nodes.Count == 0 || Nodes.Contains(node);

    /// <summary>The node a page at <paramref name="index"/> should live on.</summary>
    public int NodeFor(long index, int homeNode) => Mode switch
    {
        MemPolicyMode.Default => homeNode,
        _ when Nodes.Count == 0 => homeNode,
        MemPolicyMode.Interleave => Nodes[(int)(index % Nodes.Count)],
        _ => Nodes.Contains(homeNode) ? homeNode : Nodes[0],
    };
}
