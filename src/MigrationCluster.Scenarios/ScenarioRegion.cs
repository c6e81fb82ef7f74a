namespace MigrationCluster.Scenarios;

/// <summary>The kinds of memory a region can be.</summary>
public enum ScenarioRegionKind
{
    /// <summary>mmap(MAP_PRIVATE|MAP_ANONYMOUS): only its owner maps it.</summary>
    AnonPrivate,

    /// <summary>mmap(MAP_SHARED|MAP_ANONYMOUS): a shmem object of the owner that other processes may map.</summary>
    AnonShared,

    /// <summary>A file whose page cache the owner holds, mapped MAP_SHARED by the owner and others.</summary>
    File,

    /// <summary>A file whose page cache the owner holds, mapped MAP_PRIVATE by the owner and others: a write gives the writer a private copy.</summary>
    FilePrivate,
}


/// <summary>A region owned by <see cref="Owner"/> and also mapped by <see cref="MappedBy"/>, under one name in all of them.</summary>
public sealed record ScenarioRegion(string Name, int Line, int Owner, ScenarioRegionKind Kind, long Pages, bool Writable, IReadOnlyList<int> MappedBy)
{
    /// <summary>The memory policy of the region's VMAs (in every process that maps it) before the setup; null is the default policy.</summary>
    public ScenarioPolicyArgs? Policy { get; init; }

    /// <summary>The order of the folios write faults take in it (folio_size; 0: base pages).</summary>
    public int FolioOrder { get; init; }

    /// <summary>The smaller orders its faults fall back to before a base page (folio_size as a list; bit n: order n).</summary>
    public int FallbackOrders { get; init; }

    public bool IsMappedBy(int process) => process == Owner || MappedBy.Contains(process);
}

