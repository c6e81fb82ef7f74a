namespace MigrationCluster.Runtime.Persistence;

/// <summary>Where the SQLite grain storage keeps its file.</summary>
public sealed class SqliteGrainStorageOptions
{
    public const string DefaultFileName = "grain-state.db";
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Path of the database file; created with its table on first use.</summary>
    public string FilePath { get; set; } = DefaultFileName;

    /// <summary>How long a write waits for another process's write lock.</summary>
    public TimeSpan BusyTimeout { get; set; } = DefaultBusyTimeout;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(FilePath))
        {
            throw new Configuration.OptionsValidationException($"{nameof(SqliteGrainStorageOptions)}.{nameof(FilePath)} is required.");
        }
        if (BusyTimeout <= TimeSpan.Zero)
        {
            throw new Configuration.OptionsValidationException($"{nameof(SqliteGrainStorageOptions)}.{nameof(BusyTimeout)} must be positive (was {BusyTimeout}).");
        }
    }
}
