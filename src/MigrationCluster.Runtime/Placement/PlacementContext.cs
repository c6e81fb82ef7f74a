using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Placement;

/// <summary>What a placement decision may look at.</summary>
/// <param name="GrainId">The grain being placed.</param>
/// <param name="RequestingSilo">The silo that asked for the grain (for prefer-local).</param>
/// <param name="ActiveSilos">The active silos, sorted by address text; never empty.</param>
/// <param name="ActivationCounts">The last activation count each silo reported (missing: unknown).</param>
public sealed record PlacementContext(
    GrainId GrainId,
    SiloAddress RequestingSilo,
    IReadOnlyList<SiloAddress> ActiveSilos,
    IReadOnlyDictionary<SiloAddress, int> ActivationCounts);
