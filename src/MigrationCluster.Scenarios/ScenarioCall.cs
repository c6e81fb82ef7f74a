using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Scenarios;

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
    Munmap,
    Exit,
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

    /// <summary>move_pages: the status array before the call, one entry per page; null: every entry unwritten.</summary>
    public IReadOnlyList<int>? InitialStatus { get; init; }

    public int Flags { get; init; }

    public IReadOnlyList<int> FromNodes { get; init; } = [];

    public IReadOnlyList<int> ToNodes { get; init; } = [];

    public Memory.AddressSpaces.MemPolicyMode Policy { get; init; }

    public MigrateMode Mode { get; init; } = MigrateMode.Sync;

    public ulong Value { get; init; }

    public ScenarioPinKind PinKind { get; init; }

    /// <summary>truncate: the file region and the first index to drop; munmap: the region of <see cref="Pages"/>.</summary>
    public ScenarioRegion? Region { get; init; }

    public long FromIndex { get; init; }

    public ScenarioExpectation? Expect { get; init; }

    /// <summary>The call's name as written in scenario files.</summary>
    public string Name => ScenarioParser.CallName(Kind);
}
