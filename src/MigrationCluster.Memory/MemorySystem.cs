using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Cost;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Memory;

/// <summary>
/// All nodes and address spaces in one object, for in-process use: the accessors a task runs
/// (faults, reads, writes, pins, truncation) and the simulated clock. The grains hold the same
/// <see cref="NodeMemory"/> and <see cref="AddressSpaceMemory"/> pieces separately.
/// </summary>
public sealed class MemorySystem
{
    private readonly NodeMemory?[] _nodes;
    private readonly Dictionary<int, AddressSpaceMemory> _spaces = [];
    private long _nextWaiterId = 1;

    public MemorySystem(NumaTopology topology, MemorySystemOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        Options = options ?? new MemorySystemOptions();
        Options.Validate();
        Topology = topology;
        Cost = Options.Machine is { } machine ? new CostModel(machine) : new CostModel(topology, Options.Cost);
        _nodes = new NodeMemory?[topology.NodeIdLimit];
        foreach (NumaNodeInfo n in topology.Nodes)
        {
            _nodes[n.Id] = new NodeMemory(n.Id, n.HasMemory ? Options.FramesPerNode : 0, Options.ContentMode);
        }
    }

    public MemorySystemOptions Options { get; }

    public NumaTopology Topology { get; }

    public CostModel Cost { get; }

    public VmStat VmStat { get; } = new();

    /// <summary>/proc/vmstat and the per-size stats: <see cref="VmStat"/> and each node's <see cref="NodeMemory.Events"/>, summed by name.</summary>
    public IReadOnlyDictionary<string, long> VmStatSnapshot() => VmStat.Sum([VmStat.Snapshot(), .. Nodes.Select(n => n.Events.Snapshot())]);

    /// <summary>Simulated time in nanoseconds, advanced by the cost model, never by a clock.</summary>
    public double SimulatedNs { get; private set; }

    public IReadOnlyCollection<AddressSpaceMemory> Spaces => _spaces.Values;

    public IEnumerable<NodeMemory> Nodes => _nodes.OfType<NodeMemory>();

