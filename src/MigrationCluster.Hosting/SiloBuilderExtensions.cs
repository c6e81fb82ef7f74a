using System.Net;
using MigrationCluster.Grains.Placement;
using MigrationCluster.Hosting.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace MigrationCluster.Hosting;

/// <summary>Configures an Orleans silo to host the simulation.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// Cluster identity and endpoints from <paramref name="configure"/>, cluster security, the
    /// grain side of Orleans' dashboard when <see cref="MigrationClusterOptions.Dashboard"/> asks,
    /// then <see cref="AddNumaSimulation"/>. Clustering is Orleans' to choose: a provider from
    /// configuration (<c>Orleans:Clustering:ProviderType</c>: <c>Sqlite</c>, <c>AdoNet</c>,
    /// <c>Redis</c>, ...) or a builder call such as <c>UseDevelopmentClustering</c> or
    /// <c>UseSqliteClustering</c>. Bad options throw here, before the silo starts.
    /// </summary>
    public static ISiloBuilder UseMigrationCluster(this ISiloBuilder builder, Action<MigrationClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = MigrationClusterOptions.Register(builder.Services, configure);
        // Orleans' endpoints: the advertised address goes into the membership table, the sockets
        // bind the listen address (the same one unless a silo behind NAT or on 0.0.0.0 says otherwise).
        builder.Configure<EndpointOptions>(endpoints =>
        {
            endpoints.AdvertisedIPAddress = options.AdvertisedIPAddress;
            endpoints.SiloPort = options.SiloPort;
            endpoints.GatewayPort = options.GatewayPort;
            endpoints.SiloListeningEndpoint = new IPEndPoint(options.ListenIPAddress, options.SiloPort);
            endpoints.GatewayListeningEndpoint = new IPEndPoint(options.ListenIPAddress, options.GatewayPort);
        });
        builder.UseClusterSecurity(options.TlsCertificate);
        if (options.Dashboard)
        {
            builder.AddDashboard();
        }
        return builder.AddNumaSimulation();
    }

    /// <summary>
    /// What every silo of the simulation needs whatever its clustering (a test cluster adds just
    /// this): the NUMA placement director, activity propagation through grain calls, and a clock.
    /// </summary>
    public static ISiloBuilder AddNumaSimulation(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddPlacementDirector<NumaNodePlacement, NumaNodePlacementDirector>();
        builder.AddActivityPropagation();
        return builder;
    }
}
