namespace MigrationCluster.Cli.Bench;

/// <summary>Settings of <c>bench runtime</c>.</summary>
public sealed class RuntimeBenchOptions
{
    public const double DefaultDurationSeconds = 3.0;
    public const double MaxDurationSeconds = 60.0;
    public const double DefaultMaxWarmupSeconds = 0.5;
    public const int DefaultConcurrentCallers = 64;
    public const int DefaultConcurrentGrains = 1000;
    public const int DefaultRounds = 6;
    public const int MaxRounds = 60;

    /// <summary>How long each case is measured (after its warm-up).</summary>
    public double DurationSeconds { get; set; } = DefaultDurationSeconds;

    /// <summary>Warm-up per case: this, or the measured duration if that is shorter.</summary>
    public double MaxWarmupSeconds { get; set; } = DefaultMaxWarmupSeconds;

    public int ConcurrentCallers { get; set; } = DefaultConcurrentCallers;

    /// <summary>Slices each case's duration is cut into, interleaved with the other cases of its shape.</summary>
    public int Rounds { get; set; } = DefaultRounds;

    public int ConcurrentGrains { get; set; } = DefaultConcurrentGrains;

    /// <summary>Where the JSON report goes; null for none.</summary>
    public string? JsonPath { get; set; }

    public TimeSpan Duration => TimeSpan.FromSeconds(DurationSeconds);

    public TimeSpan Warmup => TimeSpan.FromSeconds(Math.Min(MaxWarmupSeconds, DurationSeconds));

    public void Validate()
    {
        if (!double.IsFinite(DurationSeconds) || DurationSeconds <= 0 || DurationSeconds > MaxDurationSeconds)
        {
            throw new ArgumentException($"{nameof(RuntimeBenchOptions)}.{nameof(DurationSeconds)} must be more than 0 and at most {MaxDurationSeconds} (was {DurationSeconds}).");
        }
        if (!double.IsFinite(MaxWarmupSeconds) || MaxWarmupSeconds < 0)
        {
            throw new ArgumentException($"{nameof(RuntimeBenchOptions)}.{nameof(MaxWarmupSeconds)} must be 0 or more (was {MaxWarmupSeconds}).");
        }
        if (Rounds < 1 || Rounds > MaxRounds)
        {
            throw new ArgumentException($"{nameof(RuntimeBenchOptions)}.{nameof(Rounds)} must be from 1 to {MaxRounds} (was {Rounds}).");
        }
        if (ConcurrentCallers < 1)
        {
            throw new ArgumentException($"{nameof(RuntimeBenchOptions)}.{nameof(ConcurrentCallers)} must be at least 1 (was {ConcurrentCallers}).");
        }
        if (ConcurrentGrains < ConcurrentCallers)
        {
            throw new ArgumentException($"{nameof(RuntimeBenchOptions)}.{nameof(ConcurrentGrains)} must be at least {nameof(ConcurrentCallers)} ({ConcurrentCallers}), was {ConcurrentGrains}.");
        }
    }
}
