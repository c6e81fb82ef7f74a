namespace MigrationCluster.Runtime.Tests.Cluster;

/// <summary>
/// Cluster tests run alone, one at a time, after the parallel tests: each starts several silos
/// with probe loops and sockets, and on a 2-core machine that load would make timing-sensitive
/// single-silo tests (and the cluster's own failure detector) see delays that are not theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterTestCollection
{
    public const string Name = "Cluster";
}
