namespace MigrationCluster.Runtime.MembershipService;

/// <summary>A silo's life cycle as written in the membership table (Orleans' values and order).</summary>
public enum SiloStatus
{
    None = 0,
    Created = 1,
    Joining = 2,
    Active = 3,
    ShuttingDown = 4,
    Stopping = 5,
    Dead = 6,
}
