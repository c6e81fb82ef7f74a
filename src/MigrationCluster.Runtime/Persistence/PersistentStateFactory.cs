using System.Collections.Concurrent;
using System.Reflection;
using MigrationCluster.Runtime.Core;
using Microsoft.Extensions.DependencyInjection;

namespace MigrationCluster.Runtime.Persistence;

/// <summary>Builds the <see cref="IPersistentState{TState}"/> for a constructor parameter, bound to its storage provider.</summary>
internal static class PersistentStateFactory
{
    private static readonly ConcurrentDictionary<Type, Func<IServiceProvider, GrainId, PersistentStateAttribute, object>> Factories = new();
    private static readonly MethodInfo CreateMethod = typeof(PersistentStateFactory).GetMethod(nameof(Create), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static Func<IServiceProvider, GrainId, PersistentStateAttribute, object> For(Type stateType) =>
        Factories.GetOrAdd(stateType, t => CreateMethod.MakeGenericMethod(t).CreateDelegate<Func<IServiceProvider, GrainId, PersistentStateAttribute, object>>());

    private static object Create<TState>(IServiceProvider services, GrainId grainId, PersistentStateAttribute attribute)
    {
        var storage = services.GetKeyedService<IGrainStorage>(attribute.StorageName)
            ?? throw new InvalidOperationException($"No grain storage named '{attribute.StorageName}' is configured (state '{attribute.StateName}' of grain {grainId}). Add one with AddMemoryGrainStorage or AddSqliteGrainStorage.");
        return new PersistentState<TState>(grainId, attribute.StateName, storage);
    }
}
