using System.Net;
using MigrationCluster.Grains.Placement;
using MigrationCluster.Hosting.Security;
using MigrationCluster.Hosting.Clustering.Postgres;
using MigrationCluster.Hosting.Clustering.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace MigrationCluster.Hosting;

/// <summary>Configures an Orleans silo to host the simulation.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// Cluster identity, endpoints and membership from <paramref name="configure"/>, the grain
    /// side of Orleans' dashboard when <see cref="MigrationClusterOptions.Dashboard"/> asks, then
    /// <see cref="AddNumaSimulation"/>: the NUMA placement director and activity propagation, so
    /// one trace runs through every silo a call reaches (spans are made only while someone
    /// listens). Bad options throw here, before the silo starts.
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
        switch (options.Clustering)
        {
            case ClusteringProvider.Localhost:
                builder.UseDevelopmentClustering(options.PrimarySiloEndpoint);
                break;
            case ClusteringProvider.Sqlite:
                builder.UseSqliteClustering(o => o.FilePath = options.MembershipFile);
                break;
            case ClusteringProvider.Postgres:
                // Orleans' ADO.NET provider; its queries come from the schema PostgresMembershipSchema applies.
                builder.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresMembershipSchema.Invariant;
                    o.ConnectionString = options.PostgresConnectionString;
                });
                break;
            case ClusteringProvider.Redis:
                builder.UseRedisClustering(o => o.ConfigurationOptions = RedisMembershipConfiguration.Parse(options.RedisConfiguration));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(configure), options.Clustering, "Unknown clustering provider.");
        }

        builder.UseClusterSecurity(options);
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
