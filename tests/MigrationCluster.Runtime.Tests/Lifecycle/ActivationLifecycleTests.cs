using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.Catalog;
using MigrationCluster.Runtime.Hosting;
using MigrationCluster.Runtime.Tests.Grains;

namespace MigrationCluster.Runtime.Tests.Lifecycle;

public sealed class ActivationLifecycleTests
{
    [Fact]
    public async Task Requests_sent_during_activation_wait_until_it_completes()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<ILifecycleGrain>(1001);
        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => grain.WasActivatedBeforeFirstCall()));
        Assert.All(results, Assert.True);
        Assert.Single(LifecycleLog.Of(1001), e => e == "activate-end");
        Assert.Equal(1, silo.ActivationCount);
    }

    [Fact]
    public async Task Deactivate_on_idle_runs_OnDeactivate_and_the_next_call_reactivates()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<ILifecycleGrain>(1002);
        var first = await grain.InstanceId();
        await grain.Deactivate();
        for (var i = 0; i < 1000 && silo.ActivationCount > 0; i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal(0, silo.ActivationCount);
        Assert.Contains("deactivate:ApplicationRequested", LifecycleLog.Of(1002));
        var second = await grain.InstanceId();
        Assert.NotEqual(first, second);
        Assert.Equal(2, LifecycleLog.Of(1002).Count(e => e == "activate-end"));
    }

    [Fact]
    public async Task A_reference_that_reached_a_deactivated_activation_reaches_the_one_that_replaced_it()
    {
        // References remember the activation they reached; a stale memory must never outlive it.
        await using var silo = TestSilo.Create();
        // A key of its own: LifecycleLog is shared by key across the tests of this class.
        var first = silo.GrainFactory.GetGrain<ILifecycleGrain>(1007);
        var second = silo.GrainFactory.GetGrain<ILifecycleGrain>(1007);
        var original = await first.InstanceId();
        Assert.Equal(original, await second.InstanceId());

        await second.Deactivate();
        for (var i = 0; i < 1000 && silo.ActivationCount > 0; i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal(0, silo.ActivationCount);

        var replacement = await second.InstanceId();
        Assert.NotEqual(original, replacement);
        Assert.Equal(replacement, await first.InstanceId());
        Assert.Equal(1, silo.ActivationCount);
    }

    [Fact]
    public async Task Idle_activations_are_collected_after_their_collection_age()
    {
        await using var silo = TestSilo.Create(b => b.Configure<SiloBuilder, GrainCollectionOptions>(o =>
        {
            o.CollectionAge = TimeSpan.FromSeconds(2);
            o.CollectionQuantum = TimeSpan.FromSeconds(1);
        }));
        var idle = silo.GrainFactory.GetGrain<ILifecycleGrain>(1003);
        await idle.InstanceId();
        Assert.Equal(0, silo.CollectIdleActivations()); // younger than the collection age
        await Task.Delay(2500);
        silo.CollectIdleActivations();
        for (var i = 0; i < 1000 && silo.ActivationCount > 0; i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal(0, silo.ActivationCount);
        Assert.Contains("deactivate:ActivationIdle", LifecycleLog.Of(1003));
    }

    [Fact]
    public async Task Default_collection_age_is_fifteen_minutes_and_invalid_options_are_refused()
    {
        Assert.Equal(TimeSpan.FromMinutes(15), new GrainCollectionOptions().CollectionAge);
        Assert.Equal(TimeSpan.FromSeconds(30), new MessagingOptions().ResponseTimeout);
        var error = Assert.Throws<OptionsValidationException>(() => TestSilo.Create(b => b.Configure<SiloBuilder, GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromSeconds(1))));
        Assert.Contains("CollectionAge", error.Message);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Failed_activation_fails_its_callers_with_the_reason()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IBrokenActivationGrain>(1);
        var error = await Assert.ThrowsAsync<ActivationFailedException>(() => grain.Ping());
        Assert.Contains("cannot start", error.Message);
    }

    [Fact]
    public async Task Timer_ticks_are_turns_that_do_not_interleave_with_requests()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<ILifecycleGrain>(1004);
        await grain.StartTimer(periodMs: 10, keepAlive: false, tickWorkMs: 5);
        for (var i = 0; i < 5; i++)
        {
            await grain.Busy(30);
        }
        Assert.True(await grain.Ticks() > 0);
        Assert.Equal(1, await grain.MaxConcurrency());
    }

    [Fact]
    public async Task A_running_timer_does_not_keep_the_grain_alive_unless_asked()
    {
        await using var silo = TestSilo.Create(b => b.Configure<SiloBuilder, GrainCollectionOptions>(o =>
        {
            // An age far above the timer period, so a loaded machine's late ticks still keep the grain alive.
            o.CollectionAge = TimeSpan.FromSeconds(1.5);
            o.CollectionQuantum = TimeSpan.FromSeconds(1);
        }));
        var plain = silo.GrainFactory.GetGrain<ILifecycleGrain>(1005);
        var kept = silo.GrainFactory.GetGrain<ILifecycleGrain>(1006);
        await plain.StartTimer(20, keepAlive: false, tickWorkMs: 0);
        await kept.StartTimer(20, keepAlive: true, tickWorkMs: 0);
        await Task.Delay(2500);
        silo.CollectIdleActivations();
        for (var i = 0; i < 500 && !LifecycleLog.Of(1005).Any(e => e.StartsWith("deactivate", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(10);
        }
        Assert.Contains("deactivate:ActivationIdle", LifecycleLog.Of(1005));
        Assert.DoesNotContain(LifecycleLog.Of(1006), e => e.StartsWith("deactivate", StringComparison.Ordinal));
    }
}
