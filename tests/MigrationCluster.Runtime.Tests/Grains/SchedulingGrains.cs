using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Tests.Grains;

public interface ISlowGrain : IGrainWithIntegerKey
{
    /// <summary>Yields a few times, then returns how many calls were inside the grain at most so far.</summary>
    Task<int> Work(int delayMs);

    [ReadOnly]
    Task<int> Read(int delayMs);

    Task<int> MaxConcurrency();

    [AlwaysInterleave]
    Task<int> MaxConcurrencyInterleaved();
}

/// <summary>Not reentrant: calls run one at a time even across awaits.</summary>
public sealed class SlowGrain : Grain, ISlowGrain
{
    private readonly ConcurrencyProbe _probe = new();

    public Task<int> Work(int delayMs) => _probe.Measure(async () =>
    {
        await Task.Delay(delayMs);
        await Task.Yield();
        return _probe.Max;
    });

    public Task<int> Read(int delayMs) => Work(delayMs);

    public Task<int> MaxConcurrency() => Task.FromResult(_probe.Max);

    public Task<int> MaxConcurrencyInterleaved() => Task.FromResult(_probe.Max);
}

public interface IReentrantSlowGrain : IGrainWithIntegerKey
{
    Task<int> Work(int delayMs);

    Task<int> MaxConcurrency();
}

[Reentrant]
public sealed class ReentrantSlowGrain : Grain, IReentrantSlowGrain
{
    private readonly ConcurrencyProbe _probe = new();

    public Task<int> Work(int delayMs) => _probe.Measure(async () =>
    {
        await Task.Delay(delayMs);
        return _probe.Max;
    });

    public Task<int> MaxConcurrency() => Task.FromResult(_probe.Max);
}

public interface IGateGrain : IGrainWithIntegerKey
{
    /// <summary>Waits until <see cref="Open"/> is called.</summary>
    Task<string> WaitForGate();

    [AlwaysInterleave]
    Task Open();

    Task<int> Ping();

    [OneWay]
    Task FireAndForget(string value);

    /// <summary>Throws <see cref="InvalidOperationException"/> with <paramref name="message"/>; nobody awaits it.</summary>
    [OneWay]
    Task FireAndThrow(string message);

    /// <summary>Starts a timer whose every tick throws <see cref="InvalidOperationException"/> with <paramref name="message"/>.</summary>
    Task StartThrowingTimer(string message);

    [AlwaysInterleave]
    Task<string?> LastFired();

    [ResponseTimeout("00:00:00.300")]
    Task SleepLong(int milliseconds);

    Task WaitCancellable(CancellationToken cancellationToken);

    [AlwaysInterleave]
    Task<bool> SawCancellation();

    /// <summary>True once <see cref="WaitCancellable"/> is running (so a cancellation reaches the grain, not the queue).</summary>
    [AlwaysInterleave]
    Task<bool> IsWaiting();
}

public sealed class GateGrain : Grain, IGateGrain
{
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _lastFired;
    private bool _sawCancellation;
    private bool _waiting;

    public async Task<string> WaitForGate()
    {
        await _gate.Task;
        return "passed";
    }

    public Task Open()
    {
        _gate.TrySetResult();
        return Task.CompletedTask;
    }

    public Task<int> Ping() => Task.FromResult(1);

    public async Task FireAndForget(string value)
    {
        await _gate.Task;
        _lastFired = value;
    }

    public Task<string?> LastFired() => Task.FromResult(_lastFired);

    public Task FireAndThrow(string message) => throw new InvalidOperationException(message);

    public Task StartThrowingTimer(string message)
    {
        RegisterGrainTimer(_ => throw new InvalidOperationException(message), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20));
        return Task.CompletedTask;
    }

    public Task SleepLong(int milliseconds) => Task.Delay(milliseconds);

    public async Task WaitCancellable(CancellationToken cancellationToken)
    {
        _waiting = true;
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

    public Task<bool> IsWaiting() => Task.FromResult(_waiting);
}

public interface IChainGrain : IGrainWithIntegerKey
{
    /// <summary>Calls <paramref name="other"/>, which calls back <see cref="Echo"/> on this grain.</summary>
    Task<int> CallThrough(IChainGrain other, bool allowReentrancy);

    Task<int> CallBack(IChainGrain origin);

    Task<int> Echo(int value);
}

public sealed class ChainGrain : Grain, IChainGrain
{
    public async Task<int> CallThrough(IChainGrain other, bool allowReentrancy)
    {
        if (!allowReentrancy)
        {
            return await other.CallBack(this.AsReference<IChainGrain>());
        }
        using (RequestContext.AllowCallChainReentrancy())
        {
            return await other.CallBack(this.AsReference<IChainGrain>());
        }
    }

    public Task<int> CallBack(IChainGrain origin) => origin.Echo(42);

    public Task<int> Echo(int value) => Task.FromResult(value);
}

public interface IWorkerGrain : IGrainWithIntegerKey
{
    Task<Guid> Work(int delayMs);
}

[StatelessWorker(4)]
public sealed class WorkerGrain : Grain, IWorkerGrain
{
    private readonly Guid _instance = Guid.NewGuid();
    private readonly ConcurrencyProbe _probe = new();

    public Task<Guid> Work(int delayMs) => _probe.Measure(async () =>
    {
        await Task.Delay(delayMs);
        if (_probe.Max > 1)
        {
            throw new InvalidOperationException("A stateless worker activation ran two calls at once.");
        }
        return _instance;
    });
}
