using MigrationCluster.Runtime.Tests.Grains;

namespace MigrationCluster.Runtime.Tests.Messaging;

public sealed class CallTests
{
    [Fact]
    public async Task Call_that_outlives_its_method_timeout_fails_with_a_timeout_naming_grain_and_method()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IGateGrain>(10);
        var error = await Assert.ThrowsAsync<TimeoutException>(() => grain.SleepLong(3000));
        Assert.Contains("IGateGrain/SleepLong", error.Message);
        Assert.Contains("gate/10", error.Message);
    }

    [Fact]
    public async Task Exception_reaches_the_caller_with_its_type_and_message()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IFaultyGrain>("x");
        var sync = await Assert.ThrowsAsync<GrainFailureException>(() => grain.Throw("no frames"));
        Assert.Equal("no frames", sync.Message);
        var async = await Assert.ThrowsAsync<GrainFailureException>(() => grain.ThrowAfterAwait("late"));
        Assert.Equal("late", async.Message);
    }

    [Fact]
    public async Task Cancelling_the_token_cancels_the_call_and_the_grain_sees_it()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IGateGrain>(11);
        using var cts = new CancellationTokenSource();
        var call = grain.WaitCancellable(cts.Token);
        // Cancel only once the grain is inside the method: earlier, the runtime drops the queued request instead.
        for (var i = 0; i < 1000 && !await grain.IsWaiting(); i++)
        {
            await Task.Delay(10);
        }
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        // Generous bound for a loaded machine: the grain sees the cancellation on its next turn.
        for (var i = 0; i < 1000 && !await grain.SawCancellation(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(await grain.SawCancellation());
    }

    [Fact]
    public async Task Already_cancelled_token_fails_at_once()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IGateGrain>(12);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => grain.WaitCancellable(new CancellationToken(true)));
    }

    [Fact]
    public async Task Caller_mutating_an_argument_after_the_call_does_not_change_what_the_grain_sees()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IDataGrain>(Guid.NewGuid());
        var values = new List<int> { 1, 2, 3 };
        var call = grain.EchoLater(values, 50);
        values.Add(4);
        values[0] = 100;
        Assert.Equal([1, 2, 3], await call);
    }

    [Fact]
    public async Task Results_are_copies_so_the_caller_cannot_change_grain_state()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IDataGrain>(Guid.NewGuid());
        var kept = await grain.Keep(new PageList { Pfns = [7] });
        kept.Pfns.Add(8);
        Assert.Equal([7], (await grain.Kept()).Pfns);
    }

    [Fact]
    public async Task Grain_references_and_records_cross_the_boundary()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IDataGrain>(Guid.NewGuid());
        var info = await grain.Describe(new NodeInfo(1, "n1", [10, 21]), PageState.Migrating, [1, 2], [9], new() { [1] = "a" }, DateTime.UnixEpoch, TimeSpan.FromSeconds(1), 0.5, long.MaxValue, true, "t", Guid.Empty, default, grain);
        Assert.Equal($"n1:Migrating:2:1:1:t:data/{grain.GetGrainIdKey()}", info.Name);
    }

    [Fact]
    public async Task Calls_to_an_unknown_grain_type_fail_with_a_clear_message()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IFaultyGrain>(new Core.GrainId("nosuchtype", "1"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Throw("x"));
        Assert.Contains("nosuchtype", error.Message);
    }
}

internal static class GrainIdTestExtensions
{
    public static string GetGrainIdKey(this IDataGrain grain) => Core.GrainExtensions.GetGrainId(grain).Key;
}
