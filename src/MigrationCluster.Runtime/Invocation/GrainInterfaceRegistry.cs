using System.Collections.Concurrent;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Invocation;

/// <summary>
/// Every grain interface the source generator saw, filled by the generated module initializers:
/// how to make a proxy, the methods' descriptions, and how to make an empty request for a
/// method id (for requests read off the wire).
/// </summary>
public static class GrainInterfaceRegistry
{
    private static readonly ConcurrentDictionary<Type, Entry> ByType = new();
    private static readonly ConcurrentDictionary<string, Entry> ByName = new(StringComparer.Ordinal);

    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Register(Type interfaceType, Func<GrainId, IGrainCallRuntime, object> proxyFactory, GrainMethodDescription[] methods, Func<Request>[] requestFactories)
    {
        ArgumentNullException.ThrowIfNull(interfaceType);
        var entry = new Entry(interfaceType, proxyFactory, methods, requestFactories);
        ByType[interfaceType] = entry;
        ByName[interfaceType.FullName!] = entry;
    }

    /// <summary>Makes sure the generated code of <paramref name="interfaceType"/>'s assembly has registered itself.</summary>
    public static void EnsureLoaded(Type interfaceType)
    {
        ArgumentNullException.ThrowIfNull(interfaceType);
        if (!ByType.ContainsKey(interfaceType))
        {
            RuntimeHelpers.RunModuleConstructor(interfaceType.Module.ModuleHandle);
        }
    }

    public static IReadOnlyCollection<Type> Interfaces => [.. ByType.Keys];

    public static IReadOnlyList<GrainMethodDescription> GetMethods(Type interfaceType)
    {
        EnsureLoaded(interfaceType);
        return ByType.TryGetValue(interfaceType, out var entry) ? entry.Methods : throw NotGenerated(interfaceType);
    }

    public static T CreateProxy<T>(GrainId grainId, IGrainCallRuntime runtime)
    {
        EnsureLoaded(typeof(T));
        return ByType.TryGetValue(typeof(T), out var entry) ? (T)entry.ProxyFactory(grainId, runtime) : throw NotGenerated(typeof(T));
    }

    /// <summary>An empty request for a method, to be filled from the wire.</summary>
    public static Request CreateRequest(string interfaceFullName, int methodId)
    {
        if (!ByName.TryGetValue(interfaceFullName, out var entry))
        {
            throw new InvalidOperationException($"Unknown grain interface '{interfaceFullName}' (is its assembly loaded on this silo?).");
        }
        if ((uint)methodId >= (uint)entry.RequestFactories.Length)
        {
            throw new InvalidOperationException($"Grain interface {interfaceFullName} has no method id {methodId}.");
        }
        return entry.RequestFactories[methodId]();
    }

    private static InvalidOperationException NotGenerated(Type type) =>
        new($"No generated proxy for {type.FullName}: is it a grain interface in a project that references MigrationCluster.Runtime.Generators as an analyzer?");

    private sealed record Entry(Type Type, Func<GrainId, IGrainCallRuntime, object> ProxyFactory, GrainMethodDescription[] Methods, Func<Request>[] RequestFactories);
}
