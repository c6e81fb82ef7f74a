namespace MigrationCluster.Runtime.Persistence;

/// <summary>Injects an <see cref="IPersistentState{TState}"/> into a grain constructor parameter.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    public const string DefaultStorageName = "Default";

    public string StateName { get; } = stateName;

    public string StorageName { get; } = storageName ?? DefaultStorageName;
}
