using MigrationCluster.Hosting.Clustering.Postgres;
using MigrationCluster.Hosting.Clustering.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// How a client reaches a cluster on several machines: the file <c>client.json</c> in the
/// directory that <c>run --cluster DIR</c>, <c>experiment --cluster DIR</c> and <c>dashboard
/// --cluster DIR</c> name, beside the cluster's certificate. The gateways come from the same
/// membership table the silos share (PostgreSQL or Redis); the certificate is the one every silo
/// presents. A directory without this file is a local cluster (<see cref="LocalClusterState"/>).
/// </summary>
public sealed class ClusterClientSettings
{
    public const string FileName = "client.json";
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the client rereads the gateways from the table (Orleans' default is a minute). A
    /// partitioned silo closes no connection, so until the client rereads the table and finds it
    /// dead, a call it sends through that gateway waits for its timeout: a command's watch then
    /// saw a lost silo up to a minute late.
    /// </summary>
    public static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(10);

    public string ClusterId { get; set; } = string.Empty;

    public string ServiceId { get; set; } = MigrationClusterOptions.DefaultServiceId;

    /// <summary><c>postgres</c> or <c>redis</c>, as the silos' <c>Silo:MembershipProvider</c> (Orleans' ADO.NET provider with Npgsql, or its Redis provider).</summary>
    public string MembershipProvider { get; set; } = SiloSettingAliases.PostgresProvider;

    /// <summary>As the silos' <c>Silo:MembershipConnection</c> (the client only reads the gateways).</summary>
    public string? MembershipConnection { get; set; }

    /// <summary>The cluster's certificate (PKCS#12 with its key), relative to the directory; default <c>cluster.pfx</c>.</summary>
    public string TlsCertificateFile { get; set; } = "cluster.pfx";

    /// <summary>How long the client may take to reach a gateway before the command gives up (exit 1).</summary>
    public TimeSpan ConnectTimeout { get; set; } = DefaultConnectTimeout;

    /// <summary>How long a call may wait for its answer (Orleans' <c>MessagingOptions.ResponseTimeout</c>).</summary>
    public TimeSpan ResponseTimeout { get; set; } = DefaultResponseTimeout;

    /// <summary>Where the file is (or would be) in <paramref name="directory"/>.</summary>
    public static string PathIn(string directory) => Path.Combine(Path.GetFullPath(directory), FileName);

    /// <summary>True when <paramref name="directory"/> describes a cluster on several machines.</summary>
    public static bool ExistsIn(string directory) => File.Exists(PathIn(directory));

    /// <summary>The settings in <paramref name="directory"/>, checked: a one-line <see cref="ArgumentException"/> naming the bad one.</summary>
    public static ClusterClientSettings Load(string directory)
    {
        var path = PathIn(directory);
        ClusterClientSettings settings;
        try
        {
            settings = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build().Get<ClusterClientSettings>() ?? new ClusterClientSettings();
        }
        catch (Exception exception) when (exception is FormatException or InvalidOperationException or InvalidDataException or IOException)
        {
            throw new ArgumentException($"{path}: {exception.Message}", exception);
        }
        settings.TlsCertificateFile = Path.Combine(Path.GetDirectoryName(path)!, settings.TlsCertificateFile);
        settings.Validate(path);
        return settings;
    }

    public void Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            throw new ArgumentException($"{path}: ClusterId is required (the silos' Silo:ClusterId).");
        }
        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new ArgumentException($"{path}: ServiceId must not be empty.");
        }
        try
        {
            switch (MembershipProvider.ToLowerInvariant())
            {
                case SiloSettingAliases.PostgresProvider:
                    PostgresMembershipSchema.ParseConnectionString(MembershipConnection);
                    break;
                case SiloSettingAliases.RedisProvider:
                    RedisMembershipConfiguration.Parse(MembershipConnection);
                    break;
                default:
                    throw new ArgumentException($"MembershipProvider must be {SiloSettingAliases.PostgresProvider} or {SiloSettingAliases.RedisProvider} (was '{MembershipProvider}'); a local cluster's directory has no {FileName}.");
            }
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"{path}: {(exception.Message.StartsWith("MembershipProvider", StringComparison.Ordinal) ? "" : "MembershipConnection: ")}{exception.Message}", exception);
        }
        if (ConnectTimeout <= TimeSpan.Zero || ResponseTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{path}: ConnectTimeout and ResponseTimeout must be positive.");
        }
        if (!File.Exists(TlsCertificateFile))
        {
            throw new ArgumentException($"{path}: no certificate at {TlsCertificateFile} (copy the cluster's certificate there, or set TlsCertificateFile).");
        }
    }

    /// <summary>The client side of <see cref="MigrationClusterOptions"/>: the cluster's identity.</summary>
    public void ApplyTo(MigrationClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ClusterId = ClusterId;
        options.ServiceId = ServiceId;
    }

    /// <summary>
    /// Where the client finds the gateways: Orleans' own provider for the silos' table (Redis, or
    /// ADO.NET over Npgsql with the schema the silos applied), and how long a call may wait.
    /// </summary>
    public IClientBuilder UseClusteringOf(IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (MembershipProvider.Equals(SiloSettingAliases.RedisProvider, StringComparison.OrdinalIgnoreCase))
        {
            var redis = RedisMembershipConfiguration.Parse(MembershipConnection);
            client.UseRedisClustering(o => o.ConfigurationOptions = redis);
        }
        else
        {
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresMembershipSchema.Invariant;
                o.ConnectionString = MembershipConnection;
            });
        }
        return client
            .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout)
            .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefreshPeriod);
    }

    /// <summary>The cluster in words (no password), for messages.</summary>
    public string Describe() => $"cluster '{ClusterId}' ({MembershipProvider} membership)";
}
