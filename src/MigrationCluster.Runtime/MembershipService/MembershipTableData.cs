namespace MigrationCluster.Runtime.MembershipService;

/// <summary>A consistent snapshot of the table: rows with their etags, and the table version they belong to.</summary>
public sealed class MembershipTableData
{
    public MembershipTableData(IReadOnlyList<(MembershipEntry Entry, string ETag)> members, TableVersion version)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(version);
        Members = members;
        Version = version;
    }

    public IReadOnlyList<(MembershipEntry Entry, string ETag)> Members { get; }

    public TableVersion Version { get; }

    /// <summary>The row of <paramref name="silo"/>, or null when the snapshot does not have it.</summary>
    public (MembershipEntry Entry, string ETag)? TryGet(SiloAddress silo)
    {
        foreach (var member in Members)
        {
            if (member.Entry.SiloAddress.Equals(silo))
            {
                return member;
            }
        }

        return null;
    }

    public override string ToString() => $"{Version}: {Members.Count} silos";
}
