using System.Collections.Concurrent;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Persistence;
using MigrationCluster.Runtime.Placement;

namespace MigrationCluster.Runtime.Tests.Cluster;

/// <summary>Which silo a grain runs on: each test silo gets its own tag as a service.</summary>
public sealed class SiloTag
{
    public string Id { get; } = Guid.NewGuid().ToString("N");
}

/// <summary>Counts activations per grain across every silo of the process (all test silos share it).</summary>
public static class ActivationLedger
{
    private static readonly ConcurrentDictionary<string, int> Counts = new(StringComparer.Ordinal);

    public static void Record(GrainId grainId) => Counts.AddOrUpdate(grainId.ToString(), 1, (_, n) => n + 1);

    public static int CountOf(GrainId grainId) => Counts.TryGetValue(grainId.ToString(), out var n) ? n : 0;
}

public interface ILocatedGrain : IGrainWithIntegerKey
{
    Task<string> WhereAmI();

    /// <summary>Calls grain <paramref name="key"/> from this grain and returns where it runs.</summary>
    Task<string> WhereIsOther(long key);

    Task<string> Sleep(int milliseconds);
}

/// <summary>Random placement (the default).</summary>
public sealed class LocatedGrain(SiloTag tag) : Grain, ILocatedGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ActivationLedger.Record(GrainId);
        return Task.CompletedTask;
    }

    public Task<string> WhereAmI() => Task.FromResult(tag.Id);

    public Task<string> WhereIsOther(long key) => GrainFactory.GetGrain<INumaPlacedGrain>(key).WhereAmI();

    public async Task<string> Sleep(int milliseconds)
    {
        await Task.Delay(milliseconds);
        return tag.Id;
    }
}

public interface INumaPlacedGrain : IGrainWithIntegerKey
{
    Task<string> WhereAmI();

    Task<string> WhereIsOther(long key);
}

[Placement(PlacementStrategyNames.NumaNode)]
public sealed class NumaPlacedGrain(SiloTag tag) : Grain, INumaPlacedGrain
{
    public Task<string> WhereAmI() => Task.FromResult(tag.Id);

    public Task<string> WhereIsOther(long key) => GrainFactory.GetGrain<INumaPlacedGrain>(key).WhereAmI();
}

public interface IPreferLocalGrain : IGrainWithIntegerKey
{
    Task<string> WhereAmI();
}

[Placement(PlacementStrategyNames.PreferLocal)]
public sealed class PreferLocalGrain(SiloTag tag) : Grain, IPreferLocalGrain
{
    public Task<string> WhereAmI() => Task.FromResult(tag.Id);
}

public sealed class LedgerState
{
    public int Value { get; set; }

    public List<string> Notes { get; set; } = [];
}

public interface IDurableGrain : IGrainWithStringKey
{
    Task<int> Add(string note);

    Task<LedgerState> Get();

    Task<string> WhereAmI();
}

public sealed class DurableGrain([PersistentState("ledger")] IPersistentState<LedgerState> state, SiloTag tag) : Grain, IDurableGrain
{
    public async Task<int> Add(string note)
    {
        state.State.Value++;
        state.State.Notes.Add(note);
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<LedgerState> Get() => Task.FromResult(state.State);

    public Task<string> WhereAmI() => Task.FromResult(tag.Id);
}

public interface IPatientGrain : IGrainWithIntegerKey
{
    Task<string> WhereAmI();

    Task Wait(CancellationToken cancellationToken);

    [AlwaysInterleave]
    Task<bool> SawCancellation();
}

[Placement(PlacementStrategyNames.NumaNode)]
public sealed class PatientGrain(SiloTag tag) : Grain, IPatientGrain
{
    private bool _sawCancellation;

    public Task<string> WhereAmI() => Task.FromResult(tag.Id);

    public async Task Wait(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _sawCancellation = true;
            throw;
        }
    }

    public Task<bool> SawCancellation() => Task.FromResult(_sawCancellation);
}