    public void Advance(double ns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ns);
        SimulatedNs += ns;
    }

    public bool NodeExists(int id) => id >= 0 && id < _nodes.Length && _nodes[id] is not null;

    /// <summary>Online with memory: a valid migration target (else move_pages says -ENODEV).</summary>
    public bool NodeHasMemory(int id) => NodeExists(id) && _nodes[id]!.Capacity > 0;

    public NodeMemory Node(int id) => NodeExists(id)
        ? _nodes[id]!
        : throw new ArgumentOutOfRangeException(nameof(id), id, "no such node");

    public AddressSpaceMemory Space(int id) => _spaces.TryGetValue(id, out AddressSpaceMemory? s)
        ? s
        : throw new ArgumentOutOfRangeException(nameof(id), id, "no such address space");

    public bool TryGetSpace(int id, out AddressSpaceMemory space) => _spaces.TryGetValue(id, out space!);

    public AddressSpaceMemory CreateAddressSpace(int homeNode, bool privileged = false)
    {
        if (!NodeExists(homeNode))
        {
            throw new ArgumentOutOfRangeException(nameof(homeNode), homeNode, "no such node");
        }

        var space = new AddressSpaceMemory(_spaces.Count, homeNode, privileged);
        _spaces.Add(space.Id, space);
        return space;
    }

    /// <summary>mmap(MAP_PRIVATE|MAP_ANONYMOUS) or, with <paramref name="shared"/>, MAP_SHARED (a shmem object this space owns).</summary>
    /// <param name="folioOrder">The order of the folios its write faults allocate (private anonymous memory; 0: base pages).</param>
    public Vma MmapAnon(int space, long pages, bool shared = false, int folioOrder = 0, int fallbackOrders = 0)
    {
        AddressSpaceMemory s = Space(space);
        return shared
            ? s.AddVma(pages, VmaKind.AnonShared, s.CreateMapping(), 0, writable: true)
            : s.AddVma(pages, VmaKind.AnonPrivate, 0, 0, writable: true, folioOrder: folioOrder, fallbackOrders: fallbackOrders);
    }

    /// <summary>A new file whose page cache (radix tree) <paramref name="ownerSpace"/> holds.</summary>
    public int CreateFile(int ownerSpace) => Space(ownerSpace).CreateMapping();

    /// <summary>mmap(MAP_SHARED) of a file or of another space's shmem object.</summary>
    public Vma MmapShared(int space, int mapping, long pgOff, long pages, bool writable = true)
    {
        AddressSpaceMemory owner = Space(PageMapping.FileOwner(mapping));
        owner.Mapping(mapping);
        VmaKind kind = owner.Vmas.Any(v => v.Mapping == mapping && v.Kind == VmaKind.AnonShared) ? VmaKind.AnonShared : VmaKind.File;
        return Space(space).AddVma(pages, kind, mapping, pgOff, writable);
    }

    /// <summary>mmap(MAP_PRIVATE) of a file: its pages are the file's until the task writes them.</summary>
    public Vma MmapFilePrivate(int space, int mapping, long pgOff, long pages, bool writable = true)
    {
        Vma vma = Space(space).AddVma(pages, VmaKind.FilePrivate, mapping, pgOff, writable);
        Space(PageMapping.FileOwner(mapping)).Mapping(mapping).PrivateMappers.Add(space);
        return vma;
    }

    public AccessResult Read(int space, long virtualPage) => Access(space, virtualPage, write: false, value: 0);

    /// <summary>Stores <paramref name="value"/> (up to 48 bits) as the page's new contents.</summary>
    public AccessResult Write(int space, long virtualPage, ulong value) => Access(space, virtualPage, write: true, value);

    /// <summary>
    /// get_user_pages / pin_user_pages (read-only): faults the page in and takes a reference (or
    /// the 1024-reference DMA pin bias). Undo with <see cref="Unpin"/>. A read fault on private
    /// anonymous memory maps the zero page, which is never pinned (the result's page is none).
    /// </summary>
    public AccessResult Pin(int space, long virtualPage, bool dma = false)
    {
        AccessResult r = GupAccess(space, virtualPage);
        // A read-only pin of the zero page takes no reference (try_grab_folio skips it).
        if (r.Status == AccessStatus.Done && !r.Page.IsNone)
        {
            Node(r.Page.Node).GetPage(r.Page.Pfn, dma ? NodeMemory.GupPinCountingBias : 1);
        }

        return r;
    }

    /// <summary>
    /// A fault as get_user_pages takes it (FOLL_TOUCH; with <paramref name="write"/>, FOLL_WRITE:
    /// copy-on-write broken and the page dirtied, its contents kept): VM_FAULT_SIGBUS becomes
    /// -EFAULT (vm_fault_to_errno).
    /// </summary>
    public AccessResult GupAccess(int space, long virtualPage, bool write = false)
    {
        AccessResult r = Access(space, virtualPage, write, value: 0, store: false);
        return r.Status == AccessStatus.Error && r.Errno == -Errno.SIGBUS ? AccessResult.Fail(-Errno.EFAULT) : r;
    }

    public void Unpin(PageRef page, bool dma = false)
    {
        // The zero page is never pinned (try_grab_folio leaves it alone), so neither is it unpinned.
        if (!page.IsNone)
        {
            Node(page.Node).PutPage(page.Pfn, dma ? NodeMemory.GupPinCountingBias : 1);
        }
    }

    /// <summary>
    /// munmap(2) of [<paramref name="start"/>, start + <paramref name="pages"/>): every PTE in the
    /// range is zapped (its rmap entry and reference dropped: a private page goes with its last
    /// mapping, a page-cache page stays in its file) and the VMAs are cut. Unmapped pages in the
    /// range are no error. Returns 0, or -EINVAL for an empty or negative length.
    /// </summary>
    public int Munmap(int space, long start, long pages)
    {
        if (pages <= 0)
        {
            return -Errno.EINVAL;
        }

        AddressSpaceMemory s = Space(space);
        ZapPteRange(s, start, start + pages);
        s.RemoveVmaRange(start, start + pages);
        return 0;
    }

    /// <summary>
    /// do_exit's exit_mmap: every mapping of the process goes as with munmap, and the process is
    /// gone for the syscalls (-ESRCH). The file and shmem mappings it owns stay, as files outlive
    /// the processes that created them.
    /// </summary>
    public void Exit(int space, bool zombie = false)
    {
        AddressSpaceMemory s = Space(space);
        s.Zombie = zombie;
        foreach (Vma vma in s.Vmas.ToList())
        {
            Munmap(space, vma.Start, vma.Pages);
        }

        s.Exited = true;
    }

    /// <summary>cpuset_mems_allowed of a task (see <see cref="AllocationNodes.CpusetMemsAllowed"/>).</summary>
    public IReadOnlyList<int> CpusetMemsAllowed(AddressSpaceMemory space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return AllocationNodes.CpusetMemsAllowed(space.MemsAllowed, NodesWithMemory);
    }

    /// <summary>
    /// The weights of MPOL_WEIGHTED_INTERLEAVE by node id (/sys/kernel/mm/mempolicy/weighted_interleave/nodeN);
    /// empty: every node weighs 1.
    /// </summary>
    public IReadOnlyList<int> InterleaveWeights { get; set; } = [];

    /// <summary>
    /// The nodes an allocation by <paramref name="space"/>'s task under <paramref name="policy"/>
    /// with interleave index <paramref name="ilx"/> tries, in order (see <see cref="AllocationNodes.Order"/>).
    /// </summary>
    public IEnumerable<int> AllocationOrder(AddressSpaceMemory space, MemPolicy policy, long ilx)
    {
        ArgumentNullException.ThrowIfNull(space);
        int nid = AllocationNodes.PolicyNode(policy, ilx, space, InterleaveWeights);
        return AllocationNodes.Order(policy, nid, space.MemsAllowed, NodesWithMemory, Topology.FallbackOrder);
    }

    /// <summary>The nodes with memory, by id: the root cpuset's mems.</summary>
    public IReadOnlyList<int> NodesWithMemory => [.. Nodes.Where(n => n.Capacity > 0).Select(n => n.Id)];

    /// <summary>
    /// truncate_inode_pages from <paramref name="fromIndex"/>: each page is locked, unmapped from
    /// every PTE, removed from the page cache and released. Stops and waits at a locked page (a
    /// migration holds it), or at a tree another step holds; call again once woken.
    /// </summary>
    public AccessResult Truncate(int mapping, long fromIndex)
    {
        RadixTree tree = Space(PageMapping.FileOwner(mapping)).Mapping(mapping);
        // truncate_setsize: i_size first, so that faults past it are SIGBUS while the pages go.
        tree.Size = Math.Min(tree.Size, fromIndex);
        // truncate_pagecache: unmap_mapping_range with even_cows, so the private mappings' copies
        // past the end go too (no fault can make new ones in between here: SIGBUS past i_size).
        foreach (int mapper in tree.PrivateMappers)
        {
            var zapped = new List<(PteRef Pte, PageRef Page, bool Locked)>();
            Space(mapper).UnmapMappingRange(mapping, fromIndex, zapped);
            DropZapped(zapped);
        }

        var ptes = new List<PteRef>();
        foreach (var (index, page) in tree.Entries().Where(e => e.Index >= fromIndex).ToList())
        {
            NodeMemory node = Node(page.Node);
            if (tree.Locked || !node.TryLockPage(page.Pfn))
            {
                var waiter = new PageLockWaiter(_nextWaiterId++, WaiterKind.Truncate, default, false);
                if (!tree.Locked)
                {
                    node.AddLockWaiter(page.Pfn, waiter);
                }

                return new AccessResult(AccessStatus.Wait, page, 0, 0, 0, waiter);
            }

            ptes.Clear();
            node.RmapWalk(page.Pfn, ptes);
            foreach (PteRef pte in ptes)
            {
                Space(pte.Space).SetPte(pte.VirtualPage, Pte.None);
            }

            tree.Delete(index);
            node.TruncatePage(page.Pfn, ptes, null);
        }

        return new AccessResult(AccessStatus.Done, PageRef.None, 0, 0, 0, default);
    }

    private AccessResult Access(int spaceId, long virtualPage, bool write, ulong value, bool store = true)
    {
        if (!_spaces.TryGetValue(spaceId, out AddressSpaceMemory? space) || space.Exited)
        {
            return AccessResult.Fail(-Errno.ESRCH);
        }

        Vma? vma = space.FindVma(virtualPage);
        if (vma is null)
        {
            return AccessResult.Fail(-Errno.EFAULT);
        }

        if (write && !vma.Writable)
        {
            return AccessResult.Fail(-Errno.EACCES);
        }

        Pte pte = space.GetPte(virtualPage);
        if (pte.Kind == PteKind.Migration)
        {
            // migration_entry_wait: sleep on the old page's lock, then redo the fault.
            return WaitOn(pte.Page, spaceId, virtualPage, write);
        }

        // A write to the zero page is a write-protect fault: do_wp_page copies it to a new page.
        if (pte.Kind == PteKind.None || (pte.Kind == PteKind.ZeroPage && write))
        {
            AccessResult fault = Fault(space, vma, virtualPage, write);
            if (fault.Status != AccessStatus.Done)
            {
                return fault;
            }

            pte = space.GetPte(virtualPage);
        }

        if (pte.Kind == PteKind.ZeroPage)
        {
            // Reads of the zero page: zeros, from a page every node has close by.
            double zeroLatency = Cost.AccessNs(space.HomeNode, space.HomeNode);
            Advance(zeroLatency);
            return new AccessResult(AccessStatus.Done, PageRef.None, PageContents.Zero, zeroLatency, 0, default);
        }

        if (write && !pte.Writable)
        {
            // A write to a write-protected PTE of a writable mapping: do_wp_page.
            AccessResult wp = DoWpPage(space, vma, virtualPage, pte);
            if (wp.Status != AccessStatus.Done)
            {
                return wp;
            }

            pte = space.GetPte(virtualPage);
        }

        NodeMemory node = Node(pte.Page.Node);
        double latency = Cost.AccessNs(space.HomeNode, pte.Page.Node);
        Advance(latency);
        node.MarkPageAccessed(pte.Page.Pfn);
        if (write)
        {
            if (store)
            {
                node.WriteContents(pte.Page.Pfn, PageContents.Make(value));
            }

            node.SetFlags(pte.Page.Pfn, PageFlags.Dirty);
        }

        return new AccessResult(AccessStatus.Done, pte.Page, node.ReadContents(pte.Page.Pfn), latency, 0, default);
    }

    /// <summary>
    /// fork (dup_mmap) of <paramref name="parent"/> into the fresh address space
    /// <paramref name="child"/>: the child shares every private anonymous page copy-on-write.
    /// </summary>
    public void Fork(int parent, int child)
    {
        var childPtes = new List<(PteRef Pte, PageRef Page)>();
        var copies = new List<(Vma Vma, long VirtualPage, PageRef Page)>();
        AddressSpaceMemory parentSpace = Space(parent);
        AddressSpaceMemory childSpace = Space(child);
        parentSpace.DupMmap(childSpace, childPtes, page => Node(page.Node).PageNeedsCowForDma(page.Pfn), copies);
        foreach (var (pte, page) in childPtes)
        {
            Node(page.Node).PageAddRmap(page.Pfn, pte);
        }

        foreach (var (vma, virtualPage, page) in copies)
        {
            CopyPresentPage(parentSpace, childSpace, vma, virtualPage, page);
        }

        // The child's MAP_PRIVATE file VMAs join their files' i_mmap.
        foreach (int mapping in childSpace.Vmas.Where(v => v.Kind == VmaKind.FilePrivate).Select(v => v.Mapping).Distinct())
        {
            Space(PageMapping.FileOwner(mapping)).Mapping(mapping).PrivateMappers.Add(child);
        }
    }

    /// <summary>
    /// copy_present_page: the child's own copy of a page the parent may have pinned for DMA,
    /// allocated as the parent's fault there would be (page_copy_prealloc, vma_alloc_folio by
    /// the forking task) and mapped writable in the child.
    /// </summary>
    private void CopyPresentPage(AddressSpaceMemory parent, AddressSpaceMemory child, Vma vma, long virtualPage, PageRef source)
    {
        var (policy, ilx) = AllocationNodes.FaultPolicy(parent, vma, virtualPage, null);
        PageRef copy = AllocateFor(parent, policy, ilx);
        if (copy.IsNone)
        {
            throw new InvalidOperationException($"fork of {parent.Id}: no free frame for the copy of DMA-pinned page {source} at {virtualPage} (the kernel's fork fails with -ENOMEM)");
        }

        Node(copy.Node).WriteContents(copy.Pfn, Node(source.Node).ReadContents(source.Pfn));
        // The child's VMAs are never VM_LOCKED (dup_mmap clears it).
        MapNewAnonPage(child, copy, virtualPage, vma.IndexOf(virtualPage), mlock: false);
        child.SetPte(virtualPage, Pte.Present(copy, vma.Writable));
    }

    /// <summary>
    /// do_wp_page on a write-protected anonymous PTE: the page is reused when this PTE is all
    /// that holds it (<see cref="NodeMemory.WpCanReuseAnonPage"/>), else wp_page_copy gives the
    /// task a page of its own, allocated by the fault's policy, and drops its share of the old one.
    /// </summary>
    private AccessResult DoWpPage(AddressSpaceMemory space, Vma vma, long virtualPage, Pte pte)
    {
        VmStat.CountPgfault();
        // do_huge_pmd_wp_page falls back to PTEs: the PMD is split and the one page is handled.
        space.SplitHugePmdAt(virtualPage);
        if (Node(pte.Page.Node).WpCanReuseAnonPage(pte.Page.Pfn))
        {
            space.SetPte(virtualPage, Pte.Present(pte.Page, vma.Writable));
            return new AccessResult(AccessStatus.Done, pte.Page, 0, 0, 0, default);
        }

        var (policy, ilx) = AllocationNodes.CowPolicy(space, vma, virtualPage);
        PageRef page = AllocateFor(space, policy, ilx);
        if (page.IsNone)
        {
            return AccessResult.Fail(-Errno.ENOMEM);
        }

        // wp_page_copy: the copy starts as the old page (a write through get_user_pages stores nothing).
        Node(page.Node).WriteContents(page.Pfn, Node(pte.Page.Node).ReadContents(pte.Page.Pfn));
        MapNewAnonPage(space, page, virtualPage, vma.IndexOf(virtualPage), vma.Locked);
        space.SetPte(virtualPage, Pte.Present(page, vma.Writable));
        if (vma.Locked)
        {
            Node(pte.Page.Node).MunlockPage(pte.Page.Pfn);
        }

        Node(pte.Page.Node).PageRemoveRmap(pte.Page.Pfn, new PteRef(space.Id, virtualPage));
        Node(pte.Page.Node).DeferredSplitAfterUnmap([pte.Page.Pfn]);
        return new AccessResult(AccessStatus.Done, page, 0, 0, 0, default);
    }

    // A fresh anonymous page mapped by one PTE: the allocation's reference becomes the PTE's;
    // in a VM_LOCKED VMA folio_add_lru_vma mlocks it (mlock_new_folio).
    private void MapNewAnonPage(AddressSpaceMemory space, PageRef page, long virtualPage, long index, bool mlock)
    {
        NodeMemory node = Node(page.Node);
        node.SetMapping(page.Pfn, PageMapping.Anon(space.Id), index);
        node.SetFlags(page.Pfn, PageFlags.Uptodate | PageFlags.SwapBacked);
        node.LruAdd(page.Pfn);
        node.PageAddRmap(page.Pfn, new PteRef(space.Id, virtualPage));
        node.PutPage(page.Pfn);
        if (mlock)
        {
            node.MlockPage(page.Pfn);
        }
    }

    private AccessResult Fault(AddressSpaceMemory space, Vma vma, long virtualPage, bool write)
    {
        VmStat.CountPgfault();
        long index = vma.IndexOf(virtualPage);
        PageRef page;
        if (vma.Kind == VmaKind.AnonPrivate && !write)
        {
            // do_anonymous_page: a read fault maps the shared zero page, read-only; no frame.
            space.SetPte(virtualPage, Pte.ZeroPage);
            return new AccessResult(AccessStatus.Done, PageRef.None, 0, 0, 0, default);
        }

        if (vma.Kind == VmaKind.AnonPrivate && FaultFolio(space, vma, virtualPage) is { IsNone: false } inFolio)
        {
            return new AccessResult(AccessStatus.Done, inFolio, 0, 0, 0, default);
        }

        if (vma.Kind == VmaKind.AnonPrivate)
        {
            var (policy, ilx) = AllocationNodes.FaultPolicy(space, vma, virtualPage, null);
            page = AllocateFor(space, policy, ilx);
            if (page.IsNone)
            {
                return AccessResult.Fail(-Errno.ENOMEM);
            }

            MapNewAnonPage(space, page, virtualPage, index, vma.Locked);
        }
        else
        {
            AddressSpaceMemory owner = Space(PageMapping.FileOwner(vma.Mapping));
            RadixTree tree = owner.Mapping(vma.Mapping);
            if (index >= tree.Size)
            {
                // filemap_fault / shmem_fault: past the end of the file is VM_FAULT_SIGBUS.
                return AccessResult.Fail(-Errno.SIGBUS);
            }

            page = tree.Lookup(index);
            if (page.IsNone)
            {
                // shmem_get_policy for a shmem object; a regular file's page cache goes by the task policy.
                MemPolicy? shared = vma.Kind == VmaKind.AnonShared ? owner.SharedPolicyOf(vma.Mapping).Lookup(index) : null;
                var (policy, ilx) = AllocationNodes.FaultPolicy(space, vma, virtualPage, shared);
                page = AllocateFor(space, policy, ilx);
                if (page.IsNone)
                {
                    return AccessResult.Fail(-Errno.ENOMEM);
                }

                // The allocation's reference becomes the page cache's.
                NodeMemory fresh = Node(page.Node);
                fresh.SetMapping(page.Pfn, vma.Mapping, index);
                fresh.SetFlags(page.Pfn, PageFlags.Uptodate | (vma.Kind == VmaKind.AnonShared ? PageFlags.SwapBacked : PageFlags.None));
                tree.Insert(index, page);
                fresh.LruAdd(page.Pfn);
            }
            else if (Node(page.Node).Frame(page.Pfn).Has(PageFlags.Locked))
            {
                // filemap_fault: lock_page on a page a migration holds.
                return WaitOn(page, space.Id, virtualPage, write);
            }

            if (vma.Kind == VmaKind.FilePrivate && write)
            {
                // do_cow_fault: the task gets an anonymous copy; the cache page stays unmapped here.
                var (cowPolicy, cowIlx) = AllocationNodes.CowPolicy(space, vma, virtualPage);
                PageRef copy = AllocateFor(space, cowPolicy, cowIlx);
                if (copy.IsNone)
                {
                    return AccessResult.Fail(-Errno.ENOMEM);
                }

                Node(copy.Node).WriteContents(copy.Pfn, Node(page.Node).ReadContents(page.Pfn));
                MapNewAnonPage(space, copy, virtualPage, index, vma.Locked);
                space.SetPte(virtualPage, Pte.Present(copy, vma.Writable));
                return new AccessResult(AccessStatus.Done, copy, 0, 0, 0, default);
            }

            Node(page.Node).PageAddRmap(page.Pfn, new PteRef(space.Id, virtualPage));
            if (vma.Locked)
            {
                // folio_add_file_rmap_ptes -> mlock_vma_folio.
                Node(page.Node).MlockPage(page.Pfn);
            }
        }

        // do_read_fault maps a private file mapping's page read-only: a write then copies it.
        space.SetPte(virtualPage, Pte.Present(page, vma.Writable && vma.Kind != VmaKind.FilePrivate));
        return new AccessResult(AccessStatus.Done, page, 0, 0, 0, default);
    }

    /// <summary>
    /// do_huge_pmd_anonymous_page / alloc_anon_folio: a write fault in a VMA with large folios
    /// takes a whole folio of the highest order it may (<see cref="AddressSpaceMemory.FolioFaultOrders"/>)
    /// from the first node of the policy's order with a free range; an order no node has a range
    /// for counts a fallback and the next lower order is tried. A PMD-sized folio is mapped by a
    /// PMD. None when the fault is to take a base page (no order fits, or every node is fragmented).
    /// </summary>
    private PageRef FaultFolio(AddressSpaceMemory space, Vma vma, long virtualPage)
    {
        foreach (int order in space.FolioFaultOrders(vma, virtualPage))
        {
            long start = virtualPage & ~((1L << order) - 1);
            var (policy, ilx) = AllocationNodes.FaultPolicy(space, vma, start, null);
            foreach (int candidate in AllocationOrder(space, policy, ilx))
            {
                long head = Node(candidate).FaultAnonFolio(new PteRef(space.Id, start), PageMapping.Anon(space.Id), order);
                if (head < 0)
                {
                    continue;
                }

                space.MapFolio(start, new PageRef(candidate, head), order, vma.Writable);
                VmStat.CountFolioFault(order, allocated: true, Migration.MigrationProtocolOptions.DefaultPmdOrder);
                return new PageRef(candidate, head + (virtualPage - start));
            }

            VmStat.CountFolioFault(order, allocated: false, Migration.MigrationProtocolOptions.DefaultPmdOrder);
        }

        return PageRef.None;
    }

    private AccessResult WaitOn(PageRef page, int space, long virtualPage, bool write)
    {
        NodeMemory node = Node(page.Node);
        if (!node.Frame(page.Pfn).Has(PageFlags.Locked))
        {
            throw new InvalidOperationException($"a migration entry or fault names {page}, which is not locked");
        }

        var waiter = new PageLockWaiter(_nextWaiterId++, WaiterKind.Fault, new PteRef(space, virtualPage), write);
        node.AddLockWaiter(page.Pfn, waiter);
        return new AccessResult(AccessStatus.Wait, page, 0, 0, 0, waiter);
    }

    /// <summary>alloc_pages_mpol: a frame on the first node of <see cref="AllocationOrder"/> with room.</summary>
    private PageRef AllocateFor(AddressSpaceMemory space, MemPolicy policy, long ilx)
    {
        foreach (int candidate in AllocationOrder(space, policy, ilx))
        {
            long pfn = Node(candidate).AllocPage();
            if (pfn >= 0)
            {
                return new PageRef(candidate, pfn);
            }
        }

        return PageRef.None;
    }

    /// <summary>zap_pte_range: clears the PTEs of [start, end), dropping each present page's rmap entry and reference.</summary>
    private void ZapPteRange(AddressSpaceMemory space, long start, long end)
    {
        var zapped = new List<(PteRef Pte, PageRef Page, bool Locked)>();
        space.ZapPteRange(start, end, zapped);
        DropZapped(zapped);
    }

    /// <summary>zap_pte_range, frame side: each zapped PTE's rmap entry and reference go (folio_remove_rmap_ptes, munlocking for a VM_LOCKED VMA).</summary>
    private void DropZapped(List<(PteRef Pte, PageRef Page, bool Locked)> zapped)
    {
        foreach (var (pte, page, locked) in zapped)
        {
            if (locked)
            {
                Node(page.Node).MunlockPage(page.Pfn);
            }

            Node(page.Node).PageRemoveRmap(page.Pfn, pte);
        }

        // Then, per node, the large folios the zap left partly mapped join the deferred-split list.
        foreach (var byNode in zapped.GroupBy(z => z.Page.Node))
        {
            Node(byNode.Key).DeferredSplitAfterUnmap([.. byNode.Select(z => z.Page.Pfn)]);
        }
    }
}
