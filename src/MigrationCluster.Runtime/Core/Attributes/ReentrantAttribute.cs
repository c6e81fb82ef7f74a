namespace MigrationCluster.Runtime.Core;

/// <summary>Every request to this grain class may interleave with every other at await points.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class ReentrantAttribute : Attribute
{
}
