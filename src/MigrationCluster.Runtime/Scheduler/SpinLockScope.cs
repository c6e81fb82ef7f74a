namespace MigrationCluster.Runtime.Scheduler;

/// <summary>
/// Holds a <see cref="SpinLock"/> (created without owner tracking) for a <c>using</c> block, and
/// leaves it with a release store rather than an atomic instruction.
/// </summary>
internal ref struct SpinLockScope
{
    private ref SpinLock _lock;

    public SpinLockScope(ref SpinLock spinLock)
    {
        _lock = ref spinLock;
        var taken = false;
        spinLock.Enter(ref taken);
    }

    public readonly void Dispose() => _lock.Exit(useMemoryBarrier: false);
}
