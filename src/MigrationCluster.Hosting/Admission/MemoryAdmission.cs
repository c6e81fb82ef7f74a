using System.Globalization;
using MigrationCluster.Grains.Experiments;

namespace MigrationCluster.Hosting.Admission;

/// <summary>
/// Admission by memory: the memory a job needs is estimated from its shape (nodes, frames,
/// processes, pages, tasks) before anything is allocated, and a job above the limit is refused
/// with one line naming both figures, instead of growing until the machine swaps or the runtime
/// throws OutOfMemoryException. The per-item figures are measured ones, rounded up: 56 bytes a
/// page frame and about 75 bytes a mapped page (bench migration --scale, 16.7 M pages in 3.13 GiB).
/// </summary>
public static class MemoryAdmission
{
    /// <summary>The runtime, Orleans and one silo before any simulated memory.</summary>
    public const long BaseBytes = 256L << 20;

    /// <summary>A page frame (flags, refcount, mapcount, mapping, index, compact contents).</summary>
    public const long FrameBytes = 56;

    /// <summary>A mapped page: its page-table entry, the workload's and the coordinator's bookkeeping.</summary>
    public const long PageBytes = 80;

    /// <summary>A node grain's activation with its free lists, LRU and counters.</summary>
    public const long NodeBytes = 256L << 10;

    /// <summary>An address-space grain's activation with its VMAs and policy.</summary>
    public const long AddressSpaceBytes = 64L << 10;

    /// <summary>A task of a workload (its state and random generator).</summary>
    public const long TaskBytes = 16L << 10;

    /// <summary>The default limit's share of the memory available when the command starts.</summary>
    public const double DefaultShareOfAvailable = 0.9;

    /// <summary>The memory <paramref name="spec"/> needs, in bytes (saturating, never overflowing).</summary>
    public static long Estimate(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Estimate(spec.Nodes, spec.FramesPerNode, spec.AddressSpaces, (double)spec.AddressSpaces * spec.PagesPerSpace, (double)spec.AddressSpaces * spec.TasksPerSpace);
    }

    /// <summary>The memory a machine of this shape needs, in bytes (saturating at <see cref="long.MaxValue"/>).</summary>
    public static long Estimate(double nodes, double framesPerNode, double addressSpaces, double mappedPages, double tasks)
    {
        double bytes = BaseBytes
            + (nodes * framesPerNode * FrameBytes)
            + (mappedPages * PageBytes)
            + (nodes * NodeBytes)
            + (addressSpaces * AddressSpaceBytes)
            + (tasks * TaskBytes);
        return bytes >= long.MaxValue ? long.MaxValue : (long)bytes;
    }

    /// <summary>
    /// The default limit: <see cref="DefaultShareOfAvailable"/> of what the kernel says could be
    /// allocated now without swapping (MemAvailable in /proc/meminfo), or of what the runtime may
    /// use where there is no /proc.
    /// </summary>
    public static long DefaultLimit()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                // "MemAvailable:   12345678 kB"
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line["MemAvailable:".Length..].Replace("kB", string.Empty, StringComparison.Ordinal).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
                {
                    available = Math.Min(available, kb * 1024);
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // No /proc: the runtime's own figure stands.
        }
        return (long)(available * DefaultShareOfAvailable);
    }

    /// <summary>Refuses <paramref name="what"/> when <paramref name="estimate"/> exceeds <paramref name="limit"/>.</summary>
    public static void Admit(string what, long estimate, long limit)
    {
        if (estimate > limit)
        {
            throw new AdmissionRefusedException($"{what} needs about {Format(estimate)} of memory (estimated from its shape), more than the limit of {Format(limit)} (--max-memory; by default 90% of the memory available now): make it smaller or raise --max-memory");
        }
    }

    /// <summary>"512M", "8G", "1.5GiB", "1024": a size in bytes, with an optional K/M/G/T suffix (powers of 1,024).</summary>
    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var trimmed = text.Trim();
        var unit = trimmed.TrimStart("0123456789.".ToCharArray());
        var number = trimmed[..^unit.Length];
        var shift = unit.ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => -1,
        };
        if (shift < 0 || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value <= 0)
        {
            return false;
        }
        var total = value * Math.Pow(2, shift);
        if (total >= long.MaxValue || total < 1)
        {
            return false;
        }
        bytes = (long)total;
        return true;
    }

    /// <summary>"3.1 GiB", "512 MiB".</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 40 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 40):0.#} TiB"),
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
    };
}
