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
    SetMempolicy,
    GetMempolicy,
    SetCpuset,
    Fork,
    Mlock,
    Munlock,
}


/// <summary>What a call should give; null fields are not checked.</summary>
public sealed record ScenarioExpectation(int Line, long? ReturnValue, string? Errno, IReadOnlyList<string>? Status)
{
    /// <summary>get_mempolicy: the mode written (a policy name with its mode flags, or a node with MPOL_F_NODE).</summary>
    public string? Mode { get; init; }
}


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

    /// <summary>mbind and set_mempolicy: the mode word as passed (the mode or'ed with its MPOL_F_* mode flags).</summary>
    public int ModeWord { get; init; }

    /// <summary>mbind, set_mempolicy, get_mempolicy: maxnode as passed.</summary>
    public long Maxnode { get; init; }

    /// <summary>mbind and set_mempolicy: a NULL nodemask pointer (<see cref="Nodes"/> is then empty).</summary>
    public bool NullNodemask { get; init; }

    /// <summary>get_mempolicy: addr (null: 0).</summary>
    public ScenarioPageRef? Address { get; init; }

    /// <summary>fork: the process that becomes the copy (declared without regions of its own).</summary>
    public int Child { get; init; }

    /// <summary>exit: the process stays a zombie (not reaped by its parent).</summary>
    public bool Zombie { get; init; }

    /// <summary>get_mempolicy: whether a nodemask buffer is passed.</summary>
    public bool WantNodemask { get; init; } = true;

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
