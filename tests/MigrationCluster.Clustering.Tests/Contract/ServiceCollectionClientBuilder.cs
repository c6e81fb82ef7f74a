using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace MigrationCluster.Clustering.Tests;

/// <summary>The client-side twin of <see cref="ServiceCollectionSiloBuilder"/>: a provider's gateway list as Orleans would build it.</summary>
public sealed class ServiceCollectionClientBuilder(IServiceCollection services) : IClientBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfiguration Configuration { get; } = new ConfigurationBuilder().Build();
}
