using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Persistence;

/// <summary>
/// A storage provider: records keyed by (grain id, state name), each with an ETag that changes on
/// every write. Writes and clears compare the expected ETag first (compare-and-swap).
/// </summary>
public interface IGrainStorage
{
    Task<StoredState?> ReadAsync(GrainId grainId, string stateName, CancellationToken cancellationToken);

    /// <summary>Writes if the stored ETag is <paramref name="expectedEtag"/> (null: no record yet); returns the new ETag.</summary>
    Task<string> WriteAsync(GrainId grainId, string stateName, ReadOnlyMemory<byte> payload, string? expectedEtag, CancellationToken cancellationToken);

    Task ClearAsync(GrainId grainId, string stateName, string? expectedEtag, CancellationToken cancellationToken);
}

/// <summary>A stored record: the serialized state and its ETag.</summary>
public sealed record StoredState(byte[] Payload, string Etag);
