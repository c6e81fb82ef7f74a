using System.Text.Json;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Serialization;

namespace MigrationCluster.Runtime.Persistence;

/// <summary>A grain's view of one stored record (JSON in the provider).</summary>
internal sealed class PersistentState<TState>(GrainId grainId, string stateName, IGrainStorage storage) : IPersistentState<TState>, IPersistentStateLoader
{
    public TState State { get; set; } = CreateDefault();

    public string? Etag { get; private set; }

    public bool RecordExists => Etag is not null;

    public async Task ReadStateAsync(CancellationToken cancellationToken = default)
    {
        var stored = await storage.ReadAsync(grainId, stateName, cancellationToken);
        if (stored is null)
        {
            State = CreateDefault();
            Etag = null;
            return;
        }
        State = JsonSerializer.Deserialize<TState>(stored.Payload, JsonWireOptions.Serializer)!;
        Etag = stored.Etag;
    }

    public async Task WriteStateAsync(CancellationToken cancellationToken = default)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(State, JsonWireOptions.Serializer);
        Etag = await storage.WriteAsync(grainId, stateName, payload, Etag, cancellationToken);
    }

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        await storage.ClearAsync(grainId, stateName, Etag, cancellationToken);
        Etag = null;
        State = CreateDefault();
    }

    private static TState CreateDefault() =>
        typeof(TState).IsValueType || typeof(TState).GetConstructor(Type.EmptyTypes) is null ? default! : Activator.CreateInstance<TState>();
}
