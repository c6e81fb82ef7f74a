using MigrationCluster.Runtime.Catalog;
using MigrationCluster.Runtime.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MigrationCluster.Runtime.Hosting;

/// <summary>Builds a <see cref="Silo"/>: <c>new SiloBuilder().AddGrains(assembly).AddMemoryGrainStorage().Build()</c>.</summary>
public sealed class SiloBuilder : ISiloBuilder
{
    public SiloBuilder()
    {
        Services.AddOptions();
        Services.AddSingleton<GrainTypeRegistry>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        Services.AddOptions<SiloOptions>();
        Services.AddOptions<MessagingOptions>();
        Services.AddOptions<GrainCollectionOptions>();
        Services.AddOptions<SchedulingOptions>();
    }

    public IServiceCollection Services { get; } = new ServiceCollection();

    public Silo Build()
    {
        var provider = Services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        return new Silo(provider);
    }
}
