namespace MigrationCluster.Runtime.MembershipService;

/// <summary>One suspicion vote: which silo suspected the entry's silo, and when.</summary>
public readonly record struct SuspectTime(SiloAddress Suspecter, DateTimeOffset Time);
