using System.Reflection;
using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Catalog;

/// <summary>
/// Which grain classes exist and which grain type serves each grain interface. Built once at
/// start-up from the assemblies the silo (or client) was given.
/// </summary>
public sealed class GrainTypeRegistry
{
    private readonly Dictionary<string, GrainClassInfo> _byGrainType = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> _grainTypeByInterface = [];
    private readonly HashSet<Type> _ambiguous = [];

    public void AddAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        foreach (var type in assembly.GetTypes())
        {
            if (type.IsClass && !type.IsAbstract && !type.IsGenericTypeDefinition && typeof(IGrain).IsAssignableFrom(type) && typeof(Grain).IsAssignableFrom(type))
            {
                AddGrainClass(type);
            }
        }
    }

    public void AddGrainClass(Type grainClass)
    {
        var info = new GrainClassInfo(grainClass);
        if (_byGrainType.TryGetValue(info.GrainType, out var existing))
        {
            if (existing.GrainClass == grainClass)
            {
                return;
            }
            throw new InvalidOperationException($"Grain type '{info.GrainType}' is claimed by both {existing.GrainClass.FullName} and {grainClass.FullName}: name one with [GrainType].");
        }
        _byGrainType.Add(info.GrainType, info);
        foreach (var grainInterface in info.Interfaces)
        {
            if (!_grainTypeByInterface.TryAdd(grainInterface, info.GrainType))
            {
                _ambiguous.Add(grainInterface);
            }
        }
    }

    public IEnumerable<GrainClassInfo> GrainClasses => _byGrainType.Values;

    public bool TryGetClass(string grainType, out GrainClassInfo info) => _byGrainType.TryGetValue(grainType, out info!);

    public GrainClassInfo GetClass(string grainType) => _byGrainType.TryGetValue(grainType, out var info)
        ? info
        : throw new InvalidOperationException($"No grain class has grain type '{grainType}'. Was its assembly added to the silo?");

    /// <summary>The grain type of the only class implementing <paramref name="grainInterface"/>.</summary>
    public string GetGrainType(Type grainInterface)
    {
        if (_ambiguous.Contains(grainInterface))
        {
            throw new InvalidOperationException($"Several grain classes implement {grainInterface.Name}: ask for one by grain type.");
        }
        return _grainTypeByInterface.TryGetValue(grainInterface, out var grainType)
            ? grainType
            : throw new InvalidOperationException($"No grain class implements {grainInterface.Name}. Was its assembly added?");
    }
}
