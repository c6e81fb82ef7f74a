namespace MigrationCluster.Runtime.Persistence;

/// <summary>
/// A piece of a grain's state kept in a storage provider. It is read before
/// <c>OnActivateAsync</c>; a write is durable when it returns, and fails with
/// <see cref="InconsistentStateException"/> if someone else wrote since this copy was read.
/// </summary>
public interface IPersistentState<TState>
{
    TState State { get; set; }

    /// <summary>The version of the stored record this copy was read or written as; null if none.</summary>
    string? Etag { get; }

    bool RecordExists { get; }

    Task ReadStateAsync(CancellationToken cancellationToken = default);

    Task WriteStateAsync(CancellationToken cancellationToken = default);

    Task ClearStateAsync(CancellationToken cancellationToken = default);
}
