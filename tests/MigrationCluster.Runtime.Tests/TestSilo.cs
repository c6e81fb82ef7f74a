using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.Hosting;

namespace MigrationCluster.Runtime.Tests;

/// <summary>Builds a one-silo runtime with this assembly's test grains.</summary>
internal static class TestSilo
{
    public static Silo Create(Action<SiloBuilder>? configure = null, TimeSpan? responseTimeout = null)
    {
        var builder = new SiloBuilder()
            .AddGrains(typeof(TestSilo).Assembly)
            .AddMemoryGrainStorage();
        builder.Configure<SiloBuilder, MessagingOptions>(o =>
        {
            o.ResponseTimeout = responseTimeout ?? TimeSpan.FromSeconds(10);
            o.ResponseTimeoutCheckPeriod = TimeSpan.FromMilliseconds(50);
        });
        configure?.Invoke(builder);
        return builder.Build();
    }
}
