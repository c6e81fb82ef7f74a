namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>Names one page-table entry: an address space and a virtual page in it.</summary>
public readonly record struct PteRef(int Space, long VirtualPage)
{
    public override string ToString() => $"as{Space}:{VirtualPage}";
}
