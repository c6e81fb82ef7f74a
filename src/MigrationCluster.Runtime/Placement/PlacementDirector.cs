using MigrationCluster.Runtime.Catalog;
using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Placement;

/// <summary>
/// Picks the strategy for a grain type: a configured override (for grain classes the cluster
/// cannot annotate), else the class's <c>[Placement]</c>, else <see cref="PlacementStrategyNames.Default"/>.
/// </summary>
public sealed class PlacementDirector
{
    private readonly Dictionary<string, IPlacementStrategy> _strategies = new(StringComparer.Ordinal)
    {
        [PlacementStrategyNames.Random] = new RandomPlacement(),
        [PlacementStrategyNames.PreferLocal] = new PreferLocalPlacement(),
        [PlacementStrategyNames.HashBased] = new HashBasedPlacement(),
        [PlacementStrategyNames.ActivationCountBased] = new ActivationCountPlacement(),
        [PlacementStrategyNames.NumaNode] = new NumaNodePlacement(),
    };

    private readonly GrainTypeRegistry _types;
    private readonly IReadOnlyDictionary<string, string> _overrides;

    public PlacementDirector(GrainTypeRegistry types, IReadOnlyDictionary<string, string>? overridesByGrainType = null)
    {
        ArgumentNullException.ThrowIfNull(types);
        _types = types;
        _overrides = overridesByGrainType ?? new Dictionary<string, string>();
        foreach (var (grainType, strategy) in _overrides)
        {
            if (!_strategies.ContainsKey(strategy))
            {
                throw new ArgumentException($"Placement override for grain type '{grainType}' names unknown strategy '{strategy}' (known: {string.Join(", ", _strategies.Keys)}).");
            }
        }
        foreach (var info in types.GrainClasses)
        {
            if (info.PlacementStrategy is { } name && !_strategies.ContainsKey(name))
            {
                throw new ArgumentException($"Grain class {info.GrainClass.Name} asks for unknown placement strategy '{name}' (known: {string.Join(", ", _strategies.Keys)}).");
            }
        }
    }

    /// <summary>Adds a custom strategy under <paramref name="name"/>.</summary>
    public void Register(string name, IPlacementStrategy strategy) => _strategies[name] = strategy;

    public string StrategyNameOf(string grainType)
    {
        if (_overrides.TryGetValue(grainType, out var name))
        {
            return name;
        }
        return _types.TryGetClass(grainType, out var info) && info.PlacementStrategy is { } declared ? declared : PlacementStrategyNames.Default;
    }

    public SiloAddress Place(PlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _strategies[StrategyNameOf(context.GrainId.Type)].Place(context);
    }
}
