using Npgsql;

namespace MigrationCluster.Hosting.Clustering.Postgres;

/// <summary>
/// The PostgreSQL schema that Orleans' ADO.NET clustering provider needs and does not ship: our
/// tables, and in its <c>OrleansQuery</c> table the text of each query it runs
/// (<c>PostgresMembershipSchema.sql</c>, embedded). <c>migration-cluster cluster init-db</c> and a
/// silo process whose clustering is Orleans' <c>AdoNet</c> provider with invariant <c>Npgsql</c>
/// (<c>Silo:MembershipProvider postgres</c>) apply it.
/// </summary>
public static class PostgresMembershipSchema
{
    /// <summary>The ADO.NET invariant name Orleans resolves to Npgsql's provider factory.</summary>
    public const string Invariant = "Npgsql";

    private const string ResourceName = "MigrationCluster.Hosting.Clustering.Postgres.PostgresMembershipSchema.sql";

    // Silos that start together all apply the script; CREATE ... IF NOT EXISTS alone still races
    // in PostgreSQL's catalogs, so they take turns on one transaction-scoped advisory lock.
    private const string TakeTurns = "SELECT pg_advisory_xact_lock(hashtext('migrationcluster.membership-schema'))";

    private static readonly Lazy<string> LazyScript = new(ReadScript);

    /// <summary>The script that <see cref="ApplyAsync"/> runs.</summary>
    public static string Script => LazyScript.Value;

    /// <summary>
    /// Creates what is missing and refreshes the query texts, in one transaction: idempotent, safe
    /// to run from several processes at once, and it never drops a table or deletes a row.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is malformed or names no host.</exception>
    /// <exception cref="NpgsqlException">The server cannot be reached, refuses the login, or fails the script.</exception>
    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var builder = ParseConnectionString(connectionString);
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var turn = new NpgsqlCommand(TakeTurns, connection, transaction))
        {
            await turn.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var apply = new NpgsqlCommand(Script, connection, transaction))
        {
            await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An Npgsql connection string checked without connecting. The message says what is wrong
    /// but never repeats the string, which may hold a password.
    /// </summary>
    /// <exception cref="ArgumentException">Empty, malformed, or without a host.</exception>
    public static NpgsqlConnectionStringBuilder ParseConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException("the PostgreSQL connection string is empty (e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres).");
        }
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql's message quotes the part it could not read, which may be a mistyped password.
            throw new ArgumentException("not a valid PostgreSQL connection string: expected Keyword=value pairs separated by ';' with Npgsql's keywords (e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres).", exception);
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new ArgumentException("the PostgreSQL connection string names no Host.");
        }
        return builder;
    }

    /// <summary>Where a connection string points, for messages and logs: host, port and database, never the password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username ?? "(default)"}";
    }

    private static string ReadScript()
    {
        using var stream = typeof(PostgresMembershipSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
