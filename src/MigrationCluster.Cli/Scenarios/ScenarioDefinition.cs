using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Cli.Scenarios;

/// <summary>A parsed and checked scenario: a machine, processes with pages in given states, and calls to make.</summary>
public sealed record ScenarioDefinition(
    string Name,
    NumaTopology Topology,
    int FramesPerNode,
    IReadOnlyList<ScenarioProcess> Processes,
    IReadOnlyList<ScenarioRegion> Regions,
    IReadOnlyList<ScenarioPageSetup> Setups,
    IReadOnlyList<ScenarioCall> Calls);

/// <summary>A process (address space); its id is its position in the file.</summary>
public sealed record ScenarioProcess(string Name, int Id, int HomeNode, bool Privileged);

/// <summary>The kinds of memory a region can be.</summary>
public enum ScenarioRegionKind
{
    /// <summary>mmap(MAP_PRIVATE|MAP_ANONYMOUS): only its owner maps it.</summary>
    AnonPrivate,

    /// <summary>mmap(MAP_SHARED|MAP_ANONYMOUS): a shmem object of the owner that other processes may map.</summary>
    AnonShared,

    /// <summary>A file whose page cache the owner holds, mapped MAP_SHARED by the owner and others.</summary>
    File,
}

/// <summary>A region owned by <see cref="Owner"/> and also mapped by <see cref="MappedBy"/>, under one name in all of them.</summary>
public sealed record ScenarioRegion(string Name, int Line, int Owner, ScenarioRegionKind Kind, long Pages, bool Writable, IReadOnlyList<int> MappedBy)
{
    /// <summary>The memory policy of the region's VMAs (in every process that maps it) before the setup; null is the default policy.</summary>
    public Memory.AddressSpaces.MemPolicy? Policy { get; init; }

    public bool IsMappedBy(int process) => process == Owner || MappedBy.Contains(process);
}

/// <summary>How a page is pinned: get_user_pages (one reference) or a DMA pin (the pin bias).</summary>
public enum ScenarioPinKind
{
    Gup,
    Dma,
}

/// <summary>
/// Pages of a region brought into a state before the calls: faulted by <see cref="TouchedBy"/> in
/// order (the first allocates, on <see cref="Node"/> when given), written, put under writeback,
/// re-dirtied, pinned.
/// </summary>
public sealed record ScenarioPageSetup(
    int Line,
    ScenarioRegion Region,
    IReadOnlyList<long> Indexes,
    IReadOnlyList<int> TouchedBy,
    int? Node,
    ulong? WriteValue,
    bool Writeback,
    bool Dirty,
    ScenarioPinKind? Pin);

/// <summary>A page named in a call: a region (as the calling process sees it) and an index in it.</summary>
public sealed record ScenarioPageRef(ScenarioRegion Region, long Index)
{
    public override string ToString() => $"{Region.Name}:{Index}";
}

/// <summary>The calls a scenario can make.</summary>
public enum ScenarioCallKind
{
    MovePages,
    MigratePages,
    Mbind,
    Migrate,
    Read,
    Write,
    Pin,
    Unpin,
    Truncate,
}

/// <summary>What a call should give; null fields are not checked.</summary>
public sealed record ScenarioExpectation(int Line, long? ReturnValue, string? Errno, IReadOnlyList<string>? Status);

/// <summary>
/// One call. Which fields matter depends on <see cref="Kind"/>; the parser fills the ones the
/// kind takes and checks them against the topology and regions.
/// </summary>
public sealed record ScenarioCall(int Line, ScenarioCallKind Kind, int Pid)
{
    public int Caller { get; init; }

    public IReadOnlyList<ScenarioPageRef> Pages { get; init; } = [];

    /// <summary>move_pages target nodes; null is a query.</summary>
    public IReadOnlyList<int>? Nodes { get; init; }

    public int Flags { get; init; }

    public IReadOnlyList<int> FromNodes { get; init; } = [];

    public IReadOnlyList<int> ToNodes { get; init; } = [];

    public Memory.AddressSpaces.MemPolicyMode Policy { get; init; }

    public MigrateMode Mode { get; init; } = MigrateMode.Sync;

    public ulong Value { get; init; }

    public ScenarioPinKind PinKind { get; init; }

    /// <summary>truncate: the file region and the first index to drop.</summary>
    public ScenarioRegion? Region { get; init; }

    public long FromIndex { get; init; }

    public ScenarioExpectation? Expect { get; init; }

    /// <summary>The call's name as written in scenario files.</summary>
    public string Name => ScenarioParser.CallName(Kind);
}
