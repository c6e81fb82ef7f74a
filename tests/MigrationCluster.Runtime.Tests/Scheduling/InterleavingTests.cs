using MigrationCluster.Runtime.Hosting;
using MigrationCluster.Runtime.Tests.Grains;

namespace MigrationCluster.Runtime.Tests.Scheduling;

public sealed class InterleavingTests
{
    [Fact]
    public async Task Non_reentrant_grain_runs_one_call_at_a_time_across_awaits()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<ISlowGrain>(1);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => grain.Work(5)));
        Assert.Equal(1, await grain.MaxConcurrency());
    }

    [Fact]
    public async Task Reentrant_grain_interleaves_calls_at_awaits()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IReentrantSlowGrain>(1);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => grain.Work(20)));
        Assert.True(await grain.MaxConcurrency() > 1);
    }

    [Fact]
    public async Task Read_only_calls_interleave_with_each_other()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<ISlowGrain>(2);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => grain.Read(30)));
        Assert.True(await grain.MaxConcurrency() > 1);
    }

    [Fact]
    public async Task Read_only_calls_do_not_interleave_with_a_writing_call()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<ISlowGrain>(3);
        var calls = new List<Task<int>>();
        for (var i = 0; i < 6; i++)
        {
            calls.Add(grain.Work(15));
        }
        await Task.WhenAll(calls);
        Assert.Equal(1, await grain.MaxConcurrency());
        // Writers and readers mixed: a reader never runs beside the writer.
        var mixed = Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? grain.Work(10) : grain.Read(10)).ToList();
        await Task.WhenAll(mixed);
        Assert.Equal(1, await grain.MaxConcurrency());
    }

    [Fact]
    public async Task Always_interleave_method_runs_while_another_call_waits()
    {
        await using var silo = TestSilo.Create(responseTimeout: TimeSpan.FromSeconds(5));
        var grain = silo.GrainFactory.GetGrain<IGateGrain>(1);
        var waiting = grain.WaitForGate();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        await grain.Open(); // would deadlock without [AlwaysInterleave]
        Assert.Equal("passed", await waiting);
    }

    [Fact]
    public async Task Plain_call_waits_behind_a_blocked_call()
    {
        await using var silo = TestSilo.Create(responseTimeout: TimeSpan.FromSeconds(5));
        var grain = silo.GrainFactory.GetGrain<IGateGrain>(2);
        var waiting = grain.WaitForGate();
        var ping = grain.Ping();
        await Task.Delay(100);
        Assert.False(ping.IsCompleted);
        await grain.Open();
        Assert.Equal(1, await ping);
        await waiting;
    }

    [Fact]
    public async Task Call_chain_reentrancy_scope_lets_a_callee_call_back()
    {
        await using var silo = TestSilo.Create(responseTimeout: TimeSpan.FromSeconds(5));
        var a = silo.GrainFactory.GetGrain<IChainGrain>(1);
        var b = silo.GrainFactory.GetGrain<IChainGrain>(2);
        Assert.Equal(42, await a.CallThrough(b, allowReentrancy: true));
    }

    [Fact]
    public async Task Call_back_without_a_scope_deadlocks_and_shows_as_a_timeout()
    {
        await using var silo = TestSilo.Create(responseTimeout: TimeSpan.FromMilliseconds(400));
        var a = silo.GrainFactory.GetGrain<IChainGrain>(3);
        var b = silo.GrainFactory.GetGrain<IChainGrain>(4);
        var error = await Assert.ThrowsAsync<TimeoutException>(() => a.CallThrough(b, allowReentrancy: false));
        Assert.Contains("IChainGrain/", error.Message);
        Assert.Contains("chain/", error.Message);
    }

    [Fact]
    public async Task One_way_call_returns_before_the_grain_has_run_it()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IGateGrain>(3);
        var call = grain.FireAndForget("hello");
        Assert.True(call.IsCompleted);
        Assert.Null(await grain.LastFired());
        await grain.Open();
        for (var i = 0; i < 1000 && await grain.LastFired() is null; i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal("hello", await grain.LastFired());
    }

    [Fact]
    public async Task A_one_way_call_or_timer_tick_that_throws_is_logged_since_nobody_awaits_it()
    {
        var log = new Networking.ListLogger();
        await using var silo = TestSilo.Create(b => b.UseLogging(log.AsFactory()));
        var grain = silo.GrainFactory.GetGrain<IGateGrain>(4);

        await grain.FireAndThrow("one-way went wrong");
        var oneWay = await log.WaitForLineAsync("Error", "IGateGrain/FireAndThrow", "one-way went wrong");
        Assert.Contains("gate/4", oneWay, StringComparison.Ordinal);

        await grain.StartThrowingTimer("tick went wrong");
        var tick = await log.WaitForLineAsync("Error", "timer tick", "tick went wrong");
        Assert.Contains("gate/4", tick, StringComparison.Ordinal);

        // The grain goes on serving.
        Assert.Null(await grain.LastFired());
    }

    [Fact]
    public async Task Stateless_worker_runs_several_single_threaded_activations_up_to_its_limit()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IWorkerGrain>(1);
        var instances = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => grain.Work(20)));
        var distinct = instances.Distinct().Count();
        Assert.InRange(distinct, 2, 4);
    }
}
