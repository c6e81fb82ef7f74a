namespace MigrationCluster.Dashboard;

/// <summary>
/// Pages migrated and failed per second over the last <see cref="WindowSeconds"/> seconds (the
/// last element is the current second, <see cref="EndUnixSecond"/>), and the rate now: the mean
/// over the last <see cref="AverageSeconds"/> seconds.
/// </summary>
public sealed record RateView(int WindowSeconds, int AverageSeconds, long EndUnixSecond, long[] Migrated, long[] Failed, double PagesPerSecond);
