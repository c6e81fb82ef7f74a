namespace MigrationCluster.Runtime.Core;

/// <summary>Marks a placement strategy on a grain class; the cluster's placement director reads it.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class PlacementAttribute(string strategy) : Attribute
{
    /// <summary>One of the names in <c>PlacementStrategyNames</c>, or a custom one registered with the silo.</summary>
    public string Strategy { get; } = strategy;
}
