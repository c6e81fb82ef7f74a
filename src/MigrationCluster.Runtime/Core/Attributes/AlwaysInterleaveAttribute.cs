namespace MigrationCluster.Runtime.Core;

/// <summary>Calls to this interface method interleave with any request, whatever the grain class says.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute
{
}
