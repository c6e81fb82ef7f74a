using MigrationCluster.Runtime.Configuration;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>
/// Failure detection and membership-table timing, with Orleans' defaults. Tests shorten them;
/// production keeps them long enough that a GC pause or a busy machine is not taken for a death.
/// </summary>
public sealed class ClusterMembershipOptions
{
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(5);
    public const int DefaultNumMissedProbesLimit = 3;
    public const int DefaultNumVotesForDeathDeclaration = 2;
    public static readonly TimeSpan DefaultIAmAliveTablePublishTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultTableRefreshTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultDeathVoteExpirationTimeout = TimeSpan.FromSeconds(120);
    public static readonly TimeSpan DefaultJoinTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultDefunctSiloCleanupPeriod = TimeSpan.FromHours(1);
    public static readonly TimeSpan DefaultDefunctSiloExpiration = TimeSpan.FromDays(7);

    /// <summary>How often every other silo is probed, and how long one probe may take before it counts as missed.</summary>
    public TimeSpan ProbeTimeout { get; set; } = DefaultProbeTimeout;

    /// <summary>Consecutive missed probes after which this silo votes that the other one is dead.</summary>
    public int NumMissedProbesLimit { get; set; } = DefaultNumMissedProbesLimit;

    /// <summary>Fresh votes (from distinct silos) that declare a silo dead; fewer when fewer silos are there to vote.</summary>
    public int NumVotesForDeathDeclaration { get; set; } = DefaultNumVotesForDeathDeclaration;

    /// <summary>How often a silo writes its heartbeat (IAmAlive) into the table.</summary>
    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = DefaultIAmAliveTablePublishTimeout;

    /// <summary>How often the table is read even when no silo announced a change.</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = DefaultTableRefreshTimeout;

    /// <summary>A suspicion vote older than this no longer counts.</summary>
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = DefaultDeathVoteExpirationTimeout;

    /// <summary>How long a starting silo may take to become Active.</summary>
    public TimeSpan JoinTimeout { get; set; } = DefaultJoinTimeout;

    /// <summary>
    /// How often each silo deletes the rows of silos that are not Active and have not written an
    /// IAmAlive for <see cref="DefunctSiloExpiration"/> (every restart leaves a Dead row behind);
    /// null turns the cleanup off.
    /// </summary>
    public TimeSpan? DefunctSiloCleanupPeriod { get; set; } = DefaultDefunctSiloCleanupPeriod;

    /// <summary>How long the row of a silo that is gone stays in the table (for the record) before the cleanup deletes it.</summary>
    public TimeSpan DefunctSiloExpiration { get; set; } = DefaultDefunctSiloExpiration;

    /// <summary>The detection bound this configuration promises: missed probes, plus the table round trips to vote and to hear of it.</summary>
    public TimeSpan DeathDetectionTime =>
        (ProbeTimeout * (NumMissedProbesLimit + 1)) + (TableRefreshTimeout * 2);

    public void Validate()
    {
        const string name = nameof(ClusterMembershipOptions);
        Positive(ProbeTimeout, nameof(ProbeTimeout));
        Positive(IAmAliveTablePublishTimeout, nameof(IAmAliveTablePublishTimeout));
        Positive(TableRefreshTimeout, nameof(TableRefreshTimeout));
        Positive(DeathVoteExpirationTimeout, nameof(DeathVoteExpirationTimeout));
        Positive(JoinTimeout, nameof(JoinTimeout));
        Positive(DefunctSiloExpiration, nameof(DefunctSiloExpiration));
        if (DefunctSiloCleanupPeriod is { } cleanupPeriod)
        {
            Positive(cleanupPeriod, nameof(DefunctSiloCleanupPeriod));
        }
        if (NumMissedProbesLimit < 1)
        {
            throw new OptionsValidationException($"{name}.{nameof(NumMissedProbesLimit)} must be at least 1 (was {NumMissedProbesLimit}).");
        }
        if (NumVotesForDeathDeclaration < 1)
        {
            throw new OptionsValidationException($"{name}.{nameof(NumVotesForDeathDeclaration)} must be at least 1 (was {NumVotesForDeathDeclaration}).");
        }
        if (DeathVoteExpirationTimeout <= ProbeTimeout * NumMissedProbesLimit)
        {
            throw new OptionsValidationException($"{name}.{nameof(DeathVoteExpirationTimeout)} ({DeathVoteExpirationTimeout}) must be longer than {nameof(ProbeTimeout)} x {nameof(NumMissedProbesLimit)}, or votes expire before a second silo can add its own.");
        }

        static void Positive(TimeSpan value, string option)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new OptionsValidationException($"{name}.{option} must be positive (was {value}).");
            }
        }
    }

    public override string ToString() =>
        $"ProbeTimeout={ProbeTimeout}, NumMissedProbesLimit={NumMissedProbesLimit}, NumVotesForDeathDeclaration={NumVotesForDeathDeclaration}, " +
        $"IAmAliveTablePublishTimeout={IAmAliveTablePublishTimeout}, TableRefreshTimeout={TableRefreshTimeout}, DeathVoteExpirationTimeout={DeathVoteExpirationTimeout}";
}
