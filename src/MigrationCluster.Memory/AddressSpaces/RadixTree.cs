using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>
/// A file mapping's page cache: index -> page, stored like the kernel's radix tree in nodes of 64
/// slots (here one level of them in a hash), with the tree lock the migration steps take.
/// </summary>
public sealed class RadixTree
{
    private const int Shift = 6;
    private const int Slots = 1 << Shift;
    private readonly Dictionary<long, ulong[]> _nodes = [];

    public RadixTree(int mapping) => Mapping = mapping;

    public int Mapping { get; }

    public int Count { get; private set; }

    /// <summary>i_size in pages: a fault at or past it is SIGBUS. Unbounded until a truncate sets it (truncate_setsize).</summary>
    public long Size { get; set; } = long.MaxValue;

    /// <summary>
    /// The address spaces that map the file MAP_PRIVATE (that part of mapping->i_mmap): truncate
    /// unmaps their copy-on-write copies past the new end too (unmap_mapping_range, even_cows).
    /// </summary>
    public SortedSet<int> PrivateMappers { get; } = [];

    /// <summary>xa_lock of the mapping, held by migration between steps 5 and 11.</summary>
    public bool Locked { get; internal set; }

    public PageRef Lookup(long index) =>
        _nodes.TryGetValue(index >> Shift, out ulong[]? node) ? PageRef.Decode(node[index & (Slots - 1)]) : PageRef.None;

    public void Insert(long index, PageRef page)
    {
        if (!_nodes.TryGetValue(index >> Shift, out ulong[]? node))
        {
            node = new ulong[Slots];
            _nodes[index >> Shift] = node;
        }

        if (node[index & (Slots - 1)] != 0)
        {
            throw new InvalidOperationException($"mapping {Mapping} index {index} is already occupied");
        }

        node[index & (Slots - 1)] = page.Encode();
        Count++;
    }

    public void Replace(long index, PageRef page)
    {
        ulong[] node = _nodes[index >> Shift];
        if (node[index & (Slots - 1)] == 0)
        {
            throw new InvalidOperationException($"mapping {Mapping} index {index} is empty");
        }

        node[index & (Slots - 1)] = page.Encode();
    }

    public bool Delete(long index)
    {
        if (!_nodes.TryGetValue(index >> Shift, out ulong[]? node) || node[index & (Slots - 1)] == 0)
        {
            return false;
        }

        node[index & (Slots - 1)] = 0;
        Count--;
        return true;
    }

    public IEnumerable<(long Index, PageRef Page)> Entries()
    {
        foreach (var (key, node) in _nodes.OrderBy(kv => kv.Key))
        {
            for (int i = 0; i < Slots; i++)
            {
                if (node[i] != 0)
                {
                    yield return ((key << Shift) + i, PageRef.Decode(node[i]));
                }
            }
        }
    }
}
