using System.Net;
using MigrationCluster.Hosting.Clustering.Postgres;
using MigrationCluster.Hosting.Clustering.Redis;
using Orleans.Configuration;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// A silo process's settings: section <c>Silo</c> of <c>appsettings.json</c>, environment variables
/// <c>MIGRATIONCLUSTER_Silo__Name=value</c>, and the command line (<c>--Silo:Name value</c>, or the
/// short switches in <see cref="SiloHost.SwitchMappings"/>). Failure detection keeps Orleans'
/// production defaults unless set.
/// </summary>
public sealed class SiloProcessOptions
{
    public const string SectionName = "Silo";
    public const string SqliteProvider = "sqlite";
    public const string PostgresProvider = "postgres";
    public const string RedisProvider = "redis";

    /// <summary>What <see cref="MembershipProvider"/> accepts.</summary>
    public static readonly IReadOnlyList<string> MembershipProviders = [SqliteProvider, PostgresProvider, RedisProvider];

    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(60);

    public string ClusterId { get; set; } = LocalClusterState.ClusterId;

    public string ServiceId { get; set; } = MigrationClusterOptions.DefaultServiceId;

    public string? SiloName { get; set; }

    /// <summary>A local cluster's state directory: membership.db and this silo's pid/status files.</summary>
    public string? StateDir { get; set; }

    /// <summary>The address the silo and gateway sockets bind: an address of this host, or <c>0.0.0.0</c> (every interface, with <see cref="AdvertisedAddress"/>).</summary>
    public string ListenAddress { get; set; } = MigrationClusterOptions.DefaultListenAddress;

    /// <summary>
    /// The address the membership table gives for this silo, where the silos and clients of other
    /// machines reach it: an address of one of this host's interfaces. Default: <see cref="ListenAddress"/>.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    public int SiloPort { get; set; } = MigrationClusterOptions.DefaultSiloPort;

    public int GatewayPort { get; set; } = MigrationClusterOptions.DefaultGatewayPort;

    /// <summary>
    /// <c>sqlite</c>: a membership file the silos of one machine share; <c>postgres</c> or
    /// <c>redis</c>: a server the silos of many machines share.
    /// </summary>
    public string MembershipProvider { get; set; } = SqliteProvider;

    /// <summary>
    /// sqlite: the membership file (default: the state directory's); postgres: an Npgsql
    /// connection string (the silo applies the membership schema at start); redis: a
    /// StackExchange.Redis configuration string such as <c>127.0.0.1:6379</c>.
    /// </summary>
    public string? MembershipConnection { get; set; }

    /// <summary>
    /// The cluster's TLS certificate (PKCS#12 with its key). Default: the state directory's, made
    /// there if missing; with neither, connections are plain TCP (a warning is logged).
    /// </summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>The certificate file in force: <see cref="TlsCertificateFile"/>, else the state directory's, else none.</summary>
    public string? EffectiveCertificateFile => TlsCertificateFile ?? State?.CertificateFile;

    /// <summary>Trace export: <c>none</c>, <c>console</c>, <c>otlp</c>, <c>jsonl:PATH</c> (comma-separated).</summary>
    public string Traces { get; set; } = "none";

    /// <summary>
    /// The grain side of Orleans' dashboard (<c>AddDashboard()</c>), so <c>migration-cluster dashboard</c>
    /// can show the cluster: on by default in a silo process; <c>Silo:Dashboard=false</c> saves its
    /// call filter (it times every grain call while someone watches).
    /// </summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>How long the silo may take to join the cluster before it gives up (exit 1).</summary>
    public TimeSpan StartTimeout { get; set; } = DefaultStartTimeout;

    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public int NumMissedProbesLimit { get; set; } = 3;

    public int NumVotesForDeathDeclaration { get; set; } = 2;

    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public LocalClusterState? State => string.IsNullOrWhiteSpace(StateDir) ? null : new LocalClusterState(StateDir);

