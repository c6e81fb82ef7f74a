using Npgsql;

namespace MigrationCluster.Runtime.MembershipService;

public sealed class PostgresMembershipTableOptions
{
    public const string DefaultClusterId = "dev";

    /// <summary>An Npgsql connection string, e.g. <c>Host=127.0.0.1;Port=5432;Username=...;Database=...</c>.</summary>
    public string ConnectionString { get; set; } = "";

    public string ClusterId { get; set; } = DefaultClusterId;

    public void Validate()
    {
        MembershipTableOptionsValidation.ValidateClusterId(ClusterId, nameof(PostgresMembershipTableOptions));
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException($"{nameof(PostgresMembershipTableOptions)}.ConnectionString is required (e.g. 'Host=127.0.0.1;Username=postgres;Database=postgres').");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{nameof(PostgresMembershipTableOptions)}.ConnectionString is not a valid Npgsql connection string: {e.Message}", e);
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new ArgumentException($"{nameof(PostgresMembershipTableOptions)}.ConnectionString names no Host.");
        }
    }
}
