namespace MigrationCluster.Cli.Bench;

/// <summary>Options of <see cref="MigrationBench"/> (<c>bench migration</c>).</summary>
public sealed class MigrationBenchOptions
{
    public const int DefaultPages = 262_144;
    public const int DefaultNodes = 4;
    public const int DefaultRounds = 5;
    public const int MaxPages = 16 * 1024 * 1024;
    public const int MaxRounds = 20;

    /// <summary>The scale run: 1,024 NUMA node grains on three silos holding 16,777,216 pages.</summary>
    public const int ScaleNodes = 1024;
    public const int ScalePages = 16 * 1024 * 1024;

    /// <summary>Warm-up before the recorded rounds: at least this many rounds of every engine (the first traced, so the traced path is compiled too)...</summary>
    public const int WarmUpRounds = 3;

    /// <summary>...and at least this long by default (<c>--warm-up SECONDS</c>).</summary>
    public static readonly TimeSpan DefaultWarmUp = TimeSpan.FromSeconds(15);

    public const double MaxWarmUpSeconds = 600;

    /// <summary>How long each ping floor is measured.</summary>
    public static readonly TimeSpan PingDuration = TimeSpan.FromSeconds(1);

    /// <summary>Pages migrated per round (each from its node to the next node), spread evenly over the nodes.</summary>
    public int Pages { get; set; } = DefaultPages;

    public int Nodes { get; set; } = DefaultNodes;

    /// <summary>A described machine (<c>--machine</c>) the rounds are costed on; its node count is the bench's.</summary>
    public Memory.Machines.MachineProfile? Machine { get; set; }

    public Memory.Machines.MigrationProtocolKind Protocol { get; set; }

    /// <summary>Interleaved rounds: every engine migrates once per round, so a drifting host slows them alike.</summary>
    public int Rounds { get; set; } = DefaultRounds;

    public bool Scale { get; set; }

    /// <summary>Seconds of unrecorded rounds before the recorded ones.</summary>
    public double WarmUpSeconds { get; set; } = DefaultWarmUp.TotalSeconds;

    public TimeSpan WarmUp => TimeSpan.FromSeconds(WarmUpSeconds);

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line message naming the bad option.</summary>
    public void Validate()
    {
        if (Nodes is < 2 or > ScaleNodes)
        {
            throw new ArgumentException($"--nodes must be between 2 and {ScaleNodes} (was {Nodes})");
        }
        if (Pages < Nodes || Pages > MaxPages)
        {
            throw new ArgumentException($"--pages must be between the node count ({Nodes}) and {MaxPages} (was {Pages})");
        }
        if (!(WarmUpSeconds is >= 0 and <= MaxWarmUpSeconds))
        {
            throw new ArgumentException($"--warm-up must be between 0 and {MaxWarmUpSeconds} seconds (was {WarmUpSeconds})");
        }
        if (Rounds is < 1 or > MaxRounds)
        {
            throw new ArgumentException($"--rounds must be between 1 and {MaxRounds} (was {Rounds})");
        }
    }
}
