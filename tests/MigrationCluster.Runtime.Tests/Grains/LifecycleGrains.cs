using System.Collections.Concurrent;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Timers;

namespace MigrationCluster.Runtime.Tests.Grains;

/// <summary>Shared record of lifecycle events, keyed by grain key so tests do not interfere.</summary>
public static class LifecycleLog
{
    public static readonly ConcurrentDictionary<long, ConcurrentQueue<string>> Events = new();

    public static void Add(long key, string text) => Events.GetOrAdd(key, _ => new ConcurrentQueue<string>()).Enqueue(text);

    public static string[] Of(long key) => Events.TryGetValue(key, out var q) ? [.. q] : [];
}

public interface ILifecycleGrain : IGrainWithIntegerKey
{
    Task<Guid> InstanceId();

    Task<bool> WasActivatedBeforeFirstCall();

    Task Deactivate();

    Task StartTimer(int periodMs, bool keepAlive, int tickWorkMs);

    Task<int> Ticks();

    Task<int> MaxConcurrency();

    /// <summary>Holds the activation busy for a while (ticks must not run meanwhile).</summary>
    Task Busy(int milliseconds);
}

public sealed class LifecycleGrain : Grain, ILifecycleGrain
{
    private readonly Guid _instance = Guid.NewGuid();
    private readonly ConcurrencyProbe _probe = new();
    private bool _activated;
    private int _ticks;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        LifecycleLog.Add(GetPrimaryKeyLong(), "activate-start");
        await Task.Delay(100, cancellationToken);
        _activated = true;
        LifecycleLog.Add(GetPrimaryKeyLong(), "activate-end");
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        LifecycleLog.Add(GetPrimaryKeyLong(), $"deactivate:{reason.ReasonCode}");
        return Task.CompletedTask;
    }

    public Task<Guid> InstanceId() => Task.FromResult(_instance);

    public Task<bool> WasActivatedBeforeFirstCall() => Task.FromResult(_activated);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task StartTimer(int periodMs, bool keepAlive, int tickWorkMs)
    {
        RegisterGrainTimer(
            async ct =>
            {
                await _probe.Measure(async () =>
                {
                    await Task.Delay(tickWorkMs, ct);
                    return 0;
                });
                Interlocked.Increment(ref _ticks);
            },
            new GrainTimerCreationOptions(TimeSpan.FromMilliseconds(periodMs), TimeSpan.FromMilliseconds(periodMs)) { KeepAlive = keepAlive });
        return Task.CompletedTask;
    }

    public Task<int> Ticks() => Task.FromResult(Volatile.Read(ref _ticks));

    public Task<int> MaxConcurrency() => Task.FromResult(_probe.Max);

    public Task Busy(int milliseconds) => _probe.Measure(async () =>
    {
        await Task.Delay(milliseconds);
        return 0;
    });
}

public class GrainFailureException(string message) : Exception(message)
{
}

public interface IFaultyGrain : IGrainWithStringKey
{
    Task<int> Throw(string message);

    Task<int> ThrowAfterAwait(string message);
}

public sealed class FaultyGrain : Grain, IFaultyGrain
{
    public Task<int> Throw(string message) => throw new GrainFailureException(message);

    public async Task<int> ThrowAfterAwait(string message)
    {
        await Task.Yield();
        throw new GrainFailureException(message);
    }
}

public interface IBrokenActivationGrain : IGrainWithIntegerKey
{
    Task<int> Ping();
}

public sealed class BrokenActivationGrain : Grain, IBrokenActivationGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("cannot start");

    public Task<int> Ping() => Task.FromResult(1);
}
