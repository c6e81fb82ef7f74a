namespace MigrationCluster.Scenarios;

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


/// <summary>
/// A page named in a call: a region (as the calling process sees it) and an index in it; or, with
/// no region, <see cref="Unmapped"/>: an address outside every mapping of the process.
/// </summary>
public sealed record ScenarioPageRef(ScenarioRegion? Region, long Index)
{
    /// <summary>The word a scenario writes for an address no VMA covers.</summary>
    public const string UnmappedName = "unmapped";

    public static ScenarioPageRef Unmapped { get; } = new(null, 0);

    public bool IsUnmapped => Region is null;

    public override string ToString() => Region is null ? UnmappedName : $"{Region.Name}:{Index}";
}

