using System.Reflection;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace MigrationCluster.Runtime.Catalog;

/// <summary>
/// What the silo knows of a grain class, read once at start-up: its grain type name, its
/// scheduling attributes, and how to build an instance (constructor parameters come from the
/// service provider, except <see cref="PersistentStateAttribute"/> ones, which are made per grain).
/// </summary>
public sealed class GrainClassInfo
{
    private readonly ConstructorInfo _constructor;
    private readonly Func<IServiceProvider, GrainId, object>[] _parameterFactories;

    public GrainClassInfo(Type grainClass)
    {
        ArgumentNullException.ThrowIfNull(grainClass);
        GrainClass = grainClass;
        GrainType = grainClass.GetCustomAttribute<GrainTypeAttribute>()?.Name ?? DefaultGrainTypeName(grainClass);
        IsReentrant = grainClass.GetCustomAttribute<ReentrantAttribute>() is not null;
        MaxLocalWorkers = grainClass.GetCustomAttribute<StatelessWorkerAttribute>()?.MaxLocalWorkers;
        CollectionAge = grainClass.GetCustomAttribute<CollectionAgeLimitAttribute>()?.Age;
        PlacementStrategy = grainClass.GetCustomAttribute<PlacementAttribute>()?.Strategy;
        Interfaces = [.. grainClass.GetInterfaces().Where(i => typeof(IGrain).IsAssignableFrom(i) && i != typeof(IGrain)
            && i != typeof(IGrainWithIntegerKey) && i != typeof(IGrainWithStringKey) && i != typeof(IGrainWithGuidKey))];

        var constructors = grainClass.GetConstructors();
        if (constructors.Length != 1)
        {
            throw new InvalidOperationException($"Grain class {grainClass.FullName} must have exactly one public constructor (has {constructors.Length}).");
        }
        _constructor = constructors[0];
        _parameterFactories = [.. _constructor.GetParameters().Select(CreateParameterFactory)];
    }

    public Type GrainClass { get; }

    /// <summary>The first part of the grain id: the class name in lower case without "Grain", unless named.</summary>
    public string GrainType { get; }

    public bool IsReentrant { get; }

    /// <summary>Set for <see cref="StatelessWorkerAttribute"/> classes.</summary>
    public int? MaxLocalWorkers { get; }

    public TimeSpan? CollectionAge { get; }

    public string? PlacementStrategy { get; }

    public IReadOnlyList<Type> Interfaces { get; }

    public static string DefaultGrainTypeName(Type grainClass)
    {
        var name = grainClass.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }
        if (name.EndsWith("Grain", StringComparison.Ordinal) && name.Length > "Grain".Length)
        {
            name = name[..^"Grain".Length];
        }
        return name.ToLowerInvariant();
    }

    internal (object Instance, IReadOnlyList<IPersistentStateLoader> States) CreateInstance(IServiceProvider services, GrainId grainId)
    {
        var arguments = new object[_parameterFactories.Length];
        List<IPersistentStateLoader>? states = null;
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = _parameterFactories[i](services, grainId);
            if (arguments[i] is IPersistentStateLoader loader)
            {
                (states ??= []).Add(loader);
            }
        }
        try
        {
            return (_constructor.Invoke(arguments), (IReadOnlyList<IPersistentStateLoader>?)states ?? []);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            throw exception.InnerException;
        }
    }

    private Func<IServiceProvider, GrainId, object> CreateParameterFactory(ParameterInfo parameter)
    {
        var stateAttribute = parameter.GetCustomAttribute<PersistentStateAttribute>();
        if (stateAttribute is not null)
        {
            var type = parameter.ParameterType;
            if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IPersistentState<>))
            {
                throw new InvalidOperationException($"{GrainClass.Name}: [PersistentState] parameter '{parameter.Name}' must be an IPersistentState<T>.");
            }
            var stateType = type.GetGenericArguments()[0];
            var factory = PersistentStateFactory.For(stateType);
            return (services, grainId) => factory(services, grainId, stateAttribute);
        }
        var parameterType = parameter.ParameterType;
        return (services, _) => services.GetRequiredService(parameterType);
    }

    public override string ToString() => $"{GrainType} ({GrainClass.Name})";
}
