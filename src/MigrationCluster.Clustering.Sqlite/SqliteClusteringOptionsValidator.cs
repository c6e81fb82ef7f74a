using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;

namespace MigrationCluster.Clustering.Sqlite;

/// <summary>
/// Checks <see cref="SqliteClusteringOptions"/> when the silo or client starts, so a missing path
/// fails at once with one line that names the option, not later inside SQLite.
/// </summary>
public sealed class SqliteClusteringOptionsValidator : IConfigurationValidator
{
    private readonly SqliteClusteringOptions _options;

    public SqliteClusteringOptionsValidator(IOptions<SqliteClusteringOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
    }

    public void ValidateConfiguration()
    {
        if (string.IsNullOrWhiteSpace(_options.FilePath))
        {
            throw new OrleansConfigurationException(
                $"{nameof(SqliteClusteringOptions)}.{nameof(SqliteClusteringOptions.FilePath)} is required: the path of the SQLite file that holds the membership table.");
        }

        if (_options.BusyTimeout <= TimeSpan.Zero || _options.BusyTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new OrleansConfigurationException(
                $"{nameof(SqliteClusteringOptions)}.{nameof(SqliteClusteringOptions.BusyTimeout)} must be positive and at most {int.MaxValue} ms; it is {_options.BusyTimeout}.");
        }
    }
}
