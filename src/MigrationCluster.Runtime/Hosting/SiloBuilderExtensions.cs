using System.Reflection;
using MigrationCluster.Runtime.Catalog;
using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace MigrationCluster.Runtime.Hosting;

/// <summary>The <c>Add*</c>/<c>Use*</c>/<c>Configure</c> methods of <see cref="ISiloBuilder"/>.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>Adds every grain class of <paramref name="assembly"/>.</summary>
    public static TBuilder AddGrains<TBuilder>(this TBuilder builder, Assembly assembly)
        where TBuilder : ISiloBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(new GrainAssembly(assembly));
        return builder;
    }

    public static TBuilder Configure<TBuilder, TOptions>(this TBuilder builder, Action<TOptions> configure)
        where TBuilder : ISiloBuilder
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }

    public static TBuilder UseTimeProvider<TBuilder>(this TBuilder builder, TimeProvider timeProvider)
        where TBuilder : ISiloBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton(timeProvider));
        return builder;
    }

    public static TBuilder UseLogging<TBuilder>(this TBuilder builder, ILoggerFactory loggerFactory)
        where TBuilder : ISiloBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
        return builder;
    }

    /// <summary>
    /// Makes the silo a cluster member: it listens (loopback by default), joins through the
    /// membership table, and places and calls grains across the cluster. Start it with <c>Silo.StartAsync</c>.
    /// </summary>
    public static TBuilder UseClustering<TBuilder>(this TBuilder builder, Action<ClusterOptions> configure)
        where TBuilder : ISiloBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new ClusterOptions();
        configure(options);
        builder.Services.Replace(ServiceDescriptor.Singleton(options));
        return builder;
    }

    public static TBuilder AddMemoryGrainStorage<TBuilder>(this TBuilder builder, string name = PersistentStateAttribute.DefaultStorageName)
        where TBuilder : ISiloBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, new MemoryGrainStorage());
        return builder;
    }

    public static TBuilder AddSqliteGrainStorage<TBuilder>(this TBuilder builder, string name, Action<SqliteGrainStorageOptions> configure)
        where TBuilder : ISiloBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SqliteGrainStorageOptions();
        configure(options);
        options.Validate();
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (_, _) => new SqliteGrainStorage(options));
        return builder;
    }

    public static TBuilder AddSqliteGrainStorage<TBuilder>(this TBuilder builder, Action<SqliteGrainStorageOptions> configure)
        where TBuilder : ISiloBuilder => builder.AddSqliteGrainStorage(PersistentStateAttribute.DefaultStorageName, configure);
}

/// <summary>An assembly whose grain classes the silo serves.</summary>
public sealed record GrainAssembly(Assembly Assembly);
