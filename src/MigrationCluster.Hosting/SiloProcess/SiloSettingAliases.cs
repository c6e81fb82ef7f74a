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

    public const string ListenAddressAlias = "Silo:ListenAddress";
    public const string AdvertisedIPAddressKey = EndpointSettingsValidator.SectionName + ":" + nameof(Orleans.Configuration.EndpointOptions.AdvertisedIPAddress);
    public const string SiloListeningEndpointKey = EndpointSettingsValidator.SectionName + ":" + nameof(Orleans.Configuration.EndpointOptions.SiloListeningEndpoint);
    public const string GatewayListeningEndpointKey = EndpointSettingsValidator.SectionName + ":" + nameof(Orleans.Configuration.EndpointOptions.GatewayListeningEndpoint);

    /// <summary>Each alias, the Orleans key it sets, and the silo process's default for that key (null: Orleans').</summary>
    public static readonly IReadOnlyList<(string Alias, string Key, string? Default)> Settings =
    [
        ("Silo:ClusterId", "Orleans:ClusterId", LocalClusterState.ClusterId),
        ("Silo:ServiceId", "Orleans:ServiceId", MigrationClusterOptions.DefaultServiceId),
        ("Silo:SiloName", "Orleans:Name", null),
        // Silo:ListenAddress alone is where the silo listens and what it advertises; Silo:AdvertisedAddress, later, wins.
        ("Silo:ListenAddress", AdvertisedIPAddressKey, MigrationClusterOptions.DefaultListenAddress),
        ("Silo:AdvertisedAddress", AdvertisedIPAddressKey, null),
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

        AddListeningEndpoints(configuration, values);

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
    /// <c>Silo:ListenAddress</c> is also where the sockets bind (Orleans' listening endpoints, on the
    /// silo and gateway ports in force): with <c>Silo:AdvertisedAddress</c> the two may differ, e.g.
    /// every interface (0.0.0.0) and the one address other machines reach.
    /// </summary>
    private static void AddListeningEndpoints(IConfiguration configuration, Dictionary<string, string?> values)
    {
        if (configuration[ListenAddressAlias] is not { } listen)
        {
            return;
        }
        foreach (var (portKey, endpointKey) in new[]
        {
            (EndpointSettingsValidator.SectionName + ":SiloPort", SiloListeningEndpointKey),
            (EndpointSettingsValidator.SectionName + ":GatewayPort", GatewayListeningEndpointKey),
        })
        {
            // A bad port is refused under its own name; no second error about the endpoint.
            if (!int.TryParse(configuration[portKey] ?? values.GetValueOrDefault(portKey), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                || port is < 1 or > 65535)
            {
                continue;
            }
            // An address that is no IP address stays as written, and the endpoint validator names it.
            values[endpointKey] = System.Net.IPAddress.TryParse(listen, out var address) ? new System.Net.IPEndPoint(address, port).ToString() : $"{listen}:{port}";
        }
    }

    /// <summary>
    /// <paramref name="message"/>, with the alias named after each Orleans key it mentions that was
    /// set through its alias, so an error speaks of the setting the user wrote.
    /// </summary>
    public static string Annotate(string message, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(configuration);
        // The alias in force for each key: the last one of the table that is set.
        var inForce = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, key, _) in Settings)
        {
            if (configuration[alias] is not null)
            {
                inForce[key] = alias;
            }
        }
        if (configuration[ListenAddressAlias] is not null)
        {
            inForce[SiloListeningEndpointKey] = ListenAddressAlias;
            inForce[GatewayListeningEndpointKey] = ListenAddressAlias;
        }
        foreach (var alias in inForce.Where(kv => message.Contains(kv.Key, StringComparison.OrdinalIgnoreCase)).Select(kv => kv.Value).Distinct())
        {
            message += $" (set as {alias})";
        }
        return message;
    }
}
