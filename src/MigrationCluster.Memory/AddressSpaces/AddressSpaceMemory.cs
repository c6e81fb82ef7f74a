using System.Runtime.CompilerServices;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>
/// One process's memory: its VMAs, its page table (virtual page -> none / present PTE /
/// migration entry, in tables of 512 entries like a PTE page) and the file mappings (radix
/// trees) it owns. The protocol steps that touch PTEs or radix trees are methods here.
/// </summary>
public sealed class AddressSpaceMemory
{
    private const int TableShift = 9;
    private const int TableEntries = 1 << TableShift;

    private readonly Dictionary<long, ulong[]> _tables = [];
    private readonly List<Vma> _vmas = [];
    private readonly Dictionary<int, RadixTree> _mappings = [];
    private readonly List<(long Start, long End, MemPolicy Policy)> _policies = [];
    private readonly Dictionary<int, SharedPolicy> _sharedPolicies = [];
    private int _nextFile;
    private long _nextVirtualPage = 0x1000;

    // The last page table used: batches walk consecutive virtual pages, so this saves the lookups.
    private long _lastTableKey = long.MinValue;
    private ulong[]? _lastTable;

    public AddressSpaceMemory(int id, int homeNode, bool privileged = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        Id = id;
        HomeNode = homeNode;
        Privileged = privileged;
    }

    public int Id { get; }

    /// <summary>The node the process runs on: where its faults allocate by default.</summary>
    public int HomeNode { get; set; }

    /// <summary>CAP_SYS_NICE: may use MPOL_MF_MOVE_ALL and move pages other processes share.</summary>
    public bool Privileged { get; set; }

    /// <summary>
    /// The memory nodes of the task's cpuset (cpuset.mems); null is the root cpuset, every node.
    /// Allocations stay inside it, and the syscalls check targets against it (move_pages -EACCES).
    /// </summary>
    public IReadOnlyList<int>? MemsAllowed { get; set; }

    /// <summary>
    /// The task policy (current->mempolicy), set by set_mempolicy(2); null is none: the system
    /// default, local allocation. It places the task's page-cache pages and, where a VMA has no
    /// policy of its own, its anonymous and shmem pages.
    /// </summary>
    public MemPolicy? TaskPolicy { get; set; }

    /// <summary>current->il_prev: the node the task's last interleaved allocation without an interleave index used.</summary>
    public int IlPrev { get; set; } = Topology.NumaTopology.MaxNumNodes - 1;

    /// <summary>current->il_weight: allocations left on <see cref="IlPrev"/> under MPOL_WEIGHTED_INTERLEAVE.</summary>
    public int IlWeight { get; set; }

    /// <summary>The process has exited (its mappings are gone): calls that name it get -ESRCH.</summary>
    public bool Exited { get; set; }

    /// <summary>
    /// An exited process its parent has not reaped yet: find_task_by_vpid still finds it, but it
    /// has no mm (exit_mm ran), so move_pages and migrate_pages on it are -EINVAL rather than -ESRCH.
    /// </summary>
    public bool Zombie { get; set; }

    public IReadOnlyList<Vma> Vmas => _vmas;

    /// <summary>The policies mbind set (vma->vm_policy), in the order they were set; later ranges override earlier ones.</summary>
    public IReadOnlyList<(long Start, long End, MemPolicy Policy)> Policies => _policies;

    public IReadOnlyDictionary<int, RadixTree> OwnedMappings => _mappings;

    /// <summary>A new file (or shmem object) whose radix tree this address space owns.</summary>
    public int CreateMapping()
    {
        if (_nextFile >= PageMapping.MaxFilesPerSpace)
        {
            throw new InvalidOperationException($"address space {Id} owns {PageMapping.MaxFilesPerSpace} mappings already");
        }

        int id = PageMapping.File(Id, _nextFile++);
        _mappings[id] = new RadixTree(id);
        return id;
    }

    public RadixTree Mapping(int mapping) => _mappings.TryGetValue(mapping, out RadixTree? t)
        ? t
        : throw new InvalidOperationException($"address space {Id} does not own mapping {mapping}");

