namespace MigrationCluster.Runtime.MembershipService;

public sealed class SqliteMembershipTableOptions
{
    public const string DefaultClusterId = "dev";

    /// <summary>How long a writer waits for another process's write transaction before giving up.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Path of the database file, shared by every silo of a local cluster (created if missing).</summary>
    public string FilePath { get; set; } = "";

    public string ClusterId { get; set; } = DefaultClusterId;

    public TimeSpan BusyTimeout { get; set; } = DefaultBusyTimeout;

    public void Validate()
    {
        MembershipTableOptionsValidation.ValidateClusterId(ClusterId, nameof(SqliteMembershipTableOptions));
        if (string.IsNullOrWhiteSpace(FilePath))
        {
            throw new ArgumentException($"{nameof(SqliteMembershipTableOptions)}.FilePath is required (the SQLite file the silos share).");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(FilePath));
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            throw new ArgumentException($"{nameof(SqliteMembershipTableOptions)}.FilePath '{FilePath}': directory '{directory}' does not exist.");
        }

        if (BusyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(SqliteMembershipTableOptions)}.BusyTimeout must be positive (was {BusyTimeout}).");
        }
    }
}
