namespace MigrationCluster.Cli.Scenarios;

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