    /// <summary>Adds a VMA at the next free virtual page (or at <paramref name="start"/>).</summary>
    public Vma AddVma(long pages, VmaKind kind, int mapping, long pgOff, bool writable, long? start = null, int folioOrder = 0, int fallbackOrders = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pages, 1);
        if ((fallbackOrders & ~((1 << folioOrder) - 2)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fallbackOrders), $"fallback orders {fallbackOrders:x} are not all between 1 and the folio order {folioOrder} - 1");
        }

        // A mapping meant for large folios starts aligned to their size, as thp_get_unmapped_area places one.
        long align = 1L << folioOrder;
        long at = start ?? ((_nextVirtualPage + align - 1) & ~(align - 1));
        var vma = new Vma(at, pages, kind, mapping, pgOff, writable) { FolioOrder = folioOrder, FallbackOrders = fallbackOrders };
        if (_vmas.Any(v => v.Start < vma.End && vma.Start < v.End))
        {
            throw new InvalidOperationException($"VMA [{vma.Start}, {vma.End}) overlaps another");
        }

        _vmas.Add(vma);
        _vmas.Sort((a, b) => a.Start.CompareTo(b.Start));
        // Leave a guard gap so that accesses just past a VMA are -EFAULT.
        _nextVirtualPage = Math.Max(_nextVirtualPage, vma.End + 16);
        return vma;
    }

    /// <summary>
    /// munmap's VMA side: removes [<paramref name="start"/>, <paramref name="end"/>) from the
    /// VMAs, splitting one that straddles an edge (a file VMA keeps its offsets). The caller zaps
    /// the PTEs first.
    /// </summary>
    public void RemoveVmaRange(long start, long end)
    {
        foreach (Vma v in _vmas.Where(v => v.End > start && v.Start < end).ToList())
        {
            _vmas.Remove(SplitVma(v, Math.Max(start, v.Start), Math.Min(end, v.End)));
        }
    }

    /// <summary>
    /// apply_vma_lock_flags and mlock_fixup: the VMAs over [<paramref name="start"/>,
    /// <paramref name="end"/>) take VM_LOCKED (<paramref name="locked"/>) and VM_LOCKONFAULT
    /// (<paramref name="onFault"/>), split where the range cuts one. The range must start in a
    /// VMA and run without holes: at a hole the VMAs before it are changed and the answer is
    /// -ENOMEM. The VMAs whose VM_LOCKED changed, and whose present pages the caller must mlock or
    /// munlock (mlock_vma_pages_range), are appended to <paramref name="changed"/>. Returns 0 or -errno.
    /// </summary>
    public int ApplyVmaLockFlags(long start, long end, bool locked, bool onFault, List<Vma> changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        if (end < start)
        {
            return -Errno.EINVAL;
        }

        if (end == start)
        {
            return 0;
        }

        if (FindVma(start) is null)
        {
            return -Errno.ENOMEM;
        }

        long next = start;
        foreach (Vma vma in _vmas.Where(v => v.End > start && v.Start < end).ToList())
        {
            if (vma.Start > next)
            {
                // A hole in the range.
                return -Errno.ENOMEM;
            }

            long to = Math.Min(vma.End, end);
            if (vma.Locked != locked || vma.LockOnFault != onFault)
            {
                Vma piece = SplitVma(vma, next, to);
                // mlock_fixup: a VMA locked already is only re-flagged (mlocking twice would be wrong).
                if (piece.Locked != locked)
                {
                    changed.Add(piece);
                }

                piece.Locked = locked;
                piece.LockOnFault = locked && onFault;
            }

            next = to;
        }

        return next < end ? -Errno.ENOMEM : 0;
    }

    /// <summary>Cuts [<paramref name="start"/>, <paramref name="end"/>) out of <paramref name="vma"/> as a VMA of its own (vma_modify's split).</summary>
    private Vma SplitVma(Vma vma, long start, long end)
    {
        if (vma.Start == start && vma.End == end)
        {
            return vma;
        }

        _vmas.Remove(vma);
        Vma piece = vma.Slice(start, end);
        _vmas.Add(piece);
        if (vma.Start < start)
        {
            _vmas.Add(vma.Slice(vma.Start, start));
        }

        if (vma.End > end)
        {
            _vmas.Add(vma.Slice(end, vma.End));
        }

        _vmas.Sort((a, b) => a.Start.CompareTo(b.Start));
        return piece;
    }

    public Vma? FindVma(long virtualPage)
    {
        foreach (Vma v in _vmas)
        {
            if (v.Contains(virtualPage))
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>
    /// dup_mmap into <paramref name="child"/> (fork): every VMA, with its policy
    /// (vma_dup_policy), and the task policy (mpol_dup); then copy_page_range for private
    /// anonymous memory (shared mappings are not copied: the child faults them in): each
    /// present PTE is write-protected in both (copy_present_pte, a COW mapping), and the child's
    /// PTEs, appended to <paramref name="childPtes"/>, each take a mapcount and a reference on
    /// their page, which the caller adds on the pages' nodes (folio_try_dup_anon_rmap_pte). The
    /// zero page is copied as it is. An exclusive anonymous page that may be DMA-pinned
    /// (<paramref name="needsCowForDma"/>, folio_needs_cow_for_dma) is not shared: the parent's
    /// PTE stays as it is, and the page goes to <paramref name="copies"/> for the caller to give
    /// the child a copy of its own (copy_present_page). Memory locks are not inherited: the
    /// child's VMAs lose VM_LOCKED and VM_LOCKONFAULT.
    /// </summary>
    public void DupMmap(AddressSpaceMemory child, List<(PteRef Pte, PageRef Page)> childPtes, Func<PageRef, bool> needsCowForDma, List<(Vma Vma, long VirtualPage, PageRef Page)> copies)
    {
        ArgumentNullException.ThrowIfNull(child);
        ArgumentNullException.ThrowIfNull(childPtes);
        ArgumentNullException.ThrowIfNull(needsCowForDma);
        ArgumentNullException.ThrowIfNull(copies);
        if (child.Vmas.Count > 0)
        {
            throw new InvalidOperationException($"address space {child.Id} already has mappings: a fork makes a fresh one");
        }

        foreach (Vma vma in _vmas)
        {
            child.AddVma(vma.Pages, vma.Kind, vma.Mapping, vma.PgOff, vma.Writable, vma.Start, vma.FolioOrder, vma.FallbackOrders);
        }

        foreach (var (start, end, policy) in _policies)
        {
            child.SetPolicy(start, end, policy);
        }

        child.TaskPolicy = TaskPolicy;
        child.IlPrev = IlPrev;
        child.IlWeight = IlWeight;
        foreach (Vma vma in _vmas.Where(v => v.Kind is VmaKind.AnonPrivate or VmaKind.FilePrivate))
        {
            for (long v = vma.Start; v < vma.End; v++)
            {
                Pte pte = GetPte(v);
                switch (pte.Kind)
                {
                    case PteKind.ZeroPage:
                        child.SetPte(v, Pte.ZeroPage);
                        break;
                    case PteKind.Present when needsCowForDma(pte.Page):
                        copies.Add((vma, v, pte.Page));
                        break;
                    case PteKind.Present:
                        SetPte(v, Pte.Present(pte.Page, writable: false, pte.Huge));
                        child.SetPte(v, Pte.Present(pte.Page, writable: false, pte.Huge));
                        childPtes.Add((new PteRef(child.Id, v), pte.Page));
                        break;
                    case PteKind.Migration:
                        throw new InvalidOperationException($"fork of {Id} while its page {pte.Page} at {v} migrates");
                }
            }
        }
    }

    /// <summary>Sets the memory policy of [start, end) (mbind); later ranges override earlier ones.</summary>
    public void SetPolicy(long start, long end, MemPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policies.Add((start, end, policy));
    }

    /// <summary>
    /// vma->vm_policy at a virtual page: the policy mbind set there, or null for none (MPOL_DEFAULT
    /// clears it), so that the task policy applies (get_vma_policy).
    /// </summary>
    public MemPolicy? VmaPolicy(long virtualPage)
    {
        MemPolicy policy = PolicyAt(virtualPage);
        return policy.Mode == MemPolicyMode.Default ? null : policy;
    }

    /// <summary>The shared policy of a shmem object this space owns (shmem_inode_info.policy).</summary>
    public SharedPolicy SharedPolicyOf(int mapping)
    {
        Mapping(mapping);
        if (!_sharedPolicies.TryGetValue(mapping, out SharedPolicy? policy))
        {
            policy = new SharedPolicy();
            _sharedPolicies[mapping] = policy;
        }

        return policy;
    }

    /// <summary>
    /// The task's cpuset nodes became <paramref name="newMems"/> (cpuset_update_task_nodemask):
    /// the task policy is rebound (mpol_rebind_task), and so is every VMA's (mpol_rebind_mm).
    /// Shared policies belong to their objects and stay.
    /// </summary>
    public void RebindPolicies(IReadOnlyList<int> newMems)
    {
        TaskPolicy = TaskPolicy?.Rebind(newMems);
        for (int i = 0; i < _policies.Count; i++)
        {
            _policies[i] = _policies[i] with { Policy = _policies[i].Policy.Rebind(newMems) };
        }
    }

    /// <summary>
    /// interleave_nodes and weighted_interleave_nodes: the node of the task's next interleaved
    /// allocation that has no interleave index (a page-cache page under the task policy), from
    /// <see cref="IlPrev"/> and <see cref="IlWeight"/>, which it advances.
    /// </summary>
    public int InterleaveNodes(MemPolicy policy, IReadOnlyList<int>? weights)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Mode == MemPolicyMode.WeightedInterleave)
        {
            int node = IlPrev;
            if (IlWeight == 0 || !policy.Nodes.Contains(node))
            {
                node = Syscalls.NodeMask.NextNodeIn(node, policy.Nodes);
                if (node == Topology.NumaTopology.MaxNumNodes)
                {
                    return node;
                }

                IlPrev = node;
                IlWeight = InterleaveWeights.Of(weights, node);
            }

            IlWeight--;
            return node;
        }

        int next = Syscalls.NodeMask.NextNodeIn(IlPrev, policy.Nodes);
        if (next < Topology.NumaTopology.MaxNumNodes)
        {
            IlPrev = next;
        }

        return next;
    }

    public MemPolicy PolicyAt(long virtualPage)
    {
        for (int i = _policies.Count - 1; i >= 0; i--)
        {
            if (virtualPage >= _policies[i].Start && virtualPage < _policies[i].End)
            {
                return _policies[i].Policy;
            }
        }

        return MemPolicy.Default;
    }

    public Pte GetPte(long virtualPage)
    {
        ulong[]? t = Table(virtualPage, create: false);
        return t is null ? Pte.None : Pte.Decode(t[virtualPage & (TableEntries - 1)]);
    }

    public void SetPte(long virtualPage, Pte pte)
    {
        ulong[]? t = Table(virtualPage, create: pte.Kind != PteKind.None);
        if (t is not null)
        {
            t[virtualPage & (TableEntries - 1)] = pte.Encode();
        }
    }

    // The page-table word of a virtual page, for the steps that read and rewrite it in one go; a null ref if no table covers it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref ulong Slot(long virtualPage)
    {
        ulong[]? t = Table(virtualPage, create: false);
        return ref t is null ? ref Unsafe.NullRef<ulong>() : ref t[virtualPage & (TableEntries - 1)];
    }

    private ulong[]? Table(long virtualPage, bool create)
    {
        long key = virtualPage >> TableShift;
        return key == _lastTableKey ? _lastTable : LookUpTable(key, create);
    }

    private ulong[]? LookUpTable(long key, bool create)
    {
        if (!_tables.TryGetValue(key, out ulong[]? t))
        {
            if (!create)
            {
                return null;
            }

            t = new ulong[TableEntries];
            _tables[key] = t;
        }

        _lastTableKey = key;
        _lastTable = t;
        return t;
    }

    /// <summary>Every non-empty PTE, in virtual-page order.</summary>
    public IEnumerable<(long VirtualPage, Pte Pte)> Ptes()
    {
        foreach (var (key, table) in _tables.OrderBy(kv => kv.Key))
        {
            for (int i = 0; i < TableEntries; i++)
            {
                if (table[i] != 0)
                {
                    yield return ((key << TableShift) + i, Pte.Decode(table[i]));
                }
            }
        }
    }

    /// <summary>
    /// zap_pte_range, PTE side: clears the PTEs of [<paramref name="start"/>, <paramref name="end"/>)
    /// and appends each present one, with its page and whether its VMA is VM_LOCKED, to
    /// <paramref name="zapped"/> in virtual-page order; the caller then munlocks the locked ones
    /// (munlock_vma_folio) and drops those rmap entries and references on the pages' nodes.
    /// </summary>
    public void ZapPteRange(long start, long end, List<(PteRef Pte, PageRef Page, bool Locked)> zapped)
    {
        ArgumentNullException.ThrowIfNull(zapped);
        // A PMD mapping cut by the range is split first (__split_huge_pmd): the rest stays mapped by PTEs.
        if ((start & (TableEntries - 1)) != 0)
        {
            SplitHugePmdAt(start);
        }

        if ((end & (TableEntries - 1)) != 0)
        {
            SplitHugePmdAt(end - 1);
        }
        foreach (Vma vma in _vmas.Where(v => v.Start < end && v.End > start).ToList())
        {
            for (long v = Math.Max(start, vma.Start); v < Math.Min(end, vma.End); v++)
            {
                Pte pte = GetPte(v);
                switch (pte.Kind)
                {
                    case PteKind.Present:
                        SetPte(v, Pte.None);
                        zapped.Add((new PteRef(Id, v), pte.Page, vma.Locked));
                        break;
                    case PteKind.ZeroPage:
                        SetPte(v, Pte.None);
                        break;
                    case PteKind.Migration:
                        throw new InvalidOperationException($"munmap of {Id}:{v} while its page {pte.Page} migrates");
                }
            }
        }
    }

    /// <summary>
    /// The folio orders a write fault at <paramref name="virtualPage"/> tries, highest first
    /// (do_huge_pmd_anonymous_page, then alloc_anon_folio): of the VMA's folio order and its
    /// fallback orders, those whose aligned range lies inside the VMA (thp_vma_suitable_orders),
    /// from the highest whose range has no PTE yet (pte_range_none) down. Empty: a base page.
    /// </summary>
    public List<int> FolioFaultOrders(Vma vma, long virtualPage)
    {
        ArgumentNullException.ThrowIfNull(vma);
        var orders = new List<int>();
        if (vma.Kind != VmaKind.AnonPrivate)
        {
            return orders;
        }

        for (int order = vma.FolioOrder; order > 0; order--)
        {
            long nr = 1L << order, start = virtualPage & ~(nr - 1);
            bool enabled = order == vma.FolioOrder || (vma.FallbackOrders & (1 << order)) != 0;
            if (enabled && start >= vma.Start && start + nr <= vma.End && (orders.Count > 0 || PteRangeNone(start, nr)))
            {
                // A lower order's range lies inside the one found unmapped: unmapped too.
                orders.Add(order);
            }
        }

        return orders;
    }

    private bool PteRangeNone(long start, long nr)
    {
        for (long v = start; v < start + nr; v++)
        {
            if (GetPte(v).Kind != PteKind.None)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Maps a fresh folio's pages at <paramref name="start"/>: by one PMD when it is PMD-sized, else by PTEs.</summary>
    public void MapFolio(long start, PageRef head, int order, bool writable)
    {
        bool pmd = order == Migration.MigrationProtocolOptions.DefaultPmdOrder;
        for (long k = 0; k < 1L << order; k++)
        {
            SetPte(start + k, Pte.Present(new PageRef(head.Node, head.Pfn + k), writable, pmd));
        }
    }

    /// <summary>split_huge_pmd of the PMD mapping that covers <paramref name="virtualPage"/>, if one does: its pages keep their frames, mapped by PTEs.</summary>
    public void SplitHugePmdAt(long virtualPage)
    {
        if (!GetPte(virtualPage).Huge)
        {
            return;
        }

        long start = virtualPage & ~(long)(TableEntries - 1);
        for (long v = start; v < start + TableEntries; v++)
        {
            SplitHugePmd(v);
        }
    }

    /// <summary>split_huge_pmd, for one page of a PMD mapping: its entry becomes an ordinary PTE (the folio's split does every page).</summary>
    public void SplitHugePmd(long virtualPage)
    {
        Pte pte = GetPte(virtualPage);
        if (pte.Huge)
        {
            SetPte(virtualPage, pte with { Huge = false });
        }
    }

    /// <summary>
    /// unmap_mapping_range(mapping, from, 0, even_cows = 1) over this space's MAP_PRIVATE VMAs
    /// of the file: every PTE at a file index from <paramref name="fromIndex"/> on is zapped,
    /// the page cache's pages and the task's private copy-on-write copies alike (appended to
    /// <paramref name="zapped"/> for the caller to drop on the pages' nodes). The VMAs stay.
    /// </summary>
    public void UnmapMappingRange(int mapping, long fromIndex, List<(PteRef Pte, PageRef Page, bool Locked)> zapped)
    {
        foreach (Vma vma in _vmas.Where(v => v.Kind == VmaKind.FilePrivate && v.Mapping == mapping).ToList())
        {
            long first = vma.Start + Math.Max(0, fromIndex - vma.PgOff);
            if (first < vma.End)
            {
                ZapPteRange(first, vma.End, zapped);
            }
        }
    }

    // ---- protocol steps ---------------------------------------------------------------------

    /// <summary>
    /// Step 4 (PTE side), try_to_migrate_one per PTE: a present PTE to the page becomes a
    /// migration entry (appended to <paramref name="converted"/>). An exclusive anonymous PTE of a
    /// page that may be DMA-pinned is left mapped: the page then stays mapped and backs out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void TryToUnmap(ReadOnlySpan<MigrationPte> ptes, ReadOnlySpan<MigrationPage> batch, List<MigrationPte> converted)
    {
        ArgumentNullException.ThrowIfNull(converted);
        foreach (ref readonly MigrationPte m in ptes)
        {
            ref readonly MigrationPage p = ref batch[m.BatchIndex];
            ref ulong slot = ref Slot(m.Pte.VirtualPage);
            Pte pte = Unsafe.IsNullRef(ref slot) ? Pte.None : Pte.Decode(slot);
            if (pte.Kind != PteKind.Present || pte.Page != p.Old)
            {
                throw new InvalidOperationException($"reverse map lists {m.Pte} for {p.Old} but the PTE is {pte}");
            }

            if (p.MaybeDmaPinned && PageMapping.IsAnon(p.Mapping))
            {
                continue;
            }

            // A PMD mapping becomes one PMD migration entry: its pages' entries change together.
            slot = Pte.MigrationEntry(p.Old, pte.Writable, pte.Huge).Encode();
            converted.Add(pte.Huge && (m.Pte.VirtualPage & (TableEntries - 1)) != 0 ? m with { PmdTail = true } : m);
        }
    }

    /// <summary>Step 16 (PTE side): each migration entry becomes a present PTE to the new page, or back to the old one if the page failed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RemoveMigrationPtes(ReadOnlySpan<MigrationPte> ptes, ReadOnlySpan<MigrationPage> batch)
    {
        foreach (ref readonly MigrationPte m in ptes)
        {
            ref readonly MigrationPage p = ref batch[m.BatchIndex];
            ref ulong slot = ref Slot(m.Pte.VirtualPage);
            Pte pte = Unsafe.IsNullRef(ref slot) ? Pte.None : Pte.Decode(slot);
            if (pte.Kind != PteKind.Migration || pte.Page != p.Old)
            {
                throw new InvalidOperationException($"expected a migration entry for {p.Old} at {m.Pte}, found {pte}");
            }

            slot = Pte.Present(p.Result == 0 ? p.New : p.Old, pte.Writable, pte.Huge).Encode();
        }
    }

    /// <summary>Step 5, radix_tree_lock, for file pages whose mapping this space owns; a held lock gives -EAGAIN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RadixTreeLock(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!OwnsInFlightFile(p))
            {
                continue;
            }

            RadixTree tree = Mapping(p.Mapping);
            if (tree.Locked && !LockedByThisBatch(batch, i, p.Mapping))
            {
                p.Result = -Errno.EAGAIN;
                continue;
            }

            tree.Locked = true;
            p.Progress |= MigrationProgress.TreeLocked;
        }
    }

    /// <summary>Step 7, radix_tree_check: the slot must still hold the old page, else -EAGAIN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RadixTreeCheck(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (OwnsInFlightFile(p) && Mapping(p.Mapping).Lookup(p.Index) != p.Old)
            {
                p.Result = -Errno.EAGAIN;
            }
        }
    }

    /// <summary>Step 9, radix_tree_replace: the slot now points at the new page.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RadixTreeReplace(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (OwnsInFlightFile(p))
            {
                Mapping(p.Mapping).Replace(p.Index, p.New);
                p.Progress |= MigrationProgress.Replaced;
            }
        }
    }

    /// <summary>Step 11, radix_tree_unlock, for every page that took the lock, migrated or backing out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RadixTreeUnlock(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.Has(MigrationProgress.TreeLocked) && PageMapping.FileOwner(p.Mapping) == Id)
            {
                Mapping(p.Mapping).Locked = false;
                p.Progress &= ~MigrationProgress.TreeLocked;
            }
        }
    }

    private bool OwnsInFlightFile(in MigrationPage p) => p.InFlight && p.IsFile && PageMapping.FileOwner(p.Mapping) == Id;

    // Several pages of one file in a batch share the mapping's lock, as the kernel takes it per page.
    private static bool LockedByThisBatch(Span<MigrationPage> batch, int upTo, int mapping)
    {
        for (int j = 0; j < upTo; j++)
        {
            if (batch[j].Mapping == mapping && batch[j].Has(MigrationProgress.TreeLocked))
            {
                return true;
            }
        }

        return false;
    }
}
