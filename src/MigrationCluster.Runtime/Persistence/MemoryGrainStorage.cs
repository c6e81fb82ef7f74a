using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Persistence;

/// <summary>Grain state in this process's memory: for tests and throwaway runs.</summary>
public sealed class MemoryGrainStorage : IGrainStorage
{
    private readonly Dictionary<(GrainId, string), StoredState> _records = [];
    private long _nextEtag;

    public Task<StoredState?> ReadAsync(GrainId grainId, string stateName, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            return Task.FromResult(_records.TryGetValue((grainId, stateName), out var stored) ? stored with { Payload = [.. stored.Payload] } : null);
        }
    }

    public Task<string> WriteAsync(GrainId grainId, string stateName, ReadOnlyMemory<byte> payload, string? expectedEtag, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            var current = _records.GetValueOrDefault((grainId, stateName))?.Etag;
            if (current != expectedEtag)
            {
                throw new InconsistentStateException(grainId, stateName, expectedEtag, current);
            }
            var etag = (++_nextEtag).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _records[(grainId, stateName)] = new StoredState(payload.ToArray(), etag);
            return Task.FromResult(etag);
        }
    }

    public Task ClearAsync(GrainId grainId, string stateName, string? expectedEtag, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            var current = _records.GetValueOrDefault((grainId, stateName))?.Etag;
            if (current != expectedEtag)
            {
                throw new InconsistentStateException(grainId, stateName, expectedEtag, current);
            }
            _records.Remove((grainId, stateName));
            return Task.CompletedTask;
        }
    }
}
