using MigrationCluster.Clustering.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Messaging;
using Orleans.Runtime;

namespace Orleans.Hosting;

/// <summary>
/// <c>clientBuilder.UseSqliteClustering(...)</c>: a client finds the gateways of a cluster whose
/// membership is in a SQLite file, in the shape of Orleans' own clustering packages.
/// </summary>
public static class SqliteClusteringClientBuilderExtensions
{
    /// <summary>Finds gateways in the SQLite membership file that <paramref name="configureOptions"/> names.</summary>
    public static IClientBuilder UseSqliteClustering(this IClientBuilder builder, Action<SqliteClusteringOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureOptions);
        return builder.UseSqliteClustering(options => options.Configure(configureOptions));
    }

    /// <summary>As above, with an options builder, e.g. to bind a configuration section.</summary>
    public static IClientBuilder UseSqliteClustering(this IClientBuilder builder, Action<OptionsBuilder<SqliteClusteringOptions>> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureOptions);
        configureOptions(builder.Services.AddOptions<SqliteClusteringOptions>());
        builder.Services.AddSingleton<IGatewayListProvider, SqliteGatewayListProvider>();
        builder.Services.AddSingleton<IConfigurationValidator, SqliteClusteringOptionsValidator>();
        return builder;
    }
}
