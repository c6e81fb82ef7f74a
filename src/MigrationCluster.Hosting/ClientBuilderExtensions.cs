using System.Net;
using MigrationCluster.Hosting.Security;
using MigrationCluster.Hosting.Clustering.Postgres;
using MigrationCluster.Hosting.Clustering.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace MigrationCluster.Hosting;

/// <summary>Configures an Orleans client of a MigrationCluster.</summary>
public static class ClientBuilderExtensions
{
    /// <summary>Cluster identity and gateways from <paramref name="configure"/>, and activity propagation.</summary>
    public static IClientBuilder UseMigrationCluster(this IClientBuilder builder, Action<MigrationClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = MigrationClusterOptions.Register(builder.Services, configure);
        switch (options.Clustering)
        {
            case ClusteringProvider.Localhost:
                var ports = options.GatewayPorts.Count > 0 ? options.GatewayPorts : [options.GatewayPort];
                builder.UseStaticClustering([.. ports.Select(p => new IPEndPoint(options.ListenIPAddress, p))]);
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
        builder.AddActivityPropagation();
        return builder;
    }
}
