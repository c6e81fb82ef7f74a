using Microsoft.Extensions.DependencyInjection;

namespace MigrationCluster.Runtime.Hosting;

/// <summary>Configures a silo: its services, options, grain assemblies and providers (see the <c>Add*</c>/<c>Use*</c> extensions).</summary>
public interface ISiloBuilder
{
    IServiceCollection Services { get; }
}
