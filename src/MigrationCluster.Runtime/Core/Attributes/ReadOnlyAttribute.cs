namespace MigrationCluster.Runtime.Core;

/// <summary>
/// The method does not change the grain's state: read-only requests interleave with each other,
/// never with a request that is not read-only.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute
{
}
