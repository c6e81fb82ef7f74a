using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Messaging;

namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// Membership tables and gateway list providers built through a provider's own hosting
/// extensions, each in a service provider of its own (its own connections), all disposed together.
/// </summary>
public sealed class ProviderInstances : IAsyncDisposable
{
    private readonly List<ServiceProvider> _providers = [];
    private readonly Lock _lock = new();

    public IMembershipTable CreateTable(string serviceId, string clusterId, Action<ISiloBuilder> useClustering)
    {
        ArgumentNullException.ThrowIfNull(useClustering);
        var services = NewServices(serviceId, clusterId);
        useClustering(new ServiceCollectionSiloBuilder(services));
        return Build(services).GetRequiredService<IMembershipTable>();
    }

    public IGatewayListProvider CreateGatewayListProvider(string serviceId, string clusterId, TimeSpan refreshPeriod, Action<IClientBuilder> useClustering)
    {
        ArgumentNullException.ThrowIfNull(useClustering);
        var services = NewServices(serviceId, clusterId);
        services.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = refreshPeriod);
        useClustering(new ServiceCollectionClientBuilder(services));
        return Build(services).GetRequiredService<IGatewayListProvider>();
    }

    public async ValueTask DisposeAsync()
    {
        ServiceProvider[] providers;
        lock (_lock)
        {
            providers = [.. _providers];
            _providers.Clear();
        }
        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }
    }

    private static ServiceCollection NewServices(string serviceId, string clusterId)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.Configure<ClusterOptions>(o =>
        {
            o.ServiceId = serviceId;
            o.ClusterId = clusterId;
        });
        return services;
    }

    private ServiceProvider Build(ServiceCollection services)
    {
        var provider = services.BuildServiceProvider();
        lock (_lock)
        {
            _providers.Add(provider);
        }
        return provider;
    }
}
