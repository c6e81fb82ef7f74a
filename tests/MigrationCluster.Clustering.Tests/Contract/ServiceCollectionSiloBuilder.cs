using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// Just enough of a silo builder to run a provider's own <c>UseXClustering</c> extension into a
/// service collection, so a test gets the provider's table as Orleans would build it (some
/// providers keep their table type internal).
/// </summary>
public sealed class ServiceCollectionSiloBuilder(IServiceCollection services) : ISiloBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfiguration Configuration { get; } = new ConfigurationBuilder().Build();
}
