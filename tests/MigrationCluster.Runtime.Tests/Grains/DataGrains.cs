using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Persistence;

namespace MigrationCluster.Runtime.Tests.Grains;

public sealed class PageList
{
    public List<long> Pfns { get; set; } = [];

    public Dictionary<string, int> Counts { get; set; } = [];
}

public sealed record NodeInfo(int Node, string Name, IReadOnlyList<int> Distances);

public enum PageState
{
    Free,
    Mapped,
    Migrating,
}

public interface IDataGrain : IGrainWithGuidKey
{
    /// <summary>Waits a moment, then returns what it received (the caller mutates its copy meanwhile).</summary>
    Task<List<int>> EchoLater(List<int> values, int delayMs);

    Task<PageList> Keep(PageList list);

    Task<PageList> Kept();

    Task<NodeInfo> Describe(NodeInfo info, PageState state, int[] array, byte[] bytes, Dictionary<int, string> map, DateTime when, TimeSpan span, double ratio, long big, bool flag, string? text, Guid id, GrainId grainId, IDataGrain self);
}

public sealed class DataGrain : Grain, IDataGrain
{
    private PageList _kept = new();

    public async Task<List<int>> EchoLater(List<int> values, int delayMs)
    {
        await Task.Delay(delayMs);
        return values;
    }

    public Task<PageList> Keep(PageList list)
    {
        _kept = list;
        return Task.FromResult(list);
    }

    public Task<PageList> Kept() => Task.FromResult(_kept);

    public Task<NodeInfo> Describe(NodeInfo info, PageState state, int[] array, byte[] bytes, Dictionary<int, string> map, DateTime when, TimeSpan span, double ratio, long big, bool flag, string? text, Guid id, GrainId grainId, IDataGrain self) =>
        Task.FromResult(info with { Name = $"{info.Name}:{state}:{array.Length}:{bytes.Length}:{map.Count}:{text}:{self.GetGrainId()}" });
}

public sealed class CounterState
{
    public int Value { get; set; }

    public List<string> History { get; set; } = [];
}

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment(string note);

    Task<CounterState> Get();

    Task<string?> Etag();

    Task Deactivate();

    Task Clear();
}

public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    public async Task<int> Increment(string note)
    {
        state.State.Value++;
        state.State.History.Add(note);
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<CounterState> Get() => Task.FromResult(state.State);

    public Task<string?> Etag() => Task.FromResult(state.Etag);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task Clear() => state.ClearStateAsync();
}
