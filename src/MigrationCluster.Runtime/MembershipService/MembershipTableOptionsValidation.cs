namespace MigrationCluster.Runtime.MembershipService;

/// <summary>Checks shared by the membership providers' options.</summary>
internal static class MembershipTableOptionsValidation
{
    /// <summary>Longest cluster id: it is a key column in the SQL providers.</summary>
    public const int MaxClusterIdLength = 150;

    public static void ValidateClusterId(string? clusterId, string optionsName)
    {
        if (string.IsNullOrWhiteSpace(clusterId))
        {
            throw new ArgumentException($"{optionsName}.ClusterId is required (the cluster whose rows this table reads and writes).");
        }

        if (clusterId.Length > MaxClusterIdLength)
        {
            throw new ArgumentException($"{optionsName}.ClusterId is {clusterId.Length} characters long; at most {MaxClusterIdLength} are allowed.");
        }
    }
}
