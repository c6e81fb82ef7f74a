using System.Text.Json.Serialization;

namespace MigrationCluster.Scenarios;

/// <summary>
/// What a scenario run gives: per call its outcome, at the end where every page is, the vmstat
/// counters and the invariant checker's verdict. Serialized as JSON with snake_case names.
/// <see cref="Engine"/> names where it ran; everything else is the same on either engine.
/// </summary>
public sealed record ScenarioResult(
    string Scenario,
    string File,
    IReadOnlyList<ScenarioCallResult> Calls,
    IReadOnlyList<ScenarioPageLocation> Pages,
    IReadOnlyDictionary<string, long> Vmstat,
    ScenarioInvariantVerdict Invariants,
    ScenarioExpectationSummary Expectations,
    string Engine)
{
    /// <summary>The simulated time of every migrate_pages call the scenario made (its set-up's included), added up.</summary>
    public long SimulatedNs { get; init; }

    /// <summary>Each process's task policy at the end (set_mempolicy, rebound by cpuset changes).</summary>
    public IReadOnlyList<ScenarioTaskPolicy> Tasks { get; init; } = [];

    /// <summary>The run failed: an invariant broke or an expectation was not met.</summary>
    public bool Failed => Invariants.Violations > 0 || Expectations.Failed > 0;
}

/// <summary>
/// One call's outcome. <see cref="Status"/> holds per page a node number or an errno name (null
/// for calls without one, empty for a call-level error); <see cref="Errno"/> names a negative return.
/// </summary>
public sealed record ScenarioCallResult(
    int Index,
    int Line,
    string Call,
    string Pid,
    string Args,
    long ReturnValue,
    string? Errno,
    IReadOnlyList<object>? Status,
    IReadOnlyDictionary<string, long> VmstatDelta,
    bool? ExpectationMet,
    IReadOnlyList<string> Mismatches,
    string? InvariantViolation)
{
    /// <summary>get_mempolicy: the mode it wrote (the policy's name and mode flags, or a node with MPOL_F_NODE); absent for other calls.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? Mode { get; init; }

    /// <summary>The simulated time of the migrate_pages calls this call made, added up (0: it migrated nothing).</summary>
    public long SimulatedNs { get; init; }
}

/// <summary>A process's task policy: its mode (with mode flags) and nodes; <c>default</c> and no nodes when it has none.</summary>
public sealed record ScenarioTaskPolicy(string Process, string Policy, IReadOnlyList<int> Nodes);

/// <summary>Where one page of one process's region is: <c>node:pfn</c>, <c>not present</c> or <c>migration entry</c>.</summary>
public sealed record ScenarioPageLocation(string Process, string Region, long Index, long VirtualPage, string Location, int? Node, long? Pfn)
{
    /// <summary>PG_mlocked: a VM_LOCKED mapping holds the page (mlock(2)); absent when none does.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Mlocked { get; init; }

    /// <summary>PG_unevictable: the page is on (or, isolated, belongs to) the unevictable LRU, which reclaim never scans; absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Unevictable { get; init; }
}

/// <summary>How often the checker ran and the first violation it found (the run stops there).</summary>
public sealed record ScenarioInvariantVerdict(int Checks, int Violations, string? Message);

public sealed record ScenarioExpectationSummary(int Checked, int Failed);
