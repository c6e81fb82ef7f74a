using MigrationCluster.Clustering.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Providers;

[assembly: RegisterProvider(SqliteClusteringProviderBuilder.ProviderType, "Clustering", "Silo", typeof(SqliteClusteringProviderBuilder))]
[assembly: RegisterProvider(SqliteClusteringProviderBuilder.ProviderType, "Clustering", "Client", typeof(SqliteClusteringProviderBuilder))]

namespace MigrationCluster.Clustering.Sqlite;

/// <summary>
/// Lets configuration pick this provider the way Orleans picks its own:
/// <c>Orleans:Clustering:ProviderType=Sqlite</c>, with the file in the same section as
/// <c>FilePath</c>, or as a SQLite connection string's <c>Data Source</c> in
/// <c>ConnectionString</c> or in <c>ConnectionStrings:{ConnectionName}</c>; <c>BusyTimeout</c>
/// is optional. What is missing is reported by <see cref="SqliteClusteringOptionsValidator"/>.
/// </summary>
internal sealed class SqliteClusteringProviderBuilder : IProviderBuilder<ISiloBuilder>, IProviderBuilder<IClientBuilder>
{
    /// <summary>The <c>ProviderType</c> value that names this provider.</summary>
    public const string ProviderType = "Sqlite";

    public void Configure(ISiloBuilder builder, string? name, IConfigurationSection configurationSection) =>
        builder.UseSqliteClustering(options => BindSection(options, configurationSection));

    public void Configure(IClientBuilder builder, string? name, IConfigurationSection configurationSection) =>
        builder.UseSqliteClustering(options => BindSection(options, configurationSection));

    private static void BindSection(OptionsBuilder<SqliteClusteringOptions> options, IConfigurationSection section) =>
        options.Bind(section).Configure<IServiceProvider>((sqlite, services) =>
        {
            if (!string.IsNullOrWhiteSpace(sqlite.FilePath))
            {
                return;
            }
            var connectionString = section["ConnectionString"];
            if (string.IsNullOrWhiteSpace(connectionString) && section["ConnectionName"] is { Length: > 0 } connectionName)
            {
                connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString(connectionName);
            }
            if (!string.IsNullOrWhiteSpace(connectionString))
            {
                sqlite.FilePath = new SqliteConnectionStringBuilder(connectionString).DataSource;
            }
        });
}
