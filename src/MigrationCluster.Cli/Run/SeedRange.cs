using System.Globalization;
using MigrationCluster.Hosting;

namespace MigrationCluster.Cli.Run;

/// <summary>The seeds of <c>run --seeds A..B</c> (both ends included).</summary>
public static class SeedRange
{
    /// <summary>At most this many seeds in one command.</summary>
    public const int MaxSeeds = 100_000;

    public static IReadOnlyList<int> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split("..");
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var first)
            || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var last))
        {
            throw new UsageException($"--seeds must be a range A..B of whole numbers, such as 1..100 (was '{text}')");
        }
        if (last < first || (long)last - first + 1 > MaxSeeds)
        {
            throw new UsageException($"--seeds must go up, with at most {MaxSeeds:N0} seeds (was '{text}')");
        }
        return [.. Enumerable.Range(first, last - first + 1)];
    }
}
