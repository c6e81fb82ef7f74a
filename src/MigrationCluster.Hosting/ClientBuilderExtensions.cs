using MigrationCluster.Hosting.Security;

namespace MigrationCluster.Hosting;

/// <summary>Configures an Orleans client of a MigrationCluster.</summary>
public static class ClientBuilderExtensions
{
    /// <summary>
    /// Cluster identity and security from <paramref name="configure"/>, and activity propagation.
    /// The gateways are Orleans' to find: a clustering provider from configuration
    /// (<c>Orleans:Clustering:ProviderType</c>) or a builder call such as <c>UseStaticClustering</c>
    /// or <c>UseSqliteClustering</c>.
    /// </summary>
    public static IClientBuilder UseMigrationCluster(this IClientBuilder builder, Action<MigrationClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = MigrationClusterOptions.Register(builder.Services, configure);
        builder.UseClusterSecurity(options.TlsCertificate);
        builder.AddActivityPropagation();
        return builder;
    }
}
