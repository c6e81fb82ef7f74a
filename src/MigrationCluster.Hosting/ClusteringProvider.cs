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

    /// <summary>
    /// A PostgreSQL database through Orleans' ADO.NET provider (<see cref="MigrationClusterOptions.PostgresConnectionString"/>),
    /// with our schema (<see cref="Clustering.Postgres.PostgresMembershipSchema"/>): silos on many machines.
    /// </summary>
    Postgres,

    /// <summary>
    /// A Redis server through Orleans' Redis provider (<see cref="MigrationClusterOptions.RedisConfiguration"/>):
    /// silos on many machines, no schema to apply.
    /// </summary>
    Redis,
}
