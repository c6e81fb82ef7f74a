namespace MigrationCluster.Runtime.Core;

/// <summary>
/// The type is never mutated once built, so it may cross the grain boundary by reference
/// instead of being copied.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Parameter)]
public sealed class ImmutableAttribute : Attribute
{
}
