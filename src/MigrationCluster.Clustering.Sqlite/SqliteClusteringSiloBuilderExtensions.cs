using MigrationCluster.Clustering.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Orleans.Hosting;

/// <summary>
/// <c>siloBuilder.UseSqliteClustering(...)</c>: membership in a SQLite file, in the namespace and
/// shape of Orleans' own clustering packages (<c>UseAdoNetClustering</c>, <c>UseRedisClustering</c>).
/// </summary>
public static class SqliteClusteringSiloBuilderExtensions
{
    /// <summary>Keeps this silo's cluster membership in the SQLite file that <paramref name="configureOptions"/> names.</summary>
    public static ISiloBuilder UseSqliteClustering(this ISiloBuilder builder, Action<SqliteClusteringOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureOptions);
        return builder.UseSqliteClustering(options => options.Configure(configureOptions));
    }

    /// <summary>As above, with an options builder, e.g. to bind a configuration section: <c>o => o.BindConfiguration("Clustering:Sqlite")</c>.</summary>
    public static ISiloBuilder UseSqliteClustering(this ISiloBuilder builder, Action<OptionsBuilder<SqliteClusteringOptions>> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureOptions);
        configureOptions(builder.Services.AddOptions<SqliteClusteringOptions>());
        builder.Services.AddSingleton<SqliteMembershipTable>();
        builder.Services.AddSingleton<IMembershipTable>(services => services.GetRequiredService<SqliteMembershipTable>());
        builder.Services.AddSingleton<IConfigurationValidator, SqliteClusteringOptionsValidator>();
        return builder;
    }
}
