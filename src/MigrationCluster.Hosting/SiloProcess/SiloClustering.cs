using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using MigrationCluster.Hosting.Clustering.Postgres;
using MigrationCluster.Hosting.Clustering.Redis;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// The <c>Orleans:Clustering</c> section as the silo process reads it before Orleans does: which
/// provider, where it keeps the table (for the start-up log, never with a password), whether our
/// PostgreSQL schema must be applied first, and the checks that turn a connection it cannot use
/// into one line naming the setting. Orleans' provider builders do the configuring.
/// </summary>
public sealed class SiloClustering
{
    public const string SectionName = "Orleans:Clustering";
    public const string ProviderTypeKey = SectionName + ":ProviderType";

    /// <summary>Our SQLite provider (<c>MigrationCluster.Clustering.Sqlite</c>).</summary>
    public const string SqliteProviderType = "Sqlite";

    /// <summary>Orleans' ADO.NET provider; the silo process applies our schema when its invariant is Npgsql.</summary>
    public const string AdoNetProviderType = "AdoNet";

    /// <summary>Orleans' Redis provider.</summary>
    public const string RedisProviderType = "Redis";

    private const string ConnectionAlias = "Silo:MembershipConnection";

    private SiloClustering(string? providerType, string? invariant, string? connectionString, string? filePath, string? serviceKey)
    {
        ProviderType = providerType;
        Invariant = invariant;
        ConnectionString = connectionString;
        FilePath = filePath;
        ServiceKey = serviceKey;
    }

    public string? ProviderType { get; }

    public string? Invariant { get; }

    /// <summary><c>ConnectionString</c>, else the connection string that <c>ConnectionName</c> names.</summary>
    public string? ConnectionString { get; }

    /// <summary>Sqlite: <c>FilePath</c>, else the <c>Data Source</c> of <see cref="ConnectionString"/>.</summary>
    public string? FilePath { get; }

    /// <summary>Redis: a keyed <c>IConnectionMultiplexer</c> service the application registers instead of a connection string.</summary>
    public string? ServiceKey { get; }

    /// <summary>Orleans' ADO.NET provider over PostgreSQL: our schema is applied before the silo starts.</summary>
    public bool UsesPostgres =>
        ProviderType == AdoNetProviderType && string.Equals(Invariant, PostgresMembershipSchema.Invariant, StringComparison.Ordinal);

    public static SiloClustering Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var connectionString = section["ConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString) && section["ConnectionName"] is { Length: > 0 } name)
        {
            connectionString = configuration.GetConnectionString(name);
        }
        var filePath = section["FilePath"];
        if (section["ProviderType"] == SqliteProviderType && string.IsNullOrWhiteSpace(filePath) && !string.IsNullOrWhiteSpace(connectionString))
        {
            filePath = new SqliteConnectionStringBuilder(connectionString).DataSource;
        }
        return new SiloClustering(section["ProviderType"], section["Invariant"], connectionString, filePath, section["ServiceKey"]);
    }

    /// <summary>Throws <see cref="ArgumentException"/> with one line naming the setting when the provider's table cannot be found.</summary>
    public void Validate()
    {
        switch (ProviderType)
        {
            case null or "":
                throw new ArgumentException($"{ProviderTypeKey} is required (e.g. {SqliteProviderType}, {AdoNetProviderType}, {RedisProviderType}).");
            case SqliteProviderType when string.IsNullOrWhiteSpace(FilePath):
                throw new ArgumentException($"Silo:StateDir, {ConnectionAlias} or {SectionName}:FilePath (the SQLite membership file) is required.");
            case AdoNetProviderType when UsesPostgres:
                CheckConnection("a PostgreSQL connection string, e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres",
                    () => PostgresMembershipSchema.ParseConnectionString(ConnectionString));
                break;
            case RedisProviderType when string.IsNullOrEmpty(ServiceKey):
                CheckConnection("a Redis configuration, e.g. 127.0.0.1:6379", () => RedisMembershipConfiguration.Parse(ConnectionString));
                break;
        }
    }

    /// <summary>Where the table is, for the start-up log line: a server is shown without its password.</summary>
    public string Describe()
    {
        try
        {
            return ProviderType switch
            {
                SqliteProviderType => $"{ProviderType}:{FilePath}",
                AdoNetProviderType when UsesPostgres => $"{ProviderType}:{PostgresMembershipSchema.Describe(PostgresMembershipSchema.ParseConnectionString(ConnectionString))}",
                RedisProviderType when ServiceKey is null => $"{ProviderType}:{RedisMembershipConfiguration.Describe(RedisMembershipConfiguration.Parse(ConnectionString))}",
                _ => $"{ProviderType}",
            };
        }
        catch (ArgumentException)
        {
            return $"{ProviderType}:(invalid)";
        }
    }

    private void CheckConnection(string what, Action parse)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException($"{SectionName}:ConnectionString ({what}) is required with ProviderType {ProviderType}; {ConnectionAlias} sets it too.");
        }
        try
        {
            parse();
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"{SectionName}:ConnectionString or {ConnectionAlias}: {exception.Message}", exception);
        }
    }
}
