using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;

namespace MigrationCluster.Clustering.Sqlite;

/// <summary>
/// Orleans' <see cref="IGatewayListProvider"/> for clients of a cluster whose membership is in a
/// SQLite file (see <see cref="SqliteMembershipTable"/>): the gateways are the Active silos that
/// listen for clients, at their own address with their proxy port.
/// </summary>
public sealed class SqliteGatewayListProvider : IGatewayListProvider
{
    private readonly SqliteMembershipDatabase _database;
    private readonly string _clusterId;

    public SqliteGatewayListProvider(
        IOptions<SqliteClusteringOptions> options,
        IOptions<ClusterOptions> clusterOptions,
        IOptions<GatewayOptions> gatewayOptions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        ArgumentNullException.ThrowIfNull(gatewayOptions);
        _database = new SqliteMembershipDatabase(options.Value);
        _clusterId = clusterOptions.Value.ClusterId
            ?? throw new ArgumentException($"{nameof(ClusterOptions)}.{nameof(ClusterOptions.ClusterId)} is required.", nameof(clusterOptions));
        MaxStaleness = gatewayOptions.Value.GatewayListRefreshPeriod;
    }

    /// <summary>How often the client asks again: Orleans' gateway refresh period, as its other providers do.</summary>
    public TimeSpan MaxStaleness { get; }

    /// <summary>Obsolete in Orleans 10 (every provider counts as updatable); true, since the list follows the table.</summary>
    bool IGatewayListProvider.IsUpdatable => true;

    /// <summary>
    /// Creates the schema if the file lacks it, so a client may start before the first silo
    /// (it then finds no gateways and retries). It does not create the cluster's version row:
    /// that belongs to the silos.
    /// </summary>
    public Task InitializeGatewayListProviderAsync(CancellationToken cancellationToken = default) => Task.Run(() =>
    {
        using var connection = _database.Open();
        SqliteMembershipDatabase.EnableWriteAheadLog(connection);
        using var transaction = SqliteMembershipDatabase.BeginWrite(connection);
        SqliteMembershipDatabase.Execute(connection, transaction, SqliteMembershipSql.CreateSchema);
        transaction.Commit();
    }, cancellationToken);

    public Task<IList<Uri>> GetGatewaysAsync(CancellationToken cancellationToken = default) => Task.Run(() =>
    {
        using var connection = _database.Open();
        using var command = SqliteMembershipDatabase.Command(connection, null, SqliteMembershipSql.SelectGateways,
            ("@cluster_id", _clusterId), ("@active", (int)SiloStatus.Active));
        using var reader = command.ExecuteReader();
        IList<Uri> gateways = [];
        while (reader.Read())
        {
            var silo = SiloAddress.FromParsableString(reader.GetString(0));
            var gateway = SiloAddress.New(new IPEndPoint(silo.Endpoint.Address, reader.GetInt32(1)), silo.Generation);
            gateways.Add(gateway.ToGatewayUri());
        }

        return gateways;
    }, cancellationToken);

    // Orleans 10 declares token-less members too; they are the same operations.
    Task IGatewayListProvider.InitializeGatewayListProvider() => InitializeGatewayListProviderAsync();

    Task<IList<Uri>> IGatewayListProvider.GetGateways() => GetGatewaysAsync();
}
