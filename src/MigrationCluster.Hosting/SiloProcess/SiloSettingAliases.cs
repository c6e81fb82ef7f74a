using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// The silo's own <c>Silo:*</c> settings, kept for compatibility, as the Orleans keys they stand
/// for (<c>Silo:ClusterId</c> is <c>Orleans:ClusterId</c>, <c>Silo:SiloPort</c> is
/// <c>Orleans:Endpoints:SiloPort</c>, <c>Silo:MembershipProvider postgres</c> is
/// <c>Orleans:Clustering:ProviderType AdoNet</c> with <c>Invariant Npgsql</c>, ...), with the
/// silo process's defaults. They are added below every other source, so an Orleans key that is
/// set anywhere wins over its alias.
/// </summary>
public static class SiloSettingAliases
{
    public const string SqliteProvider = "sqlite";
    public const string PostgresProvider = "postgres";
    public const string RedisProvider = "redis";

    /// <summary>What <c>Silo:MembershipProvider</c> accepts.</summary>
    public static readonly IReadOnlyList<string> MembershipProviders = [SqliteProvider, PostgresProvider, RedisProvider];

    /// <summary>Each alias, the Orleans key it sets, and the silo process's default for that key (null: Orleans').</summary>
    public static readonly IReadOnlyList<(string Alias, string Key, string? Default)> Settings =
    [
        ("Silo:ClusterId", "Orleans:ClusterId", LocalClusterState.ClusterId),
        ("Silo:ServiceId", "Orleans:ServiceId", MigrationClusterOptions.DefaultServiceId),
        ("Silo:SiloName", "Orleans:Name", null),
        ("Silo:ListenAddress", "Orleans:Endpoints:AdvertisedIPAddress", MigrationClusterOptions.DefaultListenAddress),
        ("Silo:SiloPort", "Orleans:Endpoints:SiloPort", MigrationClusterOptions.DefaultSiloPort.ToString(CultureInfo.InvariantCulture)),
        ("Silo:GatewayPort", "Orleans:Endpoints:GatewayPort", MigrationClusterOptions.DefaultGatewayPort.ToString(CultureInfo.InvariantCulture)),
        ("Silo:ProbeTimeout", "Orleans:Membership:ProbeTimeout", null),
        ("Silo:NumMissedProbesLimit", "Orleans:Membership:NumMissedProbesLimit", null),
        ("Silo:NumVotesForDeathDeclaration", "Orleans:Membership:NumVotesForDeathDeclaration", null),
        ("Silo:IAmAliveTablePublishTimeout", "Orleans:Membership:IAmAliveTablePublishTimeout", null),
        ("Silo:TableRefreshTimeout", "Orleans:Membership:TableRefreshTimeout", null),
    ];

    /// <summary>
    /// Every alias without its <c>Silo:</c> prefix (what deployment files may set), with the two
    /// that stand for the <c>Orleans:Clustering</c> section: <c>MembershipProvider</c> (its
    /// <c>ProviderType</c>) and <c>MembershipConnection</c> (its <c>FilePath</c> or <c>ConnectionString</c>).
    /// </summary>
    public static IEnumerable<string> Names =>
        Settings.Select(s => s.Alias[(SiloProcessOptions.SectionName.Length + 1)..]).Concat(["MembershipProvider", "MembershipConnection"]);

    /// <summary>
    /// Adds the Orleans keys that the aliases and the silo's defaults give, as the lowest source.
    /// </summary>
    /// <exception cref="ArgumentException"><c>Silo:MembershipProvider</c> names no provider we know.</exception>
    public static void AddTo(IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var values = Resolve(configuration.Build());
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = values });
    }

    /// <summary>The Orleans keys that <paramref name="configuration"/>'s aliases (or the defaults) stand for.</summary>
    public static Dictionary<string, string?> Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, key, defaultValue) in Settings)
        {
            if ((configuration[alias] ?? defaultValue) is { } value)
            {
                values[key] = value;
            }
        }

        var provider = configuration["Silo:MembershipProvider"];
        if (provider is not null && !MembershipProviders.Contains(provider, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Silo:MembershipProvider must be one of {string.Join(", ", MembershipProviders)} (was '{provider}'); or set {SiloClustering.ProviderTypeKey}.");
        }
        values[SiloClustering.ProviderTypeKey] = (provider ?? SqliteProvider).ToLowerInvariant() switch
        {
            PostgresProvider => SiloClustering.AdoNetProviderType,
            RedisProvider => SiloClustering.RedisProviderType,
            _ => SiloClustering.SqliteProviderType,
        };
        // The provider in force: an Orleans key set anywhere, else the alias's.
        var providerType = configuration[SiloClustering.ProviderTypeKey] ?? values[SiloClustering.ProviderTypeKey];
        if (string.Equals(providerType, SiloClustering.AdoNetProviderType, StringComparison.Ordinal))
        {
            // The silo's ADO.NET membership is PostgreSQL with our schema.
            values[SiloClustering.SectionName + ":Invariant"] = Clustering.Postgres.PostgresMembershipSchema.Invariant;
        }
        var connection = configuration["Silo:MembershipConnection"];
        if (string.Equals(providerType, SiloClustering.SqliteProviderType, StringComparison.Ordinal))
        {
            var stateDir = configuration[SiloProcessOptions.SectionName + ":" + nameof(SiloProcessOptions.StateDir)];
            var file = connection ?? (string.IsNullOrWhiteSpace(stateDir) ? null : new LocalClusterState(stateDir).MembershipFile);
            if (file is not null)
            {
                values[SiloClustering.SectionName + ":FilePath"] = file;
            }
        }
        else if (connection is not null)
        {
            values[SiloClustering.SectionName + ":ConnectionString"] = connection;
        }
        return values;
    }

    /// <summary>
    /// <paramref name="message"/>, with the alias named after each Orleans key it mentions that was
    /// set through its alias, so an error speaks of the setting the user wrote.
    /// </summary>
    public static string Annotate(string message, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var (alias, key, _) in Settings)
        {
            if (configuration[alias] is not null && message.Contains(key, StringComparison.OrdinalIgnoreCase))
            {
                message += $" (set as {alias})";
            }
        }
        return message;
    }
}
