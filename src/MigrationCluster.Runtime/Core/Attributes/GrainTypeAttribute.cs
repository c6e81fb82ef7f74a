namespace MigrationCluster.Runtime.Core;

/// <summary>
/// Names the grain type explicitly (the first part of a <see cref="GrainId"/>). Without it, the
/// name is the class name in lower case with a trailing "Grain" removed.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
