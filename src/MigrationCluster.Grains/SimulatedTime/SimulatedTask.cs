using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.SimulatedTime;

/// <summary>
/// One task of an address space in simulated time: its clock, its random numbers, the access it
/// is about to make (drawn once, redone after a sleep), and what it saw so far.
/// </summary>
internal sealed class SimulatedTask(int index, (long Page, VmaKind Kind, bool Writable)[] pages, Random random)
{
    public int Index { get; } = index;

    public (long Page, VmaKind Kind, bool Writable)[] Pages { get; } = pages;

    public Random Random { get; } = random;

    /// <summary>The task's simulated time: when its previous access ended.</summary>
    public long NowNs { get; set; }

    /// <summary>The access drawn next, and when it happens; null until drawn.</summary>
    public (int Target, bool Write, ulong Value, long AtNs)? Next { get; set; }

    /// <summary>Asleep on a page lock since this simulated time (null: awake).</summary>
    public long? AsleepSinceNs { get; set; }

    public int Drawn { get; set; }

    public long Reads, Writes, Local, Remote, Waits, Errors, Stale, SleepNs;

    public double LatencyNs;

    public long AsleepOn => Next is { } next ? Pages[next.Target].Page : -1;
}