    /// <summary>Where the membership table lives, as <see cref="MembershipProvider"/> names it (after <see cref="Validate"/>).</summary>
    public ClusteringProvider Clustering => MembershipProvider.ToLowerInvariant() switch
    {
        PostgresProvider => ClusteringProvider.Postgres,
        RedisProvider => ClusteringProvider.Redis,
        _ => ClusteringProvider.Sqlite,
    };

    /// <summary>Sqlite: the membership file, <see cref="MembershipConnection"/>, else the state directory's.</summary>
    public string MembershipFile => MembershipConnection ?? State?.MembershipFile
        ?? throw new InvalidOperationException("Silo:StateDir or Silo:MembershipConnection is required.");

    /// <summary>The membership provider and its connection, into the silo's <see cref="MigrationClusterOptions"/>.</summary>
    public void ApplyTo(MigrationClusterOptions cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        cluster.Clustering = Clustering;
        switch (Clustering)
        {
            case ClusteringProvider.Postgres:
                cluster.PostgresConnectionString = MembershipConnection;
                break;
            case ClusteringProvider.Redis:
                cluster.RedisConfiguration = MembershipConnection;
                break;
            default:
                cluster.MembershipFile = MembershipFile;
                break;
        }
    }

    /// <summary>Orleans' failure detection with these settings.</summary>
    public void ApplyTo(ClusterMembershipOptions membership)
    {
        ArgumentNullException.ThrowIfNull(membership);
        membership.ProbeTimeout = ProbeTimeout;
        membership.NumMissedProbesLimit = NumMissedProbesLimit;
        membership.NumVotesForDeathDeclaration = NumVotesForDeathDeclaration;
        membership.IAmAliveTablePublishTimeout = IAmAliveTablePublishTimeout;
        membership.TableRefreshTimeout = TableRefreshTimeout;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line message naming the bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            throw new ArgumentException("Silo:ClusterId is required.");
        }
        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new ArgumentException("Silo:ServiceId is required.");
        }
        if (!MembershipProviders.Contains(MembershipProvider, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Silo:MembershipProvider must be one of {string.Join(", ", MembershipProviders)} (was '{MembershipProvider}').");
        }
        ValidateMembershipConnection();
        ValidateAddresses();
        if (SiloPort is < 1 or > 65535 || GatewayPort is < 1 or > 65535)
        {
            throw new ArgumentException($"Silo:SiloPort and Silo:GatewayPort must be between 1 and 65535 (were {SiloPort} and {GatewayPort}).");
        }
        if (ProbeTimeout <= TimeSpan.Zero || IAmAliveTablePublishTimeout <= TimeSpan.Zero || TableRefreshTimeout <= TimeSpan.Zero || StartTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Silo:ProbeTimeout, Silo:IAmAliveTablePublishTimeout, Silo:TableRefreshTimeout and Silo:StartTimeout must be positive.");
        }
        if (NumMissedProbesLimit < 1 || NumVotesForDeathDeclaration < 1)
        {
            throw new ArgumentException($"Silo:NumMissedProbesLimit and Silo:NumVotesForDeathDeclaration must be at least 1 (were {NumMissedProbesLimit} and {NumVotesForDeathDeclaration}).");
        }
        if (TlsCertificateFile is not null && !File.Exists(TlsCertificateFile))
        {
            throw new ArgumentException($"Silo:TlsCertificateFile: no such file '{TlsCertificateFile}'.");
        }
        _ = TraceExportOptionsOf(this);
    }

    /// <summary>Both addresses must be this host's: a silo advertised at another machine's address could never be reached.</summary>
    private void ValidateAddresses()
    {
        if (!IPAddress.TryParse(ListenAddress, out var listen))
        {
            throw new ArgumentException($"Silo:ListenAddress must be an IP address (was '{ListenAddress}').");
        }
        var anyInterface = MigrationClusterOptions.IsAnyAddress(listen);
        if (!anyInterface && !HostAddresses.Has(listen))
        {
            throw new ArgumentException($"Silo:ListenAddress {ListenAddress} is not an address of this host (its interfaces have {HostAddresses.Describe()}).");
        }
        if (AdvertisedAddress is null)
        {
            if (anyInterface)
            {
                throw new ArgumentException($"Silo:AdvertisedAddress is required with Silo:ListenAddress {ListenAddress}: the address other machines reach this silo at (this host has {HostAddresses.Describe()}).");
            }
            return;
        }
        if (!IPAddress.TryParse(AdvertisedAddress, out var advertised) || MigrationClusterOptions.IsAnyAddress(advertised))
        {
            throw new ArgumentException($"Silo:AdvertisedAddress must be the IP address of one interface of this host (was '{AdvertisedAddress}').");
        }
        if (!HostAddresses.Has(advertised))
        {
            throw new ArgumentException($"Silo:AdvertisedAddress {AdvertisedAddress} is not an address of this host (its interfaces have {HostAddresses.Describe()}).");
        }
        if (!anyInterface && !advertised.Equals(listen))
        {
            throw new ArgumentException($"Silo:AdvertisedAddress {AdvertisedAddress} differs from Silo:ListenAddress {ListenAddress}: the silo would not answer where it is advertised (listen on 0.0.0.0, or on {AdvertisedAddress}).");
        }
    }

    private void ValidateMembershipConnection()
    {
        switch (Clustering)
        {
            case ClusteringProvider.Postgres:
                RequireConnection("a PostgreSQL connection string, e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres",
                    () => PostgresMembershipSchema.ParseConnectionString(MembershipConnection));
                break;
            case ClusteringProvider.Redis:
                RequireConnection("a Redis configuration, e.g. 127.0.0.1:6379", () => RedisMembershipConfiguration.Parse(MembershipConnection));
                break;
            default:
                if (string.IsNullOrWhiteSpace(MembershipConnection) && State is null)
                {
                    throw new ArgumentException("Silo:StateDir or Silo:MembershipConnection (the SQLite membership file) is required.");
                }
                break;
        }
    }

    private void RequireConnection(string what, Action parse)
    {
        if (string.IsNullOrWhiteSpace(MembershipConnection))
        {
            throw new ArgumentException($"Silo:MembershipConnection ({what}) is required with Silo:MembershipProvider {MembershipProvider}.");
        }
        try
        {
            parse();
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"Silo:MembershipConnection: {exception.Message}", exception);
        }
    }

    /// <summary>Where the membership lives, for the start-up log: a server connection is shown without its password.</summary>
    public string DescribeMembership()
    {
        try
        {
            return Clustering switch
            {
                ClusteringProvider.Postgres => PostgresMembershipSchema.Describe(PostgresMembershipSchema.ParseConnectionString(MembershipConnection)),
                ClusteringProvider.Redis => RedisMembershipConfiguration.Describe(RedisMembershipConfiguration.Parse(MembershipConnection)),
                _ => MembershipConnection ?? State?.MembershipFile ?? "(none)",
            };
        }
        catch (ArgumentException)
        {
            return "(invalid)";
        }
    }

    internal static Telemetry.TraceExportOptions TraceExportOptionsOf(SiloProcessOptions options)
    {
        try
        {
            return Telemetry.TraceExportOptions.Parse(options.Traces);
        }
        catch (Telemetry.TraceExportOptionException exception)
        {
            throw new ArgumentException($"Silo:Traces: {exception.Message}", exception);
        }
    }

    /// <summary>For the start-up log line.</summary>
    public override string ToString() =>
        $"ClusterId={ClusterId}, ServiceId={ServiceId}, SiloName={SiloName}, StateDir={StateDir}, Listen={ListenAddress}:{SiloPort} (gateway {GatewayPort}), Advertised={AdvertisedAddress ?? ListenAddress}, " +
        $"Membership={MembershipProvider}:{DescribeMembership()}, Tls={EffectiveCertificateFile ?? "off"}, Traces={Traces}, Dashboard={Dashboard}, StartTimeout={StartTimeout}, ProbeTimeout={ProbeTimeout}, " +
        $"NumMissedProbesLimit={NumMissedProbesLimit}, NumVotesForDeathDeclaration={NumVotesForDeathDeclaration}, " +
        $"IAmAliveTablePublishTimeout={IAmAliveTablePublishTimeout}, TableRefreshTimeout={TableRefreshTimeout}";
}
