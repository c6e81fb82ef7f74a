namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>
/// The policy of a shared memory object (struct shared_policy in shmem_inode_info): ranges of
/// page indexes of the object, each with its policy. It belongs to the object, not to a mapping:
/// mbind on any process's mapping of it sets it (vma_replace_policy calls shmem_set_policy), and
/// every mapper's faults read it (shmem_get_policy), so they all place pages alike.
/// </summary>
public sealed class SharedPolicy
{
    private readonly List<(long Start, long End, MemPolicy Policy)> _ranges = [];

    /// <summary>The ranges, in index order (for snapshots and checks).</summary>
    public IReadOnlyList<(long Start, long End, MemPolicy Policy)> Ranges => _ranges;

    /// <summary>
    /// mpol_set_shared_policy over [<paramref name="start"/>, <paramref name="end"/>): the
    /// ranges there are cut away (shared_policy_replace) and, unless <paramref name="policy"/>
    /// is null (MPOL_DEFAULT), the new one takes their place.
    /// </summary>
    public void Set(long start, long end, MemPolicy? policy)
    {
        for (int i = _ranges.Count - 1; i >= 0; i--)
        {
            var (s, e, p) = _ranges[i];
            if (e <= start || s >= end)
            {
                continue;
            }

            _ranges.RemoveAt(i);
            if (s < start)
            {
                _ranges.Add((s, start, p));
            }

            if (e > end)
            {
                _ranges.Add((end, e, p));
            }
        }

        if (policy is not null)
        {
            _ranges.Add((start, end, policy));
        }

        _ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
    }

    /// <summary>mpol_shared_policy_lookup: the policy of the range holding <paramref name="index"/>, or null.</summary>
    public MemPolicy? Lookup(long index)
    {
        foreach (var (s, e, p) in _ranges)
        {
            if (index >= s && index < e)
            {
                return p;
            }
        }

        return null;
    }
}
