namespace MigrationCluster.Hosting;

/// <summary>Where the silos of a cluster keep their membership table.</summary>
public enum ClusteringProvider
{
    /// <summary>
    /// Orleans' development clustering: the primary silo keeps the table in memory. For the
    /// silos that one command hosts in its own process (they live and die together).
    /// </summary>
    Localhost,

    /// <summary>
    /// A SQLite file the silos of one machine share (<see cref="MigrationClusterOptions.MembershipFile"/>):
    /// no server to install, and no silo is a single point of failure.
    /// </summary>
    Sqlite,
}
